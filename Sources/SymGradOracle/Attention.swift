#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// `torch._safe_softmax` along the last dim: softmax, except rows whose entries are all `-inf`
/// give 0. Its backward is softmax's backward evaluated with the *safe* output, so a fully
/// masked row gets gradient 0 (derivatives.yaml: `_softmax_backward_data(grad, result, ...)`).
@differentiable(reverse,wrt: x)
func safeSoftmaxRows(_ x: [Double], rows: Int, columns: Int) -> [Double] {
  var y = softmax(x, rows: rows, columns: columns)
  for r in 0..<rows {
    var allMasked = true
    for c in 0..<columns where x[r * columns + c] != -.infinity {
      allMasked = false
      break
    }
    if allMasked { for c in 0..<columns { y[r * columns + c] = 0 } }
  }
  return y
}

@derivative(of: safeSoftmaxRows, wrt: x)
func safeSoftmaxRowsVJP(_ x: [Double], rows: Int, columns: Int)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let y = safeSoftmaxRows(x, rows: rows, columns: columns)
  return (y, { g in DoubleTangent(softmaxBackward(dense(g, count: y.count), y, rows: rows, columns: columns)) })
}

/// The additive causal mask of PyTorch's `is_causal` as an `L x S` row-major array.
///
/// ```
/// mask[i, j] = j > i ? -inf : 0
/// (= where(ones(L, S).tril(), 0, -inf), convert_boolean_attn_mask; for L == S this is
///  Transformer.generate_square_subsequent_mask(L))
/// ```
/// Row `i` keeps keys `0...i`, so no row is fully masked when `L <= S`; for `L > S` the rows
/// `i >= S` are not masked at all (top-left alignment, as PyTorch's `is_causal`).
public func causalAdditiveMask(l: Int, s: Int) -> [Double] {
  var m = [Double](repeating: 0, count: l * s)
  for i in 0..<l { for j in 0..<s where j > i { m[i * s + j] = -.infinity } }
  return m
}

/// The pre-softmax attention scores (`L x S`), with the scaling and mask placement of the
/// PyTorch path being mimicked (see `scaledDotProductAttention`).
@differentiable(reverse,wrt: (query, key))
func attentionScores(
  query: [Double], key: [Double], l: Int, s: Int, e: Int,
  additiveMask: [Double]?, isCausal: Bool, scale: Double?, safeSoftmax: Bool
) -> [Double] {
  precondition(query.count == l * e, "attention: query.count must be l * e")
  precondition(key.count == s * e, "attention: key.count must be s * e")
  precondition(
    !(isCausal && additiveMask != nil),
    "attention: an explicit mask should not be set when isCausal is true (PyTorch raises)")
  var mask: [Double]? = additiveMask
  if isCausal { mask = causalAdditiveMask(l: l, s: s) }
  if let m = mask { precondition(m.count == l * s, "attention: additiveMask.count must be l * s") }
  var scores: [Double]
  if safeSoftmax {
    // _scaled_dot_product_attention_math: q * sqrt(scale) @ (k * sqrt(scale))^T
    let requested = scale ?? 1 / Double(e).squareRoot()
    let factor = abs(requested).squareRoot()
    let queryFactor = requested < 0 ? 0 - factor : factor
    scores = matmulTransposed(scaled(query, by: queryFactor), scaled(key, by: factor), m: l, k: e, n: s)
  } else {
    // multi_head_attention_forward (need_weights=True): (q * sqrt(1 / E)) @ k^T, baddbmm(mask, ...)
    let factor = scale ?? (1 / Double(e)).squareRoot()
    scores = matmulTransposed(scaled(query, by: factor), key, m: l, k: e, n: s)
  }
  if let m = mask { scores = addingConstant(scores, m) }
  return scores
}

/// Attention weights `softmax(scores)` (`L x S`) of `scaledDotProductAttention`.
///
/// ```
/// scores = (q * sqrt(scale)) @ (k * sqrt(scale))^T + mask      (safeSoftmax: SDPA math path)
/// scores = (q * scale) @ k^T + mask                            (!safeSoftmax: MultiheadAttention)
/// weights = safeSoftmax ? _safe_softmax(scores) : softmax(scores)
/// ```
/// A fully masked row (all `-inf`) gives weights 0 and gradient 0 when `safeSoftmax`, and
/// NaN weights and gradients otherwise. See `scaledDotProductAttention` for the arguments,
/// defaults and preconditions. Differentiable with respect to `query` and `key`.
@differentiable(reverse,wrt: (query, key))
public func attentionWeights(
  query: [Double], key: [Double], l: Int, s: Int, e: Int,
  additiveMask: [Double]? = nil, isCausal: Bool = false, scale: Double? = nil,
  safeSoftmax: Bool = true
) -> [Double] {
  let scores = attentionScores(
    query: query, key: key, l: l, s: s, e: e, additiveMask: additiveMask,
    isCausal: isCausal, scale: scale, safeSoftmax: safeSoftmax)
  if safeSoftmax { return safeSoftmaxRows(scores, rows: l, columns: s) }
  return softmax(scores, rows: l, columns: s)
}

/// Scaled dot-product attention for one head: `softmax(q k^T * scale + mask) v`, returning `L x Ev`.
///
/// ```
/// safeSoftmax == true  (F.scaled_dot_product_attention, math path, PyTorch >= 2.5):
///   f = sqrt(scale ?? 1/sqrt(E));  A = _safe_softmax((q * f) @ (k * f)^T + mask);  out = A @ v
///   (a negative scale multiplies q by -sqrt(|scale|) and k by sqrt(|scale|), as PyTorch)
/// safeSoftmax == false (nn.MultiheadAttention, need_weights=True):
///   A = softmax((q * (scale ?? sqrt(1/E))) @ k^T + mask);  out = A @ v
/// isCausal: mask[i, j] = -inf for j > i, else 0 (PyTorch's is_causal, top-left aligned)
/// ```
/// Shapes: `query` is `L x E`, `key` is `S x E`, `value` is `S x Ev`, `additiveMask` is `L x S`
/// and is added to the scores (`-inf` masks; a boolean mask must be converted by the caller:
/// SDPA's True = attend becomes 0, MHA's True = masked becomes `-inf`).
///
/// Edge cases:
/// - A fully masked row (all `-inf`): with `safeSoftmax`, output 0 and gradient 0 (PyTorch >= 2.5);
///   without, NaN output and NaN gradients (MultiheadAttention, #41508).
/// - A row masked with `-Double.greatestFiniteMagnitude` (float64 `finfo.min`): the scores are
///   absorbed, so the weights are uniform and the output is the mean of `v`. A finite mask
///   such as `-1e9` is only a shift in float64 and does not change the weights.
/// - `+inf` or NaN scores make their row NaN.
///
/// Differentiable with respect to `query`, `key` and `value`.
///
/// Preconditions: the counts above; not both `isCausal` and `additiveMask` (PyTorch raises).
@differentiable(reverse,wrt: (query, key, value))
public func scaledDotProductAttention(
  query: [Double], key: [Double], value: [Double], l: Int, s: Int, e: Int, ev: Int,
  additiveMask: [Double]? = nil, isCausal: Bool = false, scale: Double? = nil,
  safeSoftmax: Bool = true
) -> [Double] {
  precondition(value.count == s * ev, "attention: value.count must be s * ev")
  let weights = attentionWeights(
    query: query, key: key, l: l, s: s, e: e, additiveMask: additiveMask,
    isCausal: isCausal, scale: scale, safeSoftmax: safeSoftmax)
  return matmul(weights, value, m: l, k: s, n: ev)
}
#endif

#if canImport(_Differentiation)
/// One matrix of a batched attention: where its query starts in the batch's flat query,
/// and its key, value and additive mask (numbers).
public struct AttentionBlock: Sendable {
  public let queryOffset: Int
  public let key: [Double]
  public let value: [Double]
  public let mask: [Double]?

  public init(queryOffset: Int, key: [Double], value: [Double], mask: [Double]?) {
    self.queryOffset = queryOffset
    self.key = key
    self.value = value
    self.mask = mask
  }
}

/// Batched attention: each block is one head of `scaledDotProductAttention` on its
/// `l x e` query slice, the outputs concatenated. Backward: each block's pullback, its
/// gradient added into its query slice (blocks may share a query matrix when it
/// broadcasts).
@differentiable(reverse,wrt: query)
public func scaledDotProductAttention(
  query: [Double], blocks: [AttentionBlock], l: Int, s: Int, e: Int, ev: Int, isCausal: Bool, scale: Double?
) -> [Double] {
  attentionBlocksForward(query, blocks, l, s, e, ev, isCausal, scale)
}

func attentionBlocksForward(
  _ query: [Double], _ blocks: [AttentionBlock], _ l: Int, _ s: Int, _ e: Int, _ ev: Int, _ isCausal: Bool,
  _ scale: Double?
) -> [Double] {
  var out: [Double] = []
  for b in blocks {
    out += scaledDotProductAttention(
      query: Array(query[b.queryOffset..<(b.queryOffset + l * e)]), key: b.key, value: b.value, l: l, s: s, e: e,
      ev: ev, additiveMask: b.mask, isCausal: isCausal, scale: scale)
  }
  return out
}

@derivative(of: scaledDotProductAttention(query:blocks:l:s:e:ev:isCausal:scale:), wrt: query)
@usableFromInline
func attentionBlocksVJP(
  query: [Double], blocks: [AttentionBlock], l: Int, s: Int, e: Int, ev: Int, isCausal: Bool, scale: Double?
) -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent) {
  let value = attentionBlocksForward(query, blocks, l, s, e, ev, isCausal, scale)
  return (
    value,
    { g in
      let gd = dense(g, count: value.count)
      var gq = [Double](repeating: 0, count: query.count)
      for (n, b) in blocks.enumerated() {
        let q = Array(query[b.queryOffset..<(b.queryOffset + l * e)])
        let (_, pullback) = valueWithPullback(at: q) { x in
          scaledDotProductAttention(
            query: x, key: b.key, value: b.value, l: l, s: s, e: e, ev: ev, additiveMask: b.mask, isCausal: isCausal,
            scale: scale)
        }
        let gBlock = Array(gd[(n * l * ev)..<((n + 1) * l * ev)])
        let local = dense(pullback(DoubleTangent(gBlock)), count: l * e)
        for i in 0..<(l * e) { gq[b.queryOffset + i] += local[i] }
      }
      return DoubleTangent(gq)
    }
  )
}
#endif
