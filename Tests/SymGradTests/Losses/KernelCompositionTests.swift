import Testing

@testable import SymGrad

/// The normalizations that hand-written fused cross-entropy kernels get wrong, stated as
/// exact identities between SymGrad's losses (the numbers are checked against PyTorch in
/// `Tests/Fixtures/pytorch/kernels.json`).
@Suite struct KernelCompositionTests {
  static let logits = "[[x0, x1, x2, x3], [x4, x5, x6, x7], [x8, x9, x10, x11]]"

  func scalar(_ text: String) throws -> Expr {
    guard case .scalar(let e) = try Expr.Value(parsing: text) else { throw Unexpected(text: text) }
    return e
  }

  struct Unexpected: Error { let text: String }

  /// With label smoothing and an ignored target, the mean divides the sum by the number of
  /// non-ignored targets (2 of 3), the smoothing term included; with class weights, by
  /// the weights of the non-ignored targets (w[0] + w[3] = 3/4 here).
  @Test func labelSmoothingWithIgnoredTargetsNormalizesByTheKeptTargets() throws {
    let t = "[0, -100, 3]"
    let mean = try scalar("cross_entropy(\(Self.logits), \(t), label_smoothing=0.2)")
    let sum = try scalar("cross_entropy(\(Self.logits), \(t), label_smoothing=0.2, reduction=\"sum\")")
    #expect((mean - sum / 2).simplified() == 0)
    let w = "weight=[0.5, 1.0, 2.0, 0.25]"
    let wmean = try scalar("cross_entropy(\(Self.logits), \(t), label_smoothing=0.2, \(w))")
    let wsum = try scalar("cross_entropy(\(Self.logits), \(t), label_smoothing=0.2, reduction=\"sum\", \(w))")
    #expect((wmean - wsum / Expr.number(Rational(numerator: 3, denominator: 4)!)).simplified() == 0)
  }

  /// reduction="none" with an ignored target: that row's loss is 0 and its gradient row is
  /// exactly 0; nothing else changes (the other rows are the unreduced losses).
  @Test func reductionNoneWithIgnoredTargetsZeroesExactlyThatRow() throws {
    guard
      case .list(let rows) = try Expr.Value(parsing: "cross_entropy(\(Self.logits), [1, -100, 3], reduction=\"none\")")
    else {
      Issue.record("not a list")
      return
    }
    let losses = rows.compactMap { if case .scalar(let e) = $0 { e } else { nil } }
    #expect(losses.count == 3 && losses[1] == .zero)
    let x = (0..<12).map { Expr.symbol("x\($0)") }
    for (n, l) in losses.enumerated() {
      let g = l.gradient(withRespectTo: x)
      for (j, d) in g.enumerated() where j / 4 != n { #expect(d == .zero, "row \(n), entry \(j): \(d)") }
    }
  }

  /// The z-loss gradient is the cross-entropy gradient plus `2 s lse(x) softmax(x)` per
  /// row (divided by N for the mean).
  @Test func zLossGradient() throws {
    let s = Expr.number(Rational(numerator: 1, denominator: 8)!)
    let z = try scalar("mean(logsumexp(\(Self.logits), dim=-1)**2)")
    let x = (0..<12).map { Expr.symbol("x\($0)") }
    let g = z.gradient(withRespectTo: x)
    for n in 0..<3 {
      let row = Array(x[(4 * n)..<(4 * n + 4)])
      let lse = log(Expr.sum(row.map(exp)))
      for c in 0..<4 {
        let expected = 2 * lse * exp(row[c]) / Expr.sum(row.map(exp)) / 3
        #expect((s * g[4 * n + c] - s * expected).simplifiedInExponentials() == 0)
      }
    }
  }
}
