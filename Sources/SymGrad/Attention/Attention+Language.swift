/// Attention functions of the expression language (PyTorch's names; a contract).
enum AttentionFunctions {
  static let all: [LanguageFunction] = [
    LanguageFunction(
      name: "scaled_dot_product_attention",
      summary:
        "scaled_dot_product_attention(query, key, value, attn_mask=None, is_causal=False, scale=None, key_padding_mask=None, attention_mask=None): softmax(q k^T scale + masks) v, one head"
    ) { a in
      try a.expect(
        positional: 3...4, keywords: ["attn_mask", "is_causal", "scale", "key_padding_mask", "attention_mask"],
        names: ["query", "key", "value", "attn_mask"])
      return try a.run {
        try scaledDotProductAttention(
          query: a.tensor(0, "query"), key: a.tensor(1, "key"), value: a.tensor(2, "value"), masks: a.masks(),
          isCausal: a.bool("is_causal") ?? false, scale: a.scalar(nil, "scale")
        ).value
      }
    },
    LanguageFunction(
      name: "attention_weights",
      summary:
        "attention_weights(query, key, attn_mask=None, is_causal=False, scale=None, key_padding_mask=None, attention_mask=None): the softmax weights"
    ) { a in
      try a.expect(
        positional: 2...3, keywords: ["attn_mask", "is_causal", "scale", "key_padding_mask", "attention_mask"],
        names: ["query", "key", "attn_mask"])
      return try a.run {
        try attentionWeights(
          query: a.tensor(0, "query"), key: a.tensor(1, "key"), masks: a.masks(),
          isCausal: a.bool("is_causal") ?? false, scale: a.scalar(nil, "scale")
        ).value
      }
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

  static let maximumMatrixSize = 512
  static let maximumVectorSize = 1 << 20

  /// The masks given by keywords (and a 4th positional `attn_mask`).
  func masks() throws -> [AttentionMask] {
    var out: [AttentionMask] = []
    if let (v, c) = argument(3, "attn_mask") {
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
