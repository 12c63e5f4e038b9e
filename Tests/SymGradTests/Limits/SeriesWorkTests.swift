import Testing

@testable import SymGrad

/// The work the series arithmetic charges for what it computes.
@Suite struct SeriesWorkTests {
  /// `(1 + ω)**(10**400)` to 20 terms: binomial(10**400, k) has ~1,330 k bits, and its
  /// products cost the square of that in 64-bit words. Charged so, the 100,000-step budget
  /// runs out (charged linearly it would not, and `(t + 10**-400)**(10**400)` at
  /// infinite inputs ran for seconds of gcds).
  @Test func hugeBinomialCoefficientsExhaustTheBudget() throws {
    let meter = WorkMeter(limit: 100_000)
    let arithmetic = SeriesArithmetic(isZero: { $0.isZero }, meter: meter, sign: { $0.rationalValue?.signum })
    let onePlusOmega = Series(
      terms: [(Exponent(Rational(0)), .one), (Exponent(Rational(1)), .one)], order: Exponent(Rational(20)))
    _ = try arithmetic.power(onePlusOmega, Exponent(Rational(BigInt(10).power(400))))
    #expect(meter.exhausted, "charged \(meter.count)")
    // A small exponent stays well inside the budget.
    let small = WorkMeter(limit: 100_000)
    _ = try SeriesArithmetic(isZero: { $0.isZero }, meter: small, sign: { $0.rationalValue?.signum }).power(
      onePlusOmega, Exponent(Rational(numerator: 1, denominator: 3)!))
    #expect(!small.exhausted, "charged \(small.count)")
  }

  /// Products of series charge the exact numbers in their coefficients by their size
  /// squared: 1,074-bit rationals (constants near 5e-324) multiplied term by term for 12
  /// terms exhaust the budget; the same series with small numbers stays far inside it.
  @Test func productsChargeTheSizeOfTheirNumbers() throws {
    func series(_ c: Rational) -> Series {
      Series(
        terms: (0..<12).map { (Exponent(Rational($0)), Expr.number(c) + .symbol("k\($0)")) },
        order: Exponent(Rational(12)))
    }
    let tiny = Rational(numerator: BigInt(3), denominator: BigInt(2).power(1074))!
    let meter = WorkMeter(limit: 100_000)
    var s = series(tiny)
    for _ in 0..<4 {
      s = SeriesArithmetic(isZero: { $0.isZero }, meter: meter, sign: { $0.rationalValue?.signum }).multiply(
        s, series(tiny))
    }
    #expect(meter.exhausted, "charged \(meter.count)")
    let small = WorkMeter(limit: 100_000)
    var u = series(Rational(3))
    for _ in 0..<4 {
      u = SeriesArithmetic(isZero: { $0.isZero }, meter: small, sign: { $0.rationalValue?.signum }).multiply(
        u, series(Rational(3)))
    }
    #expect(!small.exhausted, "charged \(small.count)")
  }

  /// Past the budget, ordering two irrational exponents costs one step and no certified
  /// comparison (the result is discarded): log1p(10**-300)/10**-300 and 1 differ by
  /// 5e-301, which takes a 1,536-bit comparison (charged 4,096 steps) within the budget.
  @Test func exhaustedMetersOrderWithoutCertifying() throws {
    let a = Exponent(try Expr(parsing: "log1p(10**-300)*10**300"))
    let b = Exponent(Rational(1))
    let spent = WorkMeter(limit: 10)
    spent.count = 11
    _ = Exponent.less(a, b, charging: spent)
    #expect(spent.count == 12)
    let fresh = WorkMeter(limit: 100_000)
    #expect(Exponent.less(a, b, charging: fresh))
    #expect(fresh.count > 1000, "charged \(fresh.count)")
  }
}
