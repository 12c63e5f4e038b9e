/// `mse_loss(input, target, reduction="mean")`: `l_i = (x_i - y_i)^2`; `mean` divides by
/// the number of elements. Input and target must have the same shape (PyTorch broadcasts
/// other shapes with a warning that it is likely a mistake; SymGrad refuses them).
public func mseLoss(_ input: Expr.Tensor, target: Expr.Tensor, reduction: Reduction = .mean) throws -> Expr.Tensor {
  try elementwiseLoss(input, target, reduction) { x, y in (x - y) * (x - y) }
}

/// `l1_loss(input, target, reduction="mean")`: `l_i = |x_i - y_i|`; `mean` divides by
/// the number of elements. At `x_i == y_i` the derivative is 0 (`d|u| = sign(u)`), as
/// PyTorch's backward (`sign(x - y)`).
public func l1Loss(_ input: Expr.Tensor, target: Expr.Tensor, reduction: Reduction = .mean) throws -> Expr.Tensor {
  try elementwiseLoss(input, target, reduction) { x, y in abs(x - y) }
}

/// `huber_loss(input, target, reduction="mean", delta=1.0)`, per element with `d = x - y`:
/// `d^2/2` where `|d| < delta`, else `delta (|d| - delta/2)`. Written without a branch as
/// `q^2/2 + delta (|d| - q)` with `q = min(|d|, delta)`, which is the same function. Its
/// derivative is continuous: `d` inside, `delta sign(d)` outside, and at `|d| = delta` both
/// give `+-delta` (PyTorch's backward, whatever side it takes); at `d = 0` it is 0.
/// `delta` must be a number > 0 (PyTorch raises otherwise). `mean` divides by the count.
public func huberLoss(
  _ input: Expr.Tensor, target: Expr.Tensor, reduction: Reduction = .mean, delta: Expr = .one
) throws -> Expr.Tensor {
  guard let r = delta.rationalValue, r > Rational(0) else {
    throw LossError("huber_loss does not support non-positive values for delta, got \(delta)", argument: "delta")
  }
  return try elementwiseLoss(input, target, reduction) { x, y in huber(x - y, delta: .number(r)) }
}

/// `smooth_l1_loss(input, target, reduction="mean", beta=1.0)`, per element with
/// `d = x - y`: `d^2/(2 beta)` where `|d| < beta`, else `|d| - beta/2` -- that is
/// `huber(d, delta: beta)/beta`; `beta = 0` is `l1_loss` (as PyTorch, which dispatches to
/// it). Derivative `d/beta` inside, `sign(d)` outside, continuous at `|d| = beta`, 0 at
/// `d = 0`. `beta` must be a number >= 0 (PyTorch raises for negative values).
public func smoothL1Loss(
  _ input: Expr.Tensor, target: Expr.Tensor, reduction: Reduction = .mean, beta: Expr = .one
) throws -> Expr.Tensor {
  guard let r = beta.rationalValue, r >= Rational(0) else {
    throw LossError("smooth_l1_loss does not support negative values for beta, got \(beta)", argument: "beta")
  }
  if r.isZero { return try l1Loss(input, target: target, reduction: reduction) }
  return try elementwiseLoss(input, target, reduction) { x, y in huber(x - y, delta: .number(r)) / .number(r) }
}

/// Huber's function of a difference `d`, branch-free: `q^2/2 + delta (|d| - q)`,
/// `q = min(|d|, delta)` (see `huberLoss`).
func huber(_ d: Expr, delta: Expr) -> Expr {
  let a = abs(d)
  let q = min(a, delta)
  return q * q / 2 + delta * (a - q)
}

/// A loss of each (input, target) pair, reduced over all elements (`mean` by the count).
func elementwiseLoss(
  _ input: Expr.Tensor, _ target: Expr.Tensor, _ reduction: Reduction,
  _ f: (Expr, Expr) throws -> Expr
) throws -> Expr.Tensor {
  guard input.shape == target.shape else {
    throw LossError(
      "target size \(target.shape) must equal input size \(input.shape) (PyTorch would broadcast with a warning)",
      argument: "target")
  }
  return reduction.apply(try zip(input.elements, target.elements).map(f), shape: input.shape)
}

/// `kl_div(input, target, reduction="mean", log_target=False)`, PyTorch's pointwise
/// `target * (log(target) - input)` (0 where a literal target is 0, as `xlogy`), or
/// `exp(target) * (target - input)` with `log_target`. `batchmean` divides the sum by
/// `input.size(0)` (the mathematically meaningful KL for a batch); `mean` by the number of
/// elements, as PyTorch (which warns that this is not the KL divergence).
public func klDiv(_ input: Expr.Tensor, target: Expr.Tensor, reduction: String = "mean", logTarget: Bool = false) throws
  -> Expr.Tensor
{
  guard input.shape == target.shape else {
    throw LossError("target size \(target.shape) must equal input size \(input.shape)", argument: "target")
  }
  let losses = zip(input.elements, target.elements).map { x, t -> Expr in
    if logTarget { return exp(t) * (t - x) }
    if t.isZero { return .zero }
    return t * (log(t) - x)
  }
  switch reduction {
  case "none": return Expr.Tensor(shape: input.shape, elements: losses)
  case "sum": return Expr.Tensor(scalar: .sum(losses))
  case "mean": return Expr.Tensor(scalar: .sum(losses) / .number(losses.count))
  case "batchmean":
    let n = input.rank == 0 ? 1 : input.shape[0]
    return Expr.Tensor(scalar: .sum(losses) / .number(n))
  default:
    throw LossError(
      "reduction must be \"none\", \"mean\", \"sum\" or \"batchmean\", got \"\(reduction)\"", argument: "reduction")
  }
}

/// `soft_margin_loss(input, target, reduction="mean")`: `log(1 + exp(-y x))` per element
/// (written `softplus(-y x)`), `mean` over the elements.
public func softMarginLoss(_ input: Expr.Tensor, target: Expr.Tensor, reduction: Reduction = .mean) throws
  -> Expr.Tensor
{
  try elementwiseLoss(input, target, reduction) { x, y in softplus(-y * x) }
}

/// `poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8,
/// reduction="mean")`, as PyTorch: `exp(x) - y x` (log_input), else `x - y log(x + eps)`
/// (PyTorch's hidden eps, copied); `full` adds Stirling's term
/// `y log y - y + log(2 pi y)/2` where `y > 1` (a selection, `where(y > 1, ..., 0)`, for a
/// symbolic target: the term and its derivative only where `y > 1`).
public func poissonNLLLoss(
  _ input: Expr.Tensor, target: Expr.Tensor, logInput: Bool = true, full: Bool = false,
  eps: Expr = .number(Rational(numerator: 1, denominator: 100_000_000)!),
  reduction: Reduction = .mean
) throws -> Expr.Tensor {
  try elementwiseLoss(input, target, reduction) { x, y in
    var l = logInput ? exp(x) - y * x : x - y * log(x + eps)
    if full {
      // where(y > 1, stirling, 0): a selection, so a symbolic target's term is evaluated
      // only where it applies (log y is undefined below 0, where the term is 0); numeric
      // targets select at construction.
      l = l + Expr.selection(y, .greater, 1, y * log(y) - y + log(2 * Expr.pi * y) / 2, 0)
    }
    return l
  }
}
