/// `layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5)`, as PyTorch:
/// over the last `len(normalized_shape)` dimensions (which must equal `normalized_shape`),
/// `(x - mean) / sqrt(var + eps) * weight + bias` with the biased variance
/// `var = mean((x - mean)**2)`; `weight` and `bias` have the shape `normalized_shape`
/// (elementwise over each normalized group). The derivative is the formula's, which is
/// what PyTorch's `native_layer_norm_backward` computes.
public func layerNorm(
  _ input: Expr.Tensor, normalizedShape: [Int], weight: Expr.Tensor? = nil, bias: Expr.Tensor? = nil,
  eps: Expr = .number(Rational(numerator: 1, denominator: 100_000)!)
) throws -> Expr.Tensor {
  let k = normalizedShape.count
  guard k >= 1, input.rank >= k, Array(input.shape.suffix(k)) == normalizedShape else {
    throw LossError(
      "Given normalized_shape=\(normalizedShape), expected input with shape [*, \(normalizedShape.map(String.init).joined(separator: ", "))], but got input of size \(input.shape)",
      argument: "normalized_shape")
  }
  for (t, name) in [(weight, "weight"), (bias, "bias")] {
    if let t, t.shape != normalizedShape {
      throw LossError("\(name) must have the shape normalized_shape \(normalizedShape), got \(t.shape)", argument: name)
    }
  }
  let group = normalizedShape.reduce(1, *)
  var out: [Expr] = []
  out.reserveCapacity(input.count)
  for g in 0..<(input.count / group) {
    let xs = Array(input.elements[(g * group)..<((g + 1) * group)])
    let mean = Expr.sum(xs) / .number(group)
    let centered = xs.map { $0 - mean }
    let variance = Expr.sum(centered.map { $0 * $0 }) / .number(group)
    let scale = 1 / sqrt(variance + eps)
    for (i, c) in centered.enumerated() {
      var y = c * scale
      if let weight { y = y * weight.elements[i] }
      if let bias { y = y + bias.elements[i] }
      out.append(y)
    }
  }
  return Expr.Tensor(shape: input.shape, elements: out)
}
