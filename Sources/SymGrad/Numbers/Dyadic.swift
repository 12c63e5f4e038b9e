import Foundation

/// An exact binary number `mantissa * 2^exponent` with an arbitrary-precision mantissa and
/// an `Int` exponent: the endpoints of the certified evaluator's intervals.
///
/// Every double is a `Dyadic` exactly, and so is `exp(1000)` rounded to any precision:
/// the exponent range is that of `Int`, not of IEEE doubles. Arithmetic that could leave
/// that range (an exponent beyond about `±2^62`) throws `CertifiedEvaluationError.outOfRange`
/// instead of trapping. Rounding is directed (`.down` toward `-inf`, `.up` toward `+inf`),
/// which is what interval endpoints need.
struct Dyadic: Sendable, CustomStringConvertible {
  /// Directed rounding.
  enum Rounding { case down, up }

  var mantissa: BigInt
  var exponent: Int

  init(_ mantissa: BigInt, _ exponent: Int = 0) {
    self.mantissa = mantissa
    self.exponent = mantissa.isZero ? 0 : exponent
  }

  init(_ n: Int) { self.init(BigInt(n), 0) }

  static let zero = Dyadic(0)
  static let one = Dyadic(1)

  /// The double's exact value; nil for infinities and NaN.
  init?(exactly d: Double) {
    guard d.isFinite else { return nil }
    if d == 0 {
      self = .zero
      return
    }
    let significand = d.significandBitPattern
    let biased = Int(d.exponentBitPattern)
    let m: UInt64
    let e: Int
    if biased == 0 {
      (m, e) = (significand, -1074)
    } else {
      (m, e) = (significand | (1 << 52), biased - 1075)
    }
    let magnitude = BigInt(Int(m))
    self.init(d < 0 ? -magnitude : magnitude, e)
  }

  var signum: Int { mantissa.signum }
  var isZero: Bool { mantissa.isZero }

  /// Number of significant bits of the mantissa.
  var bitWidth: Int { mantissa.magnitudeBitWidth }

  /// The position of the leading bit: `2^top <= |self| < 2^(top + 1)`. Only for nonzero values.
  var top: Int { exponent &+ (bitWidth - 1) }

  var description: String { "\(mantissa)*2^\(exponent)" }

  static prefix func - (a: Dyadic) -> Dyadic { Dyadic(-a.mantissa, a.exponent) }

  var magnitude: Dyadic { Dyadic(mantissa.magnitude, exponent) }

  /// `self * 2^k`, exact.
  func scaled(byPowerOfTwo k: Int) throws -> Dyadic {
    if isZero { return self }
    return Dyadic(mantissa, try Dyadic.checkedSum(exponent, k))
  }

  /// Exponents stay within ±2^62, so that sums of two of them never overflow `Int`.
  static let exponentLimit = 1 << 62

  static func checkedSum(_ a: Int, _ b: Int) throws -> Int {
    let (s, o) = a.addingReportingOverflow(b)
    guard !o, s.magnitude < UInt(exponentLimit) else { throw CertifiedEvaluationError.outOfRange }
    return s
  }

  // MARK: Rounding

  /// The value rounded to at most `precision` significant bits in the given direction.
  func rounded(_ precision: Int, _ mode: Rounding) -> Dyadic {
    let width = bitWidth
    guard width > precision else { return self }
    let shift = width - precision
    return Dyadic(mantissa.shiftedRight(by: shift, roundingUp: mode == .up), exponent + shift)
  }

  // MARK: Exact arithmetic

  /// The exact sum when the exponents are close; see `sum(_:_:precision:_:)` for the
  /// rounded sum of operands of any exponents.
  private static func exactSum(_ a: Dyadic, _ b: Dyadic) -> Dyadic {
    if a.isZero { return b }
    if b.isZero { return a }
    if a.exponent >= b.exponent {
      return Dyadic(a.mantissa.shiftedLeft(by: a.exponent - b.exponent) + b.mantissa, b.exponent)
    }
    return Dyadic(a.mantissa + b.mantissa.shiftedLeft(by: b.exponent - a.exponent), a.exponent)
  }

  /// `a + b` rounded to `precision` bits in direction `mode`, for operands of at most
  /// `precision` bits. An operand far below the other's last bit is replaced by a tiny
  /// value of the same sign below the rounding grid, which rounds the same way (so no
  /// sum ever builds a mantissa of astronomically many bits).
  static func sum(_ a: Dyadic, _ b: Dyadic, precision: Int, _ mode: Rounding) -> Dyadic {
    if a.isZero { return b.rounded(precision, mode) }
    if b.isZero { return a.rounded(precision, mode) }
    var (big, small) = a.top >= b.top ? (a, b) : (b, a)
    big = big.rounded(precision, mode)
    let floor = big.top - precision - 4
    if small.top < floor {
      small = Dyadic(BigInt(small.signum), floor)
    } else {
      small = small.rounded(precision, mode)
    }
    return exactSum(big, small).rounded(precision, mode)
  }

  /// `a * b` rounded to `precision` bits in direction `mode`.
  static func product(_ a: Dyadic, _ b: Dyadic, precision: Int, _ mode: Rounding) throws -> Dyadic {
    if a.isZero || b.isZero { return .zero }
    return Dyadic(a.mantissa * b.mantissa, try checkedSum(a.exponent, b.exponent)).rounded(precision, mode)
  }

  /// `a / b` (b nonzero) rounded to `precision` bits in direction `mode`.
  static func quotient(_ a: Dyadic, _ b: Dyadic, precision: Int, _ mode: Rounding) throws -> Dyadic {
    precondition(!b.isZero, "Dyadic.quotient: division by zero")
    if a.isZero { return .zero }
    // Shift the numerator so the quotient has at least precision + 1 bits.
    let shift = Swift.max(0, precision + 1 + b.bitWidth - a.bitWidth)
    let n = a.mantissa.magnitude.shiftedLeft(by: shift)
    let (q, r) = n.quotientAndRemainder(dividingBy: b.mantissa.magnitude)
    let negative = (a.signum < 0) != (b.signum < 0)
    let inexact = !r.isZero
    // Truncation toward zero, then one unit away from zero where the direction asks for it.
    var m = q
    if inexact && (negative ? mode == .down : mode == .up) { m = m + BigInt(1) }
    if negative { m = -m }
    let e = try checkedSum(try checkedSum(a.exponent, -b.exponent), -shift)
    return Dyadic(m, e).rounded(precision, mode)
  }

  // MARK: Comparison

  /// -1, 0 or 1 as `a` is below, equal to or above `b`.
  static func compare(_ a: Dyadic, _ b: Dyadic) -> Int {
    if a.signum != b.signum { return a.signum < b.signum ? -1 : 1 }
    if a.isZero { return 0 }
    let s = a.signum
    if a.top != b.top { return (a.top < b.top ? -1 : 1) * s }
    // Same leading bit: the exponents differ by at most the mantissas' widths.
    let d = exactSum(a, -b)
    return d.signum
  }

  static func < (a: Dyadic, b: Dyadic) -> Bool { compare(a, b) < 0 }
  static func <= (a: Dyadic, b: Dyadic) -> Bool { compare(a, b) <= 0 }

  static func min(_ a: Dyadic, _ b: Dyadic) -> Dyadic { a <= b ? a : b }
  static func max(_ a: Dyadic, _ b: Dyadic) -> Dyadic { a <= b ? b : a }

  // MARK: Conversion

  /// The nearest-ish double (within a few ulps; infinities past the double range).
  var approximateDouble: Double {
    if isZero { return 0 }
    let width = bitWidth
    var m = mantissa
    var e = exponent
    if width > 62 {
      m = mantissa.shiftedRight(by: width - 62, roundingUp: false)
      e = exponent + (width - 62)
    }
    let d = Double(m.asInt!)
    if e > 4000 { return d > 0 ? .infinity : -.infinity }
    if e < -4000 { return d > 0 ? 0 : -0.0 }
    return scalbn(d, e)
  }

  /// The value rounded to a double in direction `mode`: the largest double `<= self`
  /// (`.down`) or the smallest double `>= self` (`.up`), which is `-inf`/`+inf` past the
  /// double range.
  func double(_ mode: Rounding) -> Double {
    var d = approximateDouble
    // Step until the direction holds (at most a few steps: the guess is within ulps).
    func below(_ x: Double) -> Bool {  // x <= self
      if x == -.infinity { return true }
      if x == .infinity { return false }
      return Dyadic.compare(Dyadic(exactly: x)!, self) <= 0
    }
    func above(_ x: Double) -> Bool {  // x >= self
      if x == .infinity { return true }
      if x == -.infinity { return false }
      return Dyadic.compare(Dyadic(exactly: x)!, self) >= 0
    }
    switch mode {
    case .down:
      while !below(d) { d = d.nextDown }
      while d != .infinity, below(d.nextUp) { d = d.nextUp }
    case .up:
      while !above(d) { d = d.nextUp }
      while d != -.infinity, above(d.nextDown) { d = d.nextDown }
    }
    return d
  }

  /// A rational rounded to `precision` bits in direction `mode`.
  static func rounding(_ r: Rational, precision: Int, _ mode: Rounding) throws -> Dyadic {
    if r.denominator == BigInt(1) { return Dyadic(r.numerator).rounded(precision, mode) }
    return try quotient(Dyadic(r.numerator), Dyadic(r.denominator), precision: precision, mode)
  }

  /// The integer nearest to the value (ties away from zero), for argument reduction.
  var nearestInteger: BigInt {
    if exponent >= 0 { return mantissa.shiftedLeft(by: exponent) }
    // floor(self + 1/2)
    let half = Dyadic(1, -1)
    let s = Dyadic.exactSum(self, half)
    return s.mantissa.shiftedRight(by: -s.exponent, roundingUp: false)
  }
}

extension BigInt {
  /// `floor(self / 2^shift)` (or the ceiling with `roundingUp`), for `shift >= 0`.
  func shiftedRight(by shift: Int, roundingUp: Bool) -> BigInt {
    precondition(shift >= 0, "shiftedRight needs a non-negative shift")
    if shift == 0 || isZero { return self }
    let (negative, magnitude) = signAndMagnitude
    let limbShift = shift / UInt.bitWidth
    let bitShift = UInt(shift % UInt.bitWidth)
    if limbShift >= magnitude.count {
      // Everything shifted out: floor is 0 or -1, ceiling 1 or 0.
      return negative ? (roundingUp ? BigInt(0) : BigInt(-1)) : (roundingUp ? BigInt(1) : BigInt(0))
    }
    var lost = magnitude[..<limbShift].contains { $0 != 0 }
    if bitShift != 0 && magnitude[limbShift] & ((1 << bitShift) - 1) != 0 { lost = true }
    var result = [UInt](repeating: 0, count: magnitude.count - limbShift)
    for i in result.indices {
      let low = magnitude[i + limbShift] >> bitShift
      let high: UInt =
        (bitShift != 0 && i + limbShift + 1 < magnitude.count)
        ? magnitude[i + limbShift + 1] << (UInt(UInt.bitWidth) - bitShift) : 0
      result[i] = low | high
    }
    let truncated = BigInt(negative: negative, magnitude: result)
    // Truncation went toward zero: a negative value lost toward +inf, a positive toward -inf.
    guard lost else { return truncated }
    if negative && !roundingUp { return truncated - BigInt(1) }
    if !negative && roundingUp { return truncated + BigInt(1) }
    return truncated
  }
}
