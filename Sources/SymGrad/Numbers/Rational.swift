/// An exact rational number `numerator / denominator`.
///
/// Always stored in lowest terms with a positive denominator (zero is `0/1`), so
/// `==` and `hash(into:)` are structural. Arithmetic is exact and never overflows;
/// when both parts of both operands fit in `Int`, operations take an `Int` fast path
/// and fall back to `BigInt` arithmetic only on overflow.
public struct Rational: Sendable, Hashable {
  /// The numerator, carrying the sign; coprime with the denominator.
  public let numerator: BigInt
  /// The denominator; always positive, and `1` for integers (including zero).
  public let denominator: BigInt

  /// Stores parts that are already reduced with a positive denominator.
  init(reducedNumerator numerator: BigInt, denominator: BigInt) {
    self.numerator = numerator
    self.denominator = denominator
  }

  /// The integer `n` as a rational.
  public init(_ n: Int) {
    self.init(reducedNumerator: BigInt(n), denominator: 1)
  }

  /// The integer `n` as a rational.
  public init(_ n: BigInt) {
    self.init(reducedNumerator: n, denominator: 1)
  }

  /// The reduced fraction `numerator / denominator`, or `nil` when `denominator` is zero.
  ///
  /// The sign is moved to the numerator: `Rational(numerator: 2, denominator: -4)`
  /// is `-1/2`, and any zero numerator gives `0/1`.
  public init?(numerator: BigInt, denominator: BigInt) {
    if denominator.isZero { return nil }
    self = Rational.reducing(numerator, denominator)
  }

  /// Reduces `n / d` for a nonzero `d`.
  static func reducing(_ n: BigInt, _ d: BigInt) -> Rational {
    if n.isZero { return Rational(reducedNumerator: 0, denominator: 1) }
    if let a = n.asInt, let b = d.asInt {
      let g = BigInt.gcdWords(a.magnitude, b.magnitude)
      if g <= UInt(Int.max) {
        // g >= 1, so these divisions cannot overflow; negation is done in BigInt.
        let (reducedN, reducedD) = (BigInt(a / Int(g)), BigInt(b / Int(g)))
        return b > 0
          ? Rational(reducedNumerator: reducedN, denominator: reducedD)
          : Rational(reducedNumerator: -reducedN, denominator: -reducedD)
      }
    }
    var n = n
    var d = d
    let g = BigInt.gcd(n, d)
    if g != 1 {
      n = n / g
      d = d / g
    }
    if d.signum < 0 {
      n = -n
      d = -d
    }
    return Rational(reducedNumerator: n, denominator: d)
  }

  /// Reduces `n / d` for Int parts with `d > 0`; the result always fits.
  private static func reducingSmall(_ n: Int, _ d: Int) -> Rational {
    let g = Int(BigInt.gcdWords(n.magnitude, UInt(d)))
    return Rational(reducedNumerator: BigInt(n / g), denominator: BigInt(d / g))
  }

  /// Both parts as `Int`s when they fit.
  private var smallParts: (numerator: Int, denominator: Int)? {
    guard let n = numerator.asInt, let d = denominator.asInt else { return nil }
    return (n, d)
  }
}

// MARK: - Conversions in

extension Rational: ExpressibleByIntegerLiteral {
  /// The integer written by an `Int` literal.
  public init(integerLiteral value: Int) {
    self.init(value)
  }
}

extension Rational {
  /// The largest exponent magnitude accepted by `init?(decimal:)`.
  public static let maximumDecimalExponent = 100_000

  /// Parses a decimal literal exactly: `"12"`, `"-0.0473"` (`-473/10000`), `"1.5e-3"`,
  /// `"2E10"`, `".5"`, `"5."`, `"+1e+308"`.
  ///
  /// Grammar: optional sign, digits with an optional `.` (at least one digit on
  /// either side), then optionally `e` or `E`, an optional sign and one or more
  /// digits. No whitespace, `inf` or `nan`. Returns `nil` for malformed text and
  /// for a written exponent whose magnitude exceeds `maximumDecimalExponent`
  /// (100 000), which bounds the size of the result.
  public init?(decimal text: String) {
    let bytes = Array(text.utf8)
    let count = bytes.count
    var index = 0
    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    var negative = false
    if index < count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
      negative = bytes[index] == UInt8(ascii: "-")
      index += 1
    }
    let integerStart = index
    while index < count && isDigit(bytes[index]) { index += 1 }
    let integerDigits = bytes[integerStart..<index]
    var fractionDigits = bytes[index..<index]
    if index < count && bytes[index] == UInt8(ascii: ".") {
      index += 1
      let fractionStart = index
      while index < count && isDigit(bytes[index]) { index += 1 }
      fractionDigits = bytes[fractionStart..<index]
    }
    if integerDigits.isEmpty && fractionDigits.isEmpty { return nil }
    var exponent = 0
    if index < count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
      index += 1
      var exponentNegative = false
      if index < count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
        exponentNegative = bytes[index] == UInt8(ascii: "-")
        index += 1
      }
      let exponentStart = index
      while index < count && isDigit(bytes[index]) {
        exponent = exponent * 10 + Int(bytes[index] - UInt8(ascii: "0"))
        if exponent > Rational.maximumDecimalExponent { return nil }
        index += 1
      }
      if index == exponentStart { return nil }
      if exponentNegative { exponent = -exponent }
    }
    if index != count { return nil }
    let mantissa = BigInt(negative: negative, decimalDigits: integerDigits + fractionDigits)
    let scale = exponent - fractionDigits.count
    if scale >= 0 {
      self.init(mantissa * BigInt(10).power(scale))
    } else {
      self = Rational.reducing(mantissa, BigInt(10).power(-scale))
    }
  }

  /// The exact binary value of a finite `Double`, or `nil` for NaN and infinities.
  ///
  /// Both zeros give `0`; subnormals are exact too (`5e-324` is `1 / 2^1074`).
  public init?(exactly value: Double) {
    guard value.isFinite else { return nil }
    if value == 0 {
      self.init(0)
      return
    }
    let fraction = value.significandBitPattern
    let biased = Int(value.exponentBitPattern)
    // value = significand * 2^exponent with an integer significand.
    var significand = biased == 0 ? fraction : fraction | (1 << 52)
    var exponent = biased == 0 ? -1074 : biased - 1075
    let zeros = significand.trailingZeroBitCount
    significand >>= UInt64(zeros)
    exponent += zeros
    var n = BigInt(Int(significand))
    if value < 0 { n = -n }
    if exponent >= 0 {
      self.init(n.shiftedLeft(by: exponent))
    } else {
      self.init(reducedNumerator: n, denominator: BigInt.powerOfTwo(-exponent))
    }
  }
}

// MARK: - Properties

extension Rational {
  /// Whether the value is zero.
  public var isZero: Bool { numerator.isZero }

  /// Whether the value is an integer (its denominator is `1`); zero is an integer.
  public var isInteger: Bool { denominator == 1 }

  /// `-1`, `0` or `1` according to the sign of the value.
  public var signum: Int { numerator.signum }

  /// The absolute value.
  public var magnitude: Rational {
    numerator.signum < 0 ? -self : self
  }

  /// The greatest integer less than or equal to the value (`floor(-1/2) == -1`).
  public func floor() -> BigInt {
    if denominator == 1 { return numerator }
    return numerator.flooredQuotient(dividingBy: denominator)
  }
}

// MARK: - Comparison and arithmetic

extension Rational: Comparable {
  /// Orders rationals by numeric value.
  public static func < (lhs: Rational, rhs: Rational) -> Bool {
    if let (a, b) = lhs.smallParts, let (c, d) = rhs.smallParts {
      // a/b < c/d  <=>  a*d < c*b, compared exactly at double width.
      let left = a.multipliedFullWidth(by: d)
      let right = c.multipliedFullWidth(by: b)
      return left.high < right.high || (left.high == right.high && left.low < right.low)
    }
    return lhs.numerator * rhs.denominator < rhs.numerator * lhs.denominator
  }
}

extension Rational {
  /// The negation; never overflows.
  public static prefix func - (operand: Rational) -> Rational {
    Rational(reducedNumerator: -operand.numerator, denominator: operand.denominator)
  }

  /// The exact sum.
  public static func + (lhs: Rational, rhs: Rational) -> Rational {
    if let (a, b) = lhs.smallParts, let (c, d) = rhs.smallParts {
      if b == 1 && d == 1 {
        let (sum, overflow) = a.addingReportingOverflow(c)
        if !overflow { return Rational(sum) }
      } else if b == d {
        let (sum, overflow) = a.addingReportingOverflow(c)
        if !overflow { return reducingSmall(sum, b) }
      } else {
        let (ad, o1) = a.multipliedReportingOverflow(by: d)
        let (cb, o2) = c.multipliedReportingOverflow(by: b)
        let (sum, o3) = ad.addingReportingOverflow(cb)
        let (bd, o4) = b.multipliedReportingOverflow(by: d)
        if !(o1 || o2 || o3 || o4) { return reducingSmall(sum, bd) }
      }
    }
    return addSlow(lhs, rhs)
  }

  /// Henrici's addition (Knuth, TAOCP 4.5.1): the gcds involve the denominators
  /// and a cofactor rather than the full cross products, and coprime denominators
  /// need no reduction at all.
  private static func addSlow(_ lhs: Rational, _ rhs: Rational) -> Rational {
    let (a, b, c, d) = (lhs.numerator, lhs.denominator, rhs.numerator, rhs.denominator)
    let g = BigInt.gcd(b, d)
    if g == 1 {
      return Rational(reducedNumerator: a * d + c * b, denominator: b * d)
    }
    let bOverG = b / g
    let t = a * (d / g) + c * bOverG
    if t.isZero { return 0 }
    let g2 = BigInt.gcd(t, g)
    if g2 == 1 {
      return Rational(reducedNumerator: t, denominator: bOverG * d)
    }
    return Rational(reducedNumerator: t / g2, denominator: bOverG * (d / g2))
  }

  /// The exact difference.
  public static func - (lhs: Rational, rhs: Rational) -> Rational {
    lhs + -rhs
  }

  /// The exact product.
  public static func * (lhs: Rational, rhs: Rational) -> Rational {
    if let (a, b) = lhs.smallParts, let (c, d) = rhs.smallParts {
      // Cross-cancel first; the result is then already in lowest terms.
      let g1 = Int(BigInt.gcdWords(a.magnitude, UInt(d)))
      let g2 = Int(BigInt.gcdWords(c.magnitude, UInt(b)))
      let (n, o1) = (a / g1).multipliedReportingOverflow(by: c / g2)
      let (m, o2) = (b / g2).multipliedReportingOverflow(by: d / g1)
      if !(o1 || o2) {
        return Rational(reducedNumerator: BigInt(n), denominator: BigInt(m))
      }
    }
    if lhs.isZero || rhs.isZero { return 0 }
    let g1 = BigInt.gcd(lhs.numerator, rhs.denominator)
    let g2 = BigInt.gcd(rhs.numerator, lhs.denominator)
    return Rational(
      reducedNumerator: (lhs.numerator / g1) * (rhs.numerator / g2),
      denominator: (lhs.denominator / g2) * (rhs.denominator / g1))
  }

  /// Adds `rhs` to `lhs` in place.
  public static func += (lhs: inout Rational, rhs: Rational) { lhs = lhs + rhs }

  /// Subtracts `rhs` from `lhs` in place.
  public static func -= (lhs: inout Rational, rhs: Rational) { lhs = lhs - rhs }

  /// Multiplies `lhs` by `rhs` in place.
  public static func *= (lhs: inout Rational, rhs: Rational) { lhs = lhs * rhs }

  /// `1 / self`, or `nil` for zero. The sign stays on the numerator.
  public var reciprocal: Rational? {
    if isZero { return nil }
    if numerator.signum < 0 {
      return Rational(reducedNumerator: -denominator, denominator: -numerator)
    }
    return Rational(reducedNumerator: denominator, denominator: numerator)
  }

  /// The exact quotient `self / divisor`, or `nil` when `divisor` is zero.
  public func dividing(by divisor: Rational) -> Rational? {
    guard let inverse = divisor.reciprocal else { return nil }
    return self * inverse
  }

  /// `self` raised to the integer power `n`; negative `n` inverts.
  ///
  /// `x.power(0) == 1` for every `x` including zero; returns `nil` only for zero
  /// raised to a negative power. `Int.min` as an exponent is accepted.
  public func power(_ n: Int) -> Rational? {
    if n == 0 { return 1 }
    if n < 0 && isZero { return nil }
    let exponent = n.magnitude
    if exponent > UInt(Int.max) {
      // Only n == Int.min gets here; it is even, so (±1)^n == 1. Other bases
      // would need more memory than exists.
      precondition(denominator == 1 && numerator.magnitude == 1, "Rational.power: exponent too large")
      return 1
    }
    let raised = Rational(
      reducedNumerator: numerator.power(Int(exponent)),
      denominator: denominator.power(Int(exponent)))
    return n > 0 ? raised : raised.reciprocal
  }

  /// The exact `k`-th root when it is rational, else `nil`.
  ///
  /// Returns a root only when numerator and denominator are both perfect `k`-th
  /// powers, e.g. `(9/4).exactRoot(2) == 3/2` and `(-27/8).exactRoot(3) == -3/2`;
  /// `2.exactRoot(2)` and any negative value with even `k` give `nil`. For even `k`
  /// the non-negative root is returned. `k == 1` returns `self`; `k < 1` gives `nil`.
  public func exactRoot(_ k: Int) -> Rational? {
    guard let n = numerator.exactRoot(k), let d = denominator.exactRoot(k) else { return nil }
    return Rational(reducedNumerator: n, denominator: d)
  }
}

// MARK: - Conversions out

extension Rational: CustomStringConvertible {
  /// `"3"` for integers and `"-3/4"` otherwise, like Python's `Fraction` and SymPy.
  public var description: String {
    denominator == 1 ? numerator.description : "\(numerator)/\(denominator)"
  }
}

extension Rational {
  /// The value rounded to the nearest `Double`, ties to even, from the exact fraction.
  ///
  /// Correct for any size of numerator and denominator: results below the
  /// subnormal range round to a signed zero, results at or beyond the rounding
  /// threshold of `Double.greatestFiniteMagnitude` become a signed infinity, and
  /// subnormal results are rounded once, at their own precision. Parsing a decimal
  /// with `init?(decimal:)` and converting gives the same `Double` as `Double(String)`.
  public func toDouble() -> Double {
    if let (n, d) = smallParts, n.magnitude <= 1 << 53, d <= 1 << 53 {
      // Both parts are exact doubles, and IEEE division rounds correctly.
      return Double(n) / Double(d)
    }
    let negative = numerator.signum < 0
    let n = numerator.magnitude
    let d = denominator
    let widthDifference = n.magnitudeBitWidth - d.magnitudeBitWidth
    // value > 2^(difference - 1) and value < 2^(difference + 1).
    if widthDifference - 1 >= 1024 {
      return negative ? -.infinity : .infinity
    }
    if widthDifference + 1 <= -1076 {
      return negative ? -0.0 : 0.0
    }
    // Scale so the integer quotient has 64 or 65 bits; the rest becomes the sticky bit.
    let scale = 64 - widthDifference
    let (quotient, remainder) =
      scale >= 0
      ? n.shiftedLeft(by: scale).quotientAndRemainder(dividingBy: d)
      : n.quotientAndRemainder(dividingBy: d.shiftedLeft(by: -scale))
    let (top, exponent, sticky) = BigInt.leadingBits(of: quotient.signAndMagnitude.magnitude)
    return BigInt.roundedDouble(
      negative: negative, mantissa: top, exponent: exponent - scale,
      sticky: sticky || !remainder.isZero)
  }
}

extension Rational {
  /// Bits of numerator and denominator together: the size exact arithmetic on this number
  /// works on (budgets and work charges measure numbers by it).
  var bitSize: Int { numerator.magnitudeBitWidth + denominator.magnitudeBitWidth }
  /// `bitSize` in whole 64-bit words.
  var words: Int { bitSize / 64 }
}
