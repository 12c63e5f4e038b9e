/// `binary_cross_entropy(input, target, weight=None, reduction="mean")`.
///
/// ```
/// l = -w [y * max(log x, -100) + (1 - y) * max(log(1 - x), -100)]     (clampLog, PyTorch)
/// l = -w [y * log x + (1 - y) * log(1 - x)]                            (exact)
/// ```
/// `mean` averages over every element. PyTorch requires input and target in [0, 1]:
/// checked here for numeric entries; symbolic entries are wrapped in the domain guard
/// `Function.unitInterval`, so every evaluation (library, command line, limits, proofs)
/// checks them. PyTorch's backward is `w (x - y) / max(x (1 - x), 1e-12)`, its own
/// formula rather than the derivative of the clamped forward: they agree wherever the
/// clamp is inactive; at `x = 0` or `1` see the documented divergences.
public func binaryCrossEntropy(
  _ input: Expr.Tensor, target: Expr.Tensor, weight: Expr.Tensor? = nil, reduction: Reduction = .mean,
  clampLog: Bool = true
) throws -> Expr.Tensor {
  guard target.shape == input.shape else {
    throw LossError(
      "Using a target size (\(target.shape)) that is different to the input size (\(input.shape)) is deprecated. Please ensure they have the same size.",
      argument: "target")
  }
  for (name, t) in [("input", input), ("target", target)] {
    for v in t.elements {
      if let r = v.rationalValue, r < Rational(0) || r > Rational(1) {
        throw LossError("all elements of \(name) should be between 0 and 1", argument: name)
      }
      if v.isUndefined { throw LossError("all elements of \(name) should be between 0 and 1", argument: name) }
    }
  }
  let w = try weight.map { try broadcast($0, to: input.shape, name: "weight") }
  let floor = Expr.number(-100)
  let losses = input.elements.indices.map { i -> Expr in
    // Symbolic entries carry PyTorch's [0, 1] check with them (`Expr.Function.unitInterval`).
    let x = Expr.apply(.unitInterval, [input.elements[i]])
    let y = Expr.apply(.unitInterval, [target.elements[i]])
    var a = log(x)
    var b = log(1 - x)
    if clampLog {
      a = max(a, floor)
      b = max(b, floor)
    }
    return -(w?.elements[i] ?? .one) * (y * a + (1 - y) * b)
  }
  return reduceElementwise(losses, shape: input.shape, reduction: reduction)
}

/// The shape two shapes broadcast to (NumPy's rules: aligned at the last dimension, a size
/// 1 stretches), or PyTorch's error naming the second argument.
func broadcastShape(_ a: [Int], _ b: [Int], names: (String, String)) throws -> [Int] {
  let rank = Swift.max(a.count, b.count)
  let pa = Array(repeating: 1, count: rank - a.count) + a
  let pb = Array(repeating: 1, count: rank - b.count) + b
  var shape: [Int] = []
  for d in 0..<rank {
    guard pa[d] == pb[d] || pa[d] == 1 || pb[d] == 1 else {
      throw LossError(
        "the size of \(names.0) (\(pa[d])) must match the size of \(names.1) (\(pb[d])) at non-singleton dimension \(d)",
        argument: names.1)
    }
    shape.append(pa[d] == 1 ? pb[d] : pa[d])
  }
  return shape
}

/// `a` and `b` broadcast to their common shape (`broadcastShape`), or PyTorch's error.
func broadcastTogether(_ a: Expr.Tensor, _ b: Expr.Tensor, names: (String, String)) throws -> (Expr.Tensor, Expr.Tensor)
{
  let shape = try broadcastShape(a.shape, b.shape, names: names)
  return (try broadcast(a, to: shape, name: names.0), try broadcast(b, to: shape, name: names.1))
}

/// Broadcasts `t` to `shape` (NumPy rules), or throws naming `name`.
func broadcast(_ t: Expr.Tensor, to shape: [Int], name: String) throws -> Expr.Tensor {
  if t.shape == shape { return t }
  guard t.rank <= shape.count else {
    throw LossError("\(name) of shape \(t.shape) cannot broadcast to \(shape)", argument: name)
  }
  let padded = Array(repeating: 1, count: shape.count - t.rank) + t.shape
  for (a, b) in zip(padded, shape) where a != b && a != 1 {
    throw LossError("\(name) of shape \(t.shape) cannot broadcast to \(shape)", argument: name)
  }
  let total = shape.reduce(1, *)
  var out: [Expr] = []
  out.reserveCapacity(total)
  for flat in 0..<total {
    var rem = flat
    var src = 0
    var step = 1
    var index = Array(repeating: 0, count: shape.count)
    for d in stride(from: shape.count - 1, through: 0, by: -1) {
      index[d] = rem % shape[d]
      rem /= shape[d]
    }
    for d in stride(from: shape.count - 1, through: 0, by: -1) {
      let i = padded[d] == 1 ? 0 : index[d]
      src += i * step
      step *= padded[d]
    }
    out.append(t.elements[src])
  }
  return Expr.Tensor(shape: shape, elements: out)
}

/// `none` keeps the shape; `mean` averages over every element; `sum` adds them.
func reduceElementwise(_ losses: [Expr], shape: [Int], reduction: Reduction) -> Expr.Tensor {
  switch reduction {
  case .none: return Expr.Tensor(shape: shape, elements: losses)
  case .sum: return Expr.Tensor(scalar: .sum(losses))
  case .mean: return Expr.Tensor(scalar: .sum(losses) / .number(losses.count))
  }
}
