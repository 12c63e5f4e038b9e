/// `nll_loss(input, target, weight=None, ignore_index=-100, reduction="mean")`.
///
/// ```
/// l_n = -w[y_n] * x[n, y_n]          (0 when y_n == ignore_index)
/// mean = sum_n l_n / sum_{n not ignored} w[y_n]      (w = 1 without weights)
/// ```
/// `input` is N x C (or C, with one target, or (N, C, d1, ..., dK) with targets
/// (N, d1, ..., dK), every position a row). With every row ignored the mean is
/// `0/0 = undefined` (PyTorch: NaN). Class weights may be symbols.
public func nllLoss(
  _ input: Expr.Tensor, target: [Int], weight: [Expr]? = nil, ignoreIndex: Int = -100,
  reduction: Reduction = .mean
) throws -> Expr.Tensor {
  if input.rank >= 3 {
    // (N, C, d1, ..., dK): every position is a row; `none` keeps (N, d1, ..., dK).
    let flat = try nllLoss(
      input.classesLast, target: target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
    return reduction == .none ? Expr.Tensor(shape: input.shapeWithoutClasses, elements: flat.elements) : flat
  }
  let (rows, columns) = input.asRows
  try checkClassTarget(input, target, weight: weight, ignoreIndex: ignoreIndex)
  var losses: [Expr] = []
  var weights: [Expr] = []
  for n in 0..<rows {
    let y = target[n]
    if y == ignoreIndex {
      losses.append(.zero)
      continue
    }
    let w = weight?[y] ?? .one
    losses.append(-w * input.row(n)[n * columns + y])
    weights.append(w)
  }
  return reduce(losses, input: input, reduction: reduction, denominator: .sum(weights))
}

/// Checks a class-index target against an N x C (or C) input, with PyTorch's messages.
func checkClassTarget(_ input: Expr.Tensor, _ target: [Int], weight: [Expr]?, ignoreIndex: Int) throws {
  guard input.rank >= 1 else {
    throw LossError("input must be 1-D (C), 2-D (N, C) or (N, C, d1, ..., dK), got a scalar", argument: "input")
  }
  let (rows, columns) = input.asRows
  guard target.count == rows else {
    throw LossError(
      "Expected input batch_size (\(rows)) to match target batch_size (\(target.count))", argument: "target")
  }
  for y in target where y != ignoreIndex && (y < 0 || y >= columns) {
    throw LossError("Target \(y) is out of bounds (there are \(columns) classes)", argument: "target")
  }
  if let w = weight, w.count != columns {
    throw LossError(
      "weight tensor should be defined either for all \(columns) classes or no classes but got weight tensor of shape: [\(w.count)]",
      argument: "weight")
  }
}

/// The reduction of per-row losses. `none` keeps the input's batch shape (a scalar for an
/// unbatched input).
func reduce(_ losses: [Expr], input: Expr.Tensor, reduction: Reduction, denominator: Expr) -> Expr.Tensor {
  switch reduction {
  case .none:
    return input.rank == 1 ? Expr.Tensor(scalar: losses[0]) : Expr.Tensor(vector: losses)
  case .sum: return Expr.Tensor(scalar: .sum(losses))
  case .mean: return Expr.Tensor(scalar: .sum(losses) / denominator)
  }
}
