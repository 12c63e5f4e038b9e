import Testing

@testable import SymGrad

/// The polynomial arithmetic under `simplified()`: exact division in place, factor lists
/// merged by hash, and the work budget that makes normalization give up instead of
/// running for seconds.
@Suite struct PolynomialArithmeticTests {
  /// A random polynomial over kernels 0..<3 with small integer coefficients.
  func random(_ rng: inout SplitMix64, terms: Int) throws -> Polynomial {
    func next() -> UInt64 { rng.next() }
    var p = Polynomial.zero
    for _ in 0..<terms {
      var m = Polynomial.constant(Rational(Int(next() % 7) - 3))
      for k in 0..<3 where next() % 2 == 0 {
        m = try Polynomial.product(m, Polynomial.kernel(k, power: Int(next() % 3) + 1))
      }
      p = p + m
    }
    return p
  }

  /// (p q) / q = p exactly, and a remainder makes the division fail: 300 random pairs.
  @Test func exactDivisionInvertsMultiplication() throws {
    var rng = SplitMix64(seed: 20_261_202)
    var checked = 0
    for _ in 0..<300 {
      let p = try random(&rng, terms: 4)
      let q = try random(&rng, terms: 3)
      guard !q.isZero, !p.isZero else { continue }
      #expect((try Polynomial.product(p, q)).exactlyDivided(by: q) == p, "(\(p)) * (\(q))")
      // Adding a constant that q does not divide (q has a non-constant term) leaves a
      // remainder.
      if q.constantValue == nil {
        #expect((try Polynomial.product(p, q) + Polynomial.constant(Rational(1))).exactlyDivided(by: q) == nil)
      }
      checked += 1
    }
    #expect(checked > 200)
  }

  /// Merged factor lists keep the order of first appearance and combine multiplicities.
  @Test func factorListsMerge() {
    let a = Polynomial.kernel(0)
    let b = Polynomial.kernel(1)
    let c = Polynomial.kernel(0) + Polynomial.kernel(1)
    let m = Simplifier.merged([(a, 1), (c, 2)], [(b, 3), (c, 1), (a, 4)], +)
    #expect(m.map(\.0) == [a, c, b])
    #expect(m.map(\.1) == [5, 3, 3])
    let l = Simplifier.merged([(a, 1), (c, 2)], [(c, 1), (b, 2)]) { Swift.max($0, $1) }
    #expect(l.map(\.1) == [1, 2, 2])
  }

  /// Past the work budget, normalization gives up (nil: the node stays as built); within
  /// it, the same node normalizes. Deterministic: a count of monomial products.
  @Test func workBudgetStopsNormalization() throws {
    let x = Expr.symbol("x")
    let y = Expr.symbol("y")
    let e = (x + y + 1) * (x - y + 2) * (x + 2 * y - 3) - (x + y + 1) * (x - y + 2) * (x + 2 * y - 3) / 2
    let within = Simplifier.normalize(e)
    #expect(within != nil)
    let starved = Simplifier.$workBudget.withValue(5) { Simplifier.normalize(e) }
    #expect(starved == nil)
  }

  /// A coefficient past 4096 bits stops normalization: `(x + 10**-400)**4` expanded has
  /// 5,300-bit coefficients (their gcds took seconds); the power stays as built.
  @Test func hugeCoefficientsStopNormalization() throws {
    let x = Expr.symbol("x")
    let tiny = Expr.number(Rational(numerator: BigInt(1), denominator: BigInt(10).power(400))!)
    #expect(Simplifier.normalize(Expr.power(x + tiny, 3)) != nil)
    #expect(Simplifier.normalize(Expr.power(x + tiny, 4)) == nil)
  }

  /// `isSymbolFree` agrees with `freeSymbols.isEmpty`, `undefined` included (its symbol
  /// mask is not empty although it holds no symbol).
  @Test func symbolFreeAgreesWithFreeSymbols() throws {
    let cases: [Expr] = [
      .number(3), .pi, .undefined, .undefined + 2, .symbol("x"), .undefined * .symbol("x"),
      exp(.number(2)) + .infinity, log(.symbol("y") + 1),
    ]
    for e in cases { #expect(e.isSymbolFree == e.freeSymbols.isEmpty, "\(e)") }
  }

  /// A product's cost grows with its coefficients' size: 3 x 3 terms cost 9 * 4 with small
  /// (inline) coefficients, and with 1,024-bit denominators (10**308, as `w0/1e308` makes)
  /// 16 words each, 9 * (4 + 16 * 16) = 2,340; in place polynomial sums agree with `+`.
  @Test func productsAreChargedByCoefficientSize() {
    func poly(_ c: Rational) -> Polynomial { .kernel(0) + .kernel(1) + .constant(c) }
    #expect(Polynomial.productCost(poly(Rational(3)), poly(Rational(5))) == 36)
    let tiny = Rational(numerator: BigInt(1), denominator: BigInt(2).power(1030))!
    #expect(Polynomial.productCost(poly(tiny), poly(tiny)) == 2_340)
    var sum = poly(Rational(3))
    sum += poly(Rational(-3))
    let expected: Polynomial =
      Polynomial.kernel(0, power: 1).scaled(Rational(2)) + Polynomial.kernel(1).scaled(Rational(2))
    #expect(sum == expected)
  }
}
