/// `binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None,
/// reduction="mean")`.
///
/// ```
/// l = w [(1 - y) x + (1 + (pw - 1) y) softplus(-x)]
///   = -w [pw y log sigmoid(x) + (1 - y) log sigmoid(-x)]
/// ```
/// `pos_weight` broadcasts along the last dimension (one entry per class), `weight` to
/// the input's shape; `mean` averages over every element. The target is not
/// range-checked (as in PyTorch). At `x = -inf, y = 1` the loss is `+inf` and the
/// gradient `-pw w`; at `x = -inf, y = 0` the loss is 0 (PyTorch gives NaN for both).
public func binaryCrossEntropyWithLogits(
  _ input: Expr.Tensor, target: Expr.Tensor, weight: Expr.Tensor? = nil, posWeight: Expr.Tensor? = nil,
  reduction: Reduction = .mean
) throws -> Expr.Tensor {
  guard target.shape == input.shape else {
    throw LossError("Target size (\(target.shape)) must be the same as input size (\(input.shape))", argument: "target")
  }
  let w = try weight.map { try broadcast($0, to: input.shape, name: "weight") }
  let pw = try posWeight.map { try broadcast($0, to: input.shape, name: "pos_weight") }
  let losses = input.elements.indices.map { i -> Expr in
    let x = input.elements[i]
    let y = target.elements[i]
    let logWeight = pw.map { 1 + ($0.elements[i] - 1) * y } ?? .one
    return (w?.elements[i] ?? .one) * ((1 - y) * x + logWeight * softplus(-x))
  }
  return reduceElementwise(losses, shape: input.shape, reduction: reduction)
}
