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
    let arithmetic = SeriesArithmetic(isZero: { $0.isZero }, meter: meter)
    let onePlusOmega = Series(terms: [(Exponent(Rational(0)), .one), (Exponent(Rational(1)), .one)], order: Exponent(Rational(20)))
    _ = try arithmetic.power(onePlusOmega, Exponent(Rational(BigInt(10).power(400))))
    #expect(meter.exhausted, "charged \(meter.count)")
    // A small exponent stays well inside the budget.
    let small = WorkMeter(limit: 100_000)
    _ = try SeriesArithmetic(isZero: { $0.isZero }, meter: small).power(onePlusOmega, Exponent(Rational(numerator: 1, denominator: 3)!))
    #expect(!small.exhausted, "charged \(small.count)")
  }
}
