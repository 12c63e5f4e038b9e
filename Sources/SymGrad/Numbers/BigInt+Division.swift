// Division with remainder (single-limb short division and Knuth's algorithm D),
// greatest common divisor, powers and integer roots.

extension BigInt {
  /// The quotient and remainder of `self / divisor`, truncating toward zero like `Int`.
  ///
  /// The results satisfy `self == quotient * divisor + remainder` and
  /// `|remainder| < |divisor|`; the remainder has the sign of `self` (or is zero).
  /// Never overflows: `Int.min / -1` yields the large value `2^63`.
  /// - Precondition: `divisor` is not zero (callers check).
  @inlinable
  public func quotientAndRemainder(dividingBy divisor: BigInt) -> (quotient: BigInt, remainder: BigInt) {
    if case .small(let a) = storage, case .small(let b) = divisor.storage, b > 0 || b < -1 {
      let (quotient, remainder) = a.quotientAndRemainder(dividingBy: b)
      return (BigInt(quotient), BigInt(remainder))
    }
    return divideSlow(divisor)
  }

  @usableFromInline
  func divideSlow(_ divisor: BigInt) -> (quotient: BigInt, remainder: BigInt) {
    precondition(!divisor.isZero, "BigInt division by zero")
    if divisor == -1 { return (-self, 0) }
    let (negative, numerator) = signAndMagnitude
    let (divisorNegative, denominator) = divisor.signAndMagnitude
    if Self.compareMagnitudes(numerator, denominator) < 0 {
      return (0, self)
    }
    let quotient: [UInt]
    let remainder: [UInt]
    if denominator.count == 1 {
      var limbs = numerator
      let word = Self.divideInPlace(&limbs, by: denominator[0])
      (quotient, remainder) = (limbs, [word])
    } else {
      (quotient, remainder) = Self.divideMagnitudes(numerator, denominator)
    }
    return (
      BigInt(negative: negative != divisorNegative, magnitude: quotient),
      BigInt(negative: negative, magnitude: remainder)
    )
  }

  /// The quotient truncated toward zero, like `Int./`.
  /// - Precondition: `rhs` is not zero.
  @inlinable
  public static func / (lhs: BigInt, rhs: BigInt) -> BigInt {
    lhs.quotientAndRemainder(dividingBy: rhs).quotient
  }

  /// The remainder of truncating division; it has the sign of `lhs`, like `Int.%`.
  /// - Precondition: `rhs` is not zero.
  @inlinable
  public static func % (lhs: BigInt, rhs: BigInt) -> BigInt {
    lhs.quotientAndRemainder(dividingBy: rhs).remainder
  }

  /// The floor of `self / divisor` (rounding toward negative infinity).
  /// - Precondition: `divisor` is not zero.
  func flooredQuotient(dividingBy divisor: BigInt) -> BigInt {
    let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
    if !remainder.isZero && (remainder.signum != divisor.signum) {
      return quotient - 1
    }
    return quotient
  }

  /// Divides a magnitude by a nonzero word in place, trimming it, and returns the remainder.
  static func divideInPlace(_ magnitude: inout [UInt], by divisor: UInt) -> UInt {
    var remainder: UInt = 0
    var index = magnitude.count - 1
    while index >= 0 {
      (magnitude[index], remainder) = divisor.dividingFullWidth((remainder, magnitude[index]))
      index -= 1
    }
    while let last = magnitude.last, last == 0 {
      magnitude.removeLast()
    }
    return remainder
  }

  /// Shifts a magnitude left by `shift` bits (`0 ..< 64`), appending `extra` zero
  /// limbs of room first so no bit is lost when `extra >= 1`.
  private static func shiftLimbsLeft(_ limbs: [UInt], by shift: Int, extra: Int) -> [UInt] {
    var result = limbs + [UInt](repeating: 0, count: extra)
    if shift == 0 { return result }
    var index = result.count - 1
    while index > 0 {
      result[index] = (result[index] << UInt(shift)) | (result[index - 1] >> UInt(UInt.bitWidth - shift))
      index -= 1
    }
    result[0] <<= UInt(shift)
    return result
  }

  /// Knuth's algorithm D (TAOCP vol. 2, 4.3.1) on magnitudes.
  ///
  /// Requires `v.count >= 2`, `u.count >= v.count`, both canonical. Returns the
  /// untrimmed quotient and remainder magnitudes.
  static func divideMagnitudes(_ u: [UInt], _ v: [UInt]) -> (quotient: [UInt], remainder: [UInt]) {
    let n = v.count
    let m = u.count - n
    // D1: normalize so the divisor's top limb has its high bit set.
    let shift = v[n - 1].leadingZeroBitCount
    let vn = shiftLimbsLeft(v, by: shift, extra: 0)
    var un = shiftLimbsLeft(u, by: shift, extra: 1)
    var quotient = [UInt](repeating: 0, count: m + 1)
    let vTop = vn[n - 1]
    let vNext = vn[n - 2]
    un.withUnsafeMutableBufferPointer { un in
      vn.withUnsafeBufferPointer { vn in
        var j = m
        while j >= 0 {
          // D3: estimate qhat from the top two limbs, then refine with the third.
          let top = un[j + n]
          let next = un[j + n - 1]
          let third = un[j + n - 2]
          var qhat: UInt
          var rhat: UInt
          var rhatOverflow = false
          if top >= vTop {
            // top == vTop (the running remainder is below the divisor): qhat = b - 1,
            // rhat = top * b + next - (b - 1) * vTop = next + vTop.
            qhat = UInt.max
            (rhat, rhatOverflow) = next.addingReportingOverflow(vTop)
          } else {
            (qhat, rhat) = vTop.dividingFullWidth((top, next))
          }
          while !rhatOverflow {
            let product = qhat.multipliedFullWidth(by: vNext)
            if product.high > rhat || (product.high == rhat && product.low > third) {
              qhat -= 1
              (rhat, rhatOverflow) = rhat.addingReportingOverflow(vTop)
            } else {
              break
            }
          }
          // D4: multiply and subtract qhat * v from u[j ... j + n].
          var carry: UInt = 0
          var borrow: UInt = 0
          for i in 0..<n {
            let (high, low) = qhat.multipliedFullWidth(by: vn[i])
            let (lowWithCarry, o1) = low.addingReportingOverflow(carry)
            carry = high &+ (o1 ? 1 : 0)
            let (d1, o2) = un[i + j].subtractingReportingOverflow(lowWithCarry)
            let (d2, o3) = d1.subtractingReportingOverflow(borrow)
            un[i + j] = d2
            borrow = (o2 ? 1 : 0) + (o3 ? 1 : 0)
          }
          let (d1, o4) = un[j + n].subtractingReportingOverflow(carry)
          let (d2, o5) = d1.subtractingReportingOverflow(borrow)
          un[j + n] = d2
          // D5/D6: the estimate was one too large (rare): add v back.
          if o4 || o5 {
            qhat -= 1
            var addCarry: UInt = 0
            for i in 0..<n {
              let (s1, a1) = un[i + j].addingReportingOverflow(vn[i])
              let (s2, a2) = s1.addingReportingOverflow(addCarry)
              un[i + j] = s2
              addCarry = (a1 || a2) ? 1 : 0
            }
            un[j + n] &+= addCarry
          }
          quotient[j] = qhat
          j -= 1
        }
      }
    }
    // D8: unnormalize the remainder.
    var remainder = Array(un[0..<n])
    if shift != 0 {
      for i in 0..<n {
        let upper = i + 1 < n ? remainder[i + 1] << UInt(UInt.bitWidth - shift) : 0
        remainder[i] = (remainder[i] >> UInt(shift)) | upper
      }
    }
    return (quotient, remainder)
  }
}

// MARK: - GCD, powers, roots

extension BigInt {
  /// `self` raised to `exponent` by square-and-multiply; `x.power(0) == 1`
  /// (including `0.power(0)`). Never overflows; results grow as large as needed.
  /// - Precondition: `exponent >= 0`.
  public func power(_ exponent: Int) -> BigInt {
    precondition(exponent >= 0, "BigInt.power needs a non-negative exponent")
    if exponent == 0 { return 1 }
    switch storage {
    case .small(0), .small(1): return self
    case .small(-1): return exponent & 1 == 0 ? 1 : -1
    case .small(2): return Self.powerOfTwo(exponent)
    default: break
    }
    var result: BigInt = 1
    var base = self
    var remaining = exponent
    while true {
      if remaining & 1 == 1 { result *= base }
      remaining >>= 1
      if remaining == 0 { return result }
      base *= base
    }
  }

  /// The floor of the `k`-th root of a non-negative value, by integer Newton iteration.
  /// - Precondition: `self >= 0` and `k >= 1`.
  func integerRoot(_ k: Int) -> BigInt {
    precondition(k >= 1 && signum >= 0, "integerRoot needs k >= 1 and a non-negative value")
    if k == 1 || self < 2 { return self }
    let width = magnitudeBitWidth
    // 2^(width-1) <= self < 2^width <= 2^k, so the root is 1.
    if k >= width { return 1 }
    // Start above the root: (2^ceil(width/k))^k >= 2^width > self.
    var x = Self.powerOfTwo((width + k - 1) / k)
    let kMinusOne = BigInt(k - 1)
    let kBig = BigInt(k)
    while true {
      let next = (kMinusOne * x + self / x.power(k - 1)) / kBig
      if next >= x { return x }
      x = next
    }
  }

  /// The exact `k`-th root if `self` is a perfect `k`-th power, else `nil`.
  ///
  /// Negative values have a root only for odd `k`. `k == 1` returns `self`.
  /// Returns `nil` for `k < 1`.
  func exactRoot(_ k: Int) -> BigInt? {
    if k < 1 { return nil }
    if signum < 0 {
      if k & 1 == 0 { return nil }
      return (-self).exactRoot(k).map { -$0 }
    }
    let root = integerRoot(k)
    return root.power(k) == self ? root : nil
  }
}
