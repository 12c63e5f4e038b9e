import Foundation
import Testing

@testable import SymGrad

/// The certified evaluator's work budget (`CertifiedEvaluator.workBudget`): a count of
/// limb products, so an evaluation that cannot certify stops on the same step on every
/// machine, reports its value as uncertified with the reason, and never prints a guess.
@Suite struct EvaluationWorkBudgetTests {
  let x = Expr.symbol("x")

  /// `erf(x) + erfc(x) - 1` is exactly 0: no enclosure excludes 0, so `sign` of it climbs
  /// the whole precision ladder (erf's series at every precision up to the cap).
  var undecidableSign: Expr { sign(Expr.apply(.erf, [x]) + Expr.apply(.erfc, [x]) - 1) + 1 }

  @Test func aSignAtZeroClimbsToTheCapWithinTheDefaultBudget() throws {
    let v = try undecidableSign.certifiedValue(at: ["x": 1.5])
    #expect(!v.certified)
    #expect(v.reason?.contains("the cap is 4096 bits") == true, "\(v)")
    #expect(v.reason?.contains("work budget") == false, "\(v)")
  }

  /// With a small budget the ladder stops where the budget ran out and says so; asked
  /// twice, the same answer (the count does not depend on caches or timing).
  @Test func aSpentBudgetStopsTheLadderAndSaysSo() throws {
    let answers = try (0..<2).map { _ in
      try CertifiedEvaluator.$workBudget.withValue(20_000) { try undecidableSign.certifiedValue(at: ["x": 1.5]) }
    }
    for v in answers {
      #expect(!v.certified)
      #expect(v.reason?.contains("the evaluation's work budget ran out at") == true, "\(v)")
      #expect(v.reason?.contains("cap is 4096") == false, "\(v)")
    }
    #expect(answers[0].reason == answers[1].reason)
    #expect(answers[0].value.isNaN && answers[1].value.isNaN)
  }

  /// An ordinary value needs a tiny part of the budget (this one 3,540 units at 96 bits,
  /// the default budget is 2^26): a budget of 10,000 units still certifies it.
  @Test func ordinaryValuesCertifyUnderASmallBudget() throws {
    let e = try Expr(parsing: "log(1 + exp(x)) - x + gelu(x)*erf(x/3)")
    let v = try CertifiedEvaluator.$workBudget.withValue(10_000) { try e.certifiedValue(at: ["x": 40]) }
    #expect(v.certified, "\(v)")
    let free = try e.certifiedValue(at: ["x": 40])
    #expect(v.value == free.value)
  }
}
