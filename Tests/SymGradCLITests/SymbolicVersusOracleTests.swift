import Testing

@testable import SymGradCLI

/// The symbolic Jacobian agrees with the autograd oracle (and finite differences) on
/// random inputs, for every loss and option.
@Suite struct SymbolicVersusOracleTests {
  /// Deterministic SplitMix64.
  struct RNG {
    var state: UInt64
    mutating func next() -> Double {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      z ^= z >> 31
      return Double(z >> 11) / Double(1 << 53)
    }
  }

  static let x23 = "[[x0, x1, x2], [x3, x4, x5]]"
  static let templates: [String] = [
    "softmax(\(x23), dim=-1)", "log_softmax(\(x23), dim=-1)", "softmax([x0, x1, x2, x3])",
    "nll_loss(\(x23), [0, 2])", "nll_loss(\(x23), [0, 2], weight=[0.5, 2, 1], reduction=\"sum\")",
    "nll_loss(\(x23), [1, -100], reduction=\"none\")",
    "cross_entropy(\(x23), [0, 2])", "cross_entropy(\(x23), [2, 1], reduction=\"none\")",
    "cross_entropy(\(x23), [0, 2], weight=[0.5, 2, 1])", "cross_entropy(\(x23), [1, 0], ignore_index=1)",
    "cross_entropy(\(x23), [0, 2], label_smoothing=0.1)",
    "cross_entropy(\(x23), [0, 2], weight=[0.5, 2, 1], label_smoothing=0.3, reduction=\"sum\")",
    "cross_entropy(\(x23), [0, -100], weight=[0.5, 2, 1], label_smoothing=0.2)",
    "cross_entropy(\(x23), [[0.2, 0.3, 0.5], [1, 0, 0]])",
    "cross_entropy(\(x23), [[0.2, 0.3, 0.5], [1, 0, 0]], weight=[1, 2, 3], label_smoothing=0.1, reduction=\"none\")",
    "cross_entropy([x0, x1, x2], 1)",
    "binary_cross_entropy(sigmoid(\(x23)), [[0, 1, 0.3], [1, 0.5, 0]])",
    "binary_cross_entropy(sigmoid(\(x23)), [[0, 1, 0.3], [1, 0.5, 0]], weight=[1, 2, 0.5], reduction=\"none\")",
    "binary_cross_entropy_with_logits(\(x23), [[0, 1, 0.3], [1, 0.5, 0]])",
    "binary_cross_entropy_with_logits(\(x23), [[0, 1, 0.3], [1, 0.5, 0]], pos_weight=[3, 1, 0.5], weight=[[1, 2, 0.5], [1, 1, 1]], reduction=\"sum\")",
    "sigmoid_focal_loss(\(x23), [[0, 1, 1], [1, 0, 0]])",
    "sigmoid_focal_loss(\(x23), [[0, 1, 0.3], [1, 0.5, 0]], alpha=-1, gamma=0.5, reduction=\"mean\")",
    "sigmoid_focal_loss(\(x23), [[0, 1, 1], [1, 0, 0]], alpha=0.7, gamma=3, reduction=\"sum\")",
    "linear([[x0, x1, x2], [x3, x4, x5]], [[0.5, -1, 2], [1, 0.25, -0.5]])",
    "cross_entropy(linear([[1.5, -0.5, 2], [0.1, 0.2, 0.3]], [[x0, x1, x2], [x3, x4, x5]]), [1, 0], reduction=\"sum\")",
    // (N, C, d): classes in dimension 1 (N = 1, C = 2, d = 3 here; the oracle bridge
    // permutes the entries into rows of positions, the oracle's code is untouched).
    "cross_entropy([\(x23)], [[0, 1, 1]])",
    "cross_entropy([\(x23)], [[1, 0, -100]], weight=[2, 0.5], reduction=\"none\")",
    "cross_entropy([\(x23)], [[1, 0, 1]], weight=[2, 0.5], label_smoothing=0.2)",
    "cross_entropy([\(x23)], [[[0.2, 0.3, 0.5], [0.8, 0.7, 0.5]]], reduction=\"sum\")",
    "nll_loss([\(x23)], [[0, 1, 1]], reduction=\"none\")",
    // linear with a 1-D weight (one output feature, its axis dropped) and a scalar bias (on
    // a 3-D input: PyTorch refuses a bias with a 1-D weight on a 2-D input).
    "linear([\(x23)], [0.5, -1, 2], 0.25)", "linear([x0, x1, x2], [x3, x4, x5])",
    // Regression losses (the oracle's mse_loss and l1_loss have ATen's backward formulas).
    "mse_loss(\(x23), [[0.5, -1, 2], [0, 0.25, 3]])",
    "mse_loss(\(x23), [[0.5, -1, 2], [0, 0.25, 3]], reduction=\"none\")",
    "l1_loss(\(x23), [[0.5, -1, 2], [0, 0.25, 3]], \"sum\")", "F.l1_loss(\(x23), [[0.5, -1, 2], [0, 0.25, 3]])",
    "kl_div(log_softmax(\(x23), dim=1), [[0.2, 0.3, 0.5], [0, 0, 1]], reduction=\"batchmean\")",
    "kl_div(\(x23), [[0.2, -0.3, 0.5], [0, 1, 2]], log_target=True, reduction=\"none\")",
    "soft_margin_loss(\(x23), [[1, -1, 1], [-1, -1, 1]])",
    "soft_margin_loss(\(x23), [[1, -1, 1], [-1, -1, 1]], \"sum\")",
    "poisson_nll_loss(\(x23), [[0, 1, 2], [3.5, 0.5, 4]], full=True)",
    "poisson_nll_loss(sigmoid(\(x23)), [[0, 1, 2], [3.5, 0.5, 4]], log_input=False, reduction=\"sum\")",
    // softmin = softmax(-x); PyTorch's prefixes name the same functions.
    "softmin(\(x23), dim=-1)", "F.cross_entropy(softmin(\(x23), dim=1), [0, 2])",
    "torch.nn.functional.log_softmax(\(x23), dim=1)",
  ]

  @Test(.needsOracle, arguments: templates)
  func agreesOnRandomInputs(_ template: String) throws {
    let names = (0..<6).map { "x\($0)" }.filter { template.contains($0) }
    var rng = RNG(state: UInt64(template.count))
    for _ in 0..<3 {
      var point: [String: Double] = [:]
      for n in names { point[n] = (rng.next() - 0.5) * 6 }
      let report = try Checker().check(template, variables: names, at: point)
      let oracle = report.comparisons.first { $0.reference == "autograd oracle" }
      #expect(oracle != nil, "\(template): oracle not consulted \(report.skipped)")
      for c in report.comparisons {
        #expect(c.agrees, "\(template) vs \(c.reference): \(c.disagreements)")
      }
    }
  }
}
