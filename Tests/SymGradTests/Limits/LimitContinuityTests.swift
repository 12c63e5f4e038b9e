import Foundation
import Testing

@testable import SymGrad

/// The limit laws that run before Gruntz (`LimitEngine+Continuity.swift`): what they decide,
/// and that every indeterminate form still reaches Gruntz. Expected values are worked out
/// by hand in the comments, or recorded with mpmath where stated.
@Suite struct LimitContinuityTests {
  let x = Expr.symbol("x")

  func limitAtInfinity(_ text: String) throws -> LimitValue {
    try Expr(parsing: text).limit(as: x, approaches: .infinity)
  }

  /// 199 tanh around x at x = -inf: tanh(-inf) = -1, then 198 tanh of a constant.
  /// Gruntz over the whole nest ran out of its budget (17 s before there was one).
  /// Reference: mpmath, 50 digits, tanh iterated 198 times from -1.
  @Test func deepNestOfContinuousFunctions() throws {
    var text = "x"
    for _ in 0..<199 { text = "tanh(\(text))" }
    let v = try Expr.certifiedValues(of: [try Expr(parsing: text)], at: ["x": -.infinity])[0]
    #expect(v.certified)
    #expect(v.value == -0.08654958405455195)
  }

  /// The laws at +-inf of each function: tanh -> 1, sigmoid -> 1, exp(-x) -> 0,
  /// softplus(-x) -> 0, expm1(-x) -> -1, sign(-x) -> -1, abs(-x) -> inf, log(x) -> inf,
  /// max(x, 3) -> inf, min(-x, 3) -> -inf, max(-x, 3) -> 3.
  @Test(arguments: [
    ("tanh(x)", LimitValue.finite(.one)), ("sigmoid(x)", .finite(.one)), ("exp(-x)", .finite(.zero)),
    ("softplus(-x)", .finite(.zero)), ("expm1(-x)", .finite(-.one)), ("sign(-x)", .finite(-.one)),
    ("abs(-x)", .infinity), ("log(x)", .infinity), ("max(x, 3)", .infinity),
    ("min(-x, 3)", .negativeInfinity), ("max(-x, 3)", .finite(Expr(3))),
  ])
  func functionsAtInfinity(_ text: String, _ expected: LimitValue) throws {
    #expect(try limitAtInfinity(text) == expected, "\(text)")
  }

  /// Products take the certified sign of their finite factors: (1 - sqrt(3)) x -> -inf,
  /// (sqrt(3) - 1)(-x) -> -inf, (1 - sqrt(3))(-x) -> inf.
  @Test func signsOfFiniteFactors() throws {
    #expect(try limitAtInfinity("(1 - sqrt(3))*x") == .negativeInfinity)
    #expect(try limitAtInfinity("(sqrt(3) - 1)*(-x)") == .negativeInfinity)
    #expect(try limitAtInfinity("(1 - sqrt(3))*(-x)") == .infinity)
  }

  /// Indeterminate forms are Gruntz's: inf - inf (x - x**2/(x + 1) -> 1), 0 * inf
  /// (x exp(-x) -> 0), inf/inf (x/(x + 1) -> 1), 0/0 (sigmoid(-x)/exp(-x) -> 1), a
  /// function at the edge of its domain (log(exp(-x)) -> -inf; sign(exp(-x)) -> 1, since
  /// exp(-x) > 0 although its limit is 0), and 1**inf ((1 + 1/x)**x -> e).
  @Test(arguments: [
    ("x - x**2/(x + 1)", LimitValue.finite(.one)), ("x*exp(-x)", .finite(.zero)), ("x/(x + 1)", .finite(.one)),
    ("sigmoid(-x)/exp(-x)", .finite(.one)), ("log(exp(-x))", .negativeInfinity), ("sign(exp(-x))", .finite(.one)),
    ("(1 + 1/x)**x", .finite(exp(Expr.one))),
  ])
  func indeterminateFormsReachGruntz(_ text: String, _ expected: LimitValue) throws {
    #expect(try limitAtInfinity(text) == expected, "\(text)")
  }

  /// A finite part outside its domain makes the limit a domain error, also beside a part
  /// that tends to 0 (the product is not 0).
  @Test func constantsOutsideTheirDomain() throws {
    guard case .undefined(let why) = try limitAtInfinity("exp(-x)*log(-2 - sqrt(2))") else {
      Issue.record("expected a domain error")
      return
    }
    #expect(why.code == "domain")
    guard case .undefined = try limitAtInfinity("sqrt(exp(-x) - 1)") else {
      Issue.record("sqrt of a negative limit must be undefined")
      return
    }
  }

  /// A masked softmax inside continuous functions: only the fully masked softmax needs
  /// Gruntz (same-rate: softmax([1, 2]) = [1/(1 + e), e/(1 + e)]), and the tanh around it
  /// is applied to that constant. Reference: tanh(1/(1 + e)) by mpmath.
  @Test func maskedSoftmaxInsideAFunction() throws {
    let e = try Expr(parsing: "tanh(softmax([a + -inf, b + -inf])[0])")
    let v = try e.evaluate(at: ["a": 1, "b": 2])
    #expect(v == 0.2626395514040159)
  }

  /// Scores tending to -inf at rates 1e-30, 1 and 10**400 (the fuzzer's attention case):
  /// the slowest member of the MRV set is ω, so the other members are ω**c with c >= 1 and
  /// the series stay short; the slowest score takes all the weight. It ran 2.9 s before,
  /// and ran out of the work budget once series were charged for their exponents' size.
  @Test func masksOfVeryDifferentScalesAreDecided() throws {
    let e = try Expr.Value(
      parsing: "attention_weights([[o00, 6/7]], [[o00/(o00), 2**63], [10**-30, 7], [10**400, o00]], scale=1)")
    let v = try Expr.certifiedValues(of: e.flattened, at: ["o00": -Double.infinity])
    #expect(v.map { $0.value } == [0, 1, 0])
    #expect(v.allSatisfy { $0.certified })
  }

  /// A tower of 101 (w + 1) at w -> 0 from both sides is 1: decided within the budget
  /// (3.1 s before `contains(t)` became O(1)).
  @Test func towerAtZero() throws {
    var text = "(w + 1)"
    for _ in 0..<100 { text += "^(w + 1)" }
    let w = Expr.symbol("w")
    #expect(try Expr(parsing: text).limit(as: w, approaches: .value(.zero, from: .both)) == .finite(.one))
  }
}
