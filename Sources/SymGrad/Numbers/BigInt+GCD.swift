// MARK: - GCD

extension BigInt {
  /// The greatest common divisor of `|a|` and `|b|`; always non-negative.
  ///
  /// `gcd(a, 0) == |a|` and `gcd(0, 0) == 0`. Never overflows (`gcd(Int.min, 0)` is the
  /// large value `2^63`). Word-sized operands use binary GCD; large ones Lehmer's
  /// algorithm (`lehmerGCD`), so a gcd of n-limb numbers costs O(n^2) word operations
  /// instead of the O(n) long divisions of Euclid's.
  public static func gcd(_ a: BigInt, _ b: BigInt) -> BigInt {
    switch (a.storage, b.storage) {
    case (.small(let x), .small(let y)): return BigInt(gcdWords(x.magnitude, y.magnitude))
    default: break
    }
    return BigInt(negative: false, magnitude: lehmerGCD(limbs(of: a), limbs(of: b)))
  }

  /// The little-endian magnitude of `x` (empty for 0).
  static func limbs(of x: BigInt) -> [UInt] {
    switch x.storage {
    case .small(let v): return v == 0 ? [] : [v.magnitude]
    case .large(_, let m): return m
    }
  }

  /// Binary GCD of two words; `gcdWords(0, 0) == 0`.
  static func gcdWords(_ a: UInt, _ b: UInt) -> UInt {
    if a == 0 { return b }
    if b == 0 { return a }
    let shift = (a | b).trailingZeroBitCount
    var x = a >> UInt(a.trailingZeroBitCount)
    var y = b >> UInt(b.trailingZeroBitCount)
    while x != y {
      if x > y { swap(&x, &y) }
      y -= x
      y >>= UInt(y.trailingZeroBitCount)
    }
    return x << UInt(shift)
  }

  /// Lehmer's GCD (Knuth, TAOCP vol. 2, 4.5.2, algorithm L) of canonical magnitudes.
  ///
  /// Each round runs Euclid's algorithm on the leading 62 bits of `a` and `b` (`x`, `y`),
  /// accumulating the quotients in a 2x2 matrix of cofactors while both candidate
  /// quotients `(x + A)/(y + C)` and `(x + B)/(y + D)` agree (Collins' test: then they
  /// are the quotients of the full numbers), and applies the matrix to `a` and `b` in one
  /// pass. With 62-bit leading parts every cofactor and sum stays below 2^63. When no
  /// quotient is certain (`B == 0`), one ordinary division step is taken.
  static func lehmerGCD(_ u: [UInt], _ v: [UInt]) -> [UInt] {
    var a = u
    var b = v
    if compareMagnitudes(a, b) < 0 { swap(&a, &b) }
    while !b.isEmpty {
      if a.count == 1 { return [gcdWords(a[0], b[0])] }
      if b.count == 1 {
        var rest = a
        let r = divideInPlace(&rest, by: b[0])
        return [gcdWords(b[0], r)]
      }
      let shift = Swift.max(0, bitWidth(of: a) - 62)
      var x = Int(bits(of: a, from: shift))
      var y = Int(bits(of: b, from: shift))
      var (ca, cb, cc, cd) = (1, 0, 0, 1)
      while y + cc != 0 && y + cd != 0 {
        let q = (x + ca) / (y + cc)
        guard q == (x + cb) / (y + cd) else { break }
        (ca, cc) = (cc, ca - q * cc)
        (cb, cd) = (cd, cb - q * cd)
        (x, y) = (y, x - q * y)
      }
      if cb == 0 {
        // No certain quotient from the leading words: one division step.
        let (_, r) = divideMagnitudes(a, b)
        (a, b) = (b, trimmed(r))
      } else {
        (a, b) = (combination(a, ca, b, cb), combination(a, cc, b, cd))
      }
    }
    return a
  }

  /// `s a + t b` for cofactors of opposite signs (or one of them 0) whose result is known
  /// to be non-negative (the matrix of a Lehmer round applied to `a >= b`).
  static func combination(_ a: [UInt], _ s: Int, _ b: [UInt], _ t: Int) -> [UInt] {
    precondition(s.signum() * t.signum() <= 0, "BigInt.combination: cofactors of one sign")
    return s > 0 || t < 0
      ? multiplySubtract(a, s.magnitude, b, t.magnitude) : multiplySubtract(b, t.magnitude, a, s.magnitude)
  }

  /// `x p - y q` for magnitudes `x`, `y` and words `p`, `q`, when it is non-negative;
  /// canonical (trailing zero limbs removed).
  static func multiplySubtract(_ x: [UInt], _ p: UInt, _ y: [UInt], _ q: UInt) -> [UInt] {
    let n = Swift.max(x.count, y.count) + 1
    var out = [UInt](repeating: 0, count: n)
    var carryX: UInt = 0
    var carryY: UInt = 0
    var borrow: UInt = 0
    for i in 0..<n {
      let (hx, lx) = (i < x.count ? x[i] : 0).multipliedFullWidth(by: p)
      let (sx, ox) = lx.addingReportingOverflow(carryX)
      carryX = hx &+ (ox ? 1 : 0)
      let (hy, ly) = (i < y.count ? y[i] : 0).multipliedFullWidth(by: q)
      let (sy, oy) = ly.addingReportingOverflow(carryY)
      carryY = hy &+ (oy ? 1 : 0)
      let (d1, b1) = sx.subtractingReportingOverflow(sy)
      let (d2, b2) = d1.subtractingReportingOverflow(borrow)
      out[i] = d2
      borrow = (b1 ? 1 : 0) + (b2 ? 1 : 0)
    }
    precondition(carryX == 0 && carryY == 0 && borrow == 0, "BigInt.multiplySubtract: negative or oversized result")
    return trimmed(out)
  }

  /// `floor(m / 2^shift) mod 2^64` of a magnitude.
  static func bits(of m: [UInt], from shift: Int) -> UInt {
    let limb = shift / UInt.bitWidth
    let offset = UInt(shift % UInt.bitWidth)
    guard limb < m.count else { return 0 }
    var w = m[limb] >> offset
    if offset > 0, limb + 1 < m.count { w |= m[limb + 1] << (UInt(UInt.bitWidth) - offset) }
    return w
  }
}
