import Testing

@testable import SymGrad

/// The continuity fast path for infinite inputs (`InfiniteInputSubstitution`) against the
/// limit engine: where it gives a finite form, that form's value is the limit; where an
/// operation is discontinuous at the substituted value, it refuses (and the engine decides).
@Suite struct InfiniteInputSubstitutionTests {
  static let x = Expr.symbol("x"), y = Expr.symbol("y")

  /// Forms whose limit differs from naive substitution: each must be refused.
  @Test(arguments: [
    // sign jumps at 0: exp(x) - exp(2x) -> 0 from above, the limit of the sign is 1.
    sign(exp(x) - exp(2 * x)),
    // From below 0 every finite t is a domain error; substitution would say sqrt(0) = 0.
    sqrt(-exp(x)),
    sigmoid(log(-exp(x))),
    log1p(-1 - exp(x)),
    // 0 ** 0 and 1 ** inf forms.
    exp(x) ** exp(x),
    (1 + exp(x)) ** (-x),
    // Found by `agreesWithTheLimitEngine`: rules applied to unevaluated infinite forms.
    -6 / (sin(max(x, Expr.symbol("z"))) * (3 * Expr.symbol("z") * x ** 2 + 5)),
    sqrt((x + cos(Expr(1))) ** 2 / x ** 2 + 1),
    // `0 * 1/w` at w = 0: the absorbed factor is not finite there.
    exp(3 * log(Expr(5)) / (Expr.symbol("w") * Expr.symbol("z"))),
  ])
  func discontinuitiesAreRefused(e: Expr) {
    var s = InfiniteInputSubstitution(point: ["x": -.infinity, "y": 1, "z": .infinity, "w": 0])
    #expect(s.finiteForm(of: e) == nil, "\(e)")
  }

  /// Masked softmax entries: the substituted forms, and the values they print.
  @Test func maskedSoftmaxRowsKeepTheirFiniteForms() throws {
    let s = Expr.sum([exp(Self.x), exp(Self.y), exp(Expr.symbol("z"))])
    var sub = InfiniteInputSubstitution(point: ["x": -.infinity, "y": 1, "z": 2])
    #expect(sub.finiteForm(of: exp(Self.x) / s) == .zero)
    let form = sub.finiteForm(of: exp(Self.y) / s)
    let yForm = try #require(form)
    #expect(yForm == exp(Self.y) / (exp(Self.y) + exp(Expr.symbol("z"))))
    // An infinite result is left to the engine (it is not a finite form).
    #expect(sub.finiteForm(of: log(exp(Self.x))) == nil)
  }

  /// Random expressions at points with infinite inputs: whenever the fast path applies,
  /// its certified value equals the limit engine's (run on the same expression alone,
  /// with no fast path), and the fast path applies often enough to matter.
  @Test func agreesWithTheLimitEngine() throws {
    var applied = 0
    var compared = 0
    for seed in 0..<3000 {
      let e = ExprGenerator.expression(seed: seed)
      var rng = SplitMix64(seed: UInt64(seed) &+ 99)
      var point: [String: Double] = [:]
      for name in ["x", "y", "z"] {
        switch rng.below(4) {
        case 0: point[name] = -.infinity
        case 1: point[name] = .infinity
        // Multiples of 1/8: the double and its shortest decimal are the same number (the
        // limit engine reads finite inputs by their decimal text, the evaluator by value).
        default: point[name] = Double(rng.below(33) - 16) / 8
        }
      }
      guard e.freeSymbols.contains(where: { point[$0]!.isInfinite }), !e.containsInfinity else { continue }
      var sub = InfiniteInputSubstitution(point: point)
      guard let form = sub.finiteForm(of: e) else { continue }
      applied += 1
      guard case .value(let fast) = CertifiedEvaluator(values: point).evaluate([form])[0], fast.certified else {
        continue
      }
      let limit = e.limitValue(at: point)
      guard case .finite(let c) = limit else {
        Issue.record("seed \(seed): \(e) at \(point): fast path \(form) = \(fast.value), limit engine \(limit)")
        continue
      }
      guard case .value(let slow) = CertifiedEvaluator(values: [:]).evaluate([c])[0], slow.certified else { continue }
      compared += 1
      let same = fast.value == slow.value || fast.value.nextUp == slow.value || fast.value.nextDown == slow.value
      #expect(same, "seed \(seed): \(e) at \(point): fast \(form) = \(fast.value), limit \(c) = \(slow.value)")
    }
    #expect(applied >= 150 && compared >= 150, "fast path applied \(applied) times, compared \(compared)")
  }
}
