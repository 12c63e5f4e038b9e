/// `F.scaled_dot_product_attention` on batched, multi-head inputs: query `(..., L, E)`,
/// key `(..., S, E)`, value `(..., S, Ev)`, PyTorch's rules:
/// - the dimensions before the last two (batch, heads) broadcast (aligned on the right;
///   sizes equal, or 1);
/// - with `enableGQA`, grouped-query attention: the query's head dimension (`-3`) may be a
///   multiple `Hq = g H` of the key's and value's `H`, and query head `h` uses key/value
///   head `h / g` (PyTorch's `repeat_interleave`); without it the heads must broadcast;
/// - an `attn_mask` (boolean: True = attend, or added) of any rank broadcasts to
///   `(..., L, S)`; `key_padding_mask` and `attention_mask` (per key) apply to every head;
/// - `is_causal` masks key `j > i` in every head.
/// Each matrix of the batch is `scaledDotProductAttention` of its slices (one head), so the
/// semantics at `-inf` masks and fully masked rows are that function's.
public func batchedScaledDotProductAttention(
  query: Expr.Tensor, key: Expr.Tensor, value: Expr.Tensor, attnMask: Expr.Tensor? = nil,
  masks: [AttentionMask] = [], isCausal: Bool = false, scale: Expr? = nil, enableGQA: Bool = false,
  weightsOnly: Bool = false
) throws -> Expr.Tensor {
  guard query.rank >= 2, key.rank >= 2, value.rank >= 2 || weightsOnly else {
    throw LossError(
      "query, key and value need at least 2 dimensions (..., L, E), got \(query.shape), \(key.shape), \(value.shape)",
      argument: "query")
  }
  let (l, e) = (query.shape[query.rank - 2], query.shape[query.rank - 1])
  let (s, ek) = (key.shape[key.rank - 2], key.shape[key.rank - 1])
  guard e == ek else {
    throw LossError(
      "query (..., L, E) and key (..., S, E) need the same E, got \(query.shape) and \(key.shape)", argument: "key")
  }
  if !weightsOnly {
    guard value.shape[value.rank - 2] == s else {
      throw LossError("value must be (..., S, Ev) with S = \(s), got shape \(value.shape)", argument: "value")
    }
  }
  let ev = weightsOnly ? s : value.shape[value.rank - 1]
  var qb = Array(query.shape.dropLast(2))
  var kb = Array(key.shape.dropLast(2))
  var vb = weightsOnly ? kb : Array(value.shape.dropLast(2))
  // Grouped-query attention: key/value heads repeated to the query's.
  var group = 1
  if enableGQA, qb.count >= 1, kb.count >= 1, vb.count >= 1 {
    let (hq, hk, hv) = (qb[qb.count - 1], kb[kb.count - 1], vb[vb.count - 1])
    guard hk == hv, hk > 0, hq % hk == 0 else {
      throw LossError(
        "enable_gqa: the query's \(hq) heads must be a multiple of the key's and value's (\(hk), \(hv))",
        argument: "enable_gqa")
    }
    group = hq / hk
    kb[kb.count - 1] = hq
    vb[vb.count - 1] = hq
  }
  var batch: [Int] = []
  let rank = max(qb.count, kb.count, vb.count)
  for p in 0..<rank {
    var size = 1
    for b in [qb, kb, vb] {
      let q = p - (rank - b.count)
      let d = q >= 0 ? b[q] : 1
      guard d == size || d == 1 || size == 1 else {
        throw LossError(
          "the batch dimensions of query \(query.shape), key \(key.shape) and value \(value.shape) cannot be broadcast together",
          argument: "key")
      }
      size = max(size, d)
    }
    batch.append(size)
  }
  qb = Array(query.shape.dropLast(2))
  kb = Array(key.shape.dropLast(2))
  vb = weightsOnly ? kb : Array(value.shape.dropLast(2))
  let mask = try attnMask.map { try broadcast($0, to: batch + [l, s], name: "attn_mask") }
  /// The matrix number of `t` (batch shape `own`) for the batch index `index`; the head
  /// dimension divided by `group` for a grouped key or value.
  func matrix(_ index: [Int], _ own: [Int], grouped: Bool) -> Int {
    var n = 0
    for (d, size) in own.enumerated() {
      let p = d + (rank - own.count)
      var i = size == 1 ? 0 : index[p]
      if grouped && d == own.count - 1 && group > 1 { i = index[p] / group }
      n = n * size + i
    }
    return n
  }
  func slice(_ t: Expr.Tensor, _ n: Int, rows: Int, columns: Int) -> Expr.Tensor {
    let size = rows * columns
    return Expr.Tensor(shape: [rows, columns], elements: Array(t.elements[(n * size)..<((n + 1) * size)]))
  }
  var out: [Expr] = []
  let total = batch.reduce(1, *)
  out.reserveCapacity(total * l * ev)
  for flat in 0..<total {
    var index = [Int](repeating: 0, count: rank)
    var rest = flat
    for d in stride(from: rank - 1, through: 0, by: -1) {
      index[d] = rest % batch[d]
      rest /= batch[d]
    }
    let q = slice(query, matrix(index, qb, grouped: false), rows: l, columns: e)
    let k = slice(key, matrix(index, kb, grouped: true), rows: s, columns: e)
    var headMasks = masks
    if let mask { headMasks.append(.additive(slice(mask, flat, rows: l, columns: s))) }
    if weightsOnly {
      out += try attentionWeights(query: q, key: k, masks: headMasks, isCausal: isCausal, scale: scale).elements
    } else {
      let v = slice(value, matrix(index, vb, grouped: true), rows: s, columns: ev)
      out +=
        try scaledDotProductAttention(query: q, key: k, value: v, masks: headMasks, isCausal: isCausal, scale: scale)
        .elements
    }
  }
  return Expr.Tensor(shape: batch + [l, ev], elements: out)
}
