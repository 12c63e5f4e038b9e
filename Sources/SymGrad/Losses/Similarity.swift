/// PyTorch's similarity and normalization functions (`torch.nn.functional`).
///
/// Both divide by a norm clamped below at `eps`, as ATen does: `max(norm, eps)`. Above
/// `eps` that is the norm (the full derivative); below it the constant `eps`, through
/// which no gradient flows (ATen clamps under `no_grad`, and `max`'s derivative in its
/// smaller argument is 0 here too, recorded with torch 2.15 at a norm of 1e-9).

/// `cosine_similarity(x1, x2, dim=1, eps=1e-8)`: `sum_k (x1_k / max(|x1|, eps)) (x2_k /
/// max(|x2|, eps))` along `dim`, the dimension removed. `x1` and `x2` broadcast to a common
/// shape first (NumPy's rules, as ATen), and `dim` refers to that shape.
public func cosineSimilarity(
  _ x1: Expr.Tensor, _ x2: Expr.Tensor, dim: Int = 1,
  eps: Expr = .number(Rational(numerator: 1, denominator: 100_000_000)!)
) throws -> Expr.Tensor {
  let (x1, x2) = try broadcastTogether(x1, x2, names: ("x1", "x2"))
  // A 0-d pair is its own lane for dim 0 or -1, as in PyTorch.
  if x1.rank == 0, dim != 0 && dim != -1 {
    throw LossError("Dimension out of range (expected to be in range of [-1, 0], but got \(dim))", argument: "dim")
  }
  let (d, lanes) = x1.rank == 0 ? (nil, [[0]]) : try x1.lanes(along: dim)
  let out = lanes.map { lane -> Expr in
    let a = lane.map { x1.elements[$0] }
    let b = lane.map { x2.elements[$0] }
    let na = max(pNorm(a, p: 2), eps)
    let nb = max(pNorm(b, p: 2), eps)
    return .sum(zip(a, b).map { ($0 / na) * ($1 / nb) })
  }
  var shape = x1.shape
  if let d { shape.remove(at: d) }
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
/// with `full`, as torch 2.15's `F.gaussian_nll_loss`: a scalar `var` (a Python float)
/// stands for every element; otherwise `var` has the input's shape, or it without the last
/// dimension (unsqueezed there), or the input's rank with exactly one mismatched dimension,
/// of size 1 (the homoscedastic cases); anything else is "var is of incorrect size". Input,
/// target and var then broadcast together (the loss has the broadcast shape, and "mean"
/// divides by its element count). A negative number in `var` is an error (PyTorch raises).
/// Where `var < eps` SymGrad's derivative in `var` is the clamped loss's, 0; PyTorch's
/// backward differentiates at the clamped value as if `var` were it (README "Divergences
/// from PyTorch").
public func gaussianNLLLoss(
  _ input: Expr.Tensor, target: Expr.Tensor, variance: Expr.Tensor, full: Bool = false,
  eps: Expr = .number(Rational(numerator: 1, denominator: 1_000_000)!), reduction: Reduction = .mean
) throws -> Expr.Tensor {
  if variance.elements.contains(where: { ($0.rationalValue?.signum ?? 0) < 0 }) {
    throw LossError("var has negative entry/entries", argument: "var")
  }
  var variance = variance
  if variance.rank == 0 {
    variance = try broadcast(variance, to: input.shape, name: "var")
  } else if variance.shape != input.shape {
    let mismatched = zip(input.shape, variance.shape).filter { $0 != $1 }.map(\.1)
    if input.rank >= 1 && variance.shape == Array(input.shape.dropLast()) {
      variance = Expr.Tensor(shape: variance.shape + [1], elements: variance.elements)
    } else if input.rank != variance.rank || mismatched.reduce(0, +) != 1 {
      throw LossError("var is of incorrect size \(variance.shape) for input \(input.shape)", argument: "var")
    }
  }
  // The shape input, target and var broadcast to (NumPy rules), or PyTorch's error.
  let shape = try broadcastShape(
    try broadcastShape(input.shape, target.shape, names: ("input", "target")), variance.shape, names: ("input", "var"))
  let x = try broadcast(input, to: shape, name: "input")
  let y = try broadcast(target, to: shape, name: "target")
  let v = try broadcast(variance, to: shape, name: "var")
  let losses = x.elements.indices.map { i -> Expr in
    let clamped = max(v.elements[i], eps)
    let d = x.elements[i] - y.elements[i]
    let l = (log(clamped) + d * d / clamped) / 2
    return full ? l + log(2 * Expr.pi) / 2 : l
  }
  return reduction.apply(losses, shape: shape)
}
