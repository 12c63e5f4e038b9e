#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// Checks an element-wise loss weight that broadcasts as a trailing-dimensions tensor.
func checkTrailingWeight(_ weight: [Double]?, count n: Int, _ name: String) {
  if let w = weight {
    precondition(
      !w.isEmpty && n % w.count == 0,
      "\(name): weight.count must divide input.count (element i uses weight[i % weight.count])")
  }
}

/// ATen's `EPSILON` in `binary_cross_entropy_backward`: a `float` 1e-12, read as a double.
let binaryCrossEntropyEpsilon = Double(Float(1e-12))

/// Binary cross-entropy on probabilities, as ATen's `binary_cross_entropy` CPU kernel (float64).
///
/// ```
/// l_i = ((y_i - 1) * max(log1p(-x_i), -100) - y_i * max(log(x_i), -100)) * w_i
/// none: l;  sum: sum l;  mean: sum l / numel
/// backward (binary_cross_entropy_backward, NOT the derivative of the clamped forward):
///   gx_i = g * (x_i - y_i) / max((1 - x_i) * x_i, EPSILON) * w_i   (then / numel for mean)
/// ```
/// `EPSILON` is ATen's `constexpr float EPSILON = 1e-12`: the float nearest 1e-12
/// (9.999999960041972e-13), widened to double, so the clamped gradient is
/// `-1.0000000039958029e12`, not `-1e12` (recorded from torch 2.15, float64).
/// - `x = 0, y = 1`: loss 100, gradient `-1/EPSILON` (sum); `x = 0, y = 0`: loss 0, gradient 0.
/// - `x = 1, y = 0`: loss 100, gradient `1/EPSILON`; the log clamp and the EPSILON clamp are independent.
///
/// `weight` broadcasts as a trailing-dimensions tensor: element `i` uses `weight[i % weight.count]`
/// (pass `input.count` values for an element-wise weight).
///
/// Preconditions (PyTorch raises instead): `target.count == input.count`; every input and
/// target value lies in `[0, 1]` (so NaN is rejected, as PyTorch's
/// "all elements of input should be between 0 and 1"); `weight.count` divides `input.count`.
@differentiable(reverse,wrt: input)
public func binaryCrossEntropy(
  _ input: [Double], target: [Double], weight: [Double]? = nil, reduction: OracleReduction = .mean
) -> [Double] {
  let n = input.count
  precondition(target.count == n, "binaryCrossEntropy: target.count must equal input.count")
  checkTrailingWeight(weight, count: n, "binaryCrossEntropy")
  var loss = [Double](repeating: 0, count: n)
  for i in 0..<n {
    let x = input[i]
    let y = target[i]
    precondition(x >= 0 && x <= 1, "binaryCrossEntropy: all elements of input should be between 0 and 1")
    precondition(y >= 0 && y <= 1, "binaryCrossEntropy: all elements of target should be between 0 and 1")
    var l = (y - 1) * max(log1p(-x), -100) - y * max(log(x), -100)
    if let w = weight { l *= w[i % w.count] }
    loss[i] = l
  }
  switch reduction {
  case .none: return loss
  case .sum: return [plainSum(loss)]
  case .mean: return [plainSum(loss) / Double(n)]
  }
}

@derivative(of: binaryCrossEntropy, wrt: input)
@usableFromInline
func binaryCrossEntropyVJP(
  _ input: [Double], target: [Double], weight: [Double]?, reduction: OracleReduction
) -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent) {
  let value = binaryCrossEntropy(input, target: target, weight: weight, reduction: reduction)
  return (
    value,
    elementwisePullback(count: input.count, reduction) { i in
      let x = input[i]
      let v = (x - target[i]) / max((1 - x) * x, binaryCrossEntropyEpsilon)
      return weight.map { v * $0[i % $0.count] } ?? v
    }
  )
}
#endif
