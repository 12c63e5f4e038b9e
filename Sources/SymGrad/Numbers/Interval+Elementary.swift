import Synchronization

/// Elementary functions on intervals with rigorous enclosures.
///
/// Each function is evaluated at a point by a series whose truncation error is bounded
/// and added to the result, with a few guard bits and the result rounded outward to the
/// working precision. Arguments are reduced so that the series converge fast at every
/// precision (the number of reduction steps grows like the square root of the precision,
/// so at 4096 bits a series needs about a hundred terms, not a thousand):
/// - `exp`: by `ln 2`, then `h` halvings undone by squaring; `expm1` near 0 by halvings
///   undone with `expm1(2u) = expm1(u) (expm1(u) + 2)`;
/// - `log`: by powers of 2, then `r` square roots, then `2^(r+1) atanh((y - 1)/(y + 1))`;
///   `log1p` near 0 by `log1p(y) = 2 log1p(y / (1 + sqrt(1 + y)))`;
/// - `sin`/`cos`: by `pi/2` (with as many more bits as the argument is large), then
///   halvings undone by the double-angle formulas;
/// - the constants `ln 2 = 2 atanh(1/3)` and `pi = 16 atan(1/5) - 4 atan(1/239)` are
///   fixed-point sums (`arctanOfInverse`), cached at the highest precision computed.
/// Monotone functions map an interval through its endpoints; `sin` and `cos` through the
/// midpoint and the Lipschitz bound 1, clipped to `[-1, 1]`.
extension IntervalArithmetic {
  /// `2^-k` as a dyadic.
  static func powerOfTwo(_ k: Int) -> Dyadic { Dyadic(BigInt(1), k) }

  /// Applies a monotone increasing point function to an interval.
  private func increasing(_ a: Interval, _ f: (Dyadic) throws -> Interval) throws -> Interval {
    if a.isPoint { return try f(a.lo) }
    return Interval(try f(a.lo).lo, try f(a.hi).hi)
  }

  /// The interval rounded outward to this precision.
  func rounded(_ a: Interval) -> Interval { Interval(a.lo.rounded(precision, .down), a.hi.rounded(precision, .up)) }

  /// Arithmetic with `extra` more bits.
  func wider(_ extra: Int) -> IntervalArithmetic { IntervalArithmetic(precision: precision + extra, meter: meter) }

  /// Whether `|a| < 2^-bits` for every member.
  private func below(_ a: Interval, _ bits: Int) -> Bool {
    let m = magnitudeBound(a)
    return m.isZero || m.top < -bits
  }

  // MARK: Constants

  /// The most precise enclosure of each constant computed so far, and its precision.
  private static let constants = Mutex<[String: (precision: Int, value: Interval)]>([:])

  /// The constant `name` at this precision: the cached enclosure rounded outward when it is
  /// at least as precise (a wider enclosure of the same constant is still an enclosure),
  /// else computed anew by `compute` at a precision grown by half at least, so that the
  /// many precisions `exp` asks for (its guard bits grow with the argument) cost a few
  /// computations, not one each.
  private func cached(_ name: String, _ compute: (IntervalArithmetic) throws -> Interval) rethrows -> Interval {
    let known = IntervalArithmetic.constants.withLock { $0[name] }
    if let known, known.precision >= precision { return rounded(known.value) }
    let target = Swift.max(precision + 64, (known?.precision ?? 0) * 3 / 2)
    let value = try compute(IntervalArithmetic(precision: target))
    IntervalArithmetic.constants.withLock { table in
      if (table[name]?.precision ?? 0) < target { table[name] = (target, value) }
    }
    return rounded(value)
  }

  /// `ln 2 = 2 atanh(1/3)`.
  func ln2() throws -> Interval {
    try cached("ln2") { a in
      let w = a.wider(40)
      return a.rounded(try w.scaled(Self.arctanOfInverse(3, hyperbolic: true, bits: w.precision), byPowerOfTwo: 1))
    }
  }

  /// `pi = 16 atan(1/5) - 4 atan(1/239)` (Machin).
  func pi() throws -> Interval {
    try cached("pi") { a in
      let w = a.wider(40)
      let x = Self.arctanOfInverse(5, hyperbolic: false, bits: w.precision)
      let y = Self.arctanOfInverse(239, hyperbolic: false, bits: w.precision)
      return a.rounded(w.subtract(try w.scaled(x, byPowerOfTwo: 4), try w.scaled(y, byPowerOfTwo: 2)))
    }
  }

  /// `atan(1/m)`, or `atanh(1/m)` when `hyperbolic`, for an integer `m >= 2`, enclosed
  /// with `bits` fraction bits by fixed-point integer arithmetic.
  ///
  /// `t_k = floor(2^bits / m^(2k+1))` exactly (a floor of a floor quotient is the floor of
  /// the whole quotient), and the term `floor(t_k / (2k+1))` is below the exact term by
  /// less than one unit, so the `k` terms summed are off by less than `k` units either
  /// way. The series stops at the first `t_k = 0`, that is `2^bits < m^(2k+1)`: the rest
  /// is below one unit times `1/(1 - 1/m^2) <= 4/3`. Hence the enclosure `sum +- (k + 2)`
  /// units. Every step divides by a one-limb integer: linear in `bits` per term, where
  /// interval series multiply full-width numbers (pi at 8,000 bits: 1.3 s -> a few ms).
  static func arctanOfInverse(_ m: Int, hyperbolic: Bool, bits: Int) -> Interval {
    precondition(m >= 2 && m < 1 << 31, "arctanOfInverse: m out of range")
    let mm = BigInt(m * m)
    var t = BigInt(1).shiftedLeft(by: bits) / BigInt(m)
    var sum = t
    var k = 1
    while !t.isZero {
      t = t / mm
      let term = t / BigInt(2 * k + 1)
      sum = hyperbolic || k % 2 == 0 ? sum + term : sum - term
      k += 1
    }
    let error = BigInt(k + 2)
    return Interval(Dyadic(sum - error, -bits), Dyadic(sum + error, -bits))
  }

  // MARK: Series

  /// `atanh(z) = z + z^3/3 + z^5/5 + ...` for `|z| <= 1/2`; the tail after the last term
  /// `z^(2k+1)/(2k+1)` is at most `|z|^(2k+3)/(1 - z^2) <= 2 |z|^(2k+1) z^2`.
  func atanhSeries(_ z: Interval) throws -> Interval {
    let z2 = try multiply(z, z)
    let z2m = magnitudeBound(z2)
    var power = z
    var sum = z
    var k = 1
    while !below(try multiply(Interval(magnitudeBound(power)), Interval(z2m)), precision + 2) {
      power = try multiply(power, z2)
      sum = add(sum, try divide(power, Interval(Dyadic(2 * k + 1))))
      k += 1
    }
    let tail = try Dyadic.product(
      Dyadic.product(magnitudeBound(power), z2m, precision: precision, .up), Dyadic(2), precision: precision, .up)
    return add(sum, symmetric(tail))
  }

  /// `sum_{k >= start} s^k/k!` for `|s| <= 1/2`; the tail after the term `s^n/n!` is at
  /// most `2 |s|^(n+1)/(n+1)! <= 2 |s^n/n!| |s|`.
  private func expTaylor(_ s: Interval, from start: Int) throws -> Interval {
    let sm = magnitudeBound(s)
    var term = Interval.one
    var sum = start == 0 ? Interval.one : Interval.zero
    var k = 1
    while true {
      term = try divide(try multiply(term, s), Interval(Dyadic(k)))
      if k >= start { sum = add(sum, term) }
      let next = try Dyadic.product(magnitudeBound(term), sm, precision: precision, .up)
      if k >= start
        && (next.isZero || next.top < -(precision + 2) + (start == 0 ? 0 : Swift.min(0, magnitudeBound(sum).top)))
      {
        return add(sum, symmetric(try Dyadic.product(next, Dyadic(2), precision: precision, .up)))
      }
      k += 1
      if k > 100_000 { throw CertifiedEvaluationError.needsPrecision }
    }
  }

  /// `sin(r)` and `cos(r)` by Taylor series for `|r| <= 1`: alternating with decreasing
  /// terms, the tail is at most the first omitted term.
  private func sinCosTaylor(_ r: Interval) throws -> (sin: Interval, cos: Interval) {
    let r2 = try multiply(r, r)
    let r2m = magnitudeBound(r2)
    var sinSum = r
    var cosSum = Interval.one
    var sinTerm = r
    var cosTerm = Interval.one
    var k = 1
    while true {
      // cos term k: (-1)^k r^(2k)/(2k)!, sin term k: (-1)^k r^(2k+1)/(2k+1)!
      cosTerm = negate(try divide(try multiply(cosTerm, r2), Interval(Dyadic((2 * k - 1) * (2 * k)))))
      sinTerm = negate(try divide(try multiply(sinTerm, r2), Interval(Dyadic((2 * k) * (2 * k + 1)))))
      cosSum = add(cosSum, cosTerm)
      sinSum = add(sinSum, sinTerm)
      let nextCos = try Dyadic.product(magnitudeBound(cosTerm), r2m, precision: precision, .up)
      let nextSin = try Dyadic.product(magnitudeBound(sinTerm), r2m, precision: precision, .up)
      let small = { (d: Dyadic) in d.isZero || d.top < -(self.precision + 2) }
      if small(nextCos) && small(nextSin) && k > 1 {
        return (add(sinSum, symmetric(nextSin)), add(cosSum, symmetric(nextCos)))
      }
      k += 1
      if k > 100_000 { throw CertifiedEvaluationError.needsPrecision }
    }
  }

  // MARK: Functions

  func exp(_ a: Interval) throws -> Interval { try increasing(a, expPoint) }

  private func expPoint(_ x: Dyadic) throws -> Interval {
    if x.isZero { return .one }
    if let fast = try expByBall(x) { return fast }
    guard x.top < 60 else {
      // exp(x) for x <= -2^60 lies in (0, 2^-(2^60)): enclosed as [0, 2^-(2^60)], so that
      // softplus(1e24) = 1e24 + log1p(exp(-1e24)) stays finite. Large positive x is beyond
      // every exponent range.
      if x.signum < 0 { return Interval(.zero, Dyadic(BigInt(1), -(1 << 60))) }
      throw CertifiedEvaluationError.outOfRange
    }
    let n = Int((x.approximateDouble / 0.6931471805599453).rounded())
    let nBits = Int.bitWidth - n.magnitude.leadingZeroBitCount
    // exp(r) = exp(r/2^h)^(2^h): h halvings cost h squarings and h guard bits and make
    // the Taylor series gain about h bits per term; h grows like the square root of
    // the precision (10 at double-like precisions, 32 at 4096 bits).
    let halvings = Swift.max(10, Int(Double(precision).squareRoot() / 2))
    let w = wider(nBits + halvings + 16)
    let r = w.subtract(Interval(x), try w.multiply(try w.ln2(), Interval(Dyadic(n))))
    var e = try w.expTaylor(try w.scaled(r, byPowerOfTwo: -halvings), from: 0)
    for _ in 0..<halvings { e = try w.multiply(e, e) }
    return rounded(try w.scaled(e, byPowerOfTwo: n))
  }

  /// Working precisions up to this use the double-double fast path for `exp`.
  static let ballPrecision = 96

  /// `exp(x)` at the first working precision (at most `ballPrecision` bits) from
  /// double-double balls (`DDBall.exp`: rigorous radii, no trust in libm), which is about
  /// a hundred times cheaper than the multi-precision series: `exp(x) = 2^k exp(t)` with
  /// `k = round(x / ln 2)` and `t = x - k ln 2` in ball arithmetic (the enclosed `ln 2`
  /// carries its error into `t`'s radius), the ball converted to dyadic endpoints outward
  /// and scaled by `2^k` exactly. nil (the series then runs) beyond `|x| < 2^20`, or when
  /// the enclosure is wider than `2^-88` relative (a wide argument), so the first tier
  /// stays about as tight as the series makes it. An enclosure either way: only the cost
  /// and the last few bits of width differ.
  private func expByBall(_ x: Dyadic) throws -> Interval? {
    guard precision <= Self.ballPrecision else { return nil }
    let d = x.approximateDouble
    guard d.isFinite, d.magnitude < 0x1p20 else { return nil }
    let ball = DDBall(enclosing: Interval(x))
    guard ball.isValid else { return nil }
    let k = (d * 1.4426950408889634).rounded()
    let t = k == 0 ? ball : ball - DDBall(k) * DDBall.constants.ln2
    let e = t.exp()
    guard e.isValid, e.hi > 0, e.rad <= e.hi * 0x1p-88 else { return nil }
    guard let h = Dyadic(exactly: e.hi), let l = Dyadic(exactly: e.lo), let r = Dyadic(exactly: e.rad) else {
      return nil
    }
    let center = Dyadic.sum(h, l, precision: 2200, .down)  // exact: two doubles
    let lower = Dyadic.sum(center, -r, precision: precision, .down)
    let upper = Dyadic.sum(center, r, precision: precision, .up)
    return Interval(try lower.scaled(byPowerOfTwo: Int(k)), try upper.scaled(byPowerOfTwo: Int(k)))
  }

  /// `exp(x) - 1`, accurate near 0.
  func expm1(_ a: Interval) throws -> Interval {
    try increasing(a) { x in
      if x.isZero { return .zero }
      if x.top < -1 {
        // expm1(2u) = expm1(u) (expm1(u) + 2), without cancellation: h halvings make the
        // Taylor series gain about h bits per term, for h guard bits.
        let halvings = Swift.max(0, Int(Double(self.precision).squareRoot() / 2) - 6 + x.top)
        let v = self.wider(8 + halvings)
        var e = try v.expTaylor(try v.scaled(Interval(x), byPowerOfTwo: -halvings), from: 1)
        for _ in 0..<halvings { e = try v.multiply(e, v.add(e, Interval(Dyadic(2)))) }
        return self.rounded(e)
      }
      let w = self.wider(8)
      return self.rounded(w.subtract(try w.exp(Interval(x)), .one))
    }
  }

  /// Natural log of a positive interval; `domain` when every member is negative,
  /// `needsPrecision` when the interval reaches 0 or below, `-inf` is handled by callers.
  func log(_ a: Interval) throws -> Interval {
    guard a.lo.signum > 0 else {
      if a.hi.signum < 0 { throw CertifiedEvaluationError.domain(function: "log", argument: a.hi.approximateDouble) }
      throw CertifiedEvaluationError.needsPrecision
    }
    return try increasing(a, logPoint)
  }

  private func logPoint(_ x: Dyadic) throws -> Interval {
    var k = x.top
    var y = try x.scaled(byPowerOfTwo: -k)  // in [1, 2)
    if Dyadic.compare(y, Dyadic(3, -1)) >= 0 {
      y = try y.scaled(byPowerOfTwo: -1)
      k += 1
    }
    let kBits = Int.bitWidth - k.magnitude.leadingZeroBitCount
    // log y = 2^(r+1) atanh(z) with z = (y^(1/2^r) - 1)/(y^(1/2^r) + 1): each square root
    // halves z (|z| <= 1/5 for y in [3/4, 3/2)), so the series gains about 2r bits per
    // term; the factor 2^r costs r guard bits. r grows like the square root of the
    // precision (at 4096 bits: 24 roots, ~90 terms instead of ~900); below ~300 bits a
    // root costs more than the terms it saves, and none are taken.
    let roots = Swift.max(0, Int(Double(precision).squareRoot() / 2) - 8)
    let w = wider(kBits + 16 + roots)
    var yi = Interval(y)
    for _ in 0..<roots { yi = w.sqrtOfPositive(yi) }
    let z = try w.divide(w.subtract(yi, .one), w.add(yi, .one))
    var result = try w.scaled(try w.atanhSeries(z), byPowerOfTwo: roots + 1)
    if k != 0 { result = w.add(result, try w.multiply(try w.ln2(), Interval(Dyadic(k)))) }
    return rounded(result)
  }

  /// `log(1 + x)` for `x > -1`, accurate near 0.
  func log1p(_ a: Interval) throws -> Interval {
    guard Dyadic.compare(a.lo, Dyadic(-1)) > 0 else {
      if Dyadic.compare(a.hi, Dyadic(-1)) < 0 {
        throw CertifiedEvaluationError.domain(function: "log1p", argument: a.hi.approximateDouble)
      }
      throw CertifiedEvaluationError.needsPrecision
    }
    return try increasing(a) { x in
      let w = self.wider(16)
      let xi = Interval(x)
      if x.isZero { return .zero }
      if x.top < -1 {
        // log1p(y) = 2 log1p(y / (1 + sqrt(1 + y))) (the square root of 1 + y, written
        // without cancellation): r such steps shrink y by about 2^r, so the atanh series
        // gains about 2r bits per term, for r guard bits (as in `logPoint`). Arguments
        // already tiny need fewer steps.
        let roots = Swift.max(0, Int(Double(self.precision).squareRoot() / 2) - 6 + x.top)
        let v = self.wider(16 + roots)
        var y = xi
        for _ in 0..<roots { y = try v.divide(y, v.add(.one, v.sqrtOfPositive(v.add(.one, y)))) }
        let z = try v.divide(y, v.add(Interval(Dyadic(2)), y))
        return self.rounded(try v.scaled(try v.atanhSeries(z), byPowerOfTwo: roots + 1))
      }
      return self.rounded(try w.log(w.add(.one, xi)))
    }
  }

  /// `tanh(x) = expm1(2x)/(expm1(2x) + 2)` for `x >= 0`, odd.
  func tanh(_ a: Interval) throws -> Interval {
    try increasing(a) { x in
      if x.isZero { return .zero }
      let w = self.wider(16)
      let u = try w.expm1(Interval(try x.magnitude.scaled(byPowerOfTwo: 1)))
      let t = self.rounded(try w.divide(u, w.add(u, Interval(Dyadic(2)))))
      return x.signum > 0 ? t : self.negate(t)
    }
  }

  /// `1/(1 + exp(-x))`, computed as `exp(x)/(1 + exp(x))` for `x < 0`.
  func sigmoid(_ a: Interval) throws -> Interval {
    try increasing(a) { x in
      let w = self.wider(16)
      if x.signum >= 0 {
        return self.rounded(try w.divide(.one, w.add(.one, try w.exp(Interval(-x)))))
      }
      let e = try w.exp(Interval(x))
      return self.rounded(try w.divide(e, w.add(.one, e)))
    }
  }

  /// `log(1 + exp(x))`, computed as `x + log1p(exp(-x))` for `x > 0`.
  func softplus(_ a: Interval) throws -> Interval {
    try increasing(a) { x in
      let w = self.wider(16)
      if x.signum > 0 {
        return self.rounded(w.add(Interval(x), try w.log1p(try w.exp(Interval(-x)))))
      }
      return self.rounded(try w.log1p(try w.exp(Interval(x))))
    }
  }

  func sin(_ a: Interval) throws -> Interval { try trig(a, sine: true) }
  func cos(_ a: Interval) throws -> Interval { try trig(a, sine: false) }

  private func trig(_ a: Interval, sine: Bool) throws -> Interval {
    if a.isPoint { return try trigPoint(a.lo, sine: sine) }
    // f(m) ± radius, clipped to [-1, 1].
    let m = try Dyadic.sum(a.lo, a.hi, precision: precision + 2, .down).scaled(byPowerOfTwo: -1)
    let radius = Dyadic.max(
      Dyadic.sum(a.hi, -m, precision: precision, .up), Dyadic.sum(m, -a.lo, precision: precision, .up))
    let v = add(try trigPoint(m, sine: sine), symmetric(radius))
    return Interval(Dyadic.max(v.lo, Dyadic(-1)), Dyadic.min(v.hi, Dyadic(1)))
  }

  private func trigPoint(_ x: Dyadic, sine: Bool) throws -> Interval {
    if x.isZero { return sine ? .zero : .one }
    // Reduction by pi/2 needs about top(x) more bits of pi: beyond twice the working
    // precision, wait for a higher one (past the cap the value is reported uncertified).
    guard x.top < 2 * precision + 64 else { throw CertifiedEvaluationError.needsPrecision }
    let w = wider(Swift.max(0, x.top) + 16)
    var r = Interval(x)
    var quadrant = 0
    if x.top >= 0 {
      let halfPi = try w.scaled(try w.pi(), byPowerOfTwo: -1)
      let q = try w.divide(r, halfPi)
      let n = q.lo.nearestInteger
      r = w.subtract(r, try w.multiply(halfPi, Interval(Dyadic(n))))
      quadrant = Int(truncatingIfNeeded: (n % BigInt(4)).asInt ?? 0)
      if quadrant < 0 { quadrant += 4 }
    }
    // The reduction needs top(x) extra bits; its remainder r (|r| <= pi/4, absolute error
    // about 2^-(precision + 16)) does not: the series runs at 16 guard bits, not at
    // the reduction's width (at x = 1e1000 that is 3,300 bits less per term).
    // sin(2a) = 2 sin(a) cos(a), cos(2a) = 1 - 2 sin(a)^2: h halvings of r make the series
    // gain about 2h bits per term, for h guard bits.
    let halvings = Swift.max(0, Int(Double(precision).squareRoot() / 2) - 4)
    let t = wider(16 + halvings)
    var (s, c) = try t.sinCosTaylor(try t.scaled(r, byPowerOfTwo: -halvings))
    for _ in 0..<halvings {
      (s, c) = (
        try t.scaled(try t.multiply(s, c), byPowerOfTwo: 1),
        t.subtract(.one, try t.scaled(try t.multiply(s, s), byPowerOfTwo: 1))
      )
    }
    // sin(r + n pi/2) and cos(r + n pi/2) by quadrant.
    let result: Interval
    switch (quadrant, sine) {
    case (0, true): result = s
    case (0, false): result = c
    case (1, true): result = c
    case (1, false): result = w.negate(s)
    case (2, true): result = w.negate(s)
    case (2, false): result = w.negate(c)
    case (3, true): result = w.negate(c)
    default: result = s
    }
    let v = rounded(result)
    return Interval(Dyadic.max(v.lo, Dyadic(-1)), Dyadic.min(v.hi, Dyadic(1)))
  }
}

// MARK: - Square roots

extension IntervalArithmetic {
  /// `sqrt` of an interval of positive numbers, by an exact integer square root of the
  /// scaled mantissas (Newton's method on `BigInt`), each endpoint rounded outward with
  /// `precision + 2` bits. Far cheaper than `exp(log(x)/2)`: exponents such as
  /// `sqrt(2)/10**300` are compared at a thousand bits and more.
  func sqrtOfPositive(_ x: Interval) -> Interval {
    Interval(sqrtPoint(x.lo, roundingUp: false), sqrtPoint(x.hi, roundingUp: true))
  }

  /// `sqrt(d)` rounded down or up, for `d > 0`.
  private func sqrtPoint(_ d: Dyadic, roundingUp: Bool) -> Dyadic {
    // d = m 2^e; scale m by 2^s so that e - s is even and m 2^s has 2(p + 2) bits.
    var s = Swift.max(0, 2 * (precision + 2) - d.bitWidth)
    if (d.exponent &- s) & 1 != 0 { s += 1 }
    let n = d.mantissa.shiftedLeft(by: s)
    let root = Self.integerSquareRoot(n)
    let exact = root * root == n
    return Dyadic(roundingUp && !exact ? root + BigInt(1) : root, (d.exponent &- s) / 2)
  }

  /// `floor(sqrt(n))` for `n > 0`: Newton's iteration from above, which decreases
  /// monotonically to the floor.
  ///
  /// The start is above the root and close to it: for `n` wider than 128 bits,
  /// `(isqrt(a) + 1) 2^k` with `a = floor(n / 4^k)` and `k` about a quarter of `n`'s width
  /// (`sqrt(n) < 2^k sqrt(a + 1) <= 2^k (isqrt(a) + 1)`), so Newton needs two or three
  /// steps instead of one per bit of precision lost by starting at a power of two.
  static func integerSquareRoot(_ n: BigInt) -> BigInt {
    let width = n.magnitudeBitWidth
    var x: BigInt
    if width > 128 {
      let k = width / 4
      x = (integerSquareRoot(n.shiftedRight(by: 2 * k, roundingUp: false)) + BigInt(1)).shiftedLeft(by: k)
    } else {
      x = BigInt(1).shiftedLeft(by: (width + 1) / 2)
    }
    while true {
      let y = (x + n / x).shiftedRight(by: 1, roundingUp: false)
      if y >= x { return x }
      x = y
    }
  }
}
