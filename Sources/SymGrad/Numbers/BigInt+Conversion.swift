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
  /// Large values are converted 19 digits at a time: one pass of division by `10^19` per
  /// chunk, each word divided by multiplying with the divisor's precomputed reciprocal
  /// (`dividingFullWidth` is a library call of ~30 ns a word here: a 100,000-digit number
  /// took 0.4 s to print; the conversion stays quadratic in the length).
  public var description: String {
    switch storage {
    case .small(let value):
      return String(value)
    case .large(let negative, let magnitude):
      var limbs = magnitude
      var chunks: [UInt] = []
      chunks.reserveCapacity(limbs.count * 64 / 63 + 1)
      while !limbs.isEmpty {
        chunks.append(Self.divideInPlaceByDecimalChunk(&limbs))
      }
      var text = negative ? "-" : ""
      text += String(chunks[chunks.count - 1])
      for chunk in chunks.dropLast().reversed() {
        let digits = String(chunk)
        text += String(repeating: "0", count: Self.decimalChunkDigits - digits.count)
        text += digits
      }
      return text
    }
  }

  /// Divides a magnitude by `10^19` in place (dropping leading zero limbs) and returns the
  /// remainder: each step is the 2-by-1 division by an invariant normalized divisor
  /// (Algorithm 4 of Möller and Granlund), two multiplications instead of a division.
  private static func divideInPlaceByDecimalChunk(_ magnitude: inout [UInt]) -> UInt {
    let d = decimalChunk, v = decimalChunkReciprocal
    var remainder: UInt = 0
    magnitude.withUnsafeMutableBufferPointer { limbs in
      var index = limbs.count - 1
      while index >= 0 {
        let u1 = remainder, u0 = limbs[index]  // u1 < d
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
  init(negative: Bool, decimalDigits digits: ArraySlice<UInt8>) {
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
    while let last = limbs.last, last == 0 {
      limbs.removeLast()
    }
    self.init(negative: negative, magnitude: limbs)
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
