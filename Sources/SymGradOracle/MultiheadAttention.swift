#if canImport(_Differentiation)
import _Differentiation

/// The parameters of `nn.MultiheadAttention` as numbers (row-major), for the oracle.
public struct MultiheadAttentionWeights: Sendable {
  public let numHeads: Int
  /// `E x Eq`, `E x kdim`, `E x vdim`: PyTorch's packed `in_proj_weight` split in three row
  /// blocks, or `q/k/v_proj_weight`.
  public let queryWeight: [Double]
  public let keyWeight: [Double]
  public let valueWeight: [Double]
  /// The packed in-projection bias (3E): query, key, value biases; nil for none.
  public let inBias: [Double]?
  /// `E x E` and `E`.
  public let outWeight: [Double]
  public let outBias: [Double]?
  /// `bias_k`/`bias_v` (E each): a key and a value row appended to every batch entry after
  /// the projections; nil for none (both or neither).
  public let biasK: [Double]?
  public let biasV: [Double]?
  /// `add_zero_attn`: a zero key and value row appended to every head.
  public let addZeroAttention: Bool
  /// `static_k`/`static_v`: `N*H x staticRows x hd` (row-major), the keys/values of head
  /// `h` of batch entry `b` at block `b*H + h`, used instead of the projected ones (whose
  /// gradient then does not reach the key/value inputs); nil for none.
  public let staticK: [Double]?
  public let staticV: [Double]?
  public let staticRows: Int

  public init(
    numHeads: Int, queryWeight: [Double], keyWeight: [Double], valueWeight: [Double], inBias: [Double]?,
    outWeight: [Double], outBias: [Double]?, biasK: [Double]? = nil, biasV: [Double]? = nil,
    addZeroAttention: Bool = false, staticK: [Double]? = nil, staticV: [Double]? = nil, staticRows: Int = 0
  ) {
    self.staticK = staticK
    self.staticV = staticV
    self.staticRows = staticRows
    self.biasK = biasK
    self.biasV = biasV
    self.addZeroAttention = addZeroAttention
    self.numHeads = numHeads
    self.queryWeight = queryWeight
    self.keyWeight = keyWeight
    self.valueWeight = valueWeight
    self.inBias = inBias
    self.outWeight = outWeight
    self.outBias = outBias
  }
}

/// The shapes of one multi-head attention call: sequence first, `query` `L x N x Eq`,
/// `key` `S x N x kdim`, `value` `S x N x vdim` (N = 1 for unbatched inputs), embedding `E`.
public struct MultiheadAttentionShape: Sendable {
  public let l: Int, s: Int, n: Int, e: Int, queryDim: Int, keyDim: Int, valueDim: Int

  public init(l: Int, s: Int, n: Int, e: Int, queryDim: Int, keyDim: Int, valueDim: Int) {
    (self.l, self.s, self.n, self.e) = (l, s, n, e)
    (self.queryDim, self.keyDim, self.valueDim) = (queryDim, keyDim, valueDim)
  }
}

/// `x W^T + b` for the rows of `x` (`rows x inputs`), `W` `outputs x inputs`; plain numbers.
func projected(_ x: [Double], _ w: [Double], _ bias: ArraySlice<Double>?, rows: Int, inputs: Int, outputs: Int)
  -> [Double]
{
  var y = matmulTransposed(x, w, m: rows, k: inputs, n: outputs)
  if let bias {
    for r in 0..<rows { for o in 0..<outputs { y[r * outputs + o] += bias[bias.startIndex + o] } }
  }
  return y
}

/// The `L x hd` (or `S x hd`) rows of head `h`, batch entry `b`, of a projected `rows x N x E`.
func headSlice(_ x: [Double], rows: Int, n: Int, e: Int, hd: Int, batch b: Int, head h: Int) -> [Double] {
  var out: [Double] = []
  out.reserveCapacity(rows * hd)
  for r in 0..<rows {
    let start = (r * n + b) * e + h * hd
    out += x[start..<(start + hd)]
  }
  return out
}

/// Adds `part` (`rows x hd`) into head `h`, batch entry `b`, of `x` (`rows x N x E`).
func addHeadSlice(
  _ part: [Double], into x: inout [Double], rows: Int, n: Int, e: Int, hd: Int, batch b: Int, head h: Int
) {
  for r in 0..<rows {
    let start = (r * n + b) * e + h * hd
    for c in 0..<hd { x[start + c] += part[r * hd + c] }
  }
}

/// The projected keys or values (`S x N x E`) with `bias` appended as row S of every batch
/// entry (`(S + 1) x N x E`), and the number of rows.
func appendingBiasRow(_ x: [Double], _ bias: [Double]?, s: Int, n: Int) -> ([Double], Int) {
  guard let bias else { return (x, s) }
  var out = x
  for _ in 0..<n { out += bias }
  return (out, s + 1)
}

/// Head `h`, batch entry `b`, of keys or values with `rows` rows, with a zero row appended
/// when `zeroRow` (add_zero_attn); from `perHead` (static_k/static_v, `N*H x rows x hd`,
/// `heads` per batch entry) instead of `x` when given.
func keyHead(
  _ x: [Double], rows: Int, n: Int, e: Int, hd: Int, batch b: Int, head h: Int, zeroRow: Bool,
  perHead: [Double]? = nil, heads: Int = 1
) -> [Double] {
  let zero = zeroRow ? [Double](repeating: 0, count: hd) : []
  if let perHead {
    let start = (b * heads + h) * rows * hd
    return Array(perHead[start..<(start + rows * hd)]) + zero
  }
  return headSlice(x, rows: rows, n: n, e: e, hd: hd, batch: b, head: h) + zero
}

/// `F.multi_head_attention_forward`'s attention output (`L x N x E`, row-major), written
/// from PyTorch's documented algorithm:
///
/// ```
/// q = query W_q^T + b_q, k = key W_k^T + b_k, v = value W_v^T + b_v       (rows l*N + n)
/// head h of batch entry n: columns h*hd ..< (h+1)*hd of q, k, v (hd = E / H)
///   O = attention(q_h, k_h, v_h, mask of block n*H + h)
///       need_weights=True:  softmax((q_h * sqrt(1/hd)) k_h^T + mask) v_h (NaN on a fully masked row)
///       need_weights=False: F.scaled_dot_product_attention's math path (0 on a fully masked row)
/// output = concat_h(O) W_out^T + b_out
/// ```
/// `masks[n*H + h]` is the additive `L x S'` mask of a block (nil: none; S' counts the rows
/// `biasK` and `addZeroAttention` add, whose columns the caller pads with 0); `isCausal` the
/// causal mask of the fused path (PyTorch uses it only with `need_weights=False` and no
/// key padding mask; the caller decides). Differentiable with respect to `query`, `key`
/// and `value` (a custom pullback through each block's attention and the projections).
@differentiable(reverse,wrt: (query, key, value))
public func multiHeadAttentionForward(
  query: [Double], key: [Double], value: [Double], shape: MultiheadAttentionShape,
  weights: MultiheadAttentionWeights, masks: [[Double]?], needWeights: Bool, isCausal: Bool
) -> [Double] {
  multiHeadAttentionParts(query, key, value, shape, weights, masks, needWeights, isCausal).output
}

/// The forward pass with what the pullback needs: the projected q, k, v and the
/// concatenated heads.
func multiHeadAttentionParts(
  _ query: [Double], _ key: [Double], _ value: [Double], _ sh: MultiheadAttentionShape,
  _ w: MultiheadAttentionWeights, _ masks: [[Double]?], _ needWeights: Bool, _ isCausal: Bool
) -> (output: [Double], q: [Double], k: [Double], v: [Double]) {
  let (l, s, n, e, h) = (sh.l, sh.s, sh.n, sh.e, w.numHeads)
  precondition(h > 0 && e % h == 0, "multiHeadAttentionForward: embed dim must divide into heads")
  precondition(masks.count == n * h, "multiHeadAttentionForward: one mask entry per block")
  let hd = e / h
  let q = projected(query, w.queryWeight, w.inBias?[0..<e], rows: l * n, inputs: sh.queryDim, outputs: e)
  let (k, _) = appendingBiasRow(
    projected(key, w.keyWeight, w.inBias?[e..<(2 * e)], rows: s * n, inputs: sh.keyDim, outputs: e), w.biasK, s: s, n: n
  )
  let (v, _) = appendingBiasRow(
    projected(value, w.valueWeight, w.inBias?[(2 * e)..<(3 * e)], rows: s * n, inputs: sh.valueDim, outputs: e),
    w.biasV, s: s, n: n)
  let (kRows, vRows, sAll) = w.keyCounts(keyInputLength: s)
  precondition(kRows == vRows, "multiHeadAttentionForward: keys and values of one length")
  var concatenated = [Double](repeating: 0, count: l * n * e)
  for b in 0..<n {
    for head in 0..<h {
      let o = scaledDotProductAttention(
        query: headSlice(q, rows: l, n: n, e: e, hd: hd, batch: b, head: head),
        key: keyHead(
          k, rows: kRows, n: n, e: e, hd: hd, batch: b, head: head, zeroRow: w.addZeroAttention, perHead: w.staticK,
          heads: h),
        value: keyHead(
          v, rows: vRows, n: n, e: e, hd: hd, batch: b, head: head, zeroRow: w.addZeroAttention, perHead: w.staticV,
          heads: h), l: l,
        s: sAll, e: hd, ev: hd,
        additiveMask: masks[b * h + head], isCausal: isCausal, scale: nil, safeSoftmax: !needWeights)
      addHeadSlice(o, into: &concatenated, rows: l, n: n, e: e, hd: hd, batch: b, head: head)
    }
  }
  let output = projected(concatenated, w.outWeight, w.outBias?[...], rows: l * n, inputs: e, outputs: e)
  return (output, q, k, v)
}

extension MultiheadAttentionWeights {
  /// The rows of each head's keys and of its values for a key input of length `s` (the
  /// projected rows, one more with `biasK`, or the static ones) and the keys each query
  /// sees (one more with `addZeroAttention`).
  public func keyCounts(keyInputLength s: Int) -> (keys: Int, values: Int, seen: Int) {
    let projected = s + (biasK == nil ? 0 : 1)
    let keys = staticK == nil ? projected : staticRows
    let values = staticV == nil ? projected : staticRows
    return (keys, values, keys + (addZeroAttention ? 1 : 0))
  }
}

@derivative(of: multiHeadAttentionForward, wrt: (query, key, value))
@usableFromInline
func multiHeadAttentionForwardVJP(
  query: [Double], key: [Double], value: [Double], shape sh: MultiheadAttentionShape,
  weights w: MultiheadAttentionWeights, masks: [[Double]?], needWeights: Bool, isCausal: Bool
) -> (value: [Double], pullback: (DoubleTangent) -> (DoubleTangent, DoubleTangent, DoubleTangent)) {
  let parts = multiHeadAttentionParts(query, key, value, sh, w, masks, needWeights, isCausal)
  let (l, s, n, e, h) = (sh.l, sh.s, sh.n, sh.e, w.numHeads)
  let hd = e / h
  return (
    parts.output,
    { g in
      // Through the output projection: d(x W^T)/dx applied to g is g W.
      let gConcat = matmulPlain(dense(g, count: l * n * e), w.outWeight, m: l * n, k: e, n: e)
      var gq = [Double](repeating: 0, count: l * n * e)
      var gk = [Double](repeating: 0, count: s * n * e)
      var gv = [Double](repeating: 0, count: s * n * e)
      for b in 0..<n {
        for head in 0..<h {
          let (kRows, vRows, seen) = w.keyCounts(keyInputLength: s)
          let zero = w.addZeroAttention
          let qh = headSlice(parts.q, rows: l, n: n, e: e, hd: hd, batch: b, head: head)
          let kh = keyHead(
            parts.k, rows: kRows, n: n, e: e, hd: hd, batch: b, head: head, zeroRow: zero, perHead: w.staticK, heads: h)
          let vh = keyHead(
            parts.v, rows: vRows, n: n, e: e, hd: hd, batch: b, head: head, zeroRow: zero, perHead: w.staticV, heads: h)
          let mask = masks[b * h + head]
          let (_, pullback) = valueWithPullback(at: qh, kh, vh) { x, y, z in
            scaledDotProductAttention(
              query: x, key: y, value: z, l: l, s: seen, e: hd, ev: hd, additiveMask: mask, isCausal: isCausal,
              scale: nil, safeSoftmax: !needWeights)
          }
          let gBlock = headSlice(gConcat, rows: l, n: n, e: e, hd: hd, batch: b, head: head)
          let (a, c, d) = pullback(DoubleTangent(gBlock))
          addHeadSlice(dense(a, count: l * hd), into: &gq, rows: l, n: n, e: e, hd: hd, batch: b, head: head)
          // The added rows (bias_k/v, zero attention) are constants: only the first S rows
          // of the keys' and values' gradients reach the inputs; static keys or values
          // replace the projected ones, so none of theirs does.
          if w.staticK == nil {
            let gkHead = Array(dense(c, count: seen * hd).prefix(s * hd))
            addHeadSlice(gkHead, into: &gk, rows: s, n: n, e: e, hd: hd, batch: b, head: head)
          }
          if w.staticV == nil {
            let gvHead = Array(dense(d, count: seen * hd).prefix(s * hd))
            addHeadSlice(gvHead, into: &gv, rows: s, n: n, e: e, hd: hd, batch: b, head: head)
          }
        }
      }
      // Through the input projections.
      return (
        DoubleTangent(matmulPlain(gq, w.queryWeight, m: l * n, k: e, n: sh.queryDim)),
        DoubleTangent(matmulPlain(gk, w.keyWeight, m: s * n, k: e, n: sh.keyDim)),
        DoubleTangent(matmulPlain(gv, w.valueWeight, m: s * n, k: e, n: sh.valueDim))
      )
    }
  )
}

/// The attention weights of `F.multi_head_attention_forward` with `need_weights=True`:
/// `softmax((q_h * sqrt(1/hd)) k_h^T + mask)` per block, `N x H x L x S`, or averaged over
/// the heads (`N x L S`) when `average`. A fully masked row is NaN (plain softmax).
/// Differentiable with respect to `query` and `key`.
@differentiable(reverse,wrt: (query, key))
public func multiHeadAttentionWeights(
  query: [Double], key: [Double], shape: MultiheadAttentionShape, weights: MultiheadAttentionWeights,
  masks: [[Double]?], average: Bool
) -> [Double] {
  multiHeadAttentionWeightParts(query, key, shape, weights, masks, average).output
}

func multiHeadAttentionWeightParts(
  _ query: [Double], _ key: [Double], _ sh: MultiheadAttentionShape, _ w: MultiheadAttentionWeights,
  _ masks: [[Double]?], _ average: Bool
) -> (output: [Double], q: [Double], k: [Double]) {
  let (l, s, n, e, h) = (sh.l, sh.s, sh.n, sh.e, w.numHeads)
  precondition(h > 0 && e % h == 0, "multiHeadAttentionWeights: embed dim must divide into heads")
  let hd = e / h
  let q = projected(query, w.queryWeight, w.inBias?[0..<e], rows: l * n, inputs: sh.queryDim, outputs: e)
  let (k, _) = appendingBiasRow(
    projected(key, w.keyWeight, w.inBias?[e..<(2 * e)], rows: s * n, inputs: sh.keyDim, outputs: e), w.biasK, s: s, n: n
  )
  let (kRows, _, seen) = w.keyCounts(keyInputLength: s)
  var perHead: [Double] = []
  for b in 0..<n {
    for head in 0..<h {
      perHead += attentionWeights(
        query: headSlice(q, rows: l, n: n, e: e, hd: hd, batch: b, head: head),
        key: keyHead(
          k, rows: kRows, n: n, e: e, hd: hd, batch: b, head: head, zeroRow: w.addZeroAttention, perHead: w.staticK,
          heads: h), l: l,
        s: seen, e: hd, additiveMask: masks[b * h + head], isCausal: false, scale: nil, safeSoftmax: false)
    }
  }
  guard average else { return (perHead, q, k) }
  var mean = [Double](repeating: 0, count: n * l * seen)
  for b in 0..<n {
    for head in 0..<h {
      for i in 0..<(l * seen) { mean[b * l * seen + i] += perHead[(b * h + head) * l * seen + i] / Double(h) }
    }
  }
  return (mean, q, k)
}

@derivative(of: multiHeadAttentionWeights, wrt: (query, key))
@usableFromInline
func multiHeadAttentionWeightsVJP(
  query: [Double], key: [Double], shape sh: MultiheadAttentionShape, weights w: MultiheadAttentionWeights,
  masks: [[Double]?], average: Bool
) -> (value: [Double], pullback: (DoubleTangent) -> (DoubleTangent, DoubleTangent)) {
  let parts = multiHeadAttentionWeightParts(query, key, sh, w, masks, average)
  let (l, s, n, e, h) = (sh.l, sh.s, sh.n, sh.e, w.numHeads)
  let hd = e / h
  return (
    parts.output,
    { g in
      let gd = dense(g, count: parts.output.count)
      var gq = [Double](repeating: 0, count: l * n * e)
      var gk = [Double](repeating: 0, count: s * n * e)
      for b in 0..<n {
        for head in 0..<h {
          // The block's share of g: all of it per head, or 1/H of the average's.
          let (kRows, _, seen) = w.keyCounts(keyInputLength: s)
          var gBlock = [Double](repeating: 0, count: l * seen)
          for i in 0..<(l * seen) {
            gBlock[i] = average ? gd[b * l * seen + i] / Double(h) : gd[(b * h + head) * l * seen + i]
          }
          let qh = headSlice(parts.q, rows: l, n: n, e: e, hd: hd, batch: b, head: head)
          let kh = keyHead(
            parts.k, rows: kRows, n: n, e: e, hd: hd, batch: b, head: head, zeroRow: w.addZeroAttention,
            perHead: w.staticK, heads: h)
          let mask = masks[b * h + head]
          let (_, pullback) = valueWithPullback(at: qh, kh) { x, y in
            attentionWeights(
              query: x, key: y, l: l, s: seen, e: hd, additiveMask: mask, isCausal: false, scale: nil,
              safeSoftmax: false)
          }
          let (a, c) = pullback(DoubleTangent(gBlock))
          addHeadSlice(dense(a, count: l * hd), into: &gq, rows: l, n: n, e: e, hd: hd, batch: b, head: head)
          if w.staticK == nil {
            let gkHead = Array(dense(c, count: seen * hd).prefix(s * hd))
            addHeadSlice(gkHead, into: &gk, rows: s, n: n, e: e, hd: hd, batch: b, head: head)
          }
        }
      }
      return (
        DoubleTangent(matmulPlain(gq, w.queryWeight, m: l * n, k: e, n: sh.queryDim)),
        DoubleTangent(matmulPlain(gk, w.keyWeight, m: s * n, k: e, n: sh.keyDim))
      )
    }
  )
}
#endif
