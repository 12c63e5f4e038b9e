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

  /// The sign of a symbol-free finite constant proved from its structure alone, without
  /// evaluating it: 1 or -1, or nil when not proved (0 only for the number 0). Positive:
  /// positive numbers, `pi`, `exp`/`sigmoid`/`softplus` of a finite argument, powers of
  /// a positive base; a negative base to an integer power has the power's sign; a sum
  /// whose terms all have one sign has that sign; a product of signed factors, the
  /// product of their signs. Constants with `+-inf` or `undefined` in them, and symbols,
  /// are not signed. One walk of the DAG (shared nodes once).
  ///
  /// The zero test relies on it where evaluation cannot help: `-949 exp(-10**400) - 3 exp(-10**401)`
  /// is negative, yet every enclosure of it contains 0 (`exp` below `-2^60` is enclosed
  /// as `[0, 2^-(2^60)]` at every precision).
  var structuralSign: Int? {
    if node.nonFinite != 0 || !isSymbolFree { return nil }
    var memo: [Expr: Int] = [:]  // 0 stands for "not proved" below the root
    let s = fold(memo: &memo) { e, kids -> Int in
      switch e.kind {
      case .number(let r): return r.signum  // canonical sums and products hold no 0 terms
      case .constant(let c): return c == .pi ? 1 : 0
      case .symbol: return 0
      case .apply(let f, _): return f == .exp || f == .sigmoid || f == .softplus ? 1 : 0
      case .sum:
        if kids.allSatisfy({ $0 == 1 }) { return 1 }
        if kids.allSatisfy({ $0 == -1 }) { return -1 }
        return 0
      case .product:
        if kids.contains(0) { return 0 }
        return kids.reduce(1, *)
      case .power(_, let exponent):
        if kids[0] == 1 { return 1 }
        if kids[0] == -1, let n = exponent.rationalValue, n.isInteger { return n.numerator.isEven ? 1 : -1 }
        return 0
      }
    }
    if s == 0 { return isZero ? 0 : nil }
    return s
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
