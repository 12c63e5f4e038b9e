/// A closed interval `[lo, hi]` of dyadic numbers that contains the exact value of a
/// computation: the certified evaluator's numbers.
///
/// Arithmetic is outward-rounded at a working precision (`IntervalArithmetic`), so
/// every result contains every exact result of the operation on members of the
/// operands; the width says how much is known. A degenerate interval (`lo == hi`) is an
/// exact value.
struct Interval: Sendable, CustomStringConvertible {
  var lo: Dyadic
  var hi: Dyadic

  init(_ lo: Dyadic, _ hi: Dyadic) {
    self.lo = lo
    self.hi = hi
  }

  init(_ point: Dyadic) { self.init(point, point) }

  static let zero = Interval(.zero)
  static let one = Interval(.one)

  /// Whether the endpoints are the same representation (a cheap test: equal values in
  /// different representations count as a proper interval, which is only slower).
  var isPoint: Bool { lo.exponent == hi.exponent && lo.mantissa == hi.mantissa }
  /// 1 when every member is positive, -1 when every member is negative, 0 when the
  /// interval is exactly zero, nil when it contains 0 and something else.
  var sign: Int? {
    if lo.signum > 0 { return 1 }
    if hi.signum < 0 { return -1 }
    if lo.isZero && hi.isZero { return 0 }
    return nil
  }
  var containsZero: Bool { lo.signum <= 0 && hi.signum >= 0 }

  var description: String { "[\(lo.approximateDouble), \(hi.approximateDouble)]" }
}

/// Why certified evaluation could not produce an enclosure.
enum CertifiedEvaluationError: Error, Equatable {
  /// A value left the exponent range of `Dyadic` (about `2^(±2^62)`), e.g. `exp(1e300)`.
  case outOfRange
  /// The working precision was not enough to decide something (the sign of an interval
  /// containing 0 for `sign`, `abs`' derivative, a division, a domain): try higher.
  case needsPrecision
  /// The exact value is undefined: `1/0`, `0**(-1)`, `inf - inf`, `0*inf`.
  case undefined
  /// A function outside its real domain for every member of the argument.
  case domain(function: String, argument: Double)
  /// The evaluation's work budget (`IntervalArithmetic.meter`) is spent: no more
  /// precision is tried.
  case workBudget
}

/// Outward-rounded interval arithmetic and elementary functions at a working precision
/// (bits of mantissa per endpoint).
///
/// Elementary functions are computed from series with rigorous remainder bounds
/// (`Interval+Elementary.swift`); the constants `ln 2` and `pi` come from series too and
/// are cached per precision.
struct IntervalArithmetic {
  let precision: Int
  /// Counts the work of a certified evaluation (`CertifiedEvaluator.workBudget`): each
  /// product and quotient charges its cost, the square of the precision in 64-bit limbs,
  /// a count that depends only on the expression, the inputs and the precision (never on
  /// caches or the machine). Past the meter's limit they throw `.workBudget`. Nil: no
  /// budget (sign tests and domain checks have their own).
  var meter: WorkMeter? = nil

  /// Charges one product or quotient at this precision.
  private func charge() throws {
    guard let meter else { return }
    let limbs = precision / 64 + 1
    meter.count += limbs * limbs
    if meter.exhausted { throw CertifiedEvaluationError.workBudget }
  }

  func exact(_ d: Dyadic) -> Interval { Interval(d) }

  func number(_ r: Rational) throws -> Interval {
    if r.denominator == BigInt(1), r.numerator.magnitudeBitWidth <= precision { return Interval(Dyadic(r.numerator)) }
    return Interval(
      try Dyadic.rounding(r, precision: precision, .down), try Dyadic.rounding(r, precision: precision, .up))
  }

  func add(_ a: Interval, _ b: Interval) -> Interval {
    Interval(Dyadic.sum(a.lo, b.lo, precision: precision, .down), Dyadic.sum(a.hi, b.hi, precision: precision, .up))
  }

  func negate(_ a: Interval) -> Interval { Interval(-a.hi, -a.lo) }

  func subtract(_ a: Interval, _ b: Interval) -> Interval { add(a, negate(b)) }

  func multiply(_ a: Interval, _ b: Interval) throws -> Interval {
    try charge()
    // Common cases first, two products instead of eight: a point factor, or both
    // intervals nonnegative (Taylor terms, squarings).
    if b.isPoint || a.isPoint {
      let (x, c) = b.isPoint ? (a, b.lo) : (b, a.lo)
      let (l, h) = c.signum >= 0 ? (x.lo, x.hi) : (x.hi, x.lo)
      return Interval(
        try Dyadic.product(l, c, precision: precision, .down),
        try Dyadic.product(h, c, precision: precision, .up))
    }
    if a.lo.signum >= 0 && b.lo.signum >= 0 {
      return Interval(
        try Dyadic.product(a.lo, b.lo, precision: precision, .down),
        try Dyadic.product(a.hi, b.hi, precision: precision, .up))
    }
    return try cornerHull(a, b, Dyadic.product)
  }

  /// The hull of `op` over the four endpoint pairs, each rounded outward: for products and
  /// quotients (divisor away from 0) the extremes are among them.
  private func cornerHull(
    _ a: Interval, _ b: Interval,
    _ op: (Dyadic, Dyadic, Int, Dyadic.Rounding) throws -> Dyadic
  ) throws -> Interval {
    let pairs = [(a.lo, b.lo), (a.lo, b.hi), (a.hi, b.lo), (a.hi, b.hi)]
    var lo: Dyadic?
    var hi: Dyadic?
    for (x, y) in pairs {
      let d = try op(x, y, precision, .down)
      let u = try op(x, y, precision, .up)
      lo = lo.map { Dyadic.min($0, d) } ?? d
      hi = hi.map { Dyadic.max($0, u) } ?? u
    }
    return Interval(lo!, hi!)
  }

  /// `a / b`; undefined when `b` is exactly 0, `needsPrecision` when `b` contains 0.
  func divide(_ a: Interval, _ b: Interval) throws -> Interval {
    try charge()
    if b.lo.isZero && b.hi.isZero { throw CertifiedEvaluationError.undefined }
    if b.containsZero { throw CertifiedEvaluationError.needsPrecision }
    if b.isPoint {
      let (l, h) = b.lo.signum > 0 ? (a.lo, a.hi) : (a.hi, a.lo)
      return Interval(
        try Dyadic.quotient(l, b.lo, precision: precision, .down),
        try Dyadic.quotient(h, b.lo, precision: precision, .up))
    }
    if a.lo.signum >= 0 && b.lo.signum > 0 {
      return Interval(
        try Dyadic.quotient(a.lo, b.hi, precision: precision, .down),
        try Dyadic.quotient(a.hi, b.lo, precision: precision, .up))
    }
    return try cornerHull(a, b, Dyadic.quotient)
  }

  func scaled(_ a: Interval, byPowerOfTwo k: Int) throws -> Interval {
    Interval(try a.lo.scaled(byPowerOfTwo: k), try a.hi.scaled(byPowerOfTwo: k))
  }

  /// `a * n` for a (small) integer `n`.
  func multiply(_ a: Interval, by n: Int) throws -> Interval { try multiply(a, Interval(Dyadic(n))) }

  /// `a ** n` for an integer `n` (`a ** 0 = 1`); an even power of an interval around 0
  /// starts at 0.
  func power(_ a: Interval, _ n: BigInt) throws -> Interval {
    if n.isZero { return .one }
    if n.signum < 0 { return try divide(.one, try power(a, -n)) }
    // Bound the work: a huge exponent of a base away from ±1 leaves the exponent range.
    guard let k = n.asInt else { throw CertifiedEvaluationError.outOfRange }
    let even = k % 2 == 0
    let m = Interval(Dyadic.min(a.lo.magnitude, a.hi.magnitude), Dyadic.max(a.lo.magnitude, a.hi.magnitude))
    let lowMagnitude = a.containsZero ? Dyadic.zero : m.lo
    var base = Interval(lowMagnitude, m.hi)
    var result = Interval.one
    var e = k
    while true {
      if e & 1 == 1 { result = try multiply(result, base) }
      e >>= 1
      if e == 0 { break }
      base = try multiply(base, base)
    }
    // result encloses |a|^k over the magnitudes; put the signs back.
    if even { return result }
    if a.lo.signum >= 0 { return result }
    if a.hi.signum <= 0 { return negate(result) }
    return Interval(-result.hi, result.hi)
  }

  func abs(_ a: Interval) -> Interval {
    if a.lo.signum >= 0 { return a }
    if a.hi.signum <= 0 { return negate(a) }
    return Interval(.zero, Dyadic.max(-a.lo, a.hi))
  }

  func max(_ a: Interval, _ b: Interval) -> Interval { Interval(Dyadic.max(a.lo, b.lo), Dyadic.max(a.hi, b.hi)) }
  func min(_ a: Interval, _ b: Interval) -> Interval { Interval(Dyadic.min(a.lo, b.lo), Dyadic.min(a.hi, b.hi)) }

  /// The union of two intervals (the hull).
  func hull(_ a: Interval, _ b: Interval) -> Interval { Interval(Dyadic.min(a.lo, b.lo), Dyadic.max(a.hi, b.hi)) }

  /// `[-r, r]` for a nonnegative bound `r`.
  func symmetric(_ r: Dyadic) -> Interval { Interval(-r, r) }

  /// The upper endpoint of `|a|`.
  func magnitudeBound(_ a: Interval) -> Dyadic { Dyadic.max(a.lo.magnitude, a.hi.magnitude) }
}
