/// Limits by continuity, before Gruntz.
///
/// Most limits asked of the engine come from evaluation at infinite inputs and masks, and
/// most of their subexpressions need no asymptotic analysis: `tanh(tanh(x))` at `x = -inf`
/// is `tanh(-1)`, a masked entry `exp(-inf + s)` is 0, a denominator with a finite positive
/// limit is its limit. `limitByContinuity` walks the expression bottom-up and combines the
/// limits of the children by the limit laws:
///
/// - sums: the sum of finite limits; `+inf` (or `-inf`) with finite ones; `inf - inf` is
///   indeterminate;
/// - products: the product of finite limits; infinite factors with finite factors whose
///   sign is certified nonzero; `0 * inf` is indeterminate;
/// - `b**r` (r rational): continuous where `b`'s limit is positive, or nonzero for integer
///   `r`, or any for positive integer `r`; `(+inf)**r` is `inf` or 0 by the sign of `r`,
///   `(-inf)**r` likewise for integer `r`;
/// - selections `where(u ▷ 0, a, b)`: the limit of the branch that `u`'s limit selects
///   when it is `+-inf` or finite with a certified nonzero sign (`u -> 0`: Gruntz, which
///   takes `u`'s eventual sign);
/// - functions: `exp`, `sin`, `cos`, `tanh`, `sigmoid`, `softplus`, `expm1`, `abs`, `erf`, `erfc`, `max`,
///   `min` are continuous everywhere; `log` where the argument's limit is certified
///   positive, `log1p` where `1 + limit` is, `sign` where the limit is certified nonzero;
///   the values at `+-inf` are the textbook ones (`tanh -> +-1`, `sigmoid -> 1, 0`, ...).
///
/// A sign is used only when it is certified (`CertifiedEvaluator.sign`). Where no law applies
/// (an indeterminate form, a limit on the boundary of a domain, an exponent depending on
/// `t`, `sin` of an unbounded argument) that node alone goes to the Gruntz algorithm, and
/// its limit is combined further up. So a nest of 200 `tanh` around a masked softmax costs
/// one Gruntz limit (the softmax), not one over the whole nest. Every law is a theorem
/// about limits, so the result is the limit whenever this pass gives one; when a node's
/// Gruntz limit fails, the pass gives up and the caller runs Gruntz on the whole
/// expression (which may still cancel what the part could not).
extension LimitEngine {
  /// The limit of `e` (in terms of `t`, not yet rewritten) by continuity and the limit
  /// laws, with Gruntz only at the nodes where no law applies; nil when such a node has no
  /// decided limit. Uses the engine's work budget.
  func limitByContinuity(_ e: Expr) throws -> LimitValue? {
    var memo: [Expr: LimitValue?] = [:]
    return try continuity(e, &memo)
  }

  private func continuity(_ e: Expr, _ memo: inout [Expr: LimitValue?]) throws -> LimitValue? {
    if e == t { return .infinity }
    if let done = memo[e] { return done }
    if !e.contains(t) {
      if e.rationalValue == nil { try spend() }  // numbers cost a memo entry, not work
      // A maximal t-free part: a constant of the limit, which must be in its domain.
      if e.containsUndefined { throw LimitFailure.undefinedInput }
      let value = LimitValue.finite(e).checkingDomain()
      memo[e] = value
      return value
    }
    try spend()
    var result = try combine(e, &memo)
    if result == nil {
      // No law applies here: this node's own limit, by Gruntz.
      let value = try limitInf(try rewrite(e, shared: true))
      if case .undefined = value {} else { result = value }
    }
    memo[e] = result
    return result
  }

  /// The limit of `e` from its children's limits by the laws above, or nil.
  private func combine(_ e: Expr, _ memo: inout [Expr: LimitValue?]) throws -> LimitValue? {
    if case .apply(let f, let args) = e.kind, f.isSelection {
      // The branch the condition's limit selects on a tail (an infinite limit, or a
      // finite one of certified sign); a condition tending to 0 needs its eventual sign
      // (Gruntz, through `rewrite`). The other branch is not visited.
      guard let v = try continuity(args[0], &memo) else { return nil }
      let s: Int
      switch v {
      case .infinity: s = 1
      case .negativeInfinity: s = -1
      case .finite(let c):
        guard let known = knownSign(c), known != 0 else { return nil }
        s = known
      case .undefined: return v
      }
      return try continuity(f.selectsFirstBranch(sign: s) ? args[1] : args[2], &memo)
    }
    var limits: [LimitValue] = []
    for child in e.children {
      guard let v = try continuity(child, &memo) else { return nil }
      if case .undefined = v { return v }
      limits.append(v)
    }
    switch e.kind {
    case .sum:
      var finite: [Expr] = []
      var plus = false
      var minus = false
      for v in limits {
        switch v {
        case .finite(let c): finite.append(c)
        case .infinity: plus = true
        case .negativeInfinity: minus = true
        case .undefined: return nil
        }
      }
      if plus && minus { return nil }
      if plus { return .infinity }
      if minus { return .negativeInfinity }
      return .finite(.sum(finite))
    case .product:
      var finite: [Expr] = []
      var sign = 1
      var infinite = false
      for v in limits {
        switch v {
        case .finite(let c): finite.append(c)
        case .infinity: infinite = true
        case .negativeInfinity:
          infinite = true
          sign = -sign
        case .undefined: return nil
        }
      }
      guard infinite else { return .finite(.product(finite)) }
      for c in finite {
        guard let s = knownSign(c), s != 0 else { return nil }
        sign *= s
      }
      return sign > 0 ? .infinity : .negativeInfinity
    case .power(let base, let p):
      guard let r = p.rationalValue else { return nil }
      return power(limits[0], r, base: base)
    case .apply(let f, let arguments):
      if let v = boundary(f, limits, arguments) { return v }
      return apply(f, limits)
    default:
      return nil
    }
  }

  /// `b**r` from the limit of `b`. An even root (`r = p/q`, `q` even) of a base that is
  /// negative on a tail (its limit is `-inf` or certified negative, or it is negative
  /// wherever defined) is undefined on that tail: `domain`. An odd root (`q` odd) is the
  /// real root, continuous everywhere (and at 0 for `r > 0`). A base with the limit 0 and
  /// a sign by structure reaches 0 from that side: `b**r -> 0` for `r > 0`, `+-inf` for
  /// `r < 0`.
  private func power(_ limit: LimitValue, _ r: Rational, base: Expr) -> LimitValue? {
    let integer = r.isInteger
    let evenRoot = !integer && r.denominator.isEven
    let oddNumerator = !r.numerator.isEven
    let negativeBase = LimitValue.undefined(.domain("a negative quantity raised to \(r)"))
    switch limit {
    case .finite(let b):
      if integer && r.signum > 0 { return .finite(.power(b, .number(r))) }
      if let s = knownSign(b), s != 0 {
        if s < 0 && evenRoot { return negativeBase }
        return .finite(.power(b, .number(r)))
      }
      guard b.isZero, let s = base.signWhereDefined, s != 0 else { return nil }
      if s < 0 && evenRoot { return negativeBase }
      if r.signum > 0 { return .finite(.zero) }
      // 1/b**|r| with b -> 0 from the side s: the sign of b**|r| there.
      return s > 0 || !oddNumerator ? .infinity : .negativeInfinity
    case .infinity:
      return r.signum > 0 ? .infinity : .finite(.zero)
    case .negativeInfinity:
      if evenRoot { return negativeBase }
      if r.signum < 0 { return .finite(.zero) }
      return oddNumerator ? .negativeInfinity : .infinity
    case .undefined:
      return nil
    }
  }

  /// `log` and `log1p` at the edge of their domains: an argument that is negative on a
  /// tail (below -1 for `log1p`) makes them undefined there (`domain`); one that tends to
  /// the pole (0, or -1 for `log1p`) from inside the domain, by its structural sign, gives
  /// `-inf`. Nil where neither applies.
  private func boundary(_ f: Expr.Function, _ limits: [LimitValue], _ arguments: [Expr]) -> LimitValue? {
    guard f == .log || f == .log1p, limits.count == 1 else { return nil }
    let shift: Expr = f == .log ? .zero : .one
    let name = f == .log ? "log" : "log1p"
    switch limits[0] {
    case .negativeInfinity:
      return .undefined(.domain("\(name) of a quantity tending to -inf"))
    case .finite(let v):
      let edge = shift + v
      if edge.isZero {
        guard let s = (shift + arguments[0]).signWhereDefined, s != 0 else { return nil }
        return s > 0 ? .negativeInfinity : .undefined(.domain("\(name) of a quantity below its domain"))
      }
      if knownSign(edge) == -1 { return .undefined(.domain("\(name) of a quantity below its domain")) }
      return nil
    default:
      return nil
    }
  }

  private func apply(_ f: Expr.Function, _ limits: [LimitValue]) -> LimitValue? {
    if f == .max || f == .min { return extremum(f == .max, limits) }
    if f.isActivation { return activation(f, limits) }
    guard limits.count == 1 else { return nil }
    switch limits[0] {
    case .finite(let v):
      switch f {
      case .exp, .sin, .cos, .tanh, .sigmoid, .softplus, .expm1, .abs, .erf, .erfc:
        return .finite(.apply(f, [v]))
      case .log:
        guard knownSign(v) == 1 else { return nil }
        return .finite(.apply(f, [v]))
      case .log1p:
        guard knownSign(1 + v) == 1 else { return nil }
        return .finite(.apply(f, [v]))
      case .sign:
        guard let s = knownSign(v), s != 0 else { return nil }
        return .finite(Expr.number(Rational(s)))
      default:
        return nil
      }
    case .infinity:
      switch f {
      case .exp, .log, .log1p, .softplus, .expm1, .abs: return .infinity
      case .tanh, .sigmoid, .sign, .erf: return .finite(.one)
      case .erfc, .erfcx: return .finite(.zero)
      default: return nil
      }
    case .negativeInfinity:
      switch f {
      case .exp, .sigmoid, .softplus: return .finite(.zero)
      case .tanh, .expm1, .sign, .erf: return .finite(-.one)
      case .erfc: return .finite(.number(2))
      case .abs, .erfcx: return .infinity
      default: return nil
      }
    case .undefined:
      return nil
    }
  }

  /// An activation of limits: each is continuous on the reals (elu jointly in its two
  /// arguments), with the values at `+-inf` of `Expr.Function.valueAtInfinity`. Nil where
  /// that does not decide (an infinite `alpha` at a finite `x`, an undefined limit).
  private func activation(_ f: Expr.Function, _ limits: [LimitValue]) -> LimitValue? {
    var others: [Expr] = []
    for v in limits.dropFirst() {
      guard case .finite(let c) = v else { return nil }
      others.append(c)
    }
    let value: Expr
    switch limits[0] {
    case .finite(let v): value = .apply(f, [v] + others)
    case .infinity, .negativeInfinity:
      guard let w = f.valueAtInfinity(positive: limits[0] == .infinity, [.zero] + others) else { return nil }
      value = w
    case .undefined: return nil
    }
    if value == .infinity { return .infinity }
    if value == .negativeInfinity { return .negativeInfinity }
    return value.containsNonFinite ? nil : .finite(value)
  }

  /// max/min of limits: continuous; an infinite argument on the winning side wins, one on
  /// the losing side drops out.
  private func extremum(_ isMax: Bool, _ limits: [LimitValue]) -> LimitValue? {
    let winner: LimitValue = isMax ? .infinity : .negativeInfinity
    var finite: [Expr] = []
    for v in limits {
      switch v {
      case .finite(let c): finite.append(c)
      case .undefined: return nil
      default: if v == winner { return winner }
      }
    }
    if finite.isEmpty { return isMax ? .negativeInfinity : .infinity }
    if finite.count == 1 { return .finite(finite[0]) }
    return .finite(.apply(isMax ? .max : .min, finite))
  }

  /// The sign of a constant free of symbols when it is certified (exactly 0, provably
  /// positive, or an enclosure that excludes 0); nil otherwise.
  private func knownSign(_ c: Expr) -> Int? {
    if c.isZero { return 0 }
    guard c.node.symbolMask == 0, !c.containsNonFinite else { return nil }
    if c.isProvablyPositive { return 1 }
    return try? certifiedSign(c)  // metered: a 60-level nest climbed to 4096 bits unmetered
  }
}
