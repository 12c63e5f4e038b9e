/// torchvision's `sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2,
/// reduction="none")`.
///
/// ```
/// p   = sigmoid(x)
/// ce  = binary_cross_entropy_with_logits(x, y, reduction="none")
/// p_t = p y + (1 - p)(1 - y)
/// l   = ce (1 - p_t)**gamma            times alpha y + (1 - alpha)(1 - y) if alpha >= 0
/// ```
/// `mean` averages over every element. For `gamma < 1` and a saturated correct
/// prediction the gradient is 0 in the limit (PyTorch's float computation gives NaN:
/// `0**gamma` differentiated as `gamma * 0**(gamma-1) = inf` times 0).
public func sigmoidFocalLoss(
  _ input: Expr.Tensor, target: Expr.Tensor, alpha: Expr = .number(Rational(numerator: 1, denominator: 4)!),
  gamma: Expr = 2, reduction: Reduction = .none
) throws -> Expr.Tensor {
  guard target.shape == input.shape else {
    throw LossError("Target size (\(target.shape)) must be the same as input size (\(input.shape))", argument: "target")
  }
  let useAlpha = alpha.rationalValue.map { $0 >= Rational(0) } ?? true
  let losses = input.elements.indices.map { i -> Expr in
    let x = input.elements[i]
    let y = target.elements[i]
    let p = sigmoid(x)
    let ce = (1 - y) * x + softplus(-x)
    let pt = p * y + (1 - p) * (1 - y)
    var l = ce * (1 - pt) ** gamma
    if useAlpha { l = (alpha * y + (1 - alpha) * (1 - y)) * l }
    return l
  }
  return reduceElementwise(losses, shape: input.shape, reduction: reduction)
}
