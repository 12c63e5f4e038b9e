import Foundation
import Testing

@testable import SymGrad

#if canImport(SymGradTestSupport)
import SymGradTestSupport  // isApprox, once it moves out of Tests/SymGradTests/Core/Approx.swift
#endif

/// Canonical-construction and simplification rules checked by their values: a rule that
/// changes the meaning of an expression changes a number below. Written for
/// `Scripts/mutation-check`; the expected values are worked out in the comments.
@Suite struct CanonicalSemanticsTests {
  let x = Expr.symbol("x"), y = Expr.symbol("y")

  func value(_ text: String, _ point: [String: Double] = [:]) throws -> Double {
    try Expr(parsing: text).evaluate(at: point)
  }

  /// Extended-real constants: inf - inf and 0*inf have no value; -2*inf = -inf;
  /// (-inf)**3 = -inf, (-inf)**2 = inf; 1**inf has no value (lim (1 + 1/n)**n = e,
  /// lim 1**n = 1).
  @Test func extendedRealArithmetic() throws {
    #expect((Expr.infinity + Expr.negativeInfinity).isUndefined)
    #expect((Expr.zero * Expr.infinity).isUndefined)
    #expect(Expr.number(-2) * Expr.infinity == Expr.negativeInfinity)
    #expect(Expr.power(Expr.negativeInfinity, 3) == Expr.negativeInfinity)
    #expect(Expr.power(Expr.negativeInfinity, 2) == Expr.infinity)
    #expect(Expr.power(Expr.one, Expr.infinity).isUndefined)
  }

  /// log of rationals (Python's math.log): log(1/2) = -0.6931471805599453, log(4) =
  /// 1.3862943611198906, log(27/8) = 1.2163953243244932, log(4/3) = 0.28768207245178085,
  /// log(1018081) = log(1009**2) = 13.833430040707217 (1009 is prime, above the small primes).
  @Test func logsOfRationals() throws {
    #expect(isApprox(try value("log(1/2)"), -0.6931471805599453))
    #expect(isApprox(try value("log(4)"), 1.3862943611198906))
    #expect(isApprox(try value("log(27/8)"), 1.2163953243244932))
    #expect(isApprox(try value("log(4/3)"), 0.28768207245178085))
    #expect(isApprox(try value("log(1018081)"), 13.833430040707217))
  }

  /// cos is even, sin odd: cos(-x) = cos(x), sin(-x) = -sin(x); at x = 1:
  /// cos(1) = 0.5403023058681398, sin(1) = 0.8414709848078965.
  @Test func parityOfCosAndSin() throws {
    #expect(isApprox(try value("cos(-x)", ["x": 1]), 0.5403023058681398))
    #expect(isApprox(try value("sin(-x)", ["x": 1]), -0.8414709848078965))
  }

  /// Domains are not widened: exp(log(x)) and sqrt(x)**2 are undefined at x = -1 (log and
  /// sqrt of a negative number); sqrt(x**2) = |x| = 3 at x = -3; |x|**3 = 8 at x = -2.
  @Test func rewritesKeepTheRealDomain() throws {
    #expect(throws: EvaluationError.self) { try value("exp(log(x))", ["x": -1]) }
    #expect(throws: EvaluationError.self) { try value("sqrt(x)**2", ["x": -1]) }
    #expect(try value("sqrt(x**2)", ["x": -3]) == 3)
    #expect(try value("abs(x)**3", ["x": -2]) == 8)
    #expect(try value("exp(log(x))", ["x": 2]) == 2)
  }

  /// simplified() may split a log only over provably positive factors: log(x*y) at
  /// x = -2, y = -3 is log 6 = 1.791759469228055; log(x**2) at x = -3 is log 9 = 2.1972245773362196.
  @Test func simplifiedLogsKeepTheirDomain() throws {
    let p = try Expr(parsing: "log(x*y)").simplified()
    #expect(isApprox(try p.evaluate(at: ["x": -2, "y": -3]), 1.791759469228055))
    let q = try Expr(parsing: "log(x**2)").simplified()
    #expect(isApprox(try q.evaluate(at: ["x": -3]), 2.1972245773362196))
  }
}
