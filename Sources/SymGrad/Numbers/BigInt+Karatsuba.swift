// Products of long magnitudes: Karatsuba's method above a threshold, the schoolbook
// product below it. Decimal conversion of long numbers (BigInt+Conversion.swift) splits
// by powers of ten and multiplies halves, so it is as fast as this product.

extension BigInt {
  /// Below this many limbs in the shorter factor the schoolbook product is faster
  /// (measured on this machine: Karatsuba wins from about 32 limbs; 40 leaves a margin).
  static let karatsubaThreshold = 40

  /// The product of two magnitudes: exactly `a.count + b.count` limbs, not trimmed
  /// (the same contract as `schoolbookProduct`, which it equals limb for limb).
  ///
  /// Balanced factors take Karatsuba's three half-size products
  /// (`a1 b1`, `a0 b0`, `(a0 + a1)(b0 + b1)`); a factor at least twice as long as the
  /// other is cut into pieces of the shorter one's length, each multiplied in turn.
  static func multiplyMagnitudes(_ a: [UInt], _ b: [UInt]) -> [UInt] {
    if a.isEmpty || b.isEmpty { return [] }
    if Swift.min(a.count, b.count) < karatsubaThreshold { return schoolbookProduct(a, b) }
    let (long, short) = a.count >= b.count ? (a, b) : (b, a)
    var result = [UInt](repeating: 0, count: a.count + b.count)
    if long.count >= 2 * short.count {
      var offset = 0
      while offset < long.count {
        let end = Swift.min(offset + short.count, long.count)
        let piece = trimmed(Array(long[offset..<end]))
        addShifted(&result, multiplyMagnitudes(piece, short), at: offset)
        offset = end
      }
      return result
    }
    // short.count > half >= 1: both factors split at the same limb.
    let half = long.count / 2
    let a0 = trimmed(Array(long[..<half]))
    let a1 = Array(long[half...])
    let b0 = trimmed(Array(short[..<half]))
    let b1 = trimmed(Array(short[half...]))
    let low = trimmed(multiplyMagnitudes(a0, b0))
    let high = trimmed(multiplyMagnitudes(a1, b1))
    var middle = trimmed(multiplyMagnitudes(addMagnitudes(a0, a1), addMagnitudes(b0, b1)))
    middle = trimmed(subtractMagnitudes(middle, low))
    middle = trimmed(subtractMagnitudes(middle, high))
    addShifted(&result, low, at: 0)
    addShifted(&result, high, at: 2 * half)
    addShifted(&result, middle, at: half)
    return result
  }

  /// A magnitude without its high zero limbs.
  static func trimmed(_ magnitude: [UInt]) -> [UInt] {
    var magnitude = magnitude
    while let last = magnitude.last, last == 0 { magnitude.removeLast() }
    return magnitude
  }

  /// `x += y * 2^(64 offset)` in place. The caller sizes `x` for the sum: a carry out of
  /// its last limb, or a nonzero limb of `y` beyond it, is a broken invariant.
  static func addShifted(_ x: inout [UInt], _ y: [UInt], at offset: Int) {
    var carry: UInt = 0
    x.withUnsafeMutableBufferPointer { out in
      y.withUnsafeBufferPointer { add in
        var index = 0
        while index < add.count {
          if offset + index >= out.count {
            precondition(add[index] == 0 && carry == 0, "addShifted: the sum does not fit")
            index += 1
            continue
          }
          let (s1, o1) = out[offset + index].addingReportingOverflow(add[index])
          let (s2, o2) = s1.addingReportingOverflow(carry)
          out[offset + index] = s2
          carry = (o1 || o2) ? 1 : 0
          index += 1
        }
        var position = offset + add.count
        while carry != 0 {
          precondition(position < out.count, "addShifted: the sum does not fit")
          let (sum, overflow) = out[position].addingReportingOverflow(carry)
          out[position] = sum
          carry = overflow ? 1 : 0
          position += 1
        }
      }
    }
  }
}
