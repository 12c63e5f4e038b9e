/// PyTorch's implicit dimension of `softmax`, `log_softmax` and `softmin` called without
/// `dim` (deprecated there, with a warning): 0 for 0-, 1- and 3-D inputs, else 1.
public func implicitSoftmaxDimension(rank: Int) -> Int {
  rank == 0 || rank == 1 || rank == 3 ? 0 : 1
}

/// `softmax(x, dim)`: `y_i = exp(x_i) / sum_j exp(x_j)` along `dim` (PyTorch's
/// `F.softmax`). PyTorch subtracts the row maximum first; symbolically that is the same
/// function, and the limit evaluation handles the infinite inputs that motivate it.
///
/// At `-inf` an entry's weight is 0 (and so is its gradient); an all `-inf` row has no
/// limit (PyTorch: NaN); a `+inf` entry takes all the weight in the limit (PyTorch: NaN).
public func softmax(_ x: Expr.Tensor, dim: Int = -1) throws -> Expr.Tensor {
  try alongDimension(x, dim) { row in
    let s = Expr.sum(row.map(exp))
    return row.map { exp($0) / s }
  }
}

/// `log_softmax(x, dim)`: `z_i = x_i - log(sum_j exp(x_j))` along `dim`.
///
/// At an entry equal to `-inf` the value is `-inf` and the gradient with respect to it
/// is the upstream gradient itself (as in PyTorch).
public func logSoftmax(_ x: Expr.Tensor, dim: Int = -1) throws -> Expr.Tensor {
  try alongDimension(x, dim) { row in
    let l = log(Expr.sum(row.map(exp)))
    return row.map { $0 - l }
  }
}

/// Applies `f` to every 1-D slice of `x` along `dim` (negative counts from the end). A
/// 0-dim tensor is one slice of one entry (PyTorch accepts `dim` 0 or -1 for it).
func alongDimension(_ x: Expr.Tensor, _ dim: Int, _ f: ([Expr]) -> [Expr]) throws -> Expr.Tensor {
  if x.rank == 0 {
    guard dim == 0 || dim == -1 else {
      throw LossError("Dimension out of range (expected to be in range of [-1, 0], but got \(dim))", argument: "dim")
    }
    return Expr.Tensor(scalar: f(x.elements)[0])
  }
  let d = dim < 0 ? dim + x.rank : dim
  guard d >= 0 && d < x.rank else {
    throw LossError(
      "Dimension out of range (expected to be in range of [\(-x.rank), \(x.rank - 1)], but got \(dim))", argument: "dim"
    )
  }
  let n = x.shape[d]
  let inner = x.shape[(d + 1)...].reduce(1, *)
  let outer = x.shape[..<d].reduce(1, *)
  var out = x.elements
  for o in 0..<outer {
    for i in 0..<inner {
      let idx = (0..<n).map { o * n * inner + $0 * inner + i }
      let ys = f(idx.map { x.elements[$0] })
      for (k, j) in idx.enumerated() { out[j] = ys[k] }
    }
  }
  return Expr.Tensor(shape: x.shape, elements: out)
}

/// `logsumexp(x, dim, keepdim=False)`: `log(sum_j exp(x_j))` along `dim`, the dimension
/// removed (or kept with size 1). At `-inf` entries the term is 0; all `-inf` gives
/// `-inf` (the limit).
public func logSumExp(_ x: Expr.Tensor, dim: Int, keepdim: Bool = false) throws -> Expr.Tensor {
  try x.reduced(over: [dim], keepdim: keepdim) { log(.sum($0.map(exp))) }
}
