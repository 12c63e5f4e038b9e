import Foundation
import SymGradTestSupport
import Testing

@testable import SymGrad

/// Numeric evaluation in IEEE mode (`evaluateIEEE`): IEEE double semantics, errors as
/// values, stable formulas. (The limit-aware `evaluate(at:)` belongs to the limits layer.)
@Suite struct EvaluationTests {
  let x = Expr.symbol("x"), y = Expr.symbol("y")

  @Test func basicArithmetic() throws {
    #expect(try (x + y).evaluateIEEE(at: ["x": 1, "y": 2]) == 3)
    #expect(try (x * y - x / y).evaluateIEEE(at: ["x": 3, "y": 2]) == 4.5)
    #expect(try (x ** 3).evaluateIEEE(at: ["x": -2]) == -8)
    #expect(try (x ** -2).evaluateIEEE(at: ["x": 4]) == 0.0625)
    #expect(try Expr(7).evaluateIEEE() == 7)
    #expect(try (Expr(1) / 3).evaluateIEEE() == 1.0 / 3.0)
    // Extra values are ignored.
    #expect(try x.evaluateIEEE(at: ["x": 1, "unused": 5]) == 1)
  }

  @Test func exactNumbersRoundCorrectly() throws {
    #expect(try (Expr(1) / 10).evaluateIEEE() == 0.1)
    #expect(try (Expr(2) ** 1000).evaluateIEEE() == Foundation.pow(2.0, 1000.0))
    let q = (Expr(10) ** 30 + 1) / 3
    #expect(try q.evaluateIEEE() == Double("333333333333333333333333333333.6666666667")!)
    // Beyond the double range the value is +-inf, not a crash.
    #expect(try (Expr(2) ** 2000).evaluateIEEE() == .infinity)
    #expect(try (-(Expr(2) ** 2000)).evaluateIEEE() == -.infinity)
    #expect(try (Expr(2) ** -2000).evaluateIEEE() == 0)
  }

  @Test func constants() throws {
    #expect(try Expr.pi.evaluateIEEE() == Double.pi)
    #expect(try Expr.e.evaluateIEEE() == M_E)
    #expect(try Expr.infinity.evaluateIEEE() == .infinity)
    #expect(try Expr.negativeInfinity.evaluateIEEE() == -.infinity)
    #expect(try Expr.undefined.evaluateIEEE().isNaN)
  }

  @Test func functions() throws {
    // Each value comes from one libm call on the same input: exact agreement expected.
    let v = 0.7
    let p = ["x": v]
    #expect(try exp(x).evaluateIEEE(at: p) == Foundation.exp(v))
    #expect(try log(x).evaluateIEEE(at: p) == Foundation.log(v))
    #expect(try sin(x).evaluateIEEE(at: p) == Foundation.sin(v))
    #expect(try cos(x).evaluateIEEE(at: p) == Foundation.cos(v))
    #expect(try tanh(x).evaluateIEEE(at: p) == Foundation.tanh(v))
    #expect(try log1p(x).evaluateIEEE(at: p) == Foundation.log1p(v))
    #expect(try expm1(x).evaluateIEEE(at: p) == Foundation.expm1(v))
    #expect(try sqrt(x).evaluateIEEE(at: p) == v.squareRoot())
    #expect(try abs(x).evaluateIEEE(at: ["x": -2.5]) == 2.5)
    #expect(try sign(x).evaluateIEEE(at: ["x": -2.5]) == -1)
    #expect(try sign(x).evaluateIEEE(at: ["x": 0]) == 0)
    #expect(try sign(x).evaluateIEEE(at: ["x": -0.0]) == 0)
    #expect(try max(x, y).evaluateIEEE(at: ["x": 1, "y": 2]) == 2)
    #expect(try min(x, y).evaluateIEEE(at: ["x": 1, "y": 2]) == 1)
    // Composite closed forms; 1e-12 relative (Approx.swift): a few libm roundings.
    #expect(isApprox(try sigmoid(x).evaluateIEEE(at: p), 1 / (1 + Foundation.exp(-v))))
    #expect(isApprox(try softplus(x).evaluateIEEE(at: p), Foundation.log(1 + Foundation.exp(v))))
  }

  @Test func unboundSymbolIsNamed() throws {
    #expect(throws: EvaluationError.unboundSymbol("y")) {
      try (x + y).evaluateIEEE(at: ["x": 1])
    }
    #expect(throws: EvaluationError.unboundSymbol("w_01")) {
      try exp(Expr.symbol("w_01")).evaluateIEEE()
    }
    #expect(EvaluationError.unboundSymbol("w_01").description.contains("w_01"))
  }

  @Test func domainErrors() throws {
    #expect(throws: EvaluationError.domain(function: "log", argument: -1)) {
      try log(x).evaluateIEEE(at: ["x": -1])
    }
    #expect(throws: EvaluationError.domain(function: "log", argument: -1)) {
      try log(Expr(-1)).evaluateIEEE()
    }
    #expect(throws: EvaluationError.domain(function: "sqrt", argument: -2)) {
      try sqrt(Expr(-2)).evaluateIEEE()
    }
    #expect(throws: EvaluationError.domain(function: "sqrt", argument: -2)) {
      try sqrt(x).evaluateIEEE(at: ["x": -2])
    }
    #expect(throws: EvaluationError.domain(function: "log1p", argument: -2)) {
      try log1p(x).evaluateIEEE(at: ["x": -2])
    }
    // Even roots of negative numbers have no real value.
    #expect(throws: EvaluationError.domain(function: "pow", argument: -16)) {
      try (x ** (Expr(1) / 4)).evaluateIEEE(at: ["x": -16])
    }
    #expect(throws: EvaluationError.domain(function: "pow", argument: -2)) {
      try (x ** y).evaluateIEEE(at: ["x": -2, "y": 0.5])
    }
    let message = EvaluationError.domain(function: "log", argument: -1).description
    #expect(message.contains("log") && message.contains("-1"))
  }

  @Test func oddRootsOfNegativeNumbersAreReal() throws {
    // As the constructor folds (-8)**(1/3) to -2, evaluation takes the real root for an
    // exact exponent p/q with q odd. 1e-12 relative: one libm pow call.
    #expect(isApprox(try (x ** (Expr(1) / 3)).evaluateIEEE(at: ["x": -8]), -2))
    #expect(isApprox(try (x ** (Expr(2) / 3)).evaluateIEEE(at: ["x": -8]), 4))
    #expect(isApprox(try (x ** (Expr(-1) / 3)).evaluateIEEE(at: ["x": -8]), -0.5))
    #expect(try (Expr(-8) ** (Expr(1) / 3)).evaluateIEEE() == -2)
  }

  @Test func boundaryOfTheDomainIsNotAnError() throws {
    #expect(try log(x).evaluateIEEE(at: ["x": 0]) == -.infinity)
    #expect(try sqrt(x).evaluateIEEE(at: ["x": 0]) == 0)
    #expect(try log1p(x).evaluateIEEE(at: ["x": -1]) == -.infinity)
    // NaN arguments give NaN, not a domain error.
    #expect(try log(x).evaluateIEEE(at: ["x": .nan]).isNaN)
    #expect(try sqrt(x).evaluateIEEE(at: ["x": .nan]).isNaN)
  }

  @Test func infinitiesPropagate() throws {
    let inf = Double.infinity
    #expect(try exp(x).evaluateIEEE(at: ["x": inf]) == inf)
    #expect(try exp(x).evaluateIEEE(at: ["x": -inf]) == 0)
    #expect(try (x - y).evaluateIEEE(at: ["x": inf, "y": inf]).isNaN)
    #expect(try (x * y).evaluateIEEE(at: ["x": 0, "y": inf]).isNaN)
    #expect(try (x + y).evaluateIEEE(at: ["x": inf, "y": 1]) == inf)
    #expect(try (1 / x).evaluateIEEE(at: ["x": 0]) == inf)
    #expect(try log(x).evaluateIEEE(at: ["x": inf]) == inf)
    #expect(try tanh(x).evaluateIEEE(at: ["x": -inf]) == -1)
    #expect(try sigmoid(x).evaluateIEEE(at: ["x": inf]) == 1)
    #expect(try sigmoid(x).evaluateIEEE(at: ["x": -inf]) == 0)
    #expect(try softplus(x).evaluateIEEE(at: ["x": inf]) == inf)
    #expect(try softplus(x).evaluateIEEE(at: ["x": -inf]) == 0)
    #expect(try max(x, y).evaluateIEEE(at: ["x": -inf, "y": 3]) == 3)
  }

  @Test func nanPropagates() throws {
    let nan = Double.nan
    for e in [x + 1, x * y, exp(x), sin(x), tanh(x), sigmoid(x), softplus(x), abs(x), sign(x), max(x, y), min(y, x)] {
      #expect(try e.evaluateIEEE(at: ["x": nan, "y": 1]).isNaN, "\(e)")
    }
  }

  @Test(arguments: [1000.0, -1000.0, 745.0, -745.0, 50.0, -50.0])
  func stableSigmoidAndSoftplus(at v: Double) throws {
    let s = try sigmoid(x).evaluateIEEE(at: ["x": v])
    let sp = try softplus(x).evaluateIEEE(at: ["x": v])
    #expect(s.isFinite && sp.isFinite)
    #expect(s >= 0 && s <= 1)
    // References from the symmetric identities sigmoid(v) = 1 - sigmoid(-v) and
    // softplus(v) = v + softplus(-v), with exp(-|v|) computed directly (no overflow).
    // 1e-12 relative: a few correctly rounded operations.
    let t = Foundation.exp(-Swift.abs(v))
    let expectedSigmoid = v >= 0 ? 1 / (1 + t) : t / (1 + t)
    let expectedSoftplus = Swift.max(v, 0) + Foundation.log1p(t)
    #expect(isApprox(s, expectedSigmoid), "sigmoid(\(v)) = \(s)")
    #expect(isApprox(sp, expectedSoftplus), "softplus(\(v)) = \(sp)")
    // The derivatives stay finite too.
    let ds = try sigmoid(x).derivative(withRespectTo: x).evaluateIEEE(at: ["x": v])
    #expect(ds.isFinite && ds >= 0, "sigmoid'(\(v)) = \(ds)")
    let dsp = try softplus(x).derivative(withRespectTo: x).evaluateIEEE(at: ["x": v])
    #expect(isApprox(dsp, s))
  }

  @Test func sigmoidTailsKeepRelativeAccuracy() throws {
    // sigmoid(-30) = 1/(1 + e^30) = 9.357622968839299e-14 (to 16 digits); the naive
    // 1 - sigmoid(30) would lose almost all digits.
    #expect(isApprox(try sigmoid(x).evaluateIEEE(at: ["x": -30]), 9.357622968839299e-14))
    #expect(try sigmoid(x).evaluateIEEE(at: ["x": 1000]) == 1)
    #expect(try sigmoid(x).evaluateIEEE(at: ["x": -1000]) == 0)
    #expect(try softplus(x).evaluateIEEE(at: ["x": 1000]) == 1000)
    #expect(try softplus(x).evaluateIEEE(at: ["x": -1000]) == 0)
    #expect(isApprox(try softplus(x).evaluateIEEE(at: ["x": -30]), 9.357622968839737e-14))
  }

  @Test func evaluatorReusesItsMemo() throws {
    var evaluator = Evaluator(values: ["x": 2])
    #expect(try evaluator.value(of: x ** 2) == 4)
    #expect(try evaluator.value(of: x ** 2 + x) == 6)
    #expect(try evaluator.value(of: exp(x)) == Foundation.exp(2))
  }
}
