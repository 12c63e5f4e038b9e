/// The error function and its complement on intervals, with rigorous enclosures.
///
/// At a point `x >= 0` (negative points by symmetry: `erf(-x) = -erf(x)`,
/// `erfc(-x) = 1 + erf(x)`), one of two series:
/// - **asymptotic**, for large `x`, where it reaches the working precision:
///   ```
///   erfc(x) = exp(-x**2)/(x sqrt(pi)) (sum_{k<n} (-1)^k (2k-1)!!/(2x**2)^k + R_n)
///   ```
///   with `|R_n|` at most the first omitted term for `x > 0` (Abramowitz & Stegun 7.1.24),
///   which is added as a symmetric error. Its terms shrink only while `2k - 1 < 2x**2`;
///   when they stop shrinking before they are small enough, the other series runs.
/// - **positive terms**, everywhere else:
///   ```
///   erf(x) = 2/sqrt(pi) exp(-x**2) sum_{n>=0} 2^n x^(2n+1)/(2n+1)!!
///   ```
///   whose terms `t_n` have ratio `2x**2/(2n+3)`: once `2n + 3 >= 4x**2` (checked
///   exactly) every later term is at most half the one before, so the tail after `t_n` is
///   at most `t_n`, added as a one-sided error. No cancellation inside the sum;
///   `erfc(x) = 1 - erf(x)` then loses about `x**2 log2(e)` bits, which are added as guard
///   bits.
/// `erf` is increasing and `erfc` decreasing, so an interval maps through its endpoints.
extension IntervalArithmetic {
  /// `erf` of every member of `a`.
  func erf(_ a: Interval) throws -> Interval {
    if a.isPoint { return try erfPoint(a.lo) }
    return Interval(try erfPoint(a.lo).lo, try erfPoint(a.hi).hi)
  }

  /// `erfc` of every member of `a`.
  func erfc(_ a: Interval) throws -> Interval {
    if a.isPoint { return try erfcPoint(a.lo) }
    return Interval(try erfcPoint(a.hi).lo, try erfcPoint(a.lo).hi)
  }

  private func erfPoint(_ x: Dyadic) throws -> Interval {
    if x.isZero { return .zero }
    let m = x.magnitude
    let w = wider(16)
    let v: Interval
    if let c = try w.erfcAsymptotic(m) {
      v = w.subtract(.one, c)
    } else {
      v = try w.erfSeries(m)
    }
    return rounded(x.signum > 0 ? v : w.negate(v))
  }

  private func erfcPoint(_ x: Dyadic) throws -> Interval {
    if x.isZero { return .one }
    let m = x.magnitude
    if x.signum < 0 {
      let w = wider(16)
      return rounded(w.add(.one, try w.erfSeriesOrAsymptotic(m)))
    }
    if let c = try wider(16).erfcAsymptotic(m) { return rounded(c) }
    // 1 - erf(x) cancels about x^2 log2(e) leading bits (erfc(x) < exp(-x^2)).
    let lost = Int((m.approximateDouble * m.approximateDouble * 1.4426950408889634).rounded(.up))
    let w = wider(24 + lost)
    return rounded(w.subtract(.one, try w.erfSeries(m)))
  }

  private func erfSeriesOrAsymptotic(_ x: Dyadic) throws -> Interval {
    if let c = try erfcAsymptotic(x) { return subtract(.one, c) }
    return try erfSeries(x)
  }

  /// `2/sqrt(pi)`.
  private func twoOverSqrtPi() throws -> Interval {
    try divide(Interval(Dyadic(2)), sqrtOfPositive(try pi()))
  }

  /// The series with positive terms at `x > 0` (see the type's comment).
  private func erfSeries(_ x: Dyadic) throws -> Interval {
    let xi = Interval(x)
    let x2 = try multiply(xi, xi)
    let twoX2 = try scaled(x2, byPowerOfTwo: 1)
    // 4 x^2 rounded up: the test 2n + 3 >= 4x^2 must be certain.
    let fourX2 = try Dyadic.product(
      try Dyadic.product(x, x, precision: precision, .up), Dyadic(4), precision: precision, .up)
    var term = xi
    var sum = xi
    var n = 0
    while true {
      n += 1
      term = try divide(try multiply(term, twoX2), Interval(Dyadic(2 * n + 1)))
      sum = add(sum, term)
      let halving = Dyadic.compare(Dyadic(2 * n + 3), fourX2) >= 0
      let t = magnitudeBound(term)
      if halving && (t.isZero || t.top < x.top - precision - 4) {
        sum = Interval(sum.lo, try Dyadic.sum(sum.hi, t, precision: precision, .up))
        break
      }
      if n > 1_000_000 { throw CertifiedEvaluationError.needsPrecision }
    }
    return try multiply(try multiply(try twoOverSqrtPi(), try exp(negate(x2))), sum)
  }

  /// `erfcx(x) = exp(x**2) erfc(x)` of every member of `a` (the limit engine's internal
  /// function): decreasing, so through its endpoints. At a point: for large `x` the
  /// asymptotic series alone (no `exp(x**2)`, so `erfcx(1e10)` is an ordinary number),
  /// elsewhere `exp(x**2) erfc(x)`.
  func erfcx(_ a: Interval) throws -> Interval {
    if a.isPoint { return try erfcxPoint(a.lo) }
    return Interval(try erfcxPoint(a.hi).lo, try erfcxPoint(a.lo).hi)
  }

  private func erfcxPoint(_ x: Dyadic) throws -> Interval {
    let w = wider(16)
    if x.signum > 0, let s = try w.scaledErfcAsymptotic(x) { return rounded(s) }
    let xi = Interval(x)
    return rounded(try w.multiply(try w.exp(try w.multiply(xi, xi)), try w.erfc(xi)))
  }

  /// `erfc(x)` for `x > 0` by the asymptotic series, or nil where its terms stop
  /// shrinking before they reach the working precision (see the type's comment).
  private func erfcAsymptotic(_ x: Dyadic) throws -> Interval? {
    guard let s = try scaledErfcAsymptotic(x) else { return nil }
    let xi = Interval(x)
    return try multiply(try exp(negate(try multiply(xi, xi))), s)
  }

  /// `exp(x**2) erfc(x)` for `x > 0` by the asymptotic series (the type's comment without
  /// its factor `exp(-x**2)`), or nil where it does not reach the working precision.
  private func scaledErfcAsymptotic(_ x: Dyadic) throws -> Interval? {
    let d = x.approximateDouble
    // Its smallest term is about exp(-x^2): useless unless x^2 exceeds the precision in
    // nats (a shortcut only; the loop below decides).
    guard d * d > Double(precision) * 0.6931471805599453 else { return nil }
    let xi = Interval(x)
    let x2 = try multiply(xi, xi)
    let inverse = try divide(.one, try scaled(x2, byPowerOfTwo: 1))
    var term = Interval.one
    var sum = Interval.one
    var k = 1
    while true {
      if Double(2 * k - 1) >= 2 * d * d { return nil }
      term = try multiply(try multiply(term, Interval(Dyadic(2 * k - 1))), inverse)
      let t = magnitudeBound(term)
      if t.isZero || t.top < -(precision + 4) {
        sum = add(sum, symmetric(t))
        break
      }
      sum = k % 2 == 1 ? subtract(sum, term) : add(sum, term)
      k += 1
      if k > 1_000_000 { return nil }
    }
    return try divide(sum, try multiply(xi, sqrtOfPositive(try pi())))
  }
}
