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
  /// a positive base, `log(u)` of a `u` that exceeds 1 by structure (`1 + exp(-10**9)`,
  /// `exp(2)`), `log1p` of a positive argument; `tanh`, `expm1`, `sign`, `silu`, `mish`,
  /// `gelu_tanh`, `softsign` and `elu` with a positive `alpha` have their argument's sign
  /// (`hardswish` only a positive one); `max` is positive when one argument is and `min` negative when one
  /// argument is; a negative base to an integer power has the power's sign; a sum whose
  /// terms all have one sign has that sign; a product of signed factors, the product of
  /// their signs. Constants with `+-inf` or `undefined` in them, and symbols, are not
  /// signed. One walk of the DAG (shared nodes once).
  ///
  /// The zero test relies on it where evaluation cannot help: `-949 exp(-10**400) - 3 exp(-10**401)`
  /// is negative and `log(1 + exp(-10**9))` positive, yet every enclosure of them
  /// contains 0 (`exp` below `-2^60` is enclosed as `[0, 2^-(2^60)]` at every
  /// precision; `exp(-10**9)` needs more than 10^9 bits).
  var structuralSign: Int? {
    if !isSymbolFree { return nil }
    return signWhereDefined
  }

  /// The sign that holds at every value of the symbols where the expression is defined,
  /// proved from its structure by the rules of `structuralSign`: 1 or -1, or nil when not
  /// proved (0 only for the number 0). Symbols are unsigned except the limit engine's
  /// positive ones (`t`, `ω`: positive, not necessarily above 1). `-exp(x) - exp(y + 1)`
  /// is -1: negative wherever defined, so `sqrt` and `log` of it are undefined at every
  /// point, and it reaches a limit 0 from below.
  var signWhereDefined: Int? {
    if node.nonFinite & ExprNode.NonFinite.any != 0 { return nil }
    // Per node: 0 "not proved", -1 negative, 1 positive, 2 greater than 1 (so positive).
    var memo: [Expr: Int] = [:]
    let s = fold(memo: &memo) { e, kids -> Int in
      let positive = { (k: Int) in k >= 1 }
      switch e.kind {
      case .number(let r): return r > Rational(1) ? 2 : r.signum  // canonical sums and products hold no 0 terms
      case .constant(let c): return c == .pi ? 2 : 0
      case .symbol(let name): return Expr.positiveSymbolNames.contains(name) ? 1 : 0
      case .apply(let f, _):
        switch f {
        case .exp: return kids[0] >= 1 ? 2 : 1
        case .sigmoid, .softplus: return 1
        // Odd and increasing through 0: the argument's sign.
        case .tanh, .expm1, .sign: return Swift.min(kids[0], 1)
        // x times a positive factor: the argument's sign (elu for alpha > 0).
        case .silu, .mish, .geluTanh, .softsign, .gelu, .erf: return Swift.min(kids[0], 1)
        case .erfc, .erfcx: return 1
        // Either branch's value: a sign both branches share.
        case .wherePositive, .whereNonNegative, .whereZero:
          if kids[1] == kids[2] { return kids[1] }
          return kids[1] >= 1 && kids[2] >= 1 ? 1 : 0
        case .elu: return kids[1] >= 1 ? Swift.min(kids[0], 1) : (kids[0] >= 1 ? 1 : 0)
        // Positive for x > 0, zero at and below -3.
        case .hardswish: return kids[0] >= 1 ? 1 : 0
        // log1p(u) > 0 for u > 0 (a negative u may lie outside the domain, u <= -1);
        // log(u) > 0 for u > 1 (u < 1 would need u > 0 as well).
        case .log1p: return positive(kids[0]) ? 1 : 0
        case .log: return kids[0] == 2 ? 1 : 0
        case .max:
          if kids.contains(2) { return 2 }
          return kids.contains(1) ? 1 : (kids.allSatisfy { $0 == -1 } ? -1 : 0)
        case .min:
          if kids.contains(-1) { return -1 }
          return kids.allSatisfy(positive) ? (kids.allSatisfy { $0 == 2 } ? 2 : 1) : 0
        default: return 0
        }
      case .sum:
        // Positive terms, one of them above 1 (or a number part of at least 1 beside
        // another positive term): the sum exceeds 1.
        if kids.allSatisfy(positive) {
          if kids.contains(2) { return 2 }
          if case .sum(let ts) = e.kind, kids.count > 1, ts.contains(where: { $0.isOne }) { return 2 }
          return 1
        }
        if kids.allSatisfy({ $0 == -1 }) { return -1 }
        return 0
      case .product:
        if kids.contains(0) { return 0 }
        if kids.allSatisfy({ $0 == 2 }) { return 2 }
        return kids.reduce(1) { $0 * ($1 == -1 ? -1 : 1) }
      case .power(_, let exponent):
        if kids[0] == 2, kids[1] >= 1 { return 2 }
        if positive(kids[0]) { return 1 }
        if kids[0] == -1, let n = exponent.rationalValue, n.isInteger { return n.numerator.isEven ? 1 : -1 }
        return 0
      }
    }
    if s == 0 { return isZero ? 0 : nil }
    return Swift.min(s, 1)
  }

  /// Whether the expression is defined (a finite real) at every real value of its symbols:
  /// no `+-inf` or `undefined`, no function with a restricted domain (`log`, `log1p`,
  /// `unit_interval`), no power with a non-integer exponent, and no negative power of a
  /// base whose sign is not proved (`signWhereDefined`: a signed base is never 0). The
  /// other functions are total. One walk of the DAG.
  ///
  /// A structural sign (`structuralSign`) is the constant's sign only where the constant is
  /// defined: `-exp(log(-1))` has the structure of a negative number and no value. For a
  /// total constant it is the sign, with no evaluation.
  var isTotal: Bool {
    if node.nonFinite & ExprNode.NonFinite.any != 0 { return false }
    var memo: [Expr: Bool] = [:]
    return fold(memo: &memo) { e, kids -> Bool in
      guard !kids.contains(false) else { return false }
      switch e.kind {
      case .apply(.log, _), .apply(.log1p, _), .apply(.unitInterval, _): return false
      case .power(let b, let exponent):
        guard let n = exponent.rationalValue, n.isInteger else { return false }
        return n.signum >= 0 || b.signWhereDefined != nil
      default: return true
      }
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
          p.isProvablyPositive, ts.contains(p), ts.allSatisfy(\.isProvablyPositive)
        else { continue }
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
