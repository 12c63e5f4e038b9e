/// The parameters of `nn.MultiheadAttention` (`F.multi_head_attention_forward`): the input
/// projections (packed `in_proj_weight` (3E, E) or separate `q/k/v_proj_weight`, with an
/// optional packed `in_proj_bias` (3E)) and the output projection (E, E) with its bias.
public struct MultiheadAttentionParameters: Sendable {
  public var numHeads: Int
  /// The query, key and value projection weights, each (E, E) (PyTorch's packed weight
  /// split in three row blocks).
  public var queryWeight: Expr.Tensor
  public var keyWeight: Expr.Tensor
  public var valueWeight: Expr.Tensor
  /// The packed in-projection bias (3E), or nil.
  public var inBias: Expr.Tensor?
  public var outWeight: Expr.Tensor
  public var outBias: Expr.Tensor?
  /// `bias_k`, `bias_v` (E entries, PyTorch's shape (1, 1, E)): a key and a value row
  /// appended to every batch entry's projected keys and values; both or neither.
  public var biasK: Expr.Tensor? = nil
  public var biasV: Expr.Tensor? = nil
  /// `add_zero_attn`: a zero key and value row appended to every head.
  public var addZeroAttention = false
  /// `static_k`, `static_v` (N*H, S', E/H): the keys and values of head `h` of batch entry
  /// `n` at row `n*H + h`, replacing the projected key and value (PyTorch still projects
  /// the key input, whose length S need not be S'). Not with `biasK`/`biasV` (PyTorch:
  /// "bias cannot be added to static key").
  public var staticK: Expr.Tensor? = nil
  public var staticV: Expr.Tensor? = nil

  public init(
    numHeads: Int, queryWeight: Expr.Tensor, keyWeight: Expr.Tensor, valueWeight: Expr.Tensor, inBias: Expr.Tensor?,
    outWeight: Expr.Tensor, outBias: Expr.Tensor?
  ) {
    self.numHeads = numHeads
    self.queryWeight = queryWeight
    self.keyWeight = keyWeight
    self.valueWeight = valueWeight
    self.inBias = inBias
    self.outWeight = outWeight
    self.outBias = outBias
  }

  /// From PyTorch's packed `in_proj_weight` (3E, E): its three row blocks.
  public init(
    numHeads: Int, inProjWeight: Expr.Tensor, inProjBias: Expr.Tensor?, outProjWeight: Expr.Tensor,
    outProjBias: Expr.Tensor?
  ) throws {
    guard inProjWeight.rank == 2, inProjWeight.shape[0] % 3 == 0 else {
      throw LossError(
        "in_proj_weight must be (3*embed_dim, embed_dim), got shape \(inProjWeight.shape)", argument: "in_proj_weight")
    }
    let e = inProjWeight.shape[0] / 3
    let width = inProjWeight.shape[1]
    func block(_ k: Int) -> Expr.Tensor {
      Expr.Tensor(shape: [e, width], elements: Array(inProjWeight.elements[(k * e * width)..<((k + 1) * e * width)]))
    }
    self.init(
      numHeads: numHeads, queryWeight: block(0), keyWeight: block(1), valueWeight: block(2), inBias: inProjBias,
      outWeight: outProjWeight, outBias: outProjBias)
  }
}

/// `F.multi_head_attention_forward` (what `nn.MultiheadAttention` runs), sequence first:
/// query `(L, N, E)`, key `(S, N, E)`, value `(S, N, E)`, or unbatched `(L, E)`, `(S, E)`.
///
/// ```
/// q = query W_q^T + b_q,  k = key W_k^T + b_k,  v = value W_v^T + b_v
/// for each batch entry n and head h (head h owns features h*hd ..< (h+1)*hd, hd = E/H):
///   O[n, h] = softmax(q[:, n, h] k[:, n, h]^T / sqrt(hd) + mask[n, h]) v[:, n, h]
/// output = concat_h(O) W_out^T + b_out                                  (L, N, E)
/// weights = softmax(...) per head (N, H, L, S), averaged over heads (N, L, S) by default
/// ```
/// Masks, PyTorch's conventions: `attn_mask` is `(L, S)` or `(N*H, L, S)` (row `n*H + h`),
/// boolean with **True = masked** (the opposite of `scaled_dot_product_attention`) or
/// float (added); `key_padding_mask` is `(N, S)` (or `(S)` unbatched), True = padding, or
/// float (added); the two add up. `isCausal` is PyTorch's *hint*: it needs an `attn_mask`,
/// and where PyTorch takes the fused path (`need_weights=False` and no key padding mask)
/// the causal mask replaces `attn_mask`; elsewhere `attn_mask` is used as given.
///
/// Fully masked rows: SymGrad's value is the one-head attention's (every `-inf` tends to
/// infinity at the same rate: the softmax of the row's unmasked scores). PyTorch gives
/// NaN with `need_weights=True` (plain softmax) and 0 with `need_weights=False` (SDPA's
/// safe softmax, since 2.5); README's divergence table records both.
///
/// `biasK`/`biasV` append a key and a value row after the projections, `addZeroAttention` a
/// zero row to every head's keys and values; masks get a zero (attending) column for each,
/// as PyTorch pads them, so the weights have `S + 1` or `S + 2` columns. `staticK`/`staticV`
/// replace the projected keys/values per head: the weights then have `S'` columns (`+ 1`
/// with the zero row), `key_padding_mask` is `(N, S')`, and an `attn_mask` must cover `S'`
/// keys (PyTorch checks it against the key input's S first, then adds it: both must hold).
///
/// Returns the output and, when `needWeights`, the weights (unbatched: `(L, E)` and
/// `(L, S)` or `(H, L, S)`).
public func multiHeadAttentionForward(
  query: Expr.Tensor, key: Expr.Tensor, value: Expr.Tensor, parameters p: MultiheadAttentionParameters,
  keyPaddingMask: Expr.Tensor? = nil, attnMask: Expr.Tensor? = nil, needWeights: Bool = true,
  averageAttnWeights: Bool = true, isCausal: Bool = false
) throws -> (output: Expr.Tensor, weights: Expr.Tensor?) {
  let batched = query.rank == 3
  guard query.rank == 2 || query.rank == 3 else {
    throw LossError("query should be unbatched 2D or batched 3D tensor but received \(query.rank)-D", argument: "query")
  }
  guard key.rank == query.rank, value.rank == query.rank else {
    throw LossError(
      "For \(batched ? "batched (3-D)" : "unbatched (2-D)") `query`, expected `key` and `value` to be \(query.rank)-D but found \(key.rank)-D and \(value.rank)-D tensors respectively",
      argument: "key")
  }
  // Sequence first, batch 1 for unbatched inputs.
  func seqFirst(_ t: Expr.Tensor) -> Expr.Tensor {
    batched ? t : Expr.Tensor(shape: [t.shape[0], 1, t.shape[1]], elements: t.elements)
  }
  let (q3, k3, v3) = (seqFirst(query), seqFirst(key), seqFirst(value))
  let (l, n, e) = (q3.shape[0], q3.shape[1], q3.shape[2])
  let s = k3.shape[0]
  guard k3.shape[1] == n, v3.shape[1] == n, v3.shape[0] == s else {
    throw LossError(
      "key and value must be (S, N, E) with the query's N = \(n) and the same S, got \(key.shape) and \(value.shape)",
      argument: "value")
  }
  let h = p.numHeads
  guard h > 0, e % h == 0 else {
    throw LossError("embed_dim \(e) not divisible by num_heads \(h)", argument: "num_heads")
  }
  let hd = e / h
  let projections = [
    (p.queryWeight, q3, "q_proj_weight"), (p.keyWeight, k3, "k_proj_weight"), (p.valueWeight, v3, "v_proj_weight"),
  ]
  for (w, input, name) in projections where w.shape != [e, input.shape[2]] {
    throw LossError("\(name) must be (\(e), \(input.shape[2])), got shape \(w.shape)", argument: name)
  }
  guard p.outWeight.shape == [e, e] else {
    throw LossError("out_proj_weight must be (\(e), \(e)), got shape \(p.outWeight.shape)", argument: "out_proj_weight")
  }
  if let b = p.inBias, b.shape != [3 * e] {
    throw LossError("in_proj_bias must be (\(3 * e)), got shape \(b.shape)", argument: "in_proj_bias")
  }
  if let b = p.outBias, b.shape != [e] {
    throw LossError("out_proj_bias must be (\(e)), got shape \(b.shape)", argument: "out_proj_bias")
  }
  func bias(_ k: Int) -> Expr.Tensor? {
    p.inBias.map { Expr.Tensor(shape: [e], elements: Array($0.elements[(k * e)..<((k + 1) * e)])) }
  }
  let q = try linear(q3, weight: p.queryWeight, bias: bias(0))  // (L, N, E)
  var k = try linear(k3, weight: p.keyWeight, bias: bias(1))  // (S, N, E)
  var v = try linear(v3, weight: p.valueWeight, bias: bias(2))
  guard (p.biasK == nil) == (p.biasV == nil) else {
    throw LossError(
      "bias_k and bias_v must both be given or both be None", argument: p.biasK == nil ? "bias_v" : "bias_k")
  }
  var keyRows = s  // rows of k and v: S, and one more with bias_k/bias_v
  if p.biasK != nil, p.staticK != nil || p.staticV != nil {
    throw LossError(
      "bias cannot be added to static \(p.staticK != nil ? "key" : "value")",
      argument: p.staticK != nil ? "static_k" : "static_v")
  }
  for (t, name) in [(p.staticK, "static_k"), (p.staticV, "static_v")] {
    guard let t else { continue }
    guard t.rank == 3 else {
      throw LossError("\(name) must be (N*num_heads, S, E/num_heads), got shape \(t.shape)", argument: name)
    }
    guard t.shape[0] == n * h else {
      throw LossError("expecting \(name).size(0) of \(n * h), but got \(t.shape[0])", argument: name)
    }
    guard t.shape[2] == hd else {
      throw LossError("expecting \(name).size(2) of \(hd), but got \(t.shape[2])", argument: name)
    }
  }
  if let bk = p.biasK, let bv = p.biasV {
    for (b, name) in [(bk, "bias_k"), (bv, "bias_v")] where b.count != e {
      throw LossError("\(name) must have \(e) entries (shape (1, 1, \(e))), got shape \(b.shape)", argument: name)
    }
    k = Expr.Tensor(shape: [s + 1, n, e], elements: k.elements + Array((0..<n).map { _ in bk.elements }.joined()))
    v = Expr.Tensor(shape: [s + 1, n, e], elements: v.elements + Array((0..<n).map { _ in bv.elements }.joined()))
    keyRows = s + 1
  }
  // Rows of each head's keys and values before the zero row (static ones replace them).
  let kRows = p.staticK?.shape[1] ?? keyRows
  let vRows = p.staticV?.shape[1] ?? keyRows
  guard kRows == vRows else {
    throw LossError(
      "the keys (\(kRows) per head) and the values (\(vRows) per head) must have the same length",
      argument: p.staticV != nil ? "static_v" : "static_k")
  }
  let sAll = kRows + (p.addZeroAttention ? 1 : 0)  // the keys each query sees
  // The columns of the masks as given: the key input's S, or S' with static keys.
  let maskColumns = p.staticK?.shape[1] ?? s

  // The additive mask of each (n, h) block, L x S, or nil.
  if isCausal && attnMask == nil {
    throw LossError(
      "Need attn_mask if specifying the is_causal hint. You may use the Transformer module method `generate_square_subsequent_mask` to create this mask.",
      argument: "is_causal")
  }
  var mask = attnMask
  if let m = mask {
    if m.rank == 2 {
      guard m.shape == [l, s] else {
        throw LossError(
          "The shape of the 2D attn_mask is \(m.shape), but should be [\(l), \(s)].", argument: "attn_mask")
      }
    } else if m.rank == 3 {
      guard m.shape == [n * h, l, s] else {
        throw LossError(
          "The shape of the 3D attn_mask is \(m.shape), but should be [\(n * h), \(l), \(s)].", argument: "attn_mask")
      }
    } else {
      throw LossError("attn_mask's dimension \(m.rank) is not supported", argument: "attn_mask")
    }
    guard maskColumns == s else {
      throw LossError(
        "attn_mask covers the key input's \(s) keys but static_k has \(maskColumns) per head (PyTorch cannot add them)",
        argument: "attn_mask")
    }
  }
  var padding = keyPaddingMask
  if let kpm = padding {
    let expected = batched ? [n, maskColumns] : [maskColumns]
    guard kpm.shape == expected else {
      throw LossError(
        "expecting key_padding_mask shape of \(expected), but got \(kpm.shape)", argument: "key_padding_mask")
    }
    padding = Expr.Tensor(shape: [n, maskColumns], elements: kpm.elements)
  }
  // PyTorch's fused path (need_weights=False, no key padding mask) trusts the hint.
  var causal = false
  if isCausal && !needWeights && padding == nil {
    mask = nil
    causal = true
  }
  // Masks get a zero (attending) column for each added key, as PyTorch pads them.
  let padColumns = [Expr](repeating: .zero, count: sAll - maskColumns)
  func blockMask(_ nIndex: Int, _ hIndex: Int) -> [AttentionMask] {
    var out: [AttentionMask] = []
    if let m = mask {
      let b = m.rank == 2 ? 0 : nIndex * h + hIndex
      var rows: [Expr] = []
      for i in 0..<l { rows += m.elements[((b * l + i) * s)..<((b * l + i + 1) * s)] + padColumns }
      out.append(.additive(Expr.Tensor(shape: [l, sAll], elements: rows)))
    }
    if let kpm = padding {
      let row = Array(kpm.elements[(nIndex * maskColumns)..<((nIndex + 1) * maskColumns)]) + padColumns
      out.append(.additive(Expr.Tensor(shape: [1, sAll], elements: row)))
    }
    return out
  }
  // Head h of batch entry nIndex: rows of (L or S, hd).
  // With `zeroRow`, a zero row appended (add_zero_attn).
  // With `perHead`, the rows of a static (N*H, rows, hd) tensor instead.
  func head(
    _ t: Expr.Tensor, _ rows: Int, _ nIndex: Int, _ hIndex: Int, zeroRow: Bool = false, perHead: Expr.Tensor? = nil
  ) -> Expr.Tensor {
    var out: [Expr] = []
    out.reserveCapacity((rows + 1) * hd)
    if let perHead {
      let start = (nIndex * h + hIndex) * rows * hd
      out += perHead.elements[start..<(start + rows * hd)]
    } else {
      for r in 0..<rows {
        let start: Int = (r * n + nIndex) * e + hIndex * hd
        out += t.elements[start..<(start + hd)]
      }
    }
    if zeroRow { out += [Expr](repeating: .zero, count: hd) }
    return Expr.Tensor(shape: [rows + (zeroRow ? 1 : 0), hd], elements: out)
  }
  var concatenated = [Expr](repeating: .zero, count: l * n * e)  // (L, N, E)
  var weights: [Expr] = []  // (N, H, L, S + added keys)
  for nIndex in 0..<n {
    for hIndex in 0..<h {
      let zero = p.addZeroAttention
      let qh = head(q, l, nIndex, hIndex)
      let kh = head(k, kRows, nIndex, hIndex, zeroRow: zero, perHead: p.staticK)
      let vh = head(v, vRows, nIndex, hIndex, zeroRow: zero, perHead: p.staticV)
      let masks = blockMask(nIndex, hIndex)
      let w = try attentionWeights(query: qh, key: kh, masks: masks, isCausal: causal)
      if needWeights { weights += w.elements }
      for i in 0..<l {
        for c in 0..<hd {
          concatenated[(i * n + nIndex) * e + hIndex * hd + c] = .sum(
            (0..<sAll).map { j in w.elements[i * sAll + j] * vh.elements[j * hd + c] })
        }
      }
    }
  }
  var output = try linear(Expr.Tensor(shape: [l, n, e], elements: concatenated), weight: p.outWeight, bias: p.outBias)
  if !batched { output = Expr.Tensor(shape: [l, e], elements: output.elements) }
  guard needWeights else { return (output, nil) }
  var w = Expr.Tensor(shape: [n, h, l, sAll], elements: weights)
  if averageAttnWeights {
    var mean: [Expr] = []
    for nIndex in 0..<n {
      for i in 0..<(l * sAll) {
        mean.append(.sum((0..<h).map { w.elements[(nIndex * h + $0) * l * sAll + i] }) / .number(h))
      }
    }
    w = Expr.Tensor(shape: [n, l, sAll], elements: mean)
  }
  if !batched { w = Expr.Tensor(shape: Array(w.shape.dropFirst()), elements: w.elements) }
  return (output, w)
}
