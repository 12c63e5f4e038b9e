/// Attention functions of the expression language (PyTorch's names; a contract).
enum AttentionFunctions {
  static let all: [LanguageFunction] = [
    LanguageFunction(
      name: "scaled_dot_product_attention",
      summary:
        "scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False, key_padding_mask=None, attention_mask=None): softmax(q k^T scale + masks) v over the last two dimensions, batch and head dimensions broadcast (enable_gqa: grouped query heads); dropout_p must be 0"
    ) { a in
      try a.expect(
        positional: 3...5,
        keywords: [
          "attn_mask", "dropout_p", "is_causal", "scale", "enable_gqa", "key_padding_mask", "attention_mask",
        ],
        names: ["query", "key", "value", "attn_mask", "dropout_p"])
      return try a.run { try a.attention(weightsOnly: false).value }
    },
    LanguageFunction(
      name: "attention_weights",
      summary:
        "attention_weights(query, key, attn_mask=None, is_causal=False, scale=None, enable_gqa=False, key_padding_mask=None, attention_mask=None): the softmax weights (..., L, S)"
    ) { a in
      try a.expect(
        positional: 2...3,
        keywords: ["attn_mask", "is_causal", "scale", "enable_gqa", "key_padding_mask", "attention_mask"],
        names: ["query", "key", "attn_mask"])
      return try a.run { try a.attention(weightsOnly: true).value }
    },
    LanguageFunction(
      name: "multi_head_attention_forward",
      summary:
        "multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training=True, key_padding_mask=None, need_weights=True, attn_mask=None, use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None, v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True, is_causal=False): nn.MultiheadAttention's forward, sequence first (L, N, E) or unbatched (L, E); returns [attn_output, attn_weights] (weights None unless need_weights); masks True = masked; static_k/v (N*num_heads, S', E/num_heads) replace the projected keys/values; dropout in training is refused"
    ) { a in
      try a.expect(
        positional: 13...25, keywords: Set(CallArguments.multiheadParameters.dropFirst(13)),
        names: CallArguments.multiheadParameters)
      return try a.run { try a.multiheadAttention() }
    },
    LanguageFunction(name: "causal_mask", summary: "causal_mask(n): 0 on and below the diagonal, -inf above (n <= 512)")
    { a in
      try a.expect(positional: 1...1)
      return try a.run { causalMask(try a.size(0)).value }
    },
    LanguageFunction(
      name: "generate_square_subsequent_mask", summary: "generate_square_subsequent_mask(sz): the same as causal_mask"
    ) { a in
      try a.expect(positional: 0...1, keywords: ["sz"], names: ["sz"])
      return try a.run { causalMask(try a.size(0, "sz")).value }
    },
  ]
}

extension CallArguments {
  /// A non-negative integer size at position `i` (or keyword `name`).
  ///
  /// A square matrix (`eye`, `causal_mask`) has at most `maximumMatrixSize` rows, so no
  /// literal holds more than 262,144 entries (each an expression that is printed, parsed
  /// and differentiated; 4096 rows took tens of seconds to print, 1024 rows about 3 s
  /// through print, reparse and `eval --json`). A vector (`one_hot`) may have up to
  /// `maximumVectorSize` entries.
  func size(_ i: Int, _ name: String = "n", matrix: Bool = true) throws -> Int {
    guard let n = try int(i, name) else { throw error("missing \(name)") }
    let limit = matrix ? Self.maximumMatrixSize : Self.maximumVectorSize
    guard n >= 0 && n <= limit else {
      throw error(
        "\(name) must be between 0 and \(limit), got \(n)"
          + (matrix && n > limit
            ? " (SymGrad builds at most \(limit) x \(limit) literal matrices; use symbols for larger sizes)" : ""),
        at: argument(i, name)?.1)
    }
    return n
  }

  /// `F.multi_head_attention_forward`'s parameters in PyTorch's order (a contract: they
  /// may be passed by position or by keyword).
  static let multiheadParameters = [
    "query", "key", "value", "embed_dim_to_check", "num_heads", "in_proj_weight", "in_proj_bias", "bias_k", "bias_v",
    "add_zero_attn", "dropout_p", "out_proj_weight", "out_proj_bias", "training", "key_padding_mask", "need_weights",
    "attn_mask", "use_separate_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight", "static_k",
    "static_v", "average_attn_weights", "is_causal",
  ]

  /// `multi_head_attention_forward` of these arguments: `[attn_output, attn_weights]`,
  /// PyTorch's tuple (the weights `None` unless `need_weights`).
  func multiheadAttention() throws -> Expr.Value {
    let names = Self.multiheadParameters
    func position(_ name: String) -> Int { names.firstIndex(of: name)! }
    func flag(_ name: String, _ d: Bool) throws -> Bool {
      guard let (v, c) = argument(position(name), name) else { return d }
      guard case .boolean(let b) = v else { throw error("'\(name)' must be True or False", at: c) }
      return b
    }
    func optional(_ name: String) throws -> Expr.Tensor? {
      argument(position(name), name) == nil ? nil : try tensor(position(name), name)
    }
    let training = try flag("training", true)
    if training, let (v, c) = argument(position("dropout_p"), "dropout_p"), v.rationalValue != Rational(0) {
      throw error(
        "dropout_p=\(v) with training=True makes attention random; SymGrad derives deterministic functions (use dropout_p=0.0 or training=False)",
        at: c)
    }
    let query = try tensor(0, "query")
    let key = try tensor(1, "key")
    let value = try tensor(2, "value")
    guard let embed = try int(position("embed_dim_to_check"), "embed_dim_to_check") else {
      throw error("missing argument 'embed_dim_to_check'")
    }
    guard let heads = try int(position("num_heads"), "num_heads") else { throw error("missing argument 'num_heads'") }
    if let last = query.shape.last, last != embed {
      throw error(
        "was expecting embedding dimension of \(embed), but got \(last)",
        at: argument(position("embed_dim_to_check"), "embed_dim_to_check")?.1)
    }
    let inBias = try optional("in_proj_bias")
    let outWeight = try tensor(position("out_proj_weight"), "out_proj_weight")
    let outBias = try optional("out_proj_bias")
    let parameters: MultiheadAttentionParameters
    if try flag("use_separate_proj_weight", false) {
      func weight(_ name: String) throws -> Expr.Tensor {
        guard let w = try optional(name) else {
          throw error("use_separate_proj_weight is True but \(name) is None")
        }
        return w
      }
      parameters = MultiheadAttentionParameters(
        numHeads: heads, queryWeight: try weight("q_proj_weight"), keyWeight: try weight("k_proj_weight"),
        valueWeight: try weight("v_proj_weight"), inBias: inBias, outWeight: outWeight, outBias: outBias)
    } else {
      guard let packed = try optional("in_proj_weight") else {
        throw error("use_separate_proj_weight is False but in_proj_weight is None")
      }
      parameters = try MultiheadAttentionParameters(
        numHeads: heads, inProjWeight: packed, inProjBias: inBias, outProjWeight: outWeight, outProjBias: outBias)
    }
    var withExtras = parameters
    withExtras.biasK = try optional("bias_k")
    withExtras.biasV = try optional("bias_v")
    withExtras.addZeroAttention = try flag("add_zero_attn", false)
    withExtras.staticK = try optional("static_k")
    withExtras.staticV = try optional("static_v")
    let needWeights = try flag("need_weights", true)
    let (output, weights) = try multiHeadAttentionForward(
      query: query, key: key, value: value, parameters: withExtras,
      keyPaddingMask: try maskedTensor(position("key_padding_mask"), "key_padding_mask"),
      attnMask: try maskedTensor(position("attn_mask"), "attn_mask"), needWeights: needWeights,
      averageAttnWeights: try flag("average_attn_weights", true), isCausal: try flag("is_causal", false))
    return .list([output.value, weights?.value ?? .scalar(.symbol("None"))])
  }

  /// A mask in `nn.MultiheadAttention`'s convention as an additive tensor: booleans are
  /// True = masked (`-inf`) and False = 0; numbers are added as they are.
  func maskedTensor(_ i: Int, _ name: String) throws -> Expr.Tensor? {
    try additiveMaskTensor(i, name, trueMasks: true)
  }

  /// A mask argument as an additive tensor of any rank: booleans are `-inf` where they mask
  /// and 0 where they let attention through (`trueMasks`: True = masked, MultiheadAttention's
  /// convention; otherwise True = attend, SDPA's); numbers are added as they are.
  func additiveMaskTensor(_ i: Int, _ name: String, trueMasks: Bool) throws -> Expr.Tensor? {
    guard let (v, c) = argument(i, name) else { return nil }
    func additive(_ v: Expr.Value) -> Expr.Value? {
      switch v {
      case .boolean(let b): return .scalar(b == trueMasks ? .negativeInfinity : .zero)
      case .list(let items):
        var out: [Expr.Value] = []
        for i in items {
          guard let a = additive(i) else { return nil }
          out.append(a)
        }
        return .list(out)
      case .scalar: return v
      default: return nil
      }
    }
    guard let converted = additive(v), let t = Expr.Tensor(converted) else {
      let meaning = trueMasks ? "True = masked" : "True = attend"
      throw error("\(name) must be a tensor of booleans (\(meaning)) or of numbers (added)", at: c)
    }
    return t
  }

  static let maximumMatrixSize = 512
  static let maximumVectorSize = 1 << 20

  /// `scaled_dot_product_attention` (or, with `weightsOnly`, its weights) of these
  /// arguments: one head when every tensor is a matrix, else batched
  /// (`batchedScaledDotProductAttention`). `dropout_p` other than 0 is refused: dropout is
  /// random, and SymGrad derives functions.
  func attention(weightsOnly: Bool) throws -> Expr.Tensor {
    let query = try tensor(0, "query")
    let key = try tensor(1, "key")
    let value = weightsOnly ? key : try tensor(2, "value")
    let maskPosition = weightsOnly ? 2 : 3
    if !weightsOnly, let (v, c) = argument(4, "dropout_p") {
      guard v.rationalValue == Rational(0) else {
        throw error(
          "dropout_p=\(v) makes attention random; SymGrad derives deterministic functions (use dropout_p=0.0)", at: c)
      }
    }
    let gqa = try bool("enable_gqa") ?? false
    let isCausal = try bool("is_causal") ?? false
    let scale = try scalar(nil, "scale")
    let mask = try attnMaskTensor(position: maskPosition)
    if query.rank == 2 && key.rank == 2 && value.rank == 2 && !gqa && (mask?.rank ?? 2) <= 2 {
      let masks = try self.masks(attnMaskPosition: maskPosition)
      if weightsOnly {
        return try attentionWeights(query: query, key: key, masks: masks, isCausal: isCausal, scale: scale)
      }
      return try scaledDotProductAttention(
        query: query, key: key, value: value, masks: masks, isCausal: isCausal, scale: scale)
    }
    return try batchedScaledDotProductAttention(
      query: query, key: key, value: value, attnMask: mask, masks: try masks(attnMaskPosition: nil),
      isCausal: isCausal, scale: scale, enableGQA: gqa, weightsOnly: weightsOnly)
  }

  /// `attn_mask` as an additive tensor of any rank: booleans (True = attend) become 0 and
  /// `-inf`, numbers are added as they are.
  func attnMaskTensor(position: Int) throws -> Expr.Tensor? {
    try additiveMaskTensor(position, "attn_mask", trueMasks: false)
  }

  /// The masks given by keywords (and the positional `attn_mask` at `attnMaskPosition`,
  /// nil to leave it out).
  func masks(attnMaskPosition: Int? = 3) throws -> [AttentionMask] {
    var out: [AttentionMask] = []
    if let position = attnMaskPosition, let (v, c) = argument(position, "attn_mask") {
      if let rows = Self.booleans(v), rows.allSatisfy({ $0.count == rows.first?.count }) {
        out.append(.attend(rows))
      } else if let t = Expr.Tensor(v) {
        out.append(.additive(t))
      } else {
        throw error("attn_mask must be a matrix of booleans (True = attend) or of numbers (added)", at: c)
      }
    }
    if let (v, c) = keyword("key_padding_mask") {
      if case .list(let items) = v, items.allSatisfy({ if case .boolean = $0 { return true } else { return false } }) {
        out.append(.keyPadding(items.map { if case .boolean(let b) = $0 { return b } else { return false } }))
      } else if let t = Expr.Tensor(v), t.rank == 1 {
        out.append(.additive(Expr.Tensor(shape: [1, t.count], elements: t.elements)))
      } else {
        throw error("key_padding_mask must be a list of booleans (True = masked) or of numbers (added)", at: c)
      }
    }
    if let (v, c) = keyword("attention_mask") {
      guard let t = Expr.Tensor(v), t.rank == 1 else { throw error("attention_mask must be a list of 0/1", at: c) }
      out.append(
        .huggingFace(
          try t.elements.map { e in
            guard let r = e.rationalValue, r.isInteger, let k = r.numerator.asInt else {
              throw error("attention_mask entries must be 0 or 1", at: c)
            }
            return k
          }))
    }
    return out
  }

  /// A matrix (or vector, as one row) of booleans.
  static func booleans(_ v: Expr.Value) -> [[Bool]]? {
    func row(_ v: Expr.Value) -> [Bool]? {
      guard case .list(let items) = v else { return nil }
      var out: [Bool] = []
      for i in items {
        guard case .boolean(let b) = i else { return nil }
        out.append(b)
      }
      return out
    }
    guard case .list(let items) = v, !items.isEmpty else { return nil }
    if let r = row(v) { return [r] }
    var rows: [[Bool]] = []
    for i in items {
      guard let r = row(i) else { return nil }
      rows.append(r)
    }
    return rows
  }
}
