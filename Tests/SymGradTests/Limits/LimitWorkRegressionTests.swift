import Foundation
import Testing
@testable import SymGrad

/// Results of the paths rewritten for the fuzzer's hang classes of 2026-12-03 (seed 3):
/// a sum's series added at once, signs of products from their factors' signs, the
/// domain check that stops once an enclosure goes through. Values, not times.
@Suite struct LimitWorkRegressionTests {
  let x = Expr.symbol("x"), y = Expr.symbol("y")

  /// sum_k exp(x + k) + exp(y + k) over 300 terms: at x -> inf it grows like e^x; with
  /// y -> -inf as well (same rate), the y-terms vanish and sqrt of the rest still grows;
  /// the x-terms alone over the y-terms at the same rate tend to 0 for x -> -inf, y fixed.
  @Test func longSumsOfExponentialsHaveTheirLimits() throws {
    let terms = (0..<300).map { k in exp((k % 2 == 0 ? x : y) + .number(k)) }
    let s = Expr.sum(terms)
    #expect(limit(of: sqrt(s), as: x, approaches: .plusInfinity) == .plusInfinity)
    #expect(limit(of: log(s), as: x, approaches: .plusInfinity) == .plusInfinity)
    let xs = Expr.sum(terms.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
    #expect(limit(of: xs / s, as: x, approaches: .minusInfinity) == .finite(.zero))
  }

  /// A product of nonzero factors has the product of their signs; the precision ladder is
  /// not climbed for it.
  @Test func productsAreSignedByTheirFactors() throws {
    let engine = LimitEngine()
    let c = try Expr(parsing: "-3*exp(-10**400)*pi*log(2)")
    #expect(try engine.certifiedSign(c) == -1)
    #expect(try engine.certifiedSign(-c) == 1)
  }

  /// The domain check finds certain domain errors and nothing else.
  @Test func domainChecksFindDomainErrors() throws {
    #expect(CertifiedEvaluator.domainError(of: try Expr(parsing: "log(-1 - exp(-5))")) != nil)
    #expect(CertifiedEvaluator.domainError(of: try Expr(parsing: "sqrt(2 - pi)")) != nil)
    #expect(CertifiedEvaluator.domainError(of: try Expr(parsing: "log(2)*sqrt(pi - 3)")) == nil)
    #expect(LimitValue.finite(try Expr(parsing: "log(1 - pi)")).checkingDomain() != .finite(try Expr(parsing: "log(1 - pi)")))
  }
}
