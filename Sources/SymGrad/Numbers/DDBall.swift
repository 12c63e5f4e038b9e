import Foundation

/// A real number enclosed in a ball with a double-double center: the exact value `x`
/// satisfies `|x - (hi + lo)| <= rad`.
///
/// This is the arithmetic of `CompiledFunction`'s certified fast path: about 106 bits of
/// center, and a radius that every operation enlarges by (a rigorous upper bound of) its
/// own rounding error plus the error propagated from its operands' radii:
///
/// ```
/// (a ± r) + (b ± s) = (a + b) ± (r + s + rounding)
/// (a ± r) * (b ± s) = (a * b) ± (|a| s + |b| r + r s + rounding)
/// ```
///
/// Rounding errors are either captured exactly (the error-free transformations `twoSum`
/// and `twoProduct`) and added to the radius, or bounded by `u |result|` per rounded
/// operation (`u = 2^-53`, round to nearest), plus `2^-1075` for a product that may
/// underflow (`eta`). Radii are always rounded upward (`up`: the next double above a
/// round-to-nearest result is above the exact result), so every bound is an upper bound.
/// No libm function is trusted: `exp`, `log`, `sin` and the others are computed by
/// series on these balls (`DDBall+Elementary.swift`); libm only gives starting guesses
/// whose error is measured afterwards.
///
/// A ball that cannot be trusted (an operand outside the domain or not provably inside
/// it, an overflow, a NaN or infinity anywhere) is *poisoned*: `rad` is `+inf` (or NaN)
/// and `isValid` is false, and every later operation keeps it poisoned.
///
/// The center is kept normalized, `hi == (hi + lo)` rounded to nearest (every operation
/// ends with an exact `twoSum`), so `hi` is the double nearest to the center.
struct DDBall: Sendable, Equatable, CustomStringConvertible {
  var hi: Double
  var lo: Double
  var rad: Double

  init(hi: Double, lo: Double, rad: Double) {
    self.hi = hi
    self.lo = lo
    self.rad = rad
  }

  /// The exact double `x` (radius 0); poisoned when `x` is not finite.
  init(_ x: Double) {
    if x.isFinite {
      self.init(hi: x, lo: 0, rad: 0)
    } else {
      self = .poison
    }
  }

  static let poison = DDBall(hi: .nan, lo: 0, rad: .infinity)
  static let zero = DDBall(hi: 0, lo: 0, rad: 0)
  static let one = DDBall(hi: 1, lo: 0, rad: 0)
  static let two = DDBall(hi: 2, lo: 0, rad: 0)

  /// `2^-53`: the unit roundoff of round-to-nearest doubles.
  static let u = 0x1p-53
  /// An upper bound for the underflow error of the few rounded products of one operation:
  /// each rounded product or fused multiply-add has error at most `u |result| + 2^-1075`.
  static let eta = 0x1p-1070

  /// Whether the ball encloses its value (not poisoned): finite center and radius.
  @inline(__always) var isValid: Bool { (hi + lo + rad).isFinite }

  var description: String { isValid ? "\(hi) + \(lo) ± \(rad)" : "poisoned" }

  // MARK: Rounding helpers (all for nonnegative arguments unless stated)

  /// The next double above `x`, for `x >= +0` (it maps `+inf` to a NaN, which stays
  /// poisoned). Above every real number that rounds to nearest to `x`.
  @inline(__always) static func up(_ x: Double) -> Double { Double(bitPattern: x.bitPattern &+ 1) }

  /// An upper bound of `a + b` for `a, b >= 0`, exact when the sum is 0.
  @inline(__always) static func addUp(_ a: Double, _ b: Double) -> Double {
    let s = a + b
    return s == 0 ? 0 : up(s)
  }

  /// An upper bound of `a * b` for `a, b >= 0`, 0 only when a factor is 0.
  @inline(__always) static func mulUp(_ a: Double, _ b: Double) -> Double {
    a == 0 || b == 0 ? 0 : up(a * b)
  }

  /// An upper bound of `a / b` for `a >= 0`, `b > 0`.
  @inline(__always) static func divUp(_ a: Double, _ b: Double) -> Double {
    a == 0 ? 0 : up(a / b)
  }

  /// `(s, e)` with `s = fl(a + b)` and `a + b = s + e` exactly (Knuth; no overflow).
  @inline(__always) static func twoSum(_ a: Double, _ b: Double) -> (Double, Double) {
    let s = a + b
    let bb = s - a
    let e = (a - (s - bb)) + (b - bb)
    return (s, e)
  }

  /// `(p, e)` with `p = fl(a * b)` and `a * b = p + e` exactly when no underflow occurs
  /// (`|p| >= 2^-969` suffices); otherwise `|a * b - p - e| <= 2^-1075`.
  @inline(__always) static func twoProduct(_ a: Double, _ b: Double) -> (Double, Double) {
    let p = a * b
    return (p, (-p).addingProduct(a, b))
  }

  // MARK: Bounds

  /// An upper bound of `|x|` for every member `x`.
  var magnitudeUpperBound: Double {
    DDBall.addUp(DDBall.addUp(Swift.abs(hi), Swift.abs(lo)), rad)
  }

  /// A double `<=` every member (exact when the ball is an exact double).
  var lowerBound: Double {
    if rad == 0 && lo == 0 { return hi }
    return (hi + (lo - rad).nextDown).nextDown
  }

  /// A double `>=` every member (exact when the ball is an exact double).
  var upperBound: Double {
    if rad == 0 && lo == 0 { return hi }
    return (hi + (lo + rad).nextUp).nextUp
  }

  /// Whether every member is `> 0`.
  var isPositive: Bool { isValid && lowerBound > 0 }
  /// Whether every member is `< 0`.
  var isNegative: Bool { isValid && upperBound < 0 }
  /// Whether the ball is exactly 0.
  var isExactZero: Bool { hi == 0 && lo == 0 && rad == 0 }

  // MARK: Arithmetic

  static prefix func - (a: DDBall) -> DDBall { DDBall(hi: -a.hi, lo: -a.lo, rad: a.rad) }

  /// The sum: every rounding error of the double-double addition is captured exactly by
  /// `twoSum` and added to the radius, so an exact sum (`x - x`) keeps radius 0 and a
  /// sum dominated by the low parts (after cancellation) stays accurate.
  static func + (a: DDBall, b: DDBall) -> DDBall {
    let (s, e) = twoSum(a.hi, b.hi)
    let (t, f) = twoSum(a.lo, b.lo)
    let (e1, g1) = twoSum(e, t)
    let (s2, e2) = twoSum(s, e1)
    let (e3, g3) = twoSum(e2, f)
    let (h, l) = twoSum(s2, e3)
    // a + b = h + l + g1 + g3 exactly.
    let rounding = addUp(Swift.abs(g1), Swift.abs(g3))
    let result = DDBall(hi: h, lo: l, rad: addUp(addUp(a.rad, b.rad), rounding))
    return result.isValid ? result : .poison
  }

  static func - (a: DDBall, b: DDBall) -> DDBall { a + (-b) }

  /// The product. Rounded steps: `e1`, `e2` (fused multiply-adds, error `<= u |e|` each
  /// while the exact result is normal) and the dropped `a.lo * b.lo`. Underflow adds at
  /// most `2^-1075` per step (`eta` covers three), charged only where it can occur: the
  /// error term of `twoProduct` when `|p| < 2^-968`, a fused step whose result is below
  /// the normal range. A product with an exact result (`-1 * y`) keeps radius 0.
  static func * (a: DDBall, b: DDBall) -> DDBall {
    let (p, e) = twoProduct(a.hi, b.hi)
    let e1 = e.addingProduct(a.hi, b.lo)
    let e2 = e1.addingProduct(a.lo, b.hi)
    let (h, l) = twoSum(p, e2)
    var rounding = addUp(mulUp(addUp(Swift.abs(e1), Swift.abs(e2)), u), mulUp(Swift.abs(a.lo), Swift.abs(b.lo)))
    let tiny = 0x1p-1021
    let mayUnderflow =
      (a.hi != 0 && b.hi != 0 && Swift.abs(p) < 0x1p-968)
      || (a.hi != 0 && b.lo != 0 && Swift.abs(e1) < tiny)
      || (a.lo != 0 && b.hi != 0 && Swift.abs(e2) < tiny)
    if mayUnderflow { rounding = addUp(rounding, eta) }
    let am = addUp(Swift.abs(a.hi), Swift.abs(a.lo))
    let bm = addUp(Swift.abs(b.hi), Swift.abs(b.lo))
    let propagated = addUp(addUp(mulUp(am, b.rad), mulUp(bm, a.rad)), mulUp(a.rad, b.rad))
    let result = DDBall(hi: h, lo: l, rad: addUp(propagated, rounding))
    return result.isValid ? result : .poison
  }

  /// The ball times `2^k`: exact when nothing leaves the normal range; otherwise the
  /// components are rounded and the radius grows by their rounding errors.
  func scaled(byPowerOfTwo k: Int) -> DDBall {
    guard isValid else { return .poison }
    if k == 0 { return self }
    let h = scalbn(hi, k)
    let l = scalbn(lo, k)
    var r = rad == 0 ? 0 : DDBall.up(scalbn(rad, k))
    let tiny = Double.leastNormalMagnitude
    if k < 0 && ((l != 0 && Swift.abs(l) < tiny) || (h != 0 && Swift.abs(h) < tiny)) {
      // A component may have lost bits below 2^-1074 (each at most 2^-1075).
      r = DDBall.addUp(r, DDBall.eta)
      let (nh, nl) = DDBall.twoSum(h, l)
      let result = DDBall(hi: nh, lo: nl, rad: r)
      return result.isValid ? result : .poison
    }
    let result = DDBall(hi: h, lo: l, rad: r)
    return result.isValid ? result : .poison
  }

  /// `1/x`, poisoned unless the ball excludes 0.
  ///
  /// A double-double Newton step from `1/hi`, then an a-posteriori bound: with the
  /// residual `rho = 1 - c q` enclosed by ball arithmetic (`c` the center, `q` the
  /// result), `|1/c - q| = |rho| |1/c| <= |rho| |q| / (1 - |rho|)`. The operand's radius
  /// adds `rad / (|x| |c|) <= rad / m^2` with `m` a lower bound of `|x|`.
  func reciprocal() -> DDBall {
    guard isValid else { return .poison }
    let m = hi > 0 ? lowerBound : -upperBound
    guard m > 0 else { return .poison }
    let q0 = 1 / hi
    let (p, e) = DDBall.twoProduct(hi, q0)
    var t = (1 - p) - e
    t = t.addingProduct(-lo, q0)
    let (h, l) = DDBall.twoSum(q0, q0 * t)
    let q = DDBall(hi: h, lo: l, rad: 0)
    let rho = DDBall.one - DDBall(hi: hi, lo: lo, rad: 0) * q
    let rhoMax = rho.magnitudeUpperBound
    guard rhoMax <= 0x1p-20 else { return .poison }
    // 1/(1 - rho) <= 1 + 2 rho <= 1 + 2^-19.
    var r = DDBall.mulUp(DDBall.mulUp(rhoMax, q.magnitudeUpperBound), 1 + 0x1p-19)
    r = DDBall.addUp(r, DDBall.divUp(DDBall.divUp(rad, m), m))
    let result = DDBall(hi: h, lo: l, rad: r)
    return result.isValid ? result : .poison
  }

  /// `x ** n` for an integer `n != 0` by repeated squaring (`1/x ** |n|` for `n < 0`).
  func power(_ n: Int) -> DDBall {
    guard isValid else { return .poison }
    if n == 0 { return .one }
    if n < 0 { return n == Int.min ? .poison : power(-n).reciprocal() }
    var result: DDBall? = nil
    var base = self
    var k = n
    while true {
      if k & 1 == 1 { result = result.map { $0 * base } ?? base }
      k >>= 1
      if k == 0 { break }
      base = base * base
      if !base.isValid { return .poison }
    }
    return result!
  }

  /// `sqrt(x)`, poisoned unless the ball is exactly 0 or provably positive.
  ///
  /// A Newton step from `sqrt(hi)`, then an a-posteriori bound: with `d = c - s^2`
  /// enclosed, `|sqrt(c) - s| = |d| / (sqrt(c) + s) <= |d| / s`. The operand's radius adds
  /// `rad / (sqrt(x) + sqrt(c)) <= rad / (2 sqrt(m))`, `m` a lower bound of the ball.
  func squareRoot() -> DDBall {
    guard isValid else { return .poison }
    if isExactZero { return .zero }
    let m = lowerBound
    guard m > 0 else { return .poison }
    let s0 = hi.squareRoot()
    let (p, e) = DDBall.twoProduct(s0, s0)
    let t = (((hi - p) - e) + lo) / (2 * s0)
    let (h, l) = DDBall.twoSum(s0, t)
    let s = DDBall(hi: h, lo: l, rad: 0)
    let d = DDBall(hi: hi, lo: lo, rad: 0) - s * s
    let sLow = s.lowerBound
    guard d.isValid, sLow > 0 else { return .poison }
    var r = DDBall.divUp(d.magnitudeUpperBound, sLow)
    // IEEE square root is correctly rounded: one step down is below the exact root.
    let rootLow = m.squareRoot().nextDown
    guard rootLow > 0 else { return .poison }
    r = DDBall.addUp(r, DDBall.divUp(rad, 2 * rootLow))
    let result = DDBall(hi: h, lo: l, rad: r)
    return result.isValid ? result : .poison
  }

  /// `|x|`: the radius carries over (1-Lipschitz).
  var magnitude: DDBall { hi < 0 ? -self : self }

  /// Compares the centers exactly (normalized centers: `hi` first, then `lo`).
  static func centerIsLess(_ a: DDBall, _ b: DDBall) -> Bool {
    a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo)
  }

  /// `max(x, y)`. When one ball lies above the other, that ball (its own radius);
  /// otherwise the larger center with the larger radius (max is 1-Lipschitz in the
  /// maximum norm: `|max(x, y) - max(a, b)| <= max(|x - a|, |y - b|)`).
  static func maximum(_ a: DDBall, _ b: DDBall) -> DDBall {
    guard a.isValid, b.isValid else { return .poison }
    if a.lowerBound >= b.upperBound { return a }
    if b.lowerBound >= a.upperBound { return b }
    let c = centerIsLess(a, b) ? b : a
    return DDBall(hi: c.hi, lo: c.lo, rad: a.rad > b.rad ? a.rad : b.rad)
  }

  /// `min(x, y)`, the mirror of `maximum`.
  static func minimum(_ a: DDBall, _ b: DDBall) -> DDBall {
    guard a.isValid, b.isValid else { return .poison }
    if a.upperBound <= b.lowerBound { return a }
    if b.upperBound <= a.lowerBound { return b }
    let c = centerIsLess(a, b) ? a : b
    return DDBall(hi: c.hi, lo: c.lo, rad: a.rad > b.rad ? a.rad : b.rad)
  }

  /// The sign of every member (-1, 0 for the exact zero, 1), nil when the ball does not
  /// decide it (it contains 0 and more, or is poisoned).
  var certainSign: Int? {
    if isExactZero { return 0 }
    if isPositive { return 1 }
    if isNegative { return -1 }
    return nil
  }

  /// `sign(x)`, exact when the ball excludes 0 or is exactly 0; poisoned otherwise.
  var sign: DDBall {
    if isExactZero { return .zero }
    if isPositive { return .one }
    if isNegative { return DDBall(hi: -1, lo: 0, rad: 0) }
    return .poison
  }

  // MARK: Faithful rounding

  /// The double nearest to the center when it is a faithful rounding of *every* member:
  /// the ball lies strictly between that double's neighbours, so whatever the exact value
  /// is, it lies within one ulp of the double, on the side where no other double
  /// intervenes. nil when the ball is too wide, poisoned, or its nearest double is
  /// `±greatestFiniteMagnitude` (beyond which the value may leave the double range).
  ///
  /// With `d = hi` (normalized center) the exact value `x` satisfies
  /// `lo - rad <= x - d <= lo + rad`; the test is `lo + rad < d.nextUp - d` and
  /// `rad - lo < d - d.nextDown`, both sides computed upward (the gaps are powers of two,
  /// exact). A zero or subnormal result passes only when `lo + rad` is below the
  /// subnormal spacing, i.e. an exact result.
  var faithfulDouble: Double? {
    guard isValid else { return nil }
    let d = hi
    let above = d.nextUp
    let below = d.nextDown
    guard above.isFinite && below.isFinite else { return nil }
    let gapAbove = above - d
    let gapBelow = d - below
    let excessAbove = (lo + rad).nextUp
    let excessBelow = (rad - lo).nextUp
    if rad == 0 && lo == 0 { return d }
    guard excessAbove < gapAbove && excessBelow < gapBelow else { return nil }
    return d
  }
}

extension DDBall {
  /// The ball enclosing the interval `a` (dyadic endpoints), centered at a double-double
  /// near its lower end; poisoned beyond the double range.
  init(enclosing a: Interval) {
    let h0 = a.lo.approximateDouble
    guard h0.isFinite, let hd = Dyadic(exactly: h0) else {
      self = .poison
      return
    }
    // Dyadic.sum rounds its operands to `precision` bits first: 2200 bits keep every
    // difference of doubles and 256-bit endpoints exact.
    let rest = Dyadic.sum(a.lo, -hd, precision: 2200, .down)
    let (h, l) = DDBall.twoSum(h0, rest.approximateDouble)
    guard h.isFinite, l.isFinite else {
      self = .poison
      return
    }
    let center = Dyadic.sum(Dyadic(exactly: h)!, Dyadic(exactly: l)!, precision: 2200, .down)
    let above = Dyadic.sum(a.hi, -center, precision: 2200, .up).double(.up)
    let below = Dyadic.sum(center, -a.lo, precision: 2200, .up).double(.up)
    let r = Swift.max(0, above, below)
    self.init(hi: h, lo: l, rad: r)
    if !isValid { self = .poison }
  }

  /// The ball enclosing the rational `r` (256-bit enclosure); poisoned beyond the double
  /// range.
  init(_ r: Rational) {
    if r.denominator == BigInt(1), let n = r.numerator.asInt, n.magnitude <= 1 << 53 {  // magnitude: Int.min has no abs
      self.init(Double(n))
      return
    }
    guard let interval = try? IntervalArithmetic(precision: 256).number(r) else {
      self = .poison
      return
    }
    self.init(enclosing: interval)
  }
}
