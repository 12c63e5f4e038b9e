/// PyTorch's similarity and normalization functions (`torch.nn.functional`).
///
/// Both divide by a norm clamped below at `eps`, as ATen does: `max(norm, eps)`. Above
/// `eps` that is the norm (the full derivative); below it the constant `eps`, through
/// which no gradient flows (ATen clamps under `no_grad`, and `max`'s derivative in its
/// smaller argument is 0 here too, recorded with torch 2.15 at a norm of 1e-9).

/// `cosine_similarity(x1, x2, dim=1, eps=1e-8)`: `sum_k (x1_k / max(|x1|, eps)) (x2_k /
/// max(|x2|, eps))` along `dim` (same shapes), the dimension removed.
public func cosineSimilarity(
  _ x1: Expr.Tensor, _ x2: Expr.Tensor, dim: Int = 1,
  eps: Expr = .number(Rational(numerator: 1, denominator: 100_000_000)!)
) throws -> Expr.Tensor {
  guard x2.shape == x1.shape else {
    throw LossError("x2 size \(x2.shape) must equal x1 size \(x1.shape) (PyTorch would broadcast)", argument: "x2")
  }
  let (d, lanes) = try x1.lanes(along: dim)
  let out = lanes.map { lane -> Expr in
    let a = lane.map { x1.elements[$0] }
    let b = lane.map { x2.elements[$0] }
    let na = max(pNorm(a, p: 2), eps)
    let nb = max(pNorm(b, p: 2), eps)
    return .sum(zip(a, b).map { ($0 / na) * ($1 / nb) })
  }
  var shape = x1.shape
  shape.remove(at: d)
  return Expr.Tensor(shape: shape, elements: out)
}

/// `normalize(input, p=2.0, dim=1, eps=1e-12)`: `x / max(||x||_p, eps)` along `dim` (the
/// shape kept; a 0-d tensor takes `dim` 0 or -1, as PyTorch); `p` any number or `+-inf`, as
/// `torch.linalg.vector_norm`'s `ord` (`pNorm`: `p = 0` counts the nonzero entries).
public func normalize(
  _ x: Expr.Tensor, p: Expr = 2, dim: Int = 1,
  eps: Expr = .number(Rational(numerator: 1, denominator: 1_000_000_000_000)!)
) throws -> Expr.Tensor {
  try checkNormOrder(p)
  // A 0-d tensor is its own lane for dim 0 or -1, as in PyTorch (x / max(|x|, eps) for p != 0).
  if x.rank == 0, dim != 0 && dim != -1 {
    throw LossError("Dimension out of range (expected to be in range of [-1, 0], but got \(dim))", argument: "dim")
  }
  let lanes = x.rank == 0 ? [[0]] : try x.lanes(along: dim).lanes
  var out = x.elements
  for lane in lanes {
    let v = lane.map { x.elements[$0] }
    let m = max(pNorm(v, p: p), eps)
    for i in lane { out[i] = x.elements[i] / m }
  }
  return Expr.Tensor(shape: x.shape, elements: out)
}

/// `gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean")`:
/// `(log(max(var, eps)) + (input - target)**2 / max(var, eps)) / 2`, plus `log(2 pi)/2`
/// with `full`. `var` has the input's shape, or it with the last dimension 1, or one
/// dimension fewer (broadcast along the last dimension); a negative number in it is an
/// error (PyTorch raises). Where `var < eps` SymGrad's derivative in `var` is the clamped
/// loss's, 0; PyTorch's backward differentiates at the clamped value as if `var` were it
/// (README "Divergences from PyTorch").
public func gaussianNLLLoss(
  _ input: Expr.Tensor, target: Expr.Tensor, variance: Expr.Tensor, full: Bool = false,
  eps: Expr = .number(Rational(numerator: 1, denominator: 1_000_000)!), reduction: Reduction = .mean
) throws -> Expr.Tensor {
  guard target.shape == input.shape else {
    throw LossError("target size \(target.shape) must equal input size \(input.shape)", argument: "target")
  }
  let last = input.shape.last ?? 1
  let perRow: Bool
  if variance.shape == input.shape {
    perRow = false
  } else if input.rank >= 1
    && (variance.shape == Array(input.shape.dropLast()) + [1] || variance.shape == Array(input.shape.dropLast()))
  {
    perRow = true
  } else {
    throw LossError("var is of incorrect size \(variance.shape) for input \(input.shape)", argument: "var")
  }
  if variance.elements.contains(where: { ($0.rationalValue?.signum ?? 0) < 0 }) {
    throw LossError("var has negative entry/entries", argument: "var")
  }
  let losses = input.elements.indices.map { i -> Expr in
    let v = max(variance.elements[perRow ? i / last : i], eps)
    let d = input.elements[i] - target.elements[i]
    let l = (log(v) + d * d / v) / 2
    return full ? l + log(2 * Expr.pi) / 2 : l
  }
  return reduction.apply(losses, shape: input.shape)
}
