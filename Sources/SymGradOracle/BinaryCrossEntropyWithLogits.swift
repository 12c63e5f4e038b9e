#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// `log(sigmoid(x))` as ATen's CPU `log_sigmoid_forward`: `min(x, 0) - log1p(exp(-|x|))`.
@inline(__always)
func scalarLogSigmoid(_ x: Double) -> Double {
  if x.isNaN { return x }
  return min(x, 0) - log1p(exp(-abs(x)))
}

/// Binary cross-entropy on logits, as ATen's `binary_cross_entropy_with_logits` (float64).
///
/// ```
/// lw_i = (pw[c] - 1) * y_i + 1                       (lw = 1 without pos_weight)
/// l_i  = ((1 - y_i) * x_i - log_sigmoid(x_i) * lw_i) * w_i
///      = (1-y) x + (1 + (pw-1) y) (log1p(exp(-|x|)) + max(-x, 0))   (same value)
/// none: l;  sum: sum l;  mean: sum l / numel
/// backward (binary_cross_entropy_with_logits_backward):
///   t = pw * y;  gx = ((t + 1 - y) * sigmoid(x) - t) * g * w   (then / numel for mean)
///   without pos_weight: gx = (sigmoid(x) - y) * g * w
/// ```
/// Edge cases (PyTorch values, not the mathematical limits; #49844, #102894):
/// - `x = -inf, y = 0`: loss NaN (`-inf + inf`), gradient 0.
/// - `x = -inf, y = 1`: loss NaN (`0 * -inf`), gradient `-1`.
/// - `x = +inf, y = 0`: loss `inf`, gradient 1; `x = +inf, y = 1`: loss NaN, gradient 0.
/// - `x = -1000, y = 1, pos_weight = 3`: loss 3000, gradient `-3`.
/// The target is not range-checked (any real `y` is accepted, like PyTorch).
///
/// `posWeight` broadcasts along the last dimension of size `columns`: element `i` uses
/// `posWeight[i % columns]`. `weight` broadcasts as a trailing-dimensions tensor: element `i`
/// uses `weight[i % weight.count]`.
///
/// Preconditions: `target.count == input.count`; `columns > 0` divides `input.count`;
/// `posWeight?.count == columns`; `weight.count` divides `input.count`.
@differentiable(reverse,wrt: input)
public func binaryCrossEntropyWithLogits(
  _ input: [Double], target: [Double], columns: Int, weight: [Double]? = nil,
  posWeight: [Double]? = nil, reduction: OracleReduction = .mean
) -> [Double] {
  let n = input.count
  precondition(target.count == n, "binaryCrossEntropyWithLogits: target.count must equal input.count")
  precondition(columns > 0 && n % columns == 0, "binaryCrossEntropyWithLogits: columns must divide input.count")
  if let pw = posWeight {
    precondition(pw.count == columns, "binaryCrossEntropyWithLogits: posWeight.count must equal columns")
  }
  checkTrailingWeight(weight, count: n, "binaryCrossEntropyWithLogits")
  var loss = [Double](repeating: 0, count: n)
  for i in 0..<n {
    let x = input[i]
    let y = target[i]
    var ls = scalarLogSigmoid(x)
    if let pw = posWeight { ls *= (pw[i % columns] - 1) * y + 1 }
    var l = (1 - y) * x - ls
    if let w = weight { l *= w[i % w.count] }
    loss[i] = l
  }
  switch reduction {
  case .none: return loss
  case .sum: return [plainSum(loss)]
  case .mean: return [plainSum(loss) / Double(n)]
  }
}

@derivative(of: binaryCrossEntropyWithLogits, wrt: input)
@usableFromInline
func binaryCrossEntropyWithLogitsVJP(
  _ input: [Double], target: [Double], columns: Int, weight: [Double]?,
  posWeight: [Double]?, reduction: OracleReduction
) -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent) {
  let value = binaryCrossEntropyWithLogits(
    input, target: target, columns: columns, weight: weight,
    posWeight: posWeight, reduction: reduction)
  return (
    value,
    elementwisePullback(count: input.count, reduction) { i in
      let x = input[i]
      let y = target[i]
      var v: Double
      if let pw = posWeight {
        let t = pw[i % columns] * y
        v = (t + 1 - y) * scalarSigmoid(x) - t
      } else {
        v = scalarSigmoid(x) - y
      }
      return weight.map { v * $0[i % $0.count] } ?? v
    }
  )
}
#endif
