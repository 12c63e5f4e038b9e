import Foundation
import Testing

@testable import SymGrad

/// Certified evaluation against values recorded with mpmath (80 digits, from the same
/// double inputs): every certified value must be a faithful rounding, so equality with
/// the correctly rounded reference is expected in these cases, and at most one ulp off
/// in general (`faithful`).
@Suite struct CertifiedEvaluationTests {
  let x = Expr.symbol("x")

  /// Whether `v` is within one ulp of the reference (faithful rounding of a correctly
  /// rounded reference is either it or a neighbour).
  func faithful(_ v: Double, _ reference: Double) -> Bool {
    v == reference || v == reference.nextUp || v == reference.nextDown
  }

  @Test(arguments: [
    ("tanh(x)", 0.001, 0.0009999996666668),
    ("sin(x)", 1e22, -0.8522008497671888),
    ("log(x)", 1e-300, -690.7755278982137),
    ("log1p(x)", 1e-20, 1e-20),
    ("expm1(x)", 1e-20, 1e-20),
    ("x**(1/3)", -7, -1.9129311827723892),
    ("sqrt(x)", 2, 1.4142135623730951),
    ("softplus(x)", -700, 9.85967654375977e-305),
    ("sigmoid(x)", 700, 1.0),
    ("2*pi*x", 1, 6.283185307179586),
  ])
  func elementaryFunctions(_ text: String, _ at: Double, _ reference: Double) throws {
    let e = try Expr(parsing: text)
    let v = try e.certifiedValue(at: ["x": at])
    #expect(v.certified)
    #expect(faithful(v.value, reference), "\(text) at \(at): \(v.value) vs \(reference)")
  }

  /// Square roots and their odd powers go through an exact integer square root:
  /// sqrt(10**400 + 1) - 10**200 = 5e-201 (about 1/(2*10**200); IEEE gives inf), and
  /// the root agrees with mpmath where doubles suffice.
  @Test func squareRootsByIntegerSquareRoot() throws {
    #expect(try Expr(parsing: "sqrt(10**400 + 1) - 10**200").evaluate() == 5e-201)
    #expect(try Expr(parsing: "x**(-3/2)").evaluate(at: ["x": 3]) == 0.19245008972987526)
    #expect(try Expr(parsing: "x**(5/2)").evaluate(at: ["x": 7]) == 129.64181424216494)
    #expect(try Expr(parsing: "sqrt(x)").evaluate(at: ["x": 1e-300]) == 1e-150)
    // The enclosure holds the root: lo^2 <= x <= hi^2 exactly (rounded outward), for
    // non-squares at several precisions, and a square root of a square is exact.
    for precision in [53, 96, 200] {
      let a = IntervalArithmetic(precision: precision)
      for x in [2, 3, 10, 1_000_003] {
        let r = a.sqrtOfPositive(Interval(Dyadic(x)))
        let lo2 = Dyadic(r.lo.mantissa * r.lo.mantissa, 2 * r.lo.exponent)
        let hi2 = Dyadic(r.hi.mantissa * r.hi.mantissa, 2 * r.hi.exponent)
        #expect(lo2 <= Dyadic(x) && Dyadic(x) <= hi2, "sqrt(\(x)) at \(precision) bits: \(r)")
        #expect(lo2 < Dyadic(x) && Dyadic(x) < hi2)
      }
      let four = a.sqrtOfPositive(Interval(Dyadic(4)))
      #expect(four.lo <= Dyadic(2) && Dyadic(2) <= four.lo && four.hi <= Dyadic(2) && Dyadic(2) <= four.hi)
    }
    // floor(sqrt(n)) for squares, neighbours of squares and a 1000-bit number.
    let big = BigInt(3).shiftedLeft(by: 1000) + BigInt(12345)
    for n in [BigInt(1), BigInt(2), BigInt(3), BigInt(4), BigInt(15), BigInt(16), BigInt(17), big] {
      let r = IntervalArithmetic.integerSquareRoot(n)
      #expect(r * r <= n && (r + BigInt(1)) * (r + BigInt(1)) > n, "\(n)")
    }
  }

  @Test func domainErrorsAreCertain() {
    #expect(throws: EvaluationError.self) { try log(x).certifiedValue(at: ["x": -1]) }
    #expect(throws: EvaluationError.self) { try sqrt(x).certifiedValue(at: ["x": -2]) }
  }

  @Test func exactInfinitiesAndUndefinedValues() throws {
    #expect(try log(x).certifiedValue(at: ["x": 0]).value == -.infinity)
    #expect(try max(log(x), Expr.number(-100)).certifiedValue(at: ["x": 0]).value == -100)
    let v = try (1 / x).certifiedValue(at: ["x": 0])
    #expect(v.value.isNaN && v.certified)  // 1/0 has no value on the extended reals
  }

  /// An exact zero that no enclosure can separate from 0 is still faithful: 0 within one
  /// subnormal ulp, after the precision rises past the double range.
  @Test func exactZeroIsFaithful() throws {
    let e = try Expr(parsing: "(x + 1)**2 - x**2 - 2*x - 1")
    let v = try e.certifiedValue(at: ["x": 0.1])
    #expect(v.value == 0)
  }

  /// Finite inputs outside the domain are domain errors in the library too, not `.finite(log(-1))`.
  @Test func limitValueChecksTheDomain() {
    guard case .undefined(let why) = log(x).limitValue(at: ["x": -1]) else {
      Issue.record("log(x) at -1 should be undefined")
      return
    }
    #expect(why.code == "domain")
    #expect(log(x).limitValue(at: ["x": 2]) == .finite(log(Expr.number(2))))
  }

  /// The domain guard of binary_cross_entropy in the library: evaluate, IEEE and limits.
  @Test func bceDomainGuardInTheLibrary() throws {
    let v = try Expr.Value(parsing: "2*binary_cross_entropy([x], [1.0]) + 1")
    guard case .scalar(let e) = v else {
      Issue.record("expected a scalar")
      return
    }
    #expect(throws: EvaluationError.self) { try e.evaluate(at: ["x": 1.5]) }
    #expect(throws: EvaluationError.self) { try e.evaluateIEEE(at: ["x": -0.5]) }
    #expect(throws: EvaluationError.self) { try e.derivative(withRespectTo: x).evaluate(at: ["x": 1.5]) }
    #expect(try e.evaluate(at: ["x": 0.5]) == 1 + 2 * 0.6931471805599453)
    // Provably in [0, 1]: no guard (sigmoid, softmax entries).
    #expect(Expr.apply(.unitInterval, [sigmoid(x)]) == sigmoid(x))
    #expect(
      Expr.apply(.unitInterval, [exp(x) / (exp(x) + exp(Expr.symbol("y")))]) == exp(x)
        / (exp(x) + exp(Expr.symbol("y"))))
    #expect(Expr.apply(.unitInterval, [x]) != x)
  }

  @Test func limitValuesAreCertified() throws {
    // exp(-1e9 + a)/(exp(-1e9 + a) + exp(-1e9 + b)) at a = 1, b = 2 is the softmax of (1, 2).
    let e = try Expr(parsing: "exp(-1000000000 + 1)/(exp(-1000000000 + 1) + exp(-1000000000 + 2))")
    #expect(LimitValue.finite(e).certifiedValue.value == 0.2689414213699951)
    #expect(LimitValue.finite(e).certifiedValue.certified)
  }

  @Test func dyadicDirectedRounding() throws {
    let third = try Dyadic.rounding(Rational(numerator: 1, denominator: 3)!, precision: 60, .down)
    let thirdUp = try Dyadic.rounding(Rational(numerator: 1, denominator: 3)!, precision: 60, .up)
    #expect(third < thirdUp)
    #expect(third.double(.down) <= 1.0 / 3)
    #expect(third.double(.up) >= 1.0 / 3)
    #expect(thirdUp.double(.up) >= 1.0 / 3)
    #expect(Dyadic(exactly: 0.1)!.double(.down) == 0.1)
    #expect(Dyadic(exactly: .leastNonzeroMagnitude)!.double(.up) == .leastNonzeroMagnitude)
    #expect(BigInt(-5).shiftedRight(by: 1, roundingUp: false) == BigInt(-3))
    #expect(BigInt(-5).shiftedRight(by: 1, roundingUp: true) == BigInt(-2))
    #expect(BigInt(5).shiftedRight(by: 1, roundingUp: true) == BigInt(3))
  }

  /// The constants' enclosures contain the true values and are tight.
  @Test func constants() throws {
    let a = IntervalArithmetic(precision: 200)
    let p = try a.pi()
    let l = try a.ln2()
    #expect(p.lo.double(.down) <= Double.pi && Double.pi <= p.hi.double(.up))
    #expect(l.lo.double(.down) <= M_LN2 && M_LN2 <= l.hi.double(.up))
    #expect(Dyadic.sum(p.hi, -p.lo, precision: 400, .up).top < -190)
    #expect(Dyadic.sum(l.hi, -l.lo, precision: 400, .up).top < -190)
  }
}
