import Foundation
import Testing

@testable import SymGrad

#if canImport(SymGradTestSupport)
import SymGradTestSupport  // isApprox, once it moves out of Tests/SymGradTests/Core/Approx.swift
#endif

/// PyTorch loss and mask rules that `Scripts/mutation-check` found unpinned, checked at
/// points where a wrong rule gives a different number. References follow the formulas of
/// PyTorch's documentation, evaluated with mpmath 1.3.0 at 40 digits (script in each
/// comment); the language parses decimals exactly, and certified values are faithfully
/// rounded, so the default `isApprox` (relative 1e-12) applies.
@Suite struct LossSemanticsTests {
  func value(_ text: String, _ point: [String: Double] = [:]) throws -> Double {
    let v = try Expr.Value(parsing: text).flattened
    #expect(v.count == 1, "\(text) is not a scalar")
    return try v[0].evaluate(at: point)
  }

  // MARK: binary_cross_entropy: logs clamped at -100 (both of them)

  /// PyTorch clamps each log at -100: at x = 1e-50, y = 1 the loss is
  /// -max(log(1e-50), -100) = 100 (unclamped it would be 50 ln 10 = 115.129...).
  /// At x = 1, y = 0 the loss is -max(log(1 - 1), -100) = 100 (not inf).
  @Test func bceClampsBothLogsAtMinus100() throws {
    #expect(try value("binary_cross_entropy([x], [1.0])", ["x": 1e-50]) == 100)
    #expect(try value("binary_cross_entropy([x], [0.0])", ["x": 1]) == 100)
    #expect(try value("binary_cross_entropy([x], [1.0])", ["x": 0]) == 100)
    // Unclamped (clamp=False) the first is 50 ln 10: mp.log(mp.mpf('1e-50')).
    #expect(isApprox(try value("binary_cross_entropy([x], [1.0], clamp=False)", ["x": 1e-50]), 115.1292546497022842))
  }

  /// PyTorch requires BCE inputs and targets in [0, 1].
  @Test func bceRejectsNumbersAboveOne() {
    #expect(throws: (any Error).self) { try Expr.Value(parsing: "binary_cross_entropy([1.5], [1.0])") }
    #expect(throws: (any Error).self) { try Expr.Value(parsing: "binary_cross_entropy([0.5], [1.5])") }
  }

  // MARK: binary_cross_entropy_with_logits: pos_weight scales the positive term only

  /// l = -[pw y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))], pw = 3, x = 0.5:
  /// y = 0: softplus(0.5) = 0.97407698418010668087; y = 1: 3 softplus(-0.5) = 1.4222309525403200426.
  @Test func posWeightScalesOnlyPositiveTargets() throws {
    let p: [String: Double] = ["x": 0.5]
    #expect(
      isApprox(try value("binary_cross_entropy_with_logits([x], [0.0], pos_weight=[3.0])", p), 0.97407698418010668087))
    #expect(
      isApprox(try value("binary_cross_entropy_with_logits([x], [1.0], pos_weight=[3.0])", p), 1.4222309525403200426))
  }

  // MARK: cross_entropy: label smoothing and ignore_index

  /// Logits [1, 2, 3], target 0, e = 0.1: L = (1 - e)(-logp_0) + (e/C) sum_c(-logp_c)
  /// = 2.3076059644443803045.
  @Test func labelSmoothingDividesByTheClassCount() throws {
    #expect(isApprox(try value("cross_entropy([[1, 2, 3]], [0], label_smoothing=0.1)"), 2.3076059644443803045))
  }

  /// A row with target = ignore_index counts neither in the smoothing term nor in the mean's
  /// denominator: rows [[1, 2, 3], [0, 0, 0]], targets [0, -100], e = 0.2, mean:
  /// 0.8 (-logp_00) + (0.2/3) sum_c(-logp_0c), divided by 1 = 2.2076059644443803045.
  @Test func labelSmoothingMeanSkipsIgnoredRows() throws {
    #expect(
      isApprox(
        try value("cross_entropy([[1, 2, 3], [0, 0, 0]], [0, -100], label_smoothing=0.2)"), 2.2076059644443803045))
  }

  /// With class weights w = [1, 2, 3], rows [[1, 2, 3], [3, 1, 0]], targets [1, 2], e = 0.2,
  /// mean: both terms divide by w[1] + w[2] = 5, the smoothing sum weights each class:
  /// 0.8 (-2 logp_01 - 3 logp_12)/5 + (0.2/3) (-sum_c w_c (logp_0c + logp_1c))/5
  /// = 2.2448228233959387518.
  @Test func weightedLabelSmoothingMean() throws {
    let text = "cross_entropy([[1, 2, 3], [3, 1, 0]], [1, 2], weight=[1, 2, 3], label_smoothing=0.2)"
    #expect(isApprox(try value(text), 2.2448228233959387518))
  }

  /// Probability targets p = [0.2, 0.3, 0.5], e = 0.1: q = 0.9 p + 0.1/3,
  /// L = -sum q_c logp_c = 1.1376059644443803045.
  @Test func probabilityTargetsAreSmoothedTowardUniform() throws {
    #expect(
      isApprox(try value("cross_entropy([[1, 2, 3]], [[0.2, 0.3, 0.5]], label_smoothing=0.1)"), 1.1376059644443803045))
  }

  // MARK: nll_loss: the mean's denominator

  /// mean = sum_n -w[y_n] x[n, y_n] / sum_{n not ignored} w[y_n]:
  /// [[1, 2], [3, 4]], targets [1, -100]: -2/1 = -2;
  /// weights [2, 3], targets [0, 1]: (-2*1 - 3*4)/(2 + 3) = -2.8;
  /// weights [2, 3], targets [0, -100]: -2*1/2 = -1.
  @Test func nllMeanDividesByTheWeightsOfRowsNotIgnored() throws {
    #expect(try value("nll_loss([[1, 2], [3, 4]], [1, -100])") == -2)
    #expect(try value("nll_loss([[1, 2], [3, 4]], [0, 1], weight=[2, 3])") == -2.8)
    #expect(try value("nll_loss([[1, 2], [3, 4]], [0, -100], weight=[2, 3])") == -1)
    #expect(try value("nll_loss([[1, 2], [3, 4]], [0, 1], weight=[2, 3], reduction=\"sum\")") == -14)
  }

  // MARK: masks

  /// `Transformer.generate_square_subsequent_mask(n)` is
  /// `torch.triu(torch.full((n, n), -inf), diagonal=1)`: -inf exactly where j > i.
  @Test func causalMaskIsMinusInfStrictlyAboveTheDiagonal() {
    let n = 4
    let m = causalMask(n)
    #expect(m.shape == [n, n])
    for i in 0..<n {
      for j in 0..<n {
        #expect(m.elements[i * n + j] == (j > i ? Expr.negativeInfinity : Expr.zero), "entry (\(i), \(j))")
      }
    }
  }

  /// `key_padding_mask`: True marks a key to ignore (nn.MultiheadAttention docs), for every query.
  @Test func keyPaddingTrueMasksTheKey() throws {
    let m = try AttentionMask.keyPadding([false, true, false]).additive(queries: 2, keys: 3)
    let ninf = Expr.negativeInfinity
    #expect(m == Expr.Tensor(matrix: [[.zero, ninf, .zero], [.zero, ninf, .zero]]))
  }

  /// With a causal mask the first query attends only to the first key, so its output is
  /// that key's value: sdpa(q, k, v) row 0 = v[0] for any scores.
  @Test func causalAttentionFirstRowIsTheFirstValue() throws {
    let text = "scaled_dot_product_attention([[1.0], [2.0]], [[3.0], [-1.0]], [[5.0], [7.0]], attn_mask=causal_mask(2))"
    let out = try Expr.Value(parsing: text).flattened
    #expect(try out[0].evaluate(at: [:]) == 5)
    // Row 1 sees both keys: scores 2*3 = 6 and 2*(-1) = -2 (scale 1/sqrt(1)),
    // weights softmax(6, -2), output (5 e^6 + 7 e^-2)/(e^6 + e^-2) = 5 + 2/(1 + e^8).
    #expect(isApprox(try out[1].evaluate(at: [:]), 5 + 2 / (1 + Foundation.exp(8.0))))
  }
}
