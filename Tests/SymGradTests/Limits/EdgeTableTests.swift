import Testing

@testable import SymGrad

/// The reference table of PyTorch's edge cases: our value is the limit in the last
/// column (exact values from the limit engine, compared as doubles).
@Suite struct EdgeTableTests {
  static let cases: [(String, String, [String: Double], [Double])] = [
    // (what, expression, point, expected values of [loss or outputs..., gradient...])
    ("softmax with a +inf logit is one-hot", "softmax([a, b, c])", ["a": .infinity, "b": 1, "c": 2], [1, 0, 0]),
    ("log_softmax at a -inf entry", "log_softmax([a, b])", ["a": -.infinity, "b": 1], [-.infinity, 0]),
    (
      "CE, target logit -inf (sum): loss inf", "cross_entropy([[a, b]], [0], reduction=\"sum\")",
      ["a": -.infinity, "b": 2], [.infinity]
    ),
    (
      "CE, non-target -inf: finite loss", "cross_entropy([[a, b, c]], [1], reduction=\"sum\")",
      ["a": -.infinity, "b": 2, "c": 1], [0.31326168751822286]
    ),
    (
      "CE probability target 0 at a -inf logit: 0 log 0 = 0",
      "cross_entropy([[a, b, c]], [[0.0, 0.5, 0.5]], reduction=\"sum\")", ["a": -.infinity, "b": 1, "c": 2],
      [0.8132616875182228]
    ),
    (
      "BCE x = 0, y = 1 exact: +inf", "binary_cross_entropy([x], [1.0], reduction=\"sum\", clamp=False)", ["x": 0],
      [.infinity]
    ),
    ("BCE x = 0, y = 1 clamped: 100", "binary_cross_entropy([x], [1.0], reduction=\"sum\")", ["x": 0], [100]),
    ("BCE x = 0, y = 0: 0", "binary_cross_entropy([x], [0.0], reduction=\"sum\")", ["x": 0], [0]),
    (
      "BCE-with-logits z = -inf, y = 0: 0", "binary_cross_entropy_with_logits([z], [0.0], reduction=\"sum\")",
      ["z": -.infinity], [0]
    ),
    (
      "BCE-with-logits z = -inf, y = 1: +inf", "binary_cross_entropy_with_logits([z], [1.0], reduction=\"sum\")",
      ["z": -.infinity], [.infinity]
    ),
    (
      "BCE-with-logits z = +inf, y = 0: +inf", "binary_cross_entropy_with_logits([z], [0.0], reduction=\"sum\")",
      ["z": .infinity], [.infinity]
    ),
    (
      "BCE-with-logits z = -1000, y = 1, pos_weight 3: 3000",
      "binary_cross_entropy_with_logits([z], [1.0], pos_weight=[3], reduction=\"sum\")", ["z": -1000], [3000]
    ),
    ("focal loss at z = +inf, y = 1: 0", "sigmoid_focal_loss([z], [1.0], reduction=\"sum\")", ["z": .infinity], [0]),
    (
      "focal loss at z = -inf, y = 1: +inf", "sigmoid_focal_loss([z], [1.0], reduction=\"sum\")", ["z": -.infinity],
      [.infinity]
    ),
  ]

  @Test(arguments: cases.indices)
  func valueIsTheLimit(_ i: Int) throws {
    let (what, text, point, expected) = Self.cases[i]
    let values = try Expr.Value(parsing: text).flattened.map { try $0.evaluate(at: point) }
    #expect(values.count == expected.count)
    for (v, e) in zip(values, expected) {
      if e.isInfinite {
        #expect(v == e, "\(what): \(v)")
      } else {
        #expect(Swift.abs(v - e) <= 1e-12 * Swift.max(1, Swift.abs(e)), "\(what): \(v) vs \(e)")
      }
    }
  }

  /// Gradients from the table's last column.
  static let gradients: [(String, String, [String], [String: Double], [Double])] = [
    (
      "CE, target logit -inf: gradient [-1, 1]", "cross_entropy([[a, b]], [0], reduction=\"sum\")", ["a", "b"],
      ["a": -.infinity, "b": 2], [-1, 1]
    ),
    (
      "CE, non-target -inf: gradient 0 there", "cross_entropy([[a, b, c]], [1], reduction=\"sum\")", ["a", "b", "c"],
      ["a": -.infinity, "b": 2, "c": 1], [0, -0.2689414213699951, 0.2689414213699951]
    ),
    (
      "CE, ignored row all -inf: gradient 0", "cross_entropy([[a, b], [c, d]], [0, -100], reduction=\"sum\")",
      ["c", "d"], ["a": 1, "b": 2, "c": -.infinity, "d": -.infinity], [0, 0]
    ),
    (
      "CE label smoothing, non-target -inf: -e/(C N)",
      "cross_entropy([[a, b, c]], [1], reduction=\"mean\", label_smoothing=0.3)", ["a"],
      ["a": -.infinity, "b": 2, "c": 1], [-0.1]
    ),
    (
      "BCE-with-logits z = -inf, y = 1: gradient -1", "binary_cross_entropy_with_logits([z], [1.0], reduction=\"sum\")",
      ["z"], ["z": -.infinity], [-1]
    ),
    (
      "BCE-with-logits z = +inf, y = 0: gradient 1", "binary_cross_entropy_with_logits([z], [0.0], reduction=\"sum\")",
      ["z"], ["z": .infinity], [1]
    ),
    (
      "BCE-with-logits z = -1000, y = 1, pos_weight 3: -3",
      "binary_cross_entropy_with_logits([z], [1.0], pos_weight=[3], reduction=\"sum\")", ["z"], ["z": -1000], [-3]
    ),
    (
      "BCE x = 0, y = 0: gradient 1 (exact loss)", "binary_cross_entropy([x], [0.0], reduction=\"sum\", clamp=False)",
      ["x"], ["x": 0], [1]
    ),
    (
      "BCE x = 0, y = 1: gradient -inf (exact loss)",
      "binary_cross_entropy([x], [1.0], reduction=\"sum\", clamp=False)", ["x"], ["x": 0], [-.infinity]
    ),
    (
      "focal gamma 0.5, saturated correct prediction: gradient 0",
      "sigmoid_focal_loss([z], [1.0], gamma=0.5, reduction=\"sum\")", ["z"], ["z": .infinity], [0]
    ),
    (
      "focal at z = -inf, y = 1: finite gradient -alpha", "sigmoid_focal_loss([z], [1.0], reduction=\"sum\")", ["z"],
      ["z": -.infinity], [-0.25]
    ),
  ]

  @Test(arguments: gradients.indices)
  func gradientIsTheLimit(_ i: Int) throws {
    let (what, text, wrt, point, expected) = Self.gradients[i]
    let g = try Expr(parsing: text).gradient(withRespectTo: wrt.map(Expr.symbol))
    for (d, e) in zip(g, expected) {
      let v = try d.evaluate(at: point)
      if e.isInfinite {
        #expect(v == e, "\(what): \(v)")
      } else {
        #expect(Swift.abs(v - e) <= 1e-12 * Swift.max(1, Swift.abs(e)), "\(what): \(v) vs \(e)")
      }
    }
  }
}
