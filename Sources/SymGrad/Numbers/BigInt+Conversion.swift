// Conversions of BigInt: decimal text in both directions, bit shifts of the
// magnitude, and correctly rounded conversion to Double.

extension BigInt: CustomStringConvertible {
  /// The largest power of ten that fits in a word, used to convert by chunks. Its top
  /// bit is set, so division by it runs on a precomputed reciprocal (below).
  private static let decimalChunk: UInt = 10_000_000_000_000_000_000
  private static let decimalChunkDigits = 19
  /// `floor((2^128 - 1)/d) - 2^64` for `d = decimalChunk` (Möller and Granlund,
  /// "Improved division by invariant integers", 2011).
  private static let decimalChunkReciprocal: UInt = decimalChunk.dividingFullWidth((~decimalChunk, UInt.max)).quotient

  /// The decimal form: digits with a leading `-` for negatives, `"0"` for zero.
  ///
  /// Short values are converted 19 digits at a time (`chunkDigits`). Long ones are split
  /// by a power of ten, `x = q 10^(19·2^k) + r`, and both halves converted in turn, the low
  /// half padded with zeros to its full width: the division by one large power replaces
  /// thousands of passes by 10^19 (a 100,000-digit number: 0.4 s before, see the
  /// benchmark's `decimal` rows for now).
  public var description: String {
    switch storage {
    case .small(let value):
      return String(value)
    case .large(let negative, let magnitude):
      let sign = negative ? "-" : ""
      if magnitude.count <= Self.directConversionLimbs {
        return sign + Self.chunkDigits(magnitude, width: nil)
      }
      return sign
        + Self.longDecimals.value(for: magnitude) { magnitude in
          // powers[k] = 10^(19·2^k), until one exceeds the value: then x < powers[k-1]^2.
          var powers: [[UInt]] = [Self.decimalPower(level: 0)]
          while Self.compareMagnitudes(powers[powers.count - 1], magnitude) <= 0 {
            powers.append(Self.decimalPower(level: powers.count))
          }
          var text = ""
          Self.appendDigits(of: magnitude, level: powers.count - 2, padded: false, powers: powers, to: &text)
          return text
        }
    }
  }

  /// Up to this many limbs a value is converted chunk by chunk; longer ones are split.
  private static let directConversionLimbs = 40

  /// The digits of long magnitudes already converted: one printed result shows the same
  /// constant in its text, its LaTeX and its derivative (a 100,000-digit constant took
  /// 40 ms each time). Bounded by entries (at most 32 long numbers).
  private static let longDecimals = BoundedMemo<[UInt], String>(capacity: 32)

  /// `10^(19·2^level)`, each level the square of the one below, kept once computed.
  static func decimalPower(level: Int) -> [UInt] {
    decimalPowers.value(for: level) { level in
      if level == 0 { return [decimalChunk] }
      let below = decimalPower(level: level - 1)
      return trimmed(multiplyMagnitudes(below, below))
    }
  }

  private static let decimalPowers = BoundedMemo<Int, [UInt]>(capacity: 64)

  /// Appends the digits of `x < powers[level]^2`: exactly `19·2^(level+1)` of them when
  /// `padded` (leading zeros included), else without leading zeros (`"0"` for zero).
  private static func appendDigits(of x: [UInt], level: Int, padded: Bool, powers: [[UInt]], to text: inout String) {
    let width = decimalChunkDigits << (level + 1)
    if x.count <= directConversionLimbs || level < 1 {
      text += chunkDigits(x, width: padded ? width : nil)
      return
    }
    let divisor = powers[level]
    if compareMagnitudes(x, divisor) < 0 {
      // The high half is zero.
      if padded { text += String(repeating: "0", count: width / 2) }
      appendDigits(of: x, level: level - 1, padded: padded, powers: powers, to: &text)
      return
    }
    let (q, r) = divideMagnitudes(x, divisor)
    appendDigits(of: trimmed(q), level: level - 1, padded: padded, powers: powers, to: &text)
    appendDigits(of: trimmed(r), level: level - 1, padded: true, powers: powers, to: &text)
  }

  /// The digits of a magnitude by repeated division by 10^19, left-padded with zeros to
  /// `width` digits when one is given (the value must have at most that many).
  private static func chunkDigits(_ magnitude: [UInt], width: Int?) -> String {
    var limbs = trimmed(magnitude)
    var chunks: [UInt] = []
    chunks.reserveCapacity(limbs.count * 64 / 63 + 1)
    while !limbs.isEmpty {
      chunks.append(divideInPlaceByDecimalChunk(&limbs))
    }
    var text = ""
    if let first = chunks.last { text += String(first) } else { text = "0" }
    for chunk in chunks.dropLast().reversed() {
      let digits = String(chunk)
      text += String(repeating: "0", count: decimalChunkDigits - digits.count)
      text += digits
    }
    if let width {
      if chunks.isEmpty { text = "" }
      precondition(text.utf8.count <= width, "chunkDigits: more digits than the width")
      text = String(repeating: "0", count: width - text.utf8.count) + text
    }
    return text
  }

  /// Divides a magnitude by `10^19` in place (dropping leading zero limbs) and returns the
  /// remainder: each step is the 2-by-1 division by an invariant normalized divisor
  /// (Algorithm 4 of Möller and Granlund), two multiplications instead of a division.
  private static func divideInPlaceByDecimalChunk(_ magnitude: inout [UInt]) -> UInt {
    let d = decimalChunk
    let v = decimalChunkReciprocal
    var remainder: UInt = 0
    magnitude.withUnsafeMutableBufferPointer { limbs in
      var index = limbs.count - 1
      while index >= 0 {
        let u1 = remainder
        let u0 = limbs[index]  // u1 < d
        var (q1, q0) = v.multipliedFullWidth(by: u1)
        let (sum0, carry) = q0.addingReportingOverflow(u0)
        q0 = sum0
        q1 = q1 &+ u1 &+ (carry ? 1 : 0) &+ 1
        var r = u0 &- q1 &* d
        if r > q0 {
          q1 = q1 &- 1
          r = r &+ d
        }
        if r >= d {
          q1 = q1 &+ 1
          r = r &- d
        }
        limbs[index] = q1
        remainder = r
        index -= 1
      }
    }
    while let last = magnitude.last, last == 0 {
      magnitude.removeLast()
    }
    return remainder
  }

  /// Parses a decimal integer: an optional `+` or `-`, then one or more ASCII digits.
  ///
  /// Any length is accepted, leading zeros included (`"-000"` is zero). Returns
  /// `nil` for the empty string, a lone sign, whitespace, or any other character.
  public init?(_ text: String) {
    let bytes = Array(text.utf8)
    var start = 0
    var negative = false
    if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
      negative = first == UInt8(ascii: "-")
      start = 1
    }
    let digits = bytes[start...]
    guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
      return nil
    }
    self.init(negative: negative, decimalDigits: digits)
  }

  /// Builds a value from validated ASCII decimal digits (possibly empty, meaning zero).
  ///
  /// Long digit strings are split at a power of ten, `high·10^(19·2^k) + low`, both halves
  /// parsed in turn and joined by one (Karatsuba) product, so parsing costs about as much
  /// as multiplying.
  init(negative: Bool, decimalDigits digits: ArraySlice<UInt8>) {
    if digits.count <= Self.directParseDigits {
      self.init(negative: negative, magnitude: Self.chunkMagnitude(ofDigits: digits))
      return
    }
    let magnitude = Self.longParses.value(for: Array(digits)) { digits in
      var powers: [[UInt]] = [Self.decimalPower(level: 0)]
      while Self.decimalChunkDigits << powers.count < digits.count {
        powers.append(Self.decimalPower(level: powers.count))
      }
      return Self.magnitude(ofDigits: digits[...], powers: powers)
    }
    self.init(negative: negative, magnitude: magnitude)
  }

  /// Long digit strings already parsed (the text printed by a stage is read back by the
  /// next), bounded like `longDecimals`.
  private static let longParses = BoundedMemo<[UInt8], [UInt]>(capacity: 32)

  /// Up to this many digits a string is parsed chunk by chunk; longer ones are split.
  private static let directParseDigits = 40 * 19

  /// The magnitude of validated ASCII digits; `powers[k] = 10^(19·2^k)` for every `k`
  /// with `19·2^k < digits.count`.
  private static func magnitude(ofDigits digits: ArraySlice<UInt8>, powers: [[UInt]]) -> [UInt] {
    if digits.count <= directParseDigits {
      return chunkMagnitude(ofDigits: digits)
    }
    // The largest k with 19·2^k < count: the low part has 19·2^k digits.
    var level = 0
    while decimalChunkDigits << (level + 1) < digits.count { level += 1 }
    let split = digits.endIndex - (decimalChunkDigits << level)
    let high = magnitude(ofDigits: digits[digits.startIndex..<split], powers: powers)
    let low = magnitude(ofDigits: digits[split...], powers: powers)
    var result = multiplyMagnitudes(high, powers[level])
    if result.count < low.count { result += [UInt](repeating: 0, count: low.count - result.count) }
    result.append(0)
    addShifted(&result, low, at: 0)
    return trimmed(result)
  }

  /// The magnitude of validated ASCII digits, 19 digits at a time.
  private static func chunkMagnitude(ofDigits digits: ArraySlice<UInt8>) -> [UInt] {
    var limbs: [UInt] = []
    var index = digits.startIndex
    // The first chunk takes the leftover digits so later chunks are exactly 19 long.
    var chunkLength = digits.count % Self.decimalChunkDigits
    if chunkLength == 0 { chunkLength = Self.decimalChunkDigits }
    while index < digits.endIndex {
      var chunk: UInt = 0
      var factor: UInt = 1
      for offset in index..<(index + chunkLength) {
        chunk = chunk * 10 + UInt(digits[offset] - UInt8(ascii: "0"))
        factor *= 10
      }
      Self.multiplyAdd(&limbs, factor, chunk)
      index += chunkLength
      chunkLength = Self.decimalChunkDigits
    }
    return trimmed(limbs)
  }
}

// MARK: - Shifts

extension BigInt {
  /// `self * 2^shift` for `shift >= 0`; the sign is kept and nothing overflows.
  func shiftedLeft(by shift: Int) -> BigInt {
    precondition(shift >= 0, "shiftedLeft needs a non-negative shift")
    if shift == 0 || isZero { return self }
    let (negative, magnitude) = signAndMagnitude
    let limbShift = shift / UInt.bitWidth
    let bitShift = UInt(shift % UInt.bitWidth)
    var result = [UInt](repeating: 0, count: limbShift)
    result.reserveCapacity(limbShift + magnitude.count + 1)
    if bitShift == 0 {
      result += magnitude
    } else {
      var carry: UInt = 0
      for limb in magnitude {
        result.append((limb << bitShift) | carry)
        carry = limb >> (UInt(UInt.bitWidth) - bitShift)
      }
      result.append(carry)
    }
    return BigInt(negative: negative, magnitude: result)
  }
}

// MARK: - Double conversion

extension BigInt {
  /// The value rounded to the nearest `Double`, ties to even.
  ///
  /// Exact whenever the value has at most 53 significant bits. Magnitudes that
  /// round to `2^1024` or beyond give `+infinity` or `-infinity`.
  public func toDouble() -> Double {
    switch storage {
    case .small(let value):
      return Double(value)
    case .large(let negative, let magnitude):
      let (top, exponent, sticky) = Self.leadingBits(of: magnitude)
      return Self.roundedDouble(negative: negative, mantissa: top, exponent: exponent, sticky: sticky)
    }
  }

  /// The top 64 bits of a nonzero canonical magnitude as `(top, exponent, sticky)`,
  /// meaning `magnitude = (top + f) * 2^exponent` with `0 <= f < 1` and `sticky == (f > 0)`.
  /// If the magnitude has at least 64 bits, `top` has its high bit set.
  static func leadingBits(of magnitude: [UInt]) -> (top: UInt64, exponent: Int, sticky: Bool) {
    let width = bitWidth(of: magnitude)
    if width <= 64 {
      return (UInt64(magnitude[0]), 0, false)
    }
    let shift = width - 64
    let limb = shift / UInt.bitWidth
    let offset = UInt(shift % UInt.bitWidth)
    var top = magnitude[limb] >> offset
    if offset != 0 {
      top |= magnitude[limb + 1] << (UInt(UInt.bitWidth) - offset)
    }
    var sticky = offset != 0 && magnitude[limb] & ((1 << offset) - 1) != 0
    if !sticky {
      sticky = magnitude[0..<limb].contains { $0 != 0 }
    }
    return (UInt64(top), shift, sticky)
  }

  /// Rounds `±(mantissa + f) * 2^exponent` to the nearest `Double`, ties to even,
  /// where `0 <= f < 1` and `sticky == (f > 0)`.
  ///
  /// Handles subnormals (rounding at the fixed `2^-1074` quantum), underflow to a
  /// signed zero and overflow to a signed infinity. When `sticky` is set, `mantissa`
  /// must have at least 64 significant bits so the rounding position lies inside it.
  static func roundedDouble(negative: Bool, mantissa: UInt64, exponent: Int, sticky: Bool) -> Double {
    let sign: UInt64 = negative ? 1 << 63 : 0
    if mantissa == 0 { return Double(bitPattern: sign) }
    let width = 64 - mantissa.leadingZeroBitCount
    let topExponent = width - 1 + exponent
    let infinity = Double(bitPattern: sign | 0x7FF0_0000_0000_0000)
    if topExponent > 1023 { return infinity }
    // The weight of the last kept bit: 53 significant bits, or the subnormal quantum.
    let quantumExponent = Swift.max(topExponent - 52, -1074)
    let drop = quantumExponent - exponent
    var kept: UInt64
    if drop <= 0 {
      precondition(!sticky, "roundedDouble: too few mantissa bits for a sticky value")
      kept = mantissa << UInt64(-drop)
    } else if drop > 64 {
      // The value is below half a quantum: it rounds to zero.
      return Double(bitPattern: sign)
    } else {
      kept = drop == 64 ? 0 : mantissa >> UInt64(drop)
      let roundBit = (mantissa >> UInt64(drop - 1)) & 1
      let belowMask: UInt64 = drop == 1 ? 0 : (UInt64.max >> UInt64(65 - drop))
      let rest = sticky || mantissa & belowMask != 0
      if roundBit == 1 && (rest || kept & 1 == 1) {
        kept += 1
      }
    }
    // For kept < 2^53 this packs exponent and significand; a carry into bit 53
    // correctly bumps the exponent field, and 2^-1074 * kept covers subnormals.
    let bits = (UInt64(quantumExponent + 1074) << 52) + kept
    if bits >= 0x7FF0_0000_0000_0000 { return infinity }
    return Double(bitPattern: sign | bits)
  }
}
