/// The target of `cross_entropy`: class indices (shape N, or one index for a C input, or
/// (N, d1, ..., dK) row-major for an (N, C, d1, ..., dK) input) or class probabilities
/// (the input's shape).
public enum CrossEntropyTarget: Sendable, Equatable {
  case classIndices([Int])
  case probabilities(Expr.Tensor)
}

/// `cross_entropy(input, target, weight=None, ignore_index=-100, reduction="mean",
/// label_smoothing=0.0)`, with PyTorch's exact rules.
///
/// Class indices, `logp = log_softmax(input)`, smoothing `e`, C classes:
/// ```
/// L = (1 - e) * nll_loss(logp, target, weight, ignore_index, reduction)
///     + (e / C) * S,     S_n = -sum_c w_c * logp[n, c]   (0 for ignored rows)
/// ```
/// where `S` is reduced like the NLL term: `mean` divides by the same denominator,
/// `sum_{n not ignored} w[y_n]`.
///
/// Probabilities `p` (same shape as the input): `q = (1 - e) p + e / C`,
/// `l_n = -sum_c w_c q_nc logp_nc`, and `mean` divides by N (not by the weights);
/// `ignore_index` is not allowed.
///
/// An (N, C, d1, ..., dK) input has its classes in dimension 1 (softmax along it): each
/// position is a row as above, `mean` divides by the weights of all counted positions
/// (class indices) or by N d1 ... dK (probabilities), and `none` has shape (N, d1, ..., dK).
///
/// At a `-inf` logit: a non-target entry contributes 0 loss and 0 gradient; a target
/// entry makes the loss `inf`. A probability 0 at a `-inf` logit contributes 0
/// (`0 * log 0 = 0` in the limit; PyTorch gives NaN).
public func crossEntropy(
  _ input: Expr.Tensor, target: CrossEntropyTarget, weight: [Expr]? = nil, ignoreIndex: Int = -100,
  reduction: Reduction = .mean, labelSmoothing: Expr = .zero
) throws -> Expr.Tensor {
  if let e = labelSmoothing.rationalValue, e < Rational(0) || e > Rational(1) {
    throw LossError("label_smoothing must be between 0.0 and 1.0. Got: \(e.toDouble())", argument: "label_smoothing")
  }
  if input.rank >= 3 {
    // (N, C, d1, ..., dK): the same loss on the (N d1 ... dK) x C matrix of positions,
    // with PyTorch's denominators (the weights of the counted positions, or N d1 ... dK
    // for probabilities); `none` keeps the shape (N, d1, ..., dK).
    let rows: CrossEntropyTarget
    switch target {
    case .classIndices(let t): rows = .classIndices(t)
    case .probabilities(let p):
      guard p.shape == input.shape else {
        throw LossError("Expected target size \(input.shape), got \(p.shape)", argument: "target")
      }
      rows = .probabilities(p.classesLast)
    }
    let flat = try crossEntropy(
      input.classesLast, target: rows, weight: weight, ignoreIndex: ignoreIndex,
      reduction: reduction, labelSmoothing: labelSmoothing)
    return reduction == .none ? Expr.Tensor(shape: input.shapeWithoutClasses, elements: flat.elements) : flat
  }
  let logp = try logSoftmax(input, dim: -1)
  let (rows, columns) = input.asRows
  let c = Expr.number(columns)
  let e = labelSmoothing
  switch target {
  case .classIndices(let t):
    let nll = try nllLoss(logp, target: t, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
    if e.isZero { return nll }
    var smooth: [Expr] = []
    var weights: [Expr] = []
    for n in 0..<rows {
      if t[n] == ignoreIndex {
        smooth.append(.zero)
        continue
      }
      let row = logp.row(n)
      smooth.append(-.sum(row.indices.map { (weight?[$0 - n * columns] ?? .one) * row[$0] }))
      weights.append(weight?[t[n]] ?? .one)
    }
    let s = reduce(smooth, input: input, reduction: reduction, denominator: .sum(weights))
    return Expr.Tensor(shape: nll.shape, elements: zip(nll.elements, s.elements).map { (1 - e) * $0 + e / c * $1 })
  case .probabilities(let p):
    guard p.shape == input.shape else {
      throw LossError("Expected target size \(input.shape), got \(p.shape)", argument: "target")
    }
    guard ignoreIndex == -100 else {
      throw LossError("ignore_index is not supported for floating point target", argument: "ignore_index")
    }
    if let w = weight, w.count != columns {
      throw LossError(
        "weight tensor should be defined either for all \(columns) classes or no classes but got weight tensor of shape: [\(w.count)]",
        argument: "weight")
    }
    var losses: [Expr] = []
    for n in 0..<rows {
      let row = logp.row(n)
      let probs = p.row(n)
      losses.append(
        -.sum(
          zip(row.indices, probs).map { k, pk in
            let q = e.isZero ? pk : (1 - e) * pk + e / c
            return (weight?[k - n * columns] ?? .one) * q * row[k]
          }))
    }
    return reduce(losses, input: input, reduction: reduction, denominator: .number(rows))
  }
}
