/// Signs that hold for every real value of the symbols: what the domain rules of the
/// canonical constructors and of `simplified()` may rely on.
///
/// A rewrite that is valid only on part of the real line (`exp(log(u)) = u` needs `u > 0`,
/// `(u**(1/2))**2 = u` needs `u >= 0`) is applied only when this proves the condition;
/// otherwise the expression keeps its form and its domain.
extension Expr {
  /// Names of symbols that are positive by construction: the limit engine's variable
  /// (`t -> +inf`) and its series variable (`ω -> 0+`). No parser can produce them.
  static let positiveSymbolNames: Set<String> = ["t⃰", "ω⃰"]

  /// Whether the expression is provably positive (> 0) for every real value of its
  /// symbols: positive numbers, `pi`, `+inf`, `exp`, `sigmoid`, `softplus`, the engine's
  /// positive symbols, and sums, products and powers of those. `false` means "not
  /// proved", not "not positive".
  public var isProvablyPositive: Bool {
    switch kind {
    case .number(let r): return r.signum > 0
    case .constant(let c): return c == .pi || c == .infinity
    case .symbol(let name): return Expr.positiveSymbolNames.contains(name)
    case .apply(let f, _): return f == .exp || f == .sigmoid || f == .softplus
    case .sum(let ts): return ts.allSatisfy(\.isProvablyPositive)
    case .product(let fs): return fs.allSatisfy(\.isProvablyPositive)
    case .power(let b, _): return b.isProvablyPositive
    }
  }

  /// Whether the expression is provably non-negative (>= 0) for every real value of its
  /// symbols: provably positive expressions, 0, `abs`, even integer powers, and sums and
  /// products of those.
  public var isProvablyNonnegative: Bool {
    switch kind {
    case .number(let r): return r.signum >= 0
    case .apply(.abs, _): return true
    case .sum(let ts): return ts.allSatisfy(\.isProvablyNonnegative)
    case .product(let fs): return fs.allSatisfy(\.isProvablyNonnegative)
    case .power(let b, let p):
      if let r = p.rationalValue, r.isInteger, r.numerator.isEven { return true }
      return b.isProvablyPositive || (b.isProvablyNonnegative && (p.rationalValue?.signum ?? 0) > 0)
    default: return isProvablyPositive
    }
  }
}
