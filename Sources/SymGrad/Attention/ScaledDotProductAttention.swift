/// `F.scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False,
/// scale=None)` for one head: query L x E, key S x E, value S x Ev.
///
/// ```
/// scores  = query @ key^T * scale + masks        (scale = 1/sqrt(E) by default)
/// weights = softmax(scores, dim=-1)
/// output  = weights @ value
/// ```
/// Masks add up: `attn_mask` (bool: true = attend, or float, added), `is_causal` (key
/// j > query i gets `-inf`), and the extensions `key_padding_mask` (MultiheadAttention
/// convention, true = masked) and `attention_mask` (Hugging Face 0/1).
///
/// A masked key (`-inf`) gets exactly zero weight and zero gradient in the limit. A fully
/// masked row has, under the project's limit rule (every `-inf` tends to infinity at the
/// same rate), the weights of its scores as if unmasked; PyTorch gives 0 (SDPA since 2.5)
/// or NaN (`nn.MultiheadAttention` with need_weights=True).
public func scaledDotProductAttention(
  query: Expr.Tensor, key: Expr.Tensor, value: Expr.Tensor, masks: [AttentionMask] = [], isCausal: Bool = false,
  scale: Expr? = nil
) throws -> Expr.Tensor {
  let w = try attentionWeights(query: query, key: key, masks: masks, isCausal: isCausal, scale: scale)
  guard value.rank == 2, value.shape[0] == key.shape[0] else {
    throw LossError("value must be S x Ev with S = \(key.shape[0]) rows, got shape \(value.shape)", argument: "value")
  }
  let (l, s, ev) = (query.shape[0], key.shape[0], value.shape[1])
  var out: [Expr] = []
  for i in 0..<l {
    for c in 0..<ev {
      out.append(.sum((0..<s).map { j in w.elements[i * s + j] * value.elements[j * ev + c] }))
    }
  }
  return Expr.Tensor(shape: [l, ev], elements: out)
}

/// The L x S attention weights `softmax(query @ key^T * scale + masks)` of
/// `scaledDotProductAttention`.
public func attentionWeights(
  query: Expr.Tensor, key: Expr.Tensor, masks: [AttentionMask] = [], isCausal: Bool = false, scale: Expr? = nil
) throws -> Expr.Tensor {
  guard query.rank == 2, key.rank == 2, query.shape[1] == key.shape[1] else {
    throw LossError(
      "query (L x E) and key (S x E) must be matrices with the same E, got \(query.shape) and \(key.shape)",
      argument: "key")
  }
  let (l, e, s) = (query.shape[0], query.shape[1], key.shape[0])
  let factor = scale ?? .power(.number(e), .number(Rational(numerator: -1, denominator: 2)!))
  var scores: [Expr] = []
  for i in 0..<l {
    for j in 0..<s {
      scores.append(factor * .sum((0..<e).map { query.elements[i * e + $0] * key.elements[j * e + $0] }))
    }
  }
  var additive = masks.isEmpty ? [] : try masks.map { try $0.additive(queries: l, keys: s) }
  if isCausal {
    additive.append(
      Expr.Tensor(matrix: (0..<l).map { i in (0..<s).map { j in j > i ? Expr.negativeInfinity : .zero } }))
  }
  for m in additive { scores = zip(scores, m.elements).map { $0 + $1 } }
  return try softmax(Expr.Tensor(shape: [l, s], elements: scores), dim: -1)
}
