import Foundation
import Testing

@testable import SymGrad

/// Signs that no enclosure reaches: constants within `exp(-10**9)` of 0 (a `-1e9` mask
/// under log_softmax, taken at a limit point). Their signs come from their structure
/// (`Expr.structuralSign`) or from the log-sum-exp with its largest exponential factored
/// out (`Expr.factoringLogSumExp`); each expected sign is worked out in the comments.
@Suite struct StructuralSignLimitTests {
  func sign(_ text: String) throws -> Int? { try Expr(parsing: text).structuralSign }

  /// log(u) > 0 when u > 1 by structure; log1p(u) > 0 for u > 0; tanh, expm1 and sign
  /// keep their argument's sign; max/min are signed by one argument's sign.
  @Test func functionsOfSignedArguments() throws {
    #expect(try sign("log(exp(-1000000000) + 1)") == 1)  // 1 + positive > 1
    #expect(try sign("-log(1 + exp(-1000000000))") == -1)
    #expect(try sign("log(2*pi)") == 1)  // 2 > 1, pi > 1: the product exceeds 1
    #expect(try sign("log(exp(pi) + exp(-10**400))") == 1)  // exp of a positive exceeds 1
    #expect(try sign("log1p(exp(-10**400))") == 1)
    #expect(try sign("tanh(-exp(-10**400))") == -1)
    #expect(try sign("expm1(exp(-10**400))") == 1)
    #expect(try sign("sign(-3*exp(-10**400))") == -1)
    #expect(try sign("max(-1, exp(-10**400))") == 1)
    #expect(try sign("min(2, -exp(-10**400))") == -1)
    // Not proved: log of something between 0 and 1 (it is negative, but a u < 1 alone
    // does not make log(u) negative: u must be positive too), log1p of a negative
    // (maybe below -1), max with only one negative argument.
    #expect(try sign("log(exp(-1000000000) + 1/2)") == nil)
    #expect(try sign("log1p(-exp(-10**400))") == nil)
    #expect(try sign("max(-1, -exp(-10**400) + 1/2)") == nil)
  }

  /// L = 2500 log(exp(A) + exp(B)) + 5731 with A = -2500000005731/2500 = -10^9 + B and
  /// B = -5731/2500: L = 2500 (B + log(1 + exp(-10^9))) + 5731 = 2500 log(1 + exp(-10^9)),
  /// positive and about 2500 exp(-10^9).
  @Test func logSumExpAboveItsLargestTermIsPositive() throws {
    let l = try Expr(parsing: "2500*log(exp(-2500000005731/2500) + exp(-5731/2500)) + 5731")
    #expect(CertifiedEvaluator.sign(of: l) == 1)
    #expect(CertifiedEvaluator.sign(of: -l) == -1)
    #expect(LimitEngine().zeroTest(l) == .nonzero)
    #expect(try LimitEngine().certifiedSign(l) == 1)
    #expect((l * .symbol("x") - 1).limit(as: .symbol("x"), approaches: .infinity) == .infinity)
  }

  /// log(e + e^2) = 2 + log(1 + e^-1) exactly: the factored form proves the difference 0
  /// (no enclosure can), and a factoring that dropped the largest term's weight would
  /// call it negative.
  @Test func logSumExpIdentityIsProvedZero() throws {
    let z = try Expr(parsing: "log(exp(1) + exp(2)) - 2 - log(1 + exp(-1))")
    #expect(CertifiedEvaluator.sign(of: z) == 0)
    let f = try Expr(parsing: "log(3*exp(-7) + exp(5))").factoringLogSumExp()
    #expect(f == (try Expr(parsing: "5 + log(1 + 3*exp(-12))")))
    // Symbols and lone exponentials are left alone.
    let kept = try Expr(parsing: "log(exp(x) + exp(2)) + log(exp(3) + 1)")
    #expect(kept.factoringLogSumExp() == kept)
  }

  /// A masked log_softmax at a limit point (the fuzzer's input #228405 of seed 1 took
  /// seconds of 4096-bit evaluations to give up on exactly these constants): the loss
  /// of keeping the unmasked logit tends to log(1 + exp(-10^9)) > 0, which prints as 0.
  @Test func maskedLogSoftmaxAtInfinityIsCertified() throws {
    let e = try Expr(parsing: "nll_loss(log_softmax([[q, q + -1e9]], dim=1), [0])")
    let v = e.limitValue(at: ["q": .infinity])
    guard case .finite(let c) = v else {
      Issue.record("expected a finite limit, got \(v)")
      return
    }
    #expect(CertifiedEvaluator.sign(of: c) == 1)
    let printed = try Expr.certifiedValues(of: [e], at: ["q": .infinity])
    #expect(printed.count == 1 && printed[0].certified && printed[0].value >= 0 && printed[0].value < 1e-300)
  }

  /// Constants past the exponent range (`exp(10**300)`, about 2^(1.4e300)) have no
  /// enclosure at any precision; a total constant (`Expr.isTotal`) is still signed by its
  /// structure, so a limit that such a constant does not decide gets its value (fuzz seed
  /// 37, input 190583: 1,500 terms `-exp(z + k)` at z = 1.8e308 beside `-exp(m1)`,
  /// m1 -> inf, was "undecided (budget)" after climbing the precision ladder).
  @Test func constantsPastTheExponentRangeAreSignedByStructure() throws {
    let huge = try Expr(parsing: "-exp(10**300 + 1) - exp(10**300 + 2)")
    #expect(huge.isTotal)
    #expect(CertifiedEvaluator.sign(of: huge) == -1)
    #expect(CertifiedEvaluator.sign(of: -huge) == 1)
    let x = Expr.symbol("x")
    #expect(
      try Expr(parsing: "-exp(x) - exp(10**300 + 1) - exp(10**300 + 2)").limit(as: x, approaches: .infinity)
        == .negativeInfinity)
    #expect(
      try Expr(parsing: "exp(x) - exp(10**300 + 1) - exp(10**300 + 2)").limit(as: x, approaches: .infinity) == .infinity
    )
    var terms = ["-exp(m1)"]
    for k in 1...300 { terms.append("exp(z + \(k))") }
    let sum = try Expr(parsing: terms.joined(separator: " - "))
    #expect(sum.limitValue(at: ["m1": .infinity, "z": 1e300]) == .negativeInfinity)
    // Mixed signs: no structure decides, no enclosure exists: not certified, never a guess.
    let mixed = try Expr(parsing: "exp(10**300 + 1) - exp(10**300 + 2)")
    #expect(CertifiedEvaluator.sign(of: mixed) == nil)
    // Not total: the structure of -exp(log(-exp(10**300))) is negative, but it has no value.
    let undefined = try Expr(parsing: "-exp(log(-exp(10**300)))")
    #expect(!undefined.isTotal)
    #expect(CertifiedEvaluator.sign(of: undefined) == nil)
    #expect(try !Expr(parsing: "sqrt(exp(10**300) - 1)").isTotal)  // sqrt(exp(u)) would be exp(u/2)
    #expect(try !Expr(parsing: "1/(exp(10**300) - exp(10**300 + 1))").isTotal)
    #expect(try Expr(parsing: "1/(exp(10**300) + exp(10**300 + 1))").isTotal)
  }
}
