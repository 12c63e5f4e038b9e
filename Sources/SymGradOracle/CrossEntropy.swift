#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// The target of `crossEntropy`: class indices (one per row) or class probabilities
/// (same shape as the logits), like PyTorch's two `CrossEntropyLoss` target forms.
public enum OracleTarget: Sendable {
  case classIndices([Int])
  case probabilities([Double])
}

/// Cross-entropy loss of `rows x columns` logits, as ATen's `cross_entropy_loss` (CPU, float64).
///
/// Class indices (`label_smoothing == 0`): `nll_loss(log_softmax(x), y, w, ignore_index, reduction)`.
/// Class indices with smoothing `e > 0` (`cross_entropy_loss_label_smoothing`):
/// ```
/// z = log_softmax(x)
/// S_n = -sum_c w_c * z[n, c]      (S_n = 0 for ignored rows; masked_fill, so no NaN leaks)
/// L = (1 - e) * nll_loss(z, ...) + R(S) * (e / C)
/// R = none: S;  sum: sum S;  mean: sum S / sum_{n not ignored} w[y_n]  (row count without w)
/// ```
/// Probability targets `p` (`cross_entropy_loss_prob_target`):
/// ```
/// q = e > 0 ? p * (1 - e) + e / C : p
/// none: -sum_c (z * q * w)[n, c];  sum: -sum (z * q * w);  mean: -sum (z * q * w) / N
/// ```
/// Gradients come from the pullbacks of `log_softmax` and `nll_loss` (PyTorch's own backward
/// formulas), composed by Swift's AD exactly as PyTorch's autograd composes them.
///
/// Edge cases (all as PyTorch 2.x):
/// - target logit `-inf`: loss `inf`, finite gradient (forum example: `[[-1, 1], ...]`).
/// - non-target logit `-inf`: finite loss, gradient 0 there; with smoothing `e > 0`:
///   loss `inf` and gradient `-e/(C N)` there (`mean`).
/// - any `+inf` logit, or an all `-inf` row that is not ignored: NaN.
/// - an ignored all `-inf` row: finite loss, NaN gradient in that row (log_softmax backward).
/// - `mean` with every row ignored: loss NaN, gradient 0.
/// - probability target `p = 0` at a `-inf` logit: loss NaN (`0 * -inf`), gradient finite.
///
/// Preconditions (PyTorch raises instead): `logits.count == rows * columns`;
/// `0 <= labelSmoothing <= 1`; `weight?.count == columns`; class indices in `0..<columns`
/// or equal to `ignoreIndex`; probability targets have `rows * columns` entries and
/// `ignoreIndex < 0` (PyTorch: "ignore_index is not supported for floating point target").
@differentiable(reverse,wrt: logits)
public func crossEntropy(
  _ logits: [Double], rows: Int, columns: Int, target: OracleTarget,
  weight: [Double]? = nil, ignoreIndex: Int = -100, labelSmoothing: Double = 0,
  reduction: OracleReduction = .mean
) -> [Double] {
  precondition(logits.count == rows * columns, "crossEntropy: logits.count must be rows * columns")
  precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropy: labelSmoothing must lie in [0, 1]")
  if let w = weight { precondition(w.count == columns, "crossEntropy: weight.count must equal columns") }
  let z = logSoftmax(logits, rows: rows, columns: columns)
  switch target {
  case .classIndices(let t):
    let nll = nllLoss(
      z, rows: rows, columns: columns, target: t, weight: weight,
      ignoreIndex: ignoreIndex, reduction: reduction)
    if labelSmoothing > 0 {
      let smooth = labelSmoothingTerm(
        z, rows: rows, columns: columns, target: t, weight: weight,
        ignoreIndex: ignoreIndex, reduction: reduction)
      return elementwiseSum(
        scaled(nll, by: 1 - labelSmoothing),
        scaled(smooth, by: labelSmoothing / Double(columns)))
    }
    return nll
  case .probabilities(let p):
    precondition(ignoreIndex < 0, "crossEntropy: ignore_index is not supported for probability targets")
    precondition(p.count == rows * columns, "crossEntropy: probability target must have rows * columns entries")
    var q = p
    if labelSmoothing > 0 {
      let e = labelSmoothing
      let share = labelSmoothing / Double(columns)
      q = p.map { $0 * (1 - e) + share }
    }
    return probabilityTargetTerm(z, rows: rows, columns: columns, q: q, weight: weight, reduction: reduction)
  }
}

/// The smoothing term `R(S)` of `cross_entropy_loss_label_smoothing` (see `crossEntropy`).
/// Backward: row `n` not ignored gets `-(gS_n) * w_c` with `gS_n = g_n | g | g / denominator`.
@differentiable(reverse,wrt: z)
func labelSmoothingTerm(
  _ z: [Double], rows: Int, columns: Int, target: [Int], weight: [Double]?,
  ignoreIndex: Int, reduction: OracleReduction
) -> [Double] {
  labelSmoothingForward(
    z, rows: rows, columns: columns, target: target, weight: weight,
    ignoreIndex: ignoreIndex, reduction: reduction
  ).value
}

func labelSmoothingForward(
  _ z: [Double], rows: Int, columns: Int, target: [Int], weight: [Double]?,
  ignoreIndex: Int, reduction: OracleReduction
) -> (value: [Double], denominator: Double) {
  var s = [Double](repeating: 0, count: rows)
  var denominator = 0.0
  for n in 0..<rows {
    if target[n] == ignoreIndex { continue }  // masked_fill_(ignore_mask, 0)
    denominator += weight?[target[n]] ?? 1
    var acc = 0.0
    for c in 0..<columns {
      let v = z[n * columns + c]
      acc += weight.map { v * $0[c] } ?? v
    }
    s[n] = -acc
  }
  switch reduction {
  case .none: return (s, denominator)
  case .sum: return ([plainSum(s)], denominator)
  case .mean: return ([plainSum(s) / denominator], denominator)
  }
}

@derivative(of: labelSmoothingTerm, wrt: z)
func labelSmoothingTermVJP(
  _ z: [Double], rows: Int, columns: Int, target: [Int], weight: [Double]?,
  ignoreIndex: Int, reduction: OracleReduction
) -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent) {
  let (value, denominator) = labelSmoothingForward(
    z, rows: rows, columns: columns, target: target, weight: weight,
    ignoreIndex: ignoreIndex, reduction: reduction)
  return (
    value,
    { g in
      var gz = [Double](repeating: 0, count: z.count)
      let gd = dense(g, count: value.count)
      for n in 0..<rows {
        if target[n] == ignoreIndex { continue }
        let gs: Double
        switch reduction {
        case .none: gs = gd[n]
        case .sum: gs = gd[0]
        case .mean: gs = gd[0] / denominator
        }
        let negated = -gs
        for c in 0..<columns { gz[n * columns + c] = weight.map { negated * $0[c] } ?? negated }
      }
      return DoubleTangent(gz)
    }
  )
}

/// `-(z * q * w)` reduced, from `cross_entropy_loss_prob_target` (see `crossEntropy`).
/// Backward (autograd of div/neg/sum/mul): `gz = ((-gS) * w) * q`, `gS = g_n | g | g / N`.
@differentiable(reverse,wrt: z)
func probabilityTargetTerm(
  _ z: [Double], rows: Int, columns: Int, q: [Double], weight: [Double]?, reduction: OracleReduction
) -> [Double] {
  var perRow = [Double](repeating: 0, count: rows)
  var total = 0.0
  for n in 0..<rows {
    var acc = 0.0
    for c in 0..<columns {
      let i = n * columns + c
      let zq = z[i] * q[i]
      acc += weight.map { zq * $0[c] } ?? zq
    }
    perRow[n] = -acc
    total += acc
  }
  switch reduction {
  case .none: return perRow
  case .sum: return [-total]
  case .mean: return [-total / Double(rows)]
  }
}

@derivative(of: probabilityTargetTerm, wrt: z)
func probabilityTargetTermVJP(
  _ z: [Double], rows: Int, columns: Int, q: [Double], weight: [Double]?, reduction: OracleReduction
) -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent) {
  let value = probabilityTargetTerm(z, rows: rows, columns: columns, q: q, weight: weight, reduction: reduction)
  return (
    value,
    { g in
      let gd = dense(g, count: value.count)
      var gz = [Double](repeating: 0, count: z.count)
      for n in 0..<rows {
        let gs: Double
        switch reduction {
        case .none: gs = gd[n]
        case .sum: gs = gd[0]
        case .mean: gs = gd[0] / Double(rows)
        }
        let negated = -gs
        for c in 0..<columns {
          let i = n * columns + c
          let gw = weight.map { negated * $0[c] } ?? negated
          gz[i] = gw * q[i]
        }
      }
      return DoubleTangent(gz)
    }
  )
}
#endif
