/// Series of the error functions, for limits of indeterminate forms with `erf` and `erfc`.
///
/// The limit engine's rewriting (`LimitEngine.rewriteNode`) writes `erfc(u)` with
/// `u -> +inf` as `exp(-u**2) erfcx(u)` (and `erf`, and `u -> -inf`, through
/// `erf = 1 - erfc` and `erfc(-u) = 2 - erfc(u)`): the factor `exp(-u**2)` joins the MRV
/// set like any exponential, and `erfcx(u)` stays in `u`'s own growth class, with the
/// asymptotic series below. An `erf`, `erfc` or `erfcx` whose argument tends to a limit
/// in its series' constant term is expanded by Taylor's series there.
extension SeriesArithmetic {
  /// `f(a)` for `f` analytic on the reals (`erf`, `erfc`, `erfcx`) and `a` with no
  /// negative exponents: Taylor's series at `a`'s constant term `c0` (which may still
  /// depend on the limit variable through a slower class), with coefficients
  /// `f^(n)(c0)/n!` from symbolic derivatives of `f`.
  func analytic(_ f: Expr.Function, _ a: Series, variable x: Expr) throws -> Series {
    if let l = a.leading, l.exponent < .zero {
      throw LimitFailure.unsupported("\(f.rawValue) of an unbounded series")
    }
    let c0 = a.terms.first { $0.exponent.isZero }?.coefficient ?? .zero
    let rest = Series(terms: a.terms.filter { Exponent.zero < $0.exponent }, order: a.order)
    var derivative = Expr.apply(f, [x])
    var factorial = Rational(1)
    var coefficients: [Expr] = []
    return compose(rest, order: a.order) { n in
      while coefficients.count <= n {
        if !coefficients.isEmpty {
          derivative = derivative.derivative(withRespectTo: x)
          factorial = factorial * Rational(coefficients.count)
        }
        coefficients.append(derivative.substituting([x: c0]) / .number(factorial))
        meter.count += derivative.nodeCount
      }
      if meter.exhausted { return .zero }
      return coefficients[n]
    }
  }

  /// `erfcx(a) = exp(a**2) erfc(a)`. For `a -> +inf` (a negative leading exponent with a
  /// positive coefficient) the asymptotic series in `v = 1/a`,
  /// `erfcx(a) ~ (1/sqrt(pi)) sum_n (-1)^n (2n - 1)!! / 2^n v^(2n + 1)`
  /// (Abramowitz and Stegun 7.1.23), truncated like every series here: divergent as a
  /// power series, but its remainder after the terms kept is of the order of the first
  /// term left out, which is what a truncated series claims. Otherwise Taylor's series.
  func erfcx(_ a: Series, variable x: Expr) throws -> Series {
    guard let l = a.leading, l.exponent < .zero else { return try analytic(.erfcx, a, variable: x) }
    guard let s = try sign(l.coefficient), s > 0 else {
      throw LimitFailure.unsupported("erfcx of a quantity that does not tend to +inf")
    }
    let v = try power(a, Exponent(Rational(-1)))
    var coefficients: [Rational] = [Rational(1)]  // (-1)^n (2n - 1)!! / 2^n, n = 0, 1, ...
    let factor = 1 / SymGrad.sqrt(Expr.pi)
    let body = compose(v, order: v.order) { k in
      guard k % 2 == 1 else { return .zero }
      let n = (k - 1) / 2
      while coefficients.count <= n {
        let m = coefficients.count
        coefficients.append(coefficients[m - 1] * Rational(numerator: BigInt(-(2 * m - 1)), denominator: BigInt(2))!)
      }
      return .number(coefficients[n])
    }
    return scale(body, by: factor)
  }
}
