#if canImport(_Differentiation) && !SYMGRAD_SIMULATE_NO_DIFFERENTIATION
import SymGrad
import SymGradOracle
import _Differentiation

extension OracleBridge {
  /// `F.multi_head_attention_forward`'s parameters in PyTorch's order (positional or keyword).
  static let multiheadParameters = [
    "query", "key", "value", "embed_dim_to_check", "num_heads", "in_proj_weight", "in_proj_bias", "bias_k", "bias_v",
    "add_zero_attn", "dropout_p", "out_proj_weight", "out_proj_bias", "training", "key_padding_mask", "need_weights",
    "attn_mask", "use_separate_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight", "static_k",
    "static_v", "average_attn_weights", "is_causal",
  ]

  /// `multi_head_attention_forward(...)[0]` (the output) or `[1]` (the weights) on the
  /// oracle, differentiated by the entries of query, key and value (self-attention passes
  /// one tensor three times; the columns of a symbol add up). Written from PyTorch's
  /// documented semantics: masks True = masked, float masks added, `key_padding_mask`
  /// (N, S) added to every head, `attn_mask` (L, S) or (N*H, L, S); the `is_causal` hint
  /// replaces `attn_mask` on the fused path (`need_weights=False`, no key padding mask).
  static func compileMultiheadAttention(_ tree: CallTree) throws -> Program {
    func argument(_ name: String) -> Expr.Value? {
      let i = multiheadParameters.firstIndex(of: name)!
      let v = i < tree.positional.count ? tree.positional[i].value : tree.keywords[name]
      if let v, case .scalar(let e) = v, e.symbolName == "None" { return nil }
      return v
    }
    func tensor(_ name: String) throws -> Expr.Tensor? {
      guard let v = argument(name) else { return nil }
      guard let t = Expr.Tensor(v) else { throw NotApplicable(description: "multi_head_attention_forward: \(name)") }
      return t
    }
    func numbers(_ t: Expr.Tensor?) throws -> [Double]? {
      try t.map { t in
        try t.elements.map { e in
          guard let r = e.rationalValue else {
            throw NotApplicable(description: "multi_head_attention_forward: the parameters must be numbers")
          }
          return r.toDouble()
        }
      }
    }
    func flag(_ name: String, _ d: Bool) -> Bool {
      guard let v = argument(name) else { return d }
      return v == .boolean(true)
    }
    guard let item = tree.item, item == 0 || item == 1 else {
      throw NotApplicable(description: "multi_head_attention_forward: the oracle runs its [0] or [1], not the tuple")
    }
    if flag("training", true), let p = argument("dropout_p"), p.rationalValue != 0 {
      throw NotApplicable(description: "multi_head_attention_forward: dropout is random")
    }
    guard let query = try tensor("query"), let key = try tensor("key"), let value = try tensor("value"),
      let heads = argument("num_heads")?.rationalValue?.numerator.asInt
    else { throw NotApplicable(description: "multi_head_attention_forward: missing arguments") }
    let batched = query.rank == 3
    guard query.rank == 2 || batched, key.rank == query.rank, value.rank == query.rank else {
      throw NotApplicable(description: "multi_head_attention_forward: inputs (L, N, E) or (L, E)")
    }
    let (l, n) = (query.shape[0], batched ? query.shape[1] : 1)
    let s = key.shape[0]
    let e = query.shape[query.rank - 1]
    guard heads > 0, e % heads == 0 else { throw NotApplicable(description: "multi_head_attention_forward: heads") }
    let shape = MultiheadAttentionShape(
      l: l, s: s, n: n, e: e, queryDim: e, keyDim: key.shape[key.rank - 1], valueDim: value.shape[value.rank - 1])
    let (qw, kw, vw): ([Double], [Double], [Double])
    if flag("use_separate_proj_weight", false) {
      guard let a = try numbers(try tensor("q_proj_weight")), let b = try numbers(try tensor("k_proj_weight")),
        let c = try numbers(try tensor("v_proj_weight"))
      else { throw NotApplicable(description: "multi_head_attention_forward: separate projection weights") }
      (qw, kw, vw) = (a, b, c)
    } else {
      guard let packed = try numbers(try tensor("in_proj_weight")), packed.count == 3 * e * e else {
        throw NotApplicable(description: "multi_head_attention_forward: in_proj_weight (3E, E)")
      }
      (qw, kw, vw) = (Array(packed[0..<(e * e)]), Array(packed[(e * e)..<(2 * e * e)]), Array(packed[(2 * e * e)...]))
    }
    guard let outWeight = try numbers(try tensor("out_proj_weight")) else {
      throw NotApplicable(description: "multi_head_attention_forward: out_proj_weight")
    }
    // static_k/static_v: (N*H, S', E/H) each, S' their common length.
    let (staticK, staticV) = (try tensor("static_k"), try tensor("static_v"))
    let statics = [staticK, staticV].compactMap { $0 }
    let staticRows = statics.first?.shape[1] ?? 0
    for t in statics where t.shape != [n * heads, staticRows, e / heads] {
      throw NotApplicable(description: "multi_head_attention_forward: static_k/static_v (N*H, S', E/H) of one shape")
    }
    let parameters = MultiheadAttentionWeights(
      numHeads: heads, queryWeight: qw, keyWeight: kw, valueWeight: vw, inBias: try numbers(try tensor("in_proj_bias")),
      outWeight: outWeight, outBias: try numbers(try tensor("out_proj_bias")), biasK: try numbers(try tensor("bias_k")),
      biasV: try numbers(try tensor("bias_v")), addZeroAttention: flag("add_zero_attn", false),
      staticK: try numbers(staticK), staticV: try numbers(staticV), staticRows: staticRows)
    if parameters.biasK != nil && !statics.isEmpty {
      throw NotApplicable(description: "multi_head_attention_forward: bias cannot be added to static keys (PyTorch)")
    }
    // The columns of the masks as given (the key input's S, or S' with static keys), and
    // the keys each query sees: one more for bias_k/bias_v, one more for add_zero_attn; the
    // masks get an attending (0) column for each added key, as PyTorch pads them.
    let columns = staticK == nil ? s : staticRows
    let (kRows, vRows, seen) = parameters.keyCounts(keyInputLength: s)
    guard kRows == vRows else {
      throw NotApplicable(description: "multi_head_attention_forward: keys and values of different lengths")
    }
    // Masks in MHA's convention: True = masked (-inf), False = 0, numbers added.
    func masked(_ v: Expr.Value) throws -> [Double] {
      switch v {
      case .list(let items): return try items.flatMap(masked)
      case .empty: return []
      case .boolean(let b): return [b ? -.infinity : 0]
      case .scalar(let x):
        if let r = x.rationalValue { return [r.toDouble()] }
        if let c = x.constantValue, !c.doubleValue.isNaN { return [c.doubleValue] }
        throw NotApplicable(description: "multi_head_attention_forward: masks must hold numbers or booleans")
      case .string:
        throw NotApplicable(description: "multi_head_attention_forward: masks must hold numbers or booleans")
      }
    }
    let needWeights = flag("need_weights", true)
    var attnMask = try argument("attn_mask").map(masked)
    let padding = try argument("key_padding_mask").map(masked)
    if let m = attnMask, m.count != l * columns, m.count != n * heads * l * columns {
      throw NotApplicable(description: "multi_head_attention_forward: attn_mask must be (L, S) or (N*H, L, S)")
    }
    if let p = padding, p.count != n * columns {
      throw NotApplicable(description: "multi_head_attention_forward: key_padding_mask must be (N, S)")
    }
    var causal = false
    if flag("is_causal", false) {
      guard attnMask != nil else { throw NotApplicable(description: "PyTorch needs attn_mask with is_causal") }
      if !needWeights && padding == nil {
        attnMask = nil
        causal = true
      }
    }
    var masks: [[Double]?] = []
    for b in 0..<n {
      for h in 0..<heads {
        guard attnMask != nil || padding != nil else {
          masks.append(nil)
          continue
        }
        var m = [Double](repeating: 0, count: l * seen)
        let c = columns
        if let a = attnMask {
          let offset = a.count == l * c ? 0 : (b * heads + h) * l * c
          for i in 0..<l { for j in 0..<c { m[i * seen + j] += a[offset + i * c + j] } }
        }
        if let p = padding { for i in 0..<l { for j in 0..<c { m[i * seen + j] += p[b * c + j] } } }
        masks.append(m)
      }
    }
    let (nq, nk) = (query.count, key.count)
    if item == 1 {
      guard needWeights else { throw NotApplicable(description: "multi_head_attention_forward: weights are None") }
      let average = flag("average_attn_weights", true)
      return Program(inputs: query.elements + key.elements) { x in
        multiHeadAttentionWeights(
          query: slice(x, 0, nq), key: slice(x, nq, nk), shape: shape,
          weights: parameters, masks: masks, average: average)
      }
    }
    return Program(inputs: query.elements + key.elements + value.elements) { x in
      multiHeadAttentionForward(
        query: slice(x, 0, nq), key: slice(x, nq, nk), value: slice(x, nq + nk, value.count), shape: shape,
        weights: parameters, masks: masks, needWeights: needWeights, isCausal: causal)
    }
  }
}
#endif
