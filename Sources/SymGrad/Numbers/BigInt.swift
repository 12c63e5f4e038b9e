/// An arbitrary-precision signed integer.
///
/// Values that fit in `Int` are stored inline (`.small`), so the common case costs
/// one overflow-checked machine operation; only results that leave the `Int` range
/// are promoted to a heap-allocated limb array (`.large`). The representation is
/// canonical — every value has exactly one storage — so `==` and `hash(into:)` are
/// structural. No operation ever traps on overflow: results that do not fit in
/// `Int` (including `-Int.min` and `Int.min / -1`) are simply promoted.
public struct BigInt: Sendable, Hashable {
  /// The canonical storage of a `BigInt`.
  ///
  /// Invariant: a value is `.small` if and only if it fits in `Int`. A `.large`
  /// magnitude is little-endian (limb 0 is least significant), has no trailing zero
  /// limbs, and its value is outside the `Int` range once the sign is applied.
  @usableFromInline
  enum Storage: Sendable, Hashable {
    case small(Int)
    case large(negative: Bool, magnitude: [UInt])
  }

  @usableFromInline
  var storage: Storage

  @inlinable
  init(storage: Storage) {
    self.storage = storage
  }

  /// Creates the integer with the value of `value`; never fails.
  @inlinable
  public init(_ value: Int) {
    storage = .small(value)
  }

  /// Creates the non-negative integer with the value of `value`; never fails.
  public init(_ value: UInt) {
    self.init(negative: false, magnitude: [value])
  }

  /// Creates a canonical value from a sign and a little-endian magnitude.
  ///
  /// Trailing zero limbs are dropped, a zero magnitude yields `0` whatever the sign,
  /// and a value that fits in `Int` (including `-2^63`) becomes `.small`.
  @usableFromInline
  init(negative: Bool, magnitude: [UInt]) {
    var magnitude = magnitude
    while let last = magnitude.last, last == 0 {
      magnitude.removeLast()
    }
    if magnitude.isEmpty {
      storage = .small(0)
      return
    }
    if magnitude.count == 1 {
      let word = magnitude[0]
      if !negative && word <= UInt(Int.max) {
        storage = .small(Int(word))
        return
      }
      if negative && word <= UInt(Int.max) + 1 {
        storage = .small(Int(truncatingIfNeeded: 0 &- word))
        return
      }
    }
    storage = .large(negative: negative, magnitude: magnitude)
  }

  /// The sign and little-endian magnitude of the value; zero has an empty magnitude.
  @usableFromInline
  var signAndMagnitude: (negative: Bool, magnitude: [UInt]) {
    switch storage {
    case .small(let value):
      return (value < 0, value == 0 ? [] : [value.magnitude])
    case .large(let negative, let magnitude):
      return (negative, magnitude)
    }
  }

  /// `2^exponent` for `exponent >= 0`.
  static func powerOfTwo(_ exponent: Int) -> BigInt {
    precondition(exponent >= 0, "BigInt.powerOfTwo needs a non-negative exponent")
    var limbs = [UInt](repeating: 0, count: exponent / UInt.bitWidth + 1)
    limbs[limbs.count - 1] = 1 << UInt(exponent % UInt.bitWidth)
    return BigInt(negative: false, magnitude: limbs)
  }
}

// MARK: - Basic properties

extension BigInt {
  /// Whether the value is zero.
  @inlinable
  public var isZero: Bool {
    if case .small(0) = storage { return true }
    return false
  }

  /// `-1`, `0` or `1` according to the sign of the value.
  @inlinable
  public var signum: Int {
    switch storage {
    case .small(let value): return value.signum()
    case .large(let negative, _): return negative ? -1 : 1
    }
  }

  /// Whether the value is divisible by two; zero is even, and so are negative evens.
  @inlinable
  public var isEven: Bool {
    switch storage {
    case .small(let value): return value & 1 == 0
    case .large(_, let magnitude): return magnitude[0] & 1 == 0
    }
  }

  /// The value as an `Int`, or `nil` when it does not fit (|value| too large).
  @inlinable
  public var asInt: Int? {
    if case .small(let value) = storage { return value }
    return nil
  }

  /// The absolute value; never traps (`|Int.min|` is promoted to a large value).
  public var magnitude: BigInt {
    switch storage {
    case .small(let value):
      return value >= 0 ? self : -self
    case .large(_, let magnitude):
      return BigInt(storage: .large(negative: false, magnitude: magnitude))
    }
  }

  /// The number of bits needed to write `|self|` in binary: `0` for zero, `1` for
  /// `±1`, `64` for `Int.min`, and `n + 1` for `2^n`.
  public var magnitudeBitWidth: Int {
    switch storage {
    case .small(let value):
      return UInt.bitWidth - value.magnitude.leadingZeroBitCount
    case .large(_, let magnitude):
      return Self.bitWidth(of: magnitude)
    }
  }

  /// The bit width of a canonical (no trailing zero limbs) magnitude.
  static func bitWidth(of magnitude: [UInt]) -> Int {
    guard let top = magnitude.last else { return 0 }
    return magnitude.count * UInt.bitWidth - top.leadingZeroBitCount
  }
}

// MARK: - Literals and comparison

extension BigInt: ExpressibleByIntegerLiteral {
  /// Creates the integer written by an `Int` literal.
  @inlinable
  public init(integerLiteral value: Int) {
    storage = .small(value)
  }
}

extension BigInt: Comparable {
  /// Orders integers by numeric value.
  @inlinable
  public static func < (lhs: BigInt, rhs: BigInt) -> Bool {
    if case .small(let a) = lhs.storage, case .small(let b) = rhs.storage {
      return a < b
    }
    return compareSlow(lhs, rhs) < 0
  }

  /// Three-way numeric comparison: negative, zero or positive like `lhs - rhs`.
  @usableFromInline
  static func compareSlow(_ lhs: BigInt, _ rhs: BigInt) -> Int {
    let ls = lhs.signum
    let rs = rhs.signum
    if ls != rs { return ls < rs ? -1 : 1 }
    let order = compareMagnitudes(lhs.signAndMagnitude.magnitude, rhs.signAndMagnitude.magnitude)
    return ls < 0 ? -order : order
  }
}

// MARK: - Arithmetic operators

extension BigInt {
  /// The negation of `operand`; `-Int.min` is promoted instead of trapping.
  @inlinable
  public static prefix func - (operand: BigInt) -> BigInt {
    if case .small(let value) = operand.storage, value != .min {
      return BigInt(storage: .small(-value))
    }
    return negateSlow(operand)
  }

  @usableFromInline
  static func negateSlow(_ operand: BigInt) -> BigInt {
    let (negative, magnitude) = operand.signAndMagnitude
    return BigInt(negative: !negative, magnitude: magnitude)
  }

  /// The exact sum; never overflows.
  @inlinable
  public static func + (lhs: BigInt, rhs: BigInt) -> BigInt {
    if case .small(let a) = lhs.storage, case .small(let b) = rhs.storage {
      let (sum, overflow) = a.addingReportingOverflow(b)
      if !overflow { return BigInt(storage: .small(sum)) }
    }
    return addSlow(lhs, rhs)
  }

  /// The exact difference; never overflows.
  @inlinable
  public static func - (lhs: BigInt, rhs: BigInt) -> BigInt {
    if case .small(let a) = lhs.storage, case .small(let b) = rhs.storage {
      let (difference, overflow) = a.subtractingReportingOverflow(b)
      if !overflow { return BigInt(storage: .small(difference)) }
    }
    return addSlow(lhs, negateSlow(rhs))
  }

  /// The exact product; never overflows.
  @inlinable
  public static func * (lhs: BigInt, rhs: BigInt) -> BigInt {
    if case .small(let a) = lhs.storage, case .small(let b) = rhs.storage {
      let (product, overflow) = a.multipliedReportingOverflow(by: b)
      if !overflow { return BigInt(storage: .small(product)) }
    }
    return multiplySlow(lhs, rhs)
  }

  /// Adds `rhs` to `lhs` in place.
  @inlinable
  public static func += (lhs: inout BigInt, rhs: BigInt) {
    lhs = lhs + rhs
  }

  /// Subtracts `rhs` from `lhs` in place.
  @inlinable
  public static func -= (lhs: inout BigInt, rhs: BigInt) {
    lhs = lhs - rhs
  }

  /// Multiplies `lhs` by `rhs` in place.
  @inlinable
  public static func *= (lhs: inout BigInt, rhs: BigInt) {
    lhs = lhs * rhs
  }

  @usableFromInline
  static func addSlow(_ lhs: BigInt, _ rhs: BigInt) -> BigInt {
    let (ln, lm) = lhs.signAndMagnitude
    let (rn, rm) = rhs.signAndMagnitude
    if ln == rn {
      return BigInt(negative: ln, magnitude: addMagnitudes(lm, rm))
    }
    let order = compareMagnitudes(lm, rm)
    if order == 0 { return 0 }
    if order > 0 {
      return BigInt(negative: ln, magnitude: subtractMagnitudes(lm, rm))
    }
    return BigInt(negative: rn, magnitude: subtractMagnitudes(rm, lm))
  }

  @usableFromInline
  static func multiplySlow(_ lhs: BigInt, _ rhs: BigInt) -> BigInt {
    let (ln, lm) = lhs.signAndMagnitude
    let (rn, rm) = rhs.signAndMagnitude
    return BigInt(negative: ln != rn, magnitude: multiplyMagnitudes(lm, rm))
  }
}

// MARK: - Limb kernels

extension BigInt {
  /// Compares two canonical magnitudes: `-1`, `0` or `1`.
  static func compareMagnitudes(_ a: [UInt], _ b: [UInt]) -> Int {
    if a.count != b.count { return a.count < b.count ? -1 : 1 }
    var index = a.count - 1
    while index >= 0 {
      if a[index] != b[index] { return a[index] < b[index] ? -1 : 1 }
      index -= 1
    }
    return 0
  }

  /// `a + b` on magnitudes (result may need canonicalization only if inputs did).
  static func addMagnitudes(_ a: [UInt], _ b: [UInt]) -> [UInt] {
    let (long, short) = a.count >= b.count ? (a, b) : (b, a)
    var result = long
    var carry: UInt = 0
    result.withUnsafeMutableBufferPointer { out in
      short.withUnsafeBufferPointer { s in
        for index in 0..<s.count {
          let (partial, o1) = out[index].addingReportingOverflow(s[index])
          let (sum, o2) = partial.addingReportingOverflow(carry)
          out[index] = sum
          carry = (o1 || o2) ? 1 : 0
        }
      }
      var index = short.count
      while carry != 0 && index < out.count {
        let (sum, overflow) = out[index].addingReportingOverflow(carry)
        out[index] = sum
        carry = overflow ? 1 : 0
        index += 1
      }
    }
    if carry != 0 { result.append(carry) }
    return result
  }

  /// `a - b` on magnitudes; requires `a >= b`. The result is not trimmed.
  static func subtractMagnitudes(_ a: [UInt], _ b: [UInt]) -> [UInt] {
    var result = a
    var borrow: UInt = 0
    result.withUnsafeMutableBufferPointer { out in
      b.withUnsafeBufferPointer { s in
        for index in 0..<s.count {
          let (partial, o1) = out[index].subtractingReportingOverflow(s[index])
          let (difference, o2) = partial.subtractingReportingOverflow(borrow)
          out[index] = difference
          borrow = (o1 || o2) ? 1 : 0
        }
      }
      var index = b.count
      while borrow != 0 && index < out.count {
        let (difference, overflow) = out[index].subtractingReportingOverflow(borrow)
        out[index] = difference
        borrow = overflow ? 1 : 0
        index += 1
      }
    }
    precondition(borrow == 0, "subtractMagnitudes needs a >= b")
    return result
  }

  /// Schoolbook product of two magnitudes: `a.count + b.count` limbs, not trimmed.
  /// `multiplyMagnitudes` (BigInt+Karatsuba.swift) calls it below the Karatsuba threshold.
  static func schoolbookProduct(_ a: [UInt], _ b: [UInt]) -> [UInt] {
    if a.isEmpty || b.isEmpty { return [] }
    var result = [UInt](repeating: 0, count: a.count + b.count)
    result.withUnsafeMutableBufferPointer { out in
      a.withUnsafeBufferPointer { x in
        b.withUnsafeBufferPointer { y in
          for i in 0..<x.count {
            let xi = x[i]
            if xi == 0 { continue }
            var carry: UInt = 0
            for j in 0..<y.count {
              let (high, low) = xi.multipliedFullWidth(by: y[j])
              let (s1, o1) = low.addingReportingOverflow(out[i + j])
              let (s2, o2) = s1.addingReportingOverflow(carry)
              out[i + j] = s2
              // high <= 2^64 - 2, so adding two carries cannot overflow.
              carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
            }
            out[i + y.count] = carry
          }
        }
      }
    }
    return result
  }

  /// `magnitude * factor + addend` in place on a magnitude (kept canonical).
  static func multiplyAdd(_ magnitude: inout [UInt], _ factor: UInt, _ addend: UInt) {
    var carry = addend
    for index in magnitude.indices {
      let (high, low) = magnitude[index].multipliedFullWidth(by: factor)
      let (sum, overflow) = low.addingReportingOverflow(carry)
      magnitude[index] = sum
      carry = high &+ (overflow ? 1 : 0)
    }
    if carry != 0 { magnitude.append(carry) }
  }
}
