/// PyTorch's margin and embedding losses (`torch.nn.functional`), with PyTorch's
/// reductions.
///
/// Each hinge `max(0, z)` is written `z [z > 0]` (`Expr.relu`): at the kink `z = 0` the
/// derivative is 0, which is what PyTorch's backward returns for every one of these losses
/// (recorded with torch 2.15 at the kinks: `Scripts/record_pytorch_margin.py`). `mean`
/// divides by the number of loss elements (per sample for the multi-class ones: N), as
/// PyTorch.

/// `margin_ranking_loss(input1, input2, target, margin=0, reduction="mean")`:
/// `max(0, -y (x1 - x2) + margin)` elementwise (same shapes).
public func marginRankingLoss(
  _ input1: Expr.Tensor, _ input2: Expr.Tensor, target: Expr.Tensor, margin: Expr = .zero,
  reduction: Reduction = .mean
) throws -> Expr.Tensor {
  guard input1.shape == input2.shape else {
    throw LossError("input2 size \(input2.shape) must equal input1 size \(input1.shape)", argument: "input2")
  }
  guard target.shape == input1.shape else {
    throw LossError("target size \(target.shape) must equal input size \(input1.shape)", argument: "target")
  }
  let losses = zip(zip(input1.elements, input2.elements), target.elements).map { p, y in
    Expr.relu(-y * (p.0 - p.1) + margin)
  }
  return reduction.apply(losses, shape: input1.shape)
}

/// `hinge_embedding_loss(input, target, margin=1.0, reduction="mean")`, as ATen composes
/// it: `x` where `y != -1`, plus `max(0, margin - x)` where `y != 1` (so a target that is
/// neither adds both). The branch conditions are indicators of the target, `[y != c] =
/// sign(y - c)**2` (derivative 0 in `y`, as PyTorch's `where`), so a symbolic target works
/// too; a numeric one folds them to 0 or 1.
public func hingeEmbeddingLoss(
  _ input: Expr.Tensor, target: Expr.Tensor, margin: Expr = .one, reduction: Reduction = .mean
) throws -> Expr.Tensor {
  guard target.shape == input.shape else {
    throw LossError("target size \(target.shape) must equal input size \(input.shape)", argument: "target")
  }
  let losses = zip(input.elements, target.elements).map { x, y -> Expr in
    differs(y, -1) * x + differs(y, 1) * Expr.relu(margin - x)
  }
  return reduction.apply(losses, shape: input.shape)
}

/// `[y != c] = sign(y - c)**2`: 0 or 1, derivative 0.
private func differs(_ y: Expr, _ c: Expr) -> Expr {
  let s = sign(y - c)
  return s * s
}

/// `multilabel_soft_margin_loss(input, target, weight=None, reduction="mean")`, as PyTorch
/// composes it: the elementwise `-(y log sigmoid(x) + (1 - y) log sigmoid(-x))`, times
/// `weight` if given, summed over the input's last dimension and divided by its size C.
/// Input of any rank >= 1 (`(C)` and `(N, C)` are the documented ones); target and weight
/// broadcast with it (weight `(C)` per class, `(N, C)` per element, ...), as PyTorch's
/// elementwise operations do, provided the broadcast keeps the input's rank (PyTorch would
/// then sum over a dimension other than the classes: refused).
public func multilabelSoftMarginLoss(
  _ input: Expr.Tensor, target: Expr.Tensor, weight: Expr.Tensor? = nil, reduction: Reduction = .mean
) throws -> Expr.Tensor {
  guard input.rank >= 1 else {
    throw LossError("input must have a class dimension (C) or (N, C), got a scalar", argument: "input")
  }
  var shape = try broadcastShape(input.shape, target.shape, names: ("input", "target"))
  if let weight { shape = try broadcastShape(shape, weight.shape, names: ("input", "weight")) }
  guard shape.count == input.rank else {
    throw LossError(
      "input \(input.shape), target \(target.shape) and weight broadcast to \(shape), of another rank than the input: the class dimension would move",
      argument: weight != nil && target.rank <= input.rank ? "weight" : "target")
  }
  let x = try broadcast(input, to: shape, name: "input")
  let y = try broadcast(target, to: shape, name: "target")
  let w = try weight.map { try broadcast($0, to: shape, name: "weight") }
  let c = input.shape.last!
  let elements = x.elements.indices.map { i -> Expr in
    let l = y.elements[i] * softplus(-x.elements[i]) + (1 - y.elements[i]) * softplus(x.elements[i])
    return w.map { $0.elements[i] * l } ?? l
  }
  let lanes = Expr.Tensor(shape: shape, elements: elements)
  let (rows, _) = lanes.asRows
  let losses = (0..<rows).map { n in Expr.sum(Array(lanes.row(n))) / .number(c) }
  return reduction.apply(losses, shape: Array(shape.dropLast()))
}

/// `cosine_embedding_loss(input1, input2, target, margin=0, reduction="mean")`: per row,
/// `1 - cos` where `y = 1`, `max(0, cos - margin)` where `y = -1`, 0 otherwise, with ATen's
/// `cos = x1.x2 / sqrt((|x1|^2 + eps)(|x2|^2 + eps))` and `eps = float32(1e-12)` (a float
/// constant in ATen, so `9.99999996e-13` even in float64; recorded). Inputs `(D)` or
/// `(N, D)`, target `()` or `(N)` (branches by indicators `[y = c] = 1 - sign(y - c)**2`,
/// so a symbolic target works too, with derivative 0 in it, as PyTorch's `where`).
public func cosineEmbeddingLoss(
  _ input1: Expr.Tensor, _ input2: Expr.Tensor, target: Expr.Tensor, margin: Expr = .zero,
  reduction: Reduction = .mean
) throws -> Expr.Tensor {
  guard input1.rank == 1 || input1.rank == 2 else {
    throw LossError("input1 must be (D) or (N, D), got \(input1.shape)", argument: "input1")
  }
  guard input2.shape == input1.shape else {
    throw LossError("input2 size \(input2.shape) must equal input1 size \(input1.shape)", argument: "input2")
  }
  let (rows, _) = input1.asRows
  guard target.shape == (input1.rank == 1 ? [] : [rows]) else {
    throw LossError("target must have one entry per row (\(rows)), got \(target.shape)", argument: "target")
  }
  let eps = Expr.number(Rational(exactly: Double(Float(1e-12)))!)
  var losses: [Expr] = []
  for n in 0..<rows {
    let a = input1.row(n)
    let b = input2.row(n)
    let dot = Expr.sum(zip(a, b).map { $0 * $1 })
    let cosine = dot / sqrt((Expr.sum(a.map { $0 * $0 }) + eps) * (Expr.sum(b.map { $0 * $0 }) + eps))
    let y = target.elements[n]
    losses.append((1 - differs(y, 1)) * (1 - cosine) + (1 - differs(y, -1)) * Expr.relu(cosine - margin))
  }
  return reduction.apply(losses, shape: target.shape)
}

/// `multi_margin_loss(input, target, p=1, margin=1, weight=None, reduction="mean")`: per
/// sample with class `y`, `sum_{i != y} w_y max(0, margin - x_y + x_i)^p / C` (`p` 1 or
/// 2); input `()` (one sample of one class: the loss is 0), `(C)` or `(N, C)`, target `()`
/// or `(N)` class indices (`targetShape`; nil: `()` for one sample, else `(N)`). As ATen,
/// "none" gives shape `(N)` when the target has a dimension and `()` when it has none,
/// whatever the input's rank.
public func multiMarginLoss(
  _ input: Expr.Tensor, target: [Int], targetShape: [Int]? = nil, p: Int = 1, margin: Expr = .one,
  weight: [Expr]? = nil, reduction: Reduction = .mean
) throws -> Expr.Tensor {
  guard p == 1 || p == 2 else { throw LossError("only p == 1 and p == 2 supported (PyTorch too)", argument: "p") }
  guard input.rank <= 2 else {
    throw LossError("input must be (), (C) or (N, C), got \(input.shape)", argument: "input")
  }
  let (rows, c) = input.asRows
  let targetShape = targetShape ?? (input.rank == 2 ? [rows] : [])
  guard target.count == rows, targetShape.count <= 1, targetShape.reduce(1, *) == target.count else {
    throw LossError(
      "target must be () or (N) with one class index per sample (\(rows)), got shape \(targetShape)",
      argument: "target")
  }
  if let weight, weight.count != c {
    throw LossError("weight must have \(c) entries (one per class), got \(weight.count)", argument: "weight")
  }
  var losses: [Expr] = []
  for n in 0..<rows {
    let y = target[n]
    guard (0..<c).contains(y) else {
      throw LossError("target \(y) is out of bounds for \(c) classes", argument: "target")
    }
    let x = Array(input.row(n))
    var terms: [Expr] = []
    for i in 0..<c where i != y {
      let h = Expr.relu(margin - x[y] + x[i])
      terms.append(p == 1 ? h : h * h)
    }
    let l = Expr.sum(terms) / .number(c)
    losses.append(weight.map { $0[y] * l } ?? l)
  }
  return reduction.apply(losses, shape: targetShape.isEmpty ? [] : [rows])
}

/// `multilabel_margin_loss(input, target, reduction="mean")`: per sample, with the target
/// classes `J` (the entries before the first -1), `sum_{j in J} sum_{i not in J}
/// max(0, 1 - (x_j - x_i)) / C`; input `()` (one sample of one class: the loss is 0),
/// `(C)` or `(N, C)`, target with one entry per input entry (`()` or `(1)` for a 0-d input,
/// as ATen). "none" gives `(N)` for a 2-D input, `()` otherwise.
public func multilabelMarginLoss(_ input: Expr.Tensor, target: [Int], reduction: Reduction = .mean) throws
  -> Expr.Tensor
{
  guard input.rank <= 2 else {
    throw LossError("input must be (), (C) or (N, C), got \(input.shape)", argument: "input")
  }
  let (rows, c) = input.asRows
  guard target.count == rows * c else {
    throw LossError("target must have one entry per input entry (\(rows * c))", argument: "target")
  }
  var losses: [Expr] = []
  for n in 0..<rows {
    let x = Array(input.row(n))
    var labels: [Int] = []
    for k in target[(n * c)..<((n + 1) * c)] {
      if k < 0 { break }
      guard k < c else { throw LossError("target \(k) is out of bounds for \(c) classes", argument: "target") }
      labels.append(k)
    }
    let isLabel = Set(labels)
    var terms: [Expr] = []
    for j in labels {
      for i in 0..<c where !isLabel.contains(i) { terms.append(Expr.relu(1 - (x[j] - x[i]))) }
    }
    losses.append(.sum(terms) / .number(c))
  }
  return reduction.apply(losses, shape: input.rank == 2 ? [rows] : [])
}

/// `pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False)`: `||x1 - x2 + eps||_p` along
/// the last dimension (PyTorch's hidden `eps`, copied), as ATen: `x1` and `x2` broadcast
/// together (NumPy's rules) and the norm runs over the last dimension of the result (two
/// 0-d tensors: `|x1 - x2 + eps|`, shape `()` even with `keepdim`). `p` is any number or
/// `+-inf`, as `torch.linalg.vector_norm`'s `ord` (`pNorm`).
public func pairwiseDistance(
  _ x1: Expr.Tensor, _ x2: Expr.Tensor, p: Expr = 2,
  eps: Expr = .number(Rational(numerator: 1, denominator: 1_000_000)!),
  keepdim: Bool = false
) throws -> Expr.Tensor {
  try checkNormOrder(p)
  let (a, b) = try broadcastTogether(x1, x2, names: ("x1", "x2"))
  let (rows, _) = a.asRows
  let out = (0..<rows).map { n in pNorm(zip(a.row(n), b.row(n)).map { $0 - $1 + eps }, p: p) }
  let outShape = a.rank == 0 ? [] : Array(a.shape.dropLast()) + (keepdim ? [1] : [])
  return Expr.Tensor(shape: outShape, elements: out)
}

/// `||v||_p` as `torch.linalg.vector_norm(v, ord=p)`: `sqrt` of the squares for 2, the sum
/// of `|v_k|` for 1, `(sum |v_k|^p)^(1/p)` for other numbers (negative ones too: not a norm,
/// but PyTorch's definition; an entry 0 makes the sum infinite and the value 0, which
/// SymGrad reaches as the limit from above where `0**p` is undefined); for `p = 0` the
/// number of nonzero entries (`sum |sign(v_k)|`, derivative 0, as PyTorch's); for
/// `p = inf` / `-inf` the largest / smallest `|v_k|`, its derivative split evenly among
/// the entries that attain it (PyTorch's backward divides by the number of ties).
func pNorm(_ v: [Expr], p: Expr) -> Expr {
  if p.rationalValue == Rational(2) { return sqrt(.sum(v.map { $0 * $0 })) }
  if p.rationalValue == Rational(1) { return .sum(v.map(abs)) }
  if p.isZero { return .sum(v.map { abs(sign($0)) }) }
  if let c = p.constantValue, c == .infinity || c == .negativeInfinity {
    return Expr.evenExtremum(v.map(abs), largest: c == .infinity)
  }
  return .power(.sum(v.map { .power(abs($0), p) }), 1 / p)
}

/// `p` of a norm: a number or `+-inf` (`torch.linalg.vector_norm`'s `ord`).
func checkNormOrder(_ p: Expr) throws {
  if p.rationalValue != nil { return }
  if let c = p.constantValue, c == .infinity || c == .negativeInfinity { return }
  throw LossError("p must be a number, inf or -inf, got \(p)", argument: "p")
}

/// `triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
/// reduction="mean")`: `max(0, margin + d(a, p) - d(a, n))` per row with `d` the
/// `pairwise_distance` (its eps included); `swap` uses `min(d(a, n), d(p, n))` (a tie
/// splits the derivative evenly, as `torch.min` of two tensors).
public func tripletMarginLoss(
  anchor: Expr.Tensor, positive: Expr.Tensor, negative: Expr.Tensor, margin: Expr = .one, p: Expr = 2,
  eps: Expr = .number(Rational(numerator: 1, denominator: 1_000_000)!), swap: Bool = false,
  reduction: Reduction = .mean
) throws -> Expr.Tensor {
  guard anchor.rank == positive.rank && positive.rank == negative.rank else {
    throw LossError(
      "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor \(anchor.rank)D, positive \(positive.rank)D, and negative \(negative.rank)D inputs",
      argument: anchor.rank == positive.rank ? "negative" : "positive")
  }
  var dNeg = try pairwiseDistance(anchor, negative, p: p, eps: eps)
  if swap {
    let (a, b) = try broadcastTogether(
      dNeg, try pairwiseDistance(positive, negative, p: p, eps: eps), names: ("negative", "negative"))
    dNeg = Expr.Tensor(shape: a.shape, elements: zip(a.elements, b.elements).map { min($0, $1) })
  }
  // The two distances broadcast, as ATen's `margin + dist_pos - dist_neg`.
  let (dPos, dNegative) = try broadcastTogether(
    try pairwiseDistance(anchor, positive, p: p, eps: eps), dNeg, names: ("positive", "negative"))
  let losses = zip(dPos.elements, dNegative.elements).map { Expr.relu(margin + $0 - $1) }
  return reduction.apply(losses, shape: dPos.shape)
}
