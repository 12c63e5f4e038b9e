/// Signs that hold for every real value of the symbols: what the domain rules of the
/// canonical constructors and of `simplified()` may rely on.
///
/// A rewrite that is valid only on part of the real line (`exp(log(u)) = u` needs `u > 0`,
/// `(u**(1/2))**2 = u` needs `u >= 0`) is applied only when this proves the condition;
/// otherwise the expression keeps its form and its domain.
extension Expr {
  /// Names of symbols that are positive by construction: the limit engine's variable
  /// (`t -> +inf`) and its series variable (`ω -> 0+`). No parser can produce them.
  static let positiveSymbolNames: Set<String> = [ExprNode.limitVariableName, ExprNode.seriesVariableName]

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

  /// Whether the expression is provably in [0, 1] for every real value of its symbols:
  /// numbers in [0, 1], `sigmoid`, and `p/(p + q1 + ... )` with `p` and every `q`
  /// provably positive (a softmax entry).
  public var isProvablyInUnitInterval: Bool {
    switch kind {
    case .number(let r): return r.signum >= 0 && r <= Rational(1)
    case .apply(.sigmoid, _): return true
    case .product(let fs) where fs.count == 2:
      for (p, d) in [(fs[0], fs[1]), (fs[1], fs[0])] {
        guard case .power(let s, let m) = d.kind, m.rationalValue == Rational(-1), case .sum(let ts) = s.kind,
              p.isProvablyPositive, ts.contains(p), ts.allSatisfy(\.isProvablyPositive) else { continue }
        return true
      }
      return false
    default: return false
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

extension Expr {
  /// The expression with every domain guard (`unit_interval(u)`) replaced by `u`: the same
  /// function on the guarded domain, defined beyond it.
  public func removingDomainGuards() -> Expr {
    var memo: [Expr: Expr] = [:]
    return fold(memo: &memo) { e, kids in
      if case .apply(.unitInterval, _) = e.kind { return kids[0] }
      return e.rebuilt(with: kids)
    }
  }
}
