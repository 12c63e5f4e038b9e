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

  public init(
    numHeads: Int, queryWeight: [Double], keyWeight: [Double], valueWeight: [Double], inBias: [Double]?,
    outWeight: [Double], outBias: [Double]?
  ) {
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
/// `masks[n*H + h]` is the additive `L x S` mask of a block (nil: none); `isCausal` the
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
  let k = projected(key, w.keyWeight, w.inBias?[e..<(2 * e)], rows: s * n, inputs: sh.keyDim, outputs: e)
  let v = projected(value, w.valueWeight, w.inBias?[(2 * e)..<(3 * e)], rows: s * n, inputs: sh.valueDim, outputs: e)
  var concatenated = [Double](repeating: 0, count: l * n * e)
  for b in 0..<n {
    for head in 0..<h {
      let o = scaledDotProductAttention(
        query: headSlice(q, rows: l, n: n, e: e, hd: hd, batch: b, head: head),
        key: headSlice(k, rows: s, n: n, e: e, hd: hd, batch: b, head: head),
        value: headSlice(v, rows: s, n: n, e: e, hd: hd, batch: b, head: head), l: l, s: s, e: hd, ev: hd,
        additiveMask: masks[b * h + head], isCausal: isCausal, scale: nil, safeSoftmax: !needWeights)
      addHeadSlice(o, into: &concatenated, rows: l, n: n, e: e, hd: hd, batch: b, head: head)
    }
  }
  let output = projected(concatenated, w.outWeight, w.outBias?[...], rows: l * n, inputs: e, outputs: e)
  return (output, q, k, v)
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
          let qh = headSlice(parts.q, rows: l, n: n, e: e, hd: hd, batch: b, head: head)
          let kh = headSlice(parts.k, rows: s, n: n, e: e, hd: hd, batch: b, head: head)
          let vh = headSlice(parts.v, rows: s, n: n, e: e, hd: hd, batch: b, head: head)
          let mask = masks[b * h + head]
          let (_, pullback) = valueWithPullback(at: qh, kh, vh) { x, y, z in
            scaledDotProductAttention(
              query: x, key: y, value: z, l: l, s: s, e: hd, ev: hd, additiveMask: mask, isCausal: isCausal,
              scale: nil, safeSoftmax: !needWeights)
          }
          let gBlock = headSlice(gConcat, rows: l, n: n, e: e, hd: hd, batch: b, head: head)
          let (a, c, d) = pullback(DoubleTangent(gBlock))
          addHeadSlice(dense(a, count: l * hd), into: &gq, rows: l, n: n, e: e, hd: hd, batch: b, head: head)
          addHeadSlice(dense(c, count: s * hd), into: &gk, rows: s, n: n, e: e, hd: hd, batch: b, head: head)
          addHeadSlice(dense(d, count: s * hd), into: &gv, rows: s, n: n, e: e, hd: hd, batch: b, head: head)
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
  let k = projected(key, w.keyWeight, w.inBias?[e..<(2 * e)], rows: s * n, inputs: sh.keyDim, outputs: e)
  var perHead: [Double] = []
  for b in 0..<n {
    for head in 0..<h {
      perHead += attentionWeights(
        query: headSlice(q, rows: l, n: n, e: e, hd: hd, batch: b, head: head),
        key: headSlice(k, rows: s, n: n, e: e, hd: hd, batch: b, head: head), l: l, s: s, e: hd,
        additiveMask: masks[b * h + head], isCausal: false, scale: nil, safeSoftmax: false)
    }
  }
  guard average else { return (perHead, q, k) }
  var mean = [Double](repeating: 0, count: n * l * s)
  for b in 0..<n {
    for head in 0..<h {
      for i in 0..<(l * s) { mean[b * l * s + i] += perHead[(b * h + head) * l * s + i] / Double(h) }
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
          var gBlock = [Double](repeating: 0, count: l * s)
          for i in 0..<(l * s) {
            gBlock[i] = average ? gd[b * l * s + i] / Double(h) : gd[(b * h + head) * l * s + i]
          }
          let qh = headSlice(parts.q, rows: l, n: n, e: e, hd: hd, batch: b, head: head)
          let kh = headSlice(parts.k, rows: s, n: n, e: e, hd: hd, batch: b, head: head)
          let mask = masks[b * h + head]
          let (_, pullback) = valueWithPullback(at: qh, kh) { x, y in
            attentionWeights(
              query: x, key: y, l: l, s: s, e: hd, additiveMask: mask, isCausal: false, scale: nil, safeSoftmax: false)
          }
          let (a, c) = pullback(DoubleTangent(gBlock))
          addHeadSlice(dense(a, count: l * hd), into: &gq, rows: l, n: n, e: e, hd: hd, batch: b, head: head)
          addHeadSlice(dense(c, count: s * hd), into: &gk, rows: s, n: n, e: e, hd: hd, batch: b, head: head)
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
