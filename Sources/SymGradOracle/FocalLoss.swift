#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// torchvision's `sigmoid_focal_loss`, composed from the same ops so autograd (here Swift's AD
/// over PyTorch-faithful primitives) differentiates it the way PyTorch does.
///
/// ```
/// p    = sigmoid(x)
/// ce   = binary_cross_entropy_with_logits(x, y, reduction="none")
/// p_t  = p * y + (1 - p) * (1 - y)
/// loss = ce * (1 - p_t) ** gamma
/// if alpha >= 0: loss = (alpha * y + (1 - alpha) * (1 - y)) * loss
/// then none / mean (over numel) / sum
/// ```
/// The power's backward is PyTorch's `pow_backward`: `g * gamma * (1 - p_t) ** (gamma - 1)`
/// (zero when `gamma == 0`).
///
/// Edge cases (as PyTorch / torchvision):
/// - `gamma < 1` with a saturated correct prediction (`1 - p_t == 0`): loss 0, gradient NaN
///   (`0 ** (gamma - 1) = inf`, then `inf * 0` in sigmoid's backward).
/// - `x = ±inf`: gradient NaN; loss NaN except `x = +inf, y = 0`, where it is `inf`
///   (`ce = inf`, `(1 - p_t) ** gamma = 1`).
///
/// Precondition: `target.count == input.count`. Targets are not range-checked.
@differentiable(reverse,wrt: input)
public func sigmoidFocalLoss(
  _ input: [Double], target: [Double], alpha: Double = 0.25, gamma: Double = 2,
  reduction: OracleReduction = .none
) -> [Double] {
  precondition(target.count == input.count, "sigmoidFocalLoss: target.count must equal input.count")
  let p = sigmoid(input)
  let ce = binaryCrossEntropyWithLogits(input, target: target, columns: 1, reduction: .none)
  let oneMinusTarget = target.map { 1 - $0 }
  let pT = elementwiseSum(multiplyByConstant(p, target), multiplyByConstant(oneMinus(p), oneMinusTarget))
  var loss = elementwiseProduct(ce, power(oneMinus(pT), gamma))
  if alpha >= 0 {
    let alphaT = target.map { alpha * $0 + (1 - alpha) * (1 - $0) }
    loss = multiplyByConstant(loss, alphaT)
  }
  return reduceLoss(loss, reduction)
}
#endif
