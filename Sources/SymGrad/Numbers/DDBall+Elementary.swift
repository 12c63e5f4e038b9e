import Foundation

/// Elementary functions on double-double balls, with rigorous radii and no trust in libm.
///
/// Each function is computed at the ball's center (exact) by argument reduction and a
/// Taylor series evaluated in ball arithmetic, so rounding errors and the error of every
/// constant (`ln 2`, `pi/2`, the series coefficients, all enclosed from 256-bit intervals)
/// are carried by the radius; the series' truncation error is bounded explicitly and added.
/// The radius of the argument then adds the function's variation over the ball:
///
/// | function | added to the radius (`r` the argument's radius) |
/// |---|---|
/// | `exp` | `exp(c) (e^r - 1) <= exp(c) (r + r^2)` for `r <= 1/2` |
/// | `expm1` | the same |
/// | `log` | `r / m`, `m` a lower bound of the argument (> 0) |
/// | `sin`, `cos`, `tanh` | `r` (1-Lipschitz) |
/// | `sigmoid` | `r min(1/4, exp(-|c|) (1 + 2r))` |
/// | `softplus` | `r`, and `r exp(c) (1 + 2r)` for `c < 0` |
///
/// Outside what is implemented (arguments of `sin`/`cos` beyond `2^40`, results beyond the
/// double range, a `log` argument not provably positive) the result is poisoned, and the
/// caller falls back to the multi-precision evaluator. libm is used only for starting
/// guesses (`log1p` in `log`), whose error is measured by an enclosed residual.
extension DDBall {
  /// The center as an exact ball (radius 0).
  var center: DDBall { DDBall(hi: hi, lo: lo, rad: 0) }

  /// Enclosures of the constants, from 256-bit intervals.
  struct Constants: Sendable {
    /// `ln 2`.
    let ln2: DDBall
    /// `pi`.
    let pi: DDBall
    /// `pi/2 = p1 + p2 + p3 + d` with `|d| <= piOver2Error`; `p1` and `p2` are such that
    /// `n * p1` and `n * p2` are exact double-doubles (`twoProduct`).
    let piOver2: (Double, Double, Double)
    let piOver2Error: Double
    /// `1/(j+1)!` for `j = 0 ..< expTerms`: `expm1(s) ~ s * sum_j s^j/(j+1)!`.
    let expCoefficients: [DDBall]
    /// `(-1)^j/(2j+1)!` for `j = 0 ..< sinTerms`.
    let sinCoefficients: [DDBall]
    /// `(-1)^j/(2j)!` for `j = 0 ..< cosTerms`.
    let cosCoefficients: [DDBall]
    /// Upper bounds of `2/(expTerms+1)!`, `1/(2 sinTerms+1)!` and `1/(2 cosTerms)!`.
    let expTailFactor: Double
    let sinTailFactor: Double
    let cosTailFactor: Double

    init() {
      let a = IntervalArithmetic(precision: 256)
      ln2 = DDBall(enclosing: try! a.ln2())
      let pi = try! a.pi()
      self.pi = DDBall(enclosing: pi)
      // Split pi/2 into three doubles, each the (near-)nearest double to what remains.
      let half = try! a.scaled(pi, byPowerOfTwo: -1)
      var rest = half.lo
      var parts: [Double] = []
      for _ in 0..<3 {
        let p = rest.approximateDouble
        parts.append(p)
        rest = Dyadic.sum(rest, -Dyadic(exactly: p)!, precision: 2200, .down)
      }
      // pi/2 - (p1 + p2 + p3) lies in [rest, rest + width], rest the remainder at lo.
      let width = Dyadic.sum(half.hi, -half.lo, precision: 2200, .up)
      let errorBound = Dyadic.sum(rest.magnitude, width, precision: 2200, .up)
      piOver2 = (parts[0], parts[1], parts[2])
      piOver2Error = errorBound.double(.up)
      func factorial(_ n: Int) -> BigInt { (1...Swift.max(1, n)).reduce(BigInt(1)) { $0 * BigInt($1) } }
      func ball(_ sign: Int, over n: Int) -> DDBall {
        DDBall(Rational(numerator: BigInt(sign), denominator: factorial(n))!)
      }
      func upper(_ numerator: Int, over n: Int) -> Double {
        let r = Rational(numerator: BigInt(numerator), denominator: factorial(n))!
        return (try! Dyadic.rounding(r, precision: 60, .up)).double(.up)
      }
      expCoefficients = (0..<DDBall.expTerms).map { ball(1, over: $0 + 1) }
      sinCoefficients = (0..<DDBall.sinTerms).map { ball($0 % 2 == 0 ? 1 : -1, over: 2 * $0 + 1) }
      cosCoefficients = (0..<DDBall.cosTerms).map { ball($0 % 2 == 0 ? 1 : -1, over: 2 * $0) }
      expTailFactor = upper(2, over: DDBall.expTerms + 1)
      sinTailFactor = upper(1, over: 2 * DDBall.sinTerms + 1)
      cosTailFactor = upper(1, over: 2 * DDBall.cosTerms)
    }
  }

  static let constants = Constants()

  /// Series lengths. `exp`: after reduction `|t| <= ln2/2` and 6 halvings, `|s| < 2^-7.5`,
  /// so the truncation error `2 |s|^13/13!` is below `2^-114 |s|`. `sin`/`cos` on
  /// `|t| <= pi/4`: the first omitted terms `t^29/29!` and `t^30/30!` are below `2^-112`.
  static let expTerms = 12
  static let expHalvings = 6
  static let sinTerms = 14
  static let cosTerms = 15

  /// `|x|^n` rounded upward, for `x >= 0`.
  static func powerUp(_ x: Double, _ n: Int) -> Double {
    var r = 1.0
    for _ in 0..<n { r = mulUp(r, x) }
    return r
  }

  // MARK: exp and expm1

  /// `exp(c) = 2^k (1 + e)` for the exact center `c` (`|c| <= 746`): `k = round(c / ln 2)`,
  /// `t = c - k ln 2`, `s = t / 2^6`, `expm1(s)` by Taylor series, then six doublings
  /// `e <- e (e + 2)` (`(1 + e)^2 - 1`). For `k = 0`, `e` is `expm1(c)` with a small
  /// *relative* radius (no cancellation), which `expm1`, `tanh` and `log` rely on.
  static func expReduced(_ c: DDBall) -> (k: Int, e: DDBall) {
    let constants = DDBall.constants
    let k = (c.hi * 1.4426950408889634).rounded()
    let t = k == 0 ? c : c - DDBall(k) * constants.ln2
    let s = t.scaled(byPowerOfTwo: -expHalvings)
    let sMax = s.magnitudeUpperBound
    guard s.isValid, sMax <= 0x1p-6 else { return (0, .poison) }
    let coefficients = constants.expCoefficients
    var q = coefficients[expTerms - 1]
    for j in stride(from: expTerms - 2, through: 0, by: -1) { q = q * s + coefficients[j] }
    var e = q * s
    // expm1(s) - s sum_{j<N} s^j/(j+1)! = sum_{m>N} s^m/m!, at most 2 |s|^(N+1)/(N+1)! for |s| <= 1/2.
    e.rad = addUp(e.rad, mulUp(powerUp(sMax, expTerms + 1), constants.expTailFactor))
    for _ in 0..<expHalvings { e = e * (e + .two) }
    return (Int(k), e)
  }

  /// Below this center `exp` is poisoned although its value is known (below 2^-1074):
  /// the multi-precision evaluator's exponent range ends there (`exp` of `|x| >= 2^60`
  /// is out of range), and the fast path must not certify what `Expr.certifiedValues`
  /// cannot, or the two would disagree on which numbers are certified.
  static let expLowerLimit = -0x1p59

  /// `exp(x)`; poisoned when the result may overflow (center above 709), the radius
  /// exceeds 1/2 or the center is below `expLowerLimit`. Below -745 the value is in
  /// `(0, 2^-1072]`: the ball `0 ± 2^-1070`.
  func exp() -> DDBall {
    guard isValid, rad <= 0.5 else { return .poison }
    if hi > 709 || hi <= DDBall.expLowerLimit { return .poison }
    if hi < -745 { return DDBall(hi: 0, lo: 0, rad: 0x1p-1070) }
    let (k, e) = DDBall.expReduced(center)
    var result = (DDBall.one + e).scaled(byPowerOfTwo: k)
    guard result.isValid else { return .poison }
    if rad > 0 {
      let variation = DDBall.mulUp(result.magnitudeUpperBound, DDBall.addUp(rad, DDBall.mulUp(rad, rad)))
      result.rad = DDBall.addUp(result.rad, variation)
    }
    return result.isValid ? result : .poison
  }

  /// `exp(x) - 1`, accurate near 0 (relative radius); poisoned as `exp`.
  func expm1() -> DDBall {
    guard isValid, rad <= 0.5 else { return .poison }
    if hi > 709 || hi <= DDBall.expLowerLimit { return .poison }
    if hi < -745 { return DDBall(hi: -1, lo: 0, rad: 0x1p-1070) }
    let (k, e) = DDBall.expReduced(center)
    var result = k == 0 ? e : (DDBall.one + e).scaled(byPowerOfTwo: k) - .one
    guard result.isValid else { return .poison }
    if rad > 0 {
      // exp(c) = 1 + expm1(c) <= 1 + |result| + its radius.
      let expBound = DDBall.addUp(1, result.magnitudeUpperBound)
      result.rad = DDBall.addUp(result.rad, DDBall.mulUp(expBound, DDBall.addUp(rad, DDBall.mulUp(rad, rad))))
    }
    return result.isValid ? result : .poison
  }

  // MARK: log and log1p

  /// `log(x)`; poisoned unless the ball is provably positive.
  ///
  /// The center is `m 2^k` with `m` in `(1/sqrt 2, sqrt 2]`; with `z = m - 1` (exact) and a
  /// guess `y0 = log1p(z)` from libm, `rho = m exp(-y0) - 1 = z (1 + f) + f` with
  /// `f = expm1(-y0)` enclosed, and `log m = y0 + log(1 + rho)`, where
  /// `|log(1 + rho) - (rho - rho^2/2)| <= |rho|^3/2` for `|rho| <= 1/3`. Near `m = 1` every
  /// term is relative to `z`, so `log(1 + 1e-20)` keeps its digits.
  func log() -> DDBall {
    guard isValid else { return .poison }
    let m = lowerBound
    guard m > 0 else { return .poison }
    var k = hi.exponent
    var mantissa = center.scaled(byPowerOfTwo: -k)
    if mantissa.hi > 1.4142135623730951 {
      mantissa = mantissa.scaled(byPowerOfTwo: -1)
      k += 1
    }
    let z = mantissa - .one
    guard z.isValid else { return .poison }
    let y0 = Foundation.log1p(z.hi)
    let f = DDBall(-y0).expm1()
    let rho = z * (DDBall.one + f) + f
    let rhoMax = rho.magnitudeUpperBound
    guard rho.isValid, rhoMax <= 0x1p-20 else { return .poison }
    var y = DDBall(y0) + (rho - (rho * rho).scaled(byPowerOfTwo: -1))
    y.rad = DDBall.addUp(y.rad, DDBall.powerUp(rhoMax, 3) / 2)
    if k != 0 { y = y + DDBall(Double(k)) * DDBall.constants.ln2 }
    // |log x - log c| <= |x - c| / min(x, c) <= rad / m.
    y.rad = DDBall.addUp(y.rad, DDBall.divUp(rad, m))
    return y.isValid ? y : .poison
  }

  /// `log(1 + x)`: the sum `1 + x` is exact or carries its error in the radius.
  func log1p() -> DDBall { (DDBall.one + self).log() }

  // MARK: sin and cos

  func sin() -> DDBall { trigonometric(sine: true) }
  func cos() -> DDBall { trigonometric(sine: false) }

  /// `sin` or `cos`: `c = n pi/2 + t` with `|t| <= pi/4` (for `|c| <= 2^40`), the
  /// reduction `t = c - n p1 - n p2 - n p3` exact but for `n p3` and the error of the
  /// three-part `pi/2` (below `2^-150 |n|`, so about `2^-110` absolute at the limit
  /// `|c| <= 2^40`); then the Taylor series of `sin t` or `cos t` (alternating with
  /// decreasing terms: the first omitted term bounds the rest).
  private func trigonometric(sine: Bool) -> DDBall {
    guard isValid, Swift.abs(hi) <= 0x1p40 else { return .poison }
    let constants = DDBall.constants
    let n = (hi * 0.6366197723675814).rounded()
    var t = center
    if n != 0 {
      let (p1, p2, p3) = constants.piOver2
      let (a1, a2) = DDBall.twoProduct(n, p1)
      let (b1, b2) = DDBall.twoProduct(n, p2)
      let c3 = n * p3
      t = t - DDBall(a1) - DDBall(a2) - DDBall(b1) - DDBall(b2) - DDBall(c3)
      // n p3 rounded (at most u |c3| + 2^-1075), and n times the error of the split pi/2.
      let reduction = DDBall.addUp(
        DDBall.addUp(DDBall.mulUp(Swift.abs(c3), DDBall.u), DDBall.eta),
        DDBall.mulUp(Swift.abs(n), constants.piOver2Error))
      t.rad = DDBall.addUp(t.rad, reduction)
    }
    let tMax = t.magnitudeUpperBound
    guard t.isValid, tMax <= 1 else { return .poison }
    let quadrant = Int(n) & 3
    let useSine = sine ? quadrant % 2 == 0 : quadrant % 2 == 1
    let negate = sine ? quadrant >= 2 : (quadrant == 1 || quadrant == 2)
    let t2 = t * t
    var result: DDBall
    if useSine {
      let c = constants.sinCoefficients
      var p = c[DDBall.sinTerms - 1]
      for j in stride(from: DDBall.sinTerms - 2, through: 0, by: -1) { p = p * t2 + c[j] }
      result = p * t
      let tail = DDBall.mulUp(DDBall.powerUp(tMax, 2 * DDBall.sinTerms + 1), constants.sinTailFactor)
      result.rad = DDBall.addUp(result.rad, tail)
    } else {
      let c = constants.cosCoefficients
      var p = c[DDBall.cosTerms - 1]
      for j in stride(from: DDBall.cosTerms - 2, through: 0, by: -1) { p = p * t2 + c[j] }
      result = p
      let tail = DDBall.mulUp(DDBall.powerUp(tMax, 2 * DDBall.cosTerms), constants.cosTailFactor)
      result.rad = DDBall.addUp(result.rad, tail)
    }
    if negate { result = -result }
    result.rad = DDBall.addUp(result.rad, rad)
    return result.isValid ? result : .poison
  }

  // MARK: tanh, sigmoid, softplus

  /// `tanh(x) = sign(c) * (-f) / (2 + f)` with `f = expm1(-2|c|)` (never overflows; for
  /// small `|c|` the quotient is relative to `f`).
  func tanh() -> DDBall {
    guard isValid else { return .poison }
    let a = center.magnitude
    var result: DDBall
    if a.isExactZero {
      result = .zero
    } else {
      let f = DDBall(hi: -2 * a.hi, lo: -2 * a.lo, rad: 0).expm1()
      result = (-f) * (f + .two).reciprocal()
      if hi < 0 { result = -result }
    }
    result.rad = DDBall.addUp(result.rad, rad)
    return result.isValid ? result : .poison
  }

  /// `sigmoid(x)`: `1/(1 + exp(-c))` for `c >= 0`, `exp(c)/(1 + exp(c))` below, with
  /// `E = exp(-|c|)` enclosed.
  ///
  /// The argument's radius `r` adds `r * max sigmoid'` over the ball, where
  /// `sigmoid' = sigmoid(1 - sigmoid) <= min(1/4, exp(-|xi|))` and `exp(-|xi|) <=
  /// E e^r <= E (1 + 2r)` for `r <= 1/2`: relative, not absolute, far from 0
  /// (`sigmoid(-700)` keeps its digits).
  func sigmoid() -> DDBall {
    guard isValid else { return .poison }
    let e = (hi >= 0 ? -center : center).exp()
    var result = hi >= 0 ? (DDBall.one + e).reciprocal() : e * (DDBall.one + e).reciprocal()
    guard result.isValid else { return .poison }
    if rad > 0 {
      result.rad = DDBall.addUp(result.rad, DDBall.mulUp(rad, DDBall.derivativeBound(tail: e, radius: rad, cap: 0.25)))
    }
    return result.isValid ? result : .poison
  }

  /// An upper bound of `min(cap, E e^r)` for the enclosure `E` of `exp(-|c|)`: the
  /// derivative of `sigmoid` (cap 1/4) or `softplus` (cap 1, on the negative side) over a
  /// ball of radius `r` around `c`. Poisoned balls and `r > 1/2` give `cap`.
  static func derivativeBound(tail e: DDBall, radius r: Double, cap: Double) -> Double {
    guard e.isValid, r <= 0.5 else { return cap }
    let bound = mulUp(e.magnitudeUpperBound, addUp(1, mulUp(2, r)))
    return bound < cap ? bound : cap
  }

  /// `softplus(x)`: `c + log1p(exp(-c))` for `c >= 0`, `log1p(exp(c))` below. The
  /// argument's radius adds `r * max sigmoid` over the ball (at most `r`, and
  /// `r exp(c) (1 + 2r)` below 0).
  func softplus() -> DDBall {
    guard isValid else { return .poison }
    var result: DDBall
    var slope = 1.0
    if hi >= 0 {
      result = center + (-center).exp().log1p()
    } else {
      let e = center.exp()
      result = e.log1p()
      slope = DDBall.derivativeBound(tail: e, radius: rad, cap: 1)
    }
    guard result.isValid else { return .poison }
    result.rad = DDBall.addUp(result.rad, DDBall.mulUp(rad, slope))
    return result.isValid ? result : .poison
  }

  /// The domain guard of `unit_interval`: the ball itself when it lies in `[0, 1]`.
  var unitInterval: DDBall {
    guard isValid, lowerBound >= 0, upperBound <= 1 else { return .poison }
    return self
  }
}
