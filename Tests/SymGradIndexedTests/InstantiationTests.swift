import SymGrad
import Testing

@testable import SymGradIndexed

/// Verification by instantiation (issue 11, item 5) for every loss and option combination:
/// the index form at N, C up to 4 (random targets, one ignored where allowed; symbolic
/// weights) against the explicit engine's loss and its derivative by each entry
/// (`IndexedDerivation.verify`: symbolic difference, certified values at random points
/// with and without a `-inf` logit). The explicit side is built by the same registry that
/// reads the language (`ExpressionLanguage`), from the call's text.
@Suite struct InstantiationTests {
  /// The explicit loss of `call` (text, with `X`, `t`, `w`, `p` as names) at an instance:
  /// `X` a tensor of symbols, `t` the instance's targets (or a tensor of symbols of the
  /// input's shape), `w` and `p` symbols per class.
  static func explicit(_ call: String, probabilities: Bool = false) -> (Instance) throws -> Expr.Tensor {
    { instance in
      let (n, c, d) = (instance.sizes["N"]!, instance.sizes["C"]!, instance.sizes["D"] ?? 1)
      var bindings: [String: Expr.Value] = [
        "X": try Expr.Tensor.symbols("X", shape: [n, c]).value,
        "w": try Expr.Tensor.symbols("w", shape: [c]).value,
        "p": try Expr.Tensor.symbols("p", shape: [c]).value,
        "A": try Expr.Tensor.symbols("A", shape: [n, d]).value,
        "W": try Expr.Tensor.symbols("W", shape: [c, d]).value,
        "b": try Expr.Tensor.symbols("b", shape: [c]).value,
        "M": try Expr.Tensor.symbols("M", shape: [n, c]).value,
      ]
      if let (_, targets) = instance.data["t"] {
        bindings["t"] = .list(targets.map { .scalar(.number($0)) })
      } else {
        bindings["t"] = try Expr.Tensor.symbols("t", shape: [n, c]).value
      }
      let value = try ExpressionLanguage.valueAndWarnings(parsing: call, bindings: bindings).value
      guard let tensor = Expr.Tensor(value) else { throw InstantiationError(description: "\(call) is not a tensor") }
      return tensor
    }
  }

  static func expectVerified(_ d: IndexedDerivation, _ call: String) {
    let report = d.verify(explicit: explicit(call))
    #expect(report.passed, "\(call): \(report.failures.prefix(3).joined(separator: "\n"))")
    #expect(report.instances.count == d.verificationAssignments.count)
    // Every loss entry and every gradient entry of every instance: a loss with free
    // indices has one entry per value of them.
    let expected = d.verificationAssignments.map { assignment in
      func value(_ s: IndexSize) -> Int {
        switch s {
        case .fixed(let k): return k
        case .symbolic(let name): return assignment[name]!
        }
      }
      let entries = d.lossIndices.map { value($0.size) }.reduce(1, *)
      return entries * (1 + d.inputIndices.map { value($0.size) }.reduce(1, *))
    }.reduce(0, +)
    #expect(report.comparisons == expected)
    // Each is proved for its size (the difference simplifies to 0), not only evaluated.
    #expect(report.numericOnly == 0, "\(call): \(report.numericOnly) entries agree only numerically")
  }

  static let reductions: [Reduction] = [.mean, .sum, .none]

  @Test(arguments: reductions)
  func crossEntropyWithClassIndices(_ reduction: Reduction) {
    for weight in [false, true] {
      for ignore in [false, true] {
        for smoothing in ["0.0", "0.125"] {
          let d = IndexedLosses.crossEntropy(
            .init(
              weight: weight, ignoreIndex: ignore, labelSmoothing: try! Expr(parsing: smoothing),
              reduction: reduction))
          Self.expectVerified(
            d,
            "cross_entropy(X, t\(weight ? ", weight=w" : ""), label_smoothing=\(smoothing), reduction=\"\(reduction)\")"
          )
        }
      }
    }
  }

  @Test(arguments: reductions)
  func crossEntropyWithProbabilities(_ reduction: Reduction) {
    for weight in [false, true] {
      for smoothing in ["0.0", "0.25"] {
        let d = IndexedLosses.crossEntropy(
          .init(
            weight: weight, labelSmoothing: try! Expr(parsing: smoothing), reduction: reduction, probabilities: true))
        Self.expectVerified(
          d,
          "cross_entropy(X, t\(weight ? ", weight=w" : ""), label_smoothing=\(smoothing), reduction=\"\(reduction)\")")
      }
    }
  }

  @Test(arguments: reductions)
  func nllLoss(_ reduction: Reduction) {
    for weight in [false, true] {
      for ignore in [false, true] {
        let d = IndexedLosses.nllLoss(.init(weight: weight, ignoreIndex: ignore, reduction: reduction))
        Self.expectVerified(d, "nll_loss(X, t\(weight ? ", weight=w" : ""), reduction=\"\(reduction)\")")
      }
    }
  }

  @Test(arguments: reductions)
  func elementwiseLosses(_ reduction: Reduction) {
    let r = "reduction=\"\(reduction)\""
    Self.expectVerified(IndexedLosses.mseLoss(reduction: reduction), "mse_loss(X, t, \(r))")
    for (weight, pos) in [(false, false), (true, false), (false, true), (true, true)] {
      let d = IndexedLosses.binaryCrossEntropyWithLogits(weight: weight, posWeight: pos, reduction: reduction)
      Self.expectVerified(
        d,
        "binary_cross_entropy_with_logits(X, t\(weight ? ", weight=w" : "")\(pos ? ", pos_weight=p" : ""), \(r))")
    }
    for logTarget in [false, true] {
      Self.expectVerified(
        IndexedLosses.klDiv(logTarget: logTarget, reduction: reduction),
        "kl_div(X, t, \(r), log_target=\(logTarget ? "True" : "False"))")
    }
    for weight in [false, true] {
      for clamp in [true, false] {
        Self.expectVerified(
          IndexedLosses.binaryCrossEntropy(weight: weight, reduction: reduction, clampLog: clamp),
          "binary_cross_entropy(X, t\(weight ? ", weight=w" : "")\(clamp ? "" : ", clamp=False"), \(r))")
      }
    }
    for (alpha, gamma) in [("0.25", "2"), ("-1", "0.5")] {
      Self.expectVerified(
        IndexedLosses.sigmoidFocalLoss(
          alpha: try! Expr(parsing: alpha), gamma: try! Expr(parsing: gamma), reduction: reduction),
        "sigmoid_focal_loss(X, t, alpha=\(alpha), gamma=\(gamma), \(r))")
    }
    if reduction == .mean {
      Self.expectVerified(
        IndexedLosses.klDiv(logTarget: false, reduction: .mean, batchMean: true),
        "kl_div(X, t, reduction=\"batchmean\")")
    }
  }

  /// softmax and log_softmax entry by entry: their Jacobians in index form.
  @Test func softmaxJacobians() {
    Self.expectVerified(IndexedLosses.softmax(log: false), "softmax(X, dim=1)")
    Self.expectVerified(IndexedLosses.softmax(log: true), "log_softmax(X, dim=1)")
    // Attention weights under an additive mask M (bound to symbols; -inf entries are the
    // last point's X[0][0]).
    Self.expectVerified(IndexedLosses.softmax(log: false, mask: "M"), "softmax(X + M, dim=1)")
  }

  /// The forum's linear layer under cross-entropy, in general: the gradient by the weight
  /// `W[c, i]`, the input `A[n, i]` and the bias `b[c]`, with and without class weights and
  /// ignored targets.
  @Test(arguments: reductions)
  func crossEntropyOfALinearLayer(_ reduction: Reduction) {
    for (weight, ignore) in [(false, false), (true, true)] {
      for bias in [false, true] {
        var linear = IndexedLosses.LinearNames()
        linear.bias = bias ? "b" : nil
        for wrt in ["W", "A"] + (bias ? ["b"] : []) {
          let d = IndexedLosses.crossEntropyOfLinear(
            .init(weight: weight, ignoreIndex: ignore, reduction: reduction), linear: linear, wrt: wrt)
          Self.expectVerified(
            d,
            "cross_entropy(linear(A, W\(bias ? ", b" : "")), t\(weight ? ", weight=w" : ""), reduction=\"\(reduction)\")"
          )
        }
      }
    }
  }

  /// The check can fail: a derivation with a wrong denominator (the `mean` of
  /// `nll_loss` with weights divided by N, not by the weights of the counted rows, the
  /// mistake of hand-written kernels) and one that forgets the ignored rows are caught.
  @Test func verificationCatchesWrongDerivations() {
    let right = IndexedLosses.nllLoss(.init(weight: true, ignoreIndex: true, reduction: .sum))
    let wrongMean = IndexedDerivation(
      algebra: right.algebra, loss: right.loss / IndexedLosses.Names().rows.expr, lossIndices: [], input: "X",
      inputIndices: right.inputIndices, sizes: right.sizes, target: right.target, targetRows: right.targetRows,
      positiveTensors: right.positiveTensors)
    let report = wrongMean.verify(explicit: Self.explicit("nll_loss(X, t, weight=w)"))
    #expect(!report.passed)
    // Caught by the comparison (values that differ), not by an error on the way.
    #expect(report.failures.contains { $0.contains(": index form ") }, "\(report.failures.prefix(2))")
    // nll_loss with targets that may be ignored, written without the bracket
    // [t_n != ignore_index]: the ignored rows' entries are used.
    let a = IndexedAlgebra()
    let n = IndexVariable("n", .symbolic("N"))
    let t = DataTensor("t", range: .symbolic("C"), mayBeIgnored: true)
    let tn = IndexTerm.gather(t, [.variable(n)])
    let withIgnored = IndexedDerivation(
      algebra: a, loss: a.sum(n, -a.element("w", [tn]) * a.element("X", [.variable(n), tn])), lossIndices: [],
      input: "X", inputIndices: right.inputIndices, sizes: right.sizes, target: t, targetRows: .symbolic("N"),
      positiveTensors: ["w"])
    let forgotten = withIgnored.verify(explicit: Self.explicit("nll_loss(X, t, weight=w, reduction=\"sum\")"))
    #expect(!forgotten.passed)
    #expect(
      forgotten.failures.contains { $0.contains("uses an entry at an ignored target") },
      "\(forgotten.failures.prefix(2))")
  }
}
