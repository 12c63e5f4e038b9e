/// Attention masks in the conventions of PyTorch and Hugging Face, all converted to the
/// additive float form (0 = attend, `-inf` = masked) that `scaledDotProductAttention`
/// adds to the scores.
public enum AttentionMask: Sendable, Equatable {
  /// Added to the scores as is (PyTorch float masks; `-inf` masks, `-1e9` only shifts).
  case additive(Expr.Tensor)
  /// `F.scaled_dot_product_attention` convention: `true` = attend, `false` = masked.
  case attend([[Bool]])
  /// `nn.MultiheadAttention` `key_padding_mask` convention: `true` = masked (padding).
  case keyPadding([Bool])
  /// Hugging Face `attention_mask`: 1 = attend, 0 = padding, per key.
  case huggingFace([Int])

  /// The additive L x S mask.
  public func additive(queries l: Int, keys s: Int) throws -> Expr.Tensor {
    let ninf = Expr.negativeInfinity
    switch self {
    case .additive(let t):
      return try broadcast(t, to: [l, s], name: "attn_mask")
    case .attend(let rows):
      guard rows.count == l, rows.allSatisfy({ $0.count == s }) else {
        throw LossError(
          "attn_mask of shape [\(rows.count), \(rows.first?.count ?? 0)] does not match [\(l), \(s)]",
          argument: "attn_mask")
      }
      return Expr.Tensor(matrix: rows.map { $0.map { $0 ? .zero : ninf } })
    case .keyPadding(let pad):
      guard pad.count == s else {
        throw LossError("key_padding_mask has \(pad.count) entries for \(s) keys", argument: "key_padding_mask")
      }
      return Expr.Tensor(matrix: Array(repeating: pad.map { $0 ? ninf : .zero }, count: l))
    case .huggingFace(let m):
      guard m.count == s else {
        throw LossError("attention_mask has \(m.count) entries for \(s) keys", argument: "attention_mask")
      }
      guard m.allSatisfy({ $0 == 0 || $0 == 1 }) else {
        throw LossError("attention_mask entries must be 0 or 1", argument: "attention_mask")
      }
      return Expr.Tensor(matrix: Array(repeating: m.map { $0 == 1 ? .zero : ninf }, count: l))
    }
  }
}

/// `Transformer.generate_square_subsequent_mask(n)`: 0 on and below the diagonal, `-inf`
/// above (query i may not attend to key j > i). `causal_mask(n)` is the same matrix.
public func causalMask(_ n: Int) -> Expr.Tensor {
  Expr.Tensor(matrix: (0..<n).map { i in (0..<n).map { j in j > i ? Expr.negativeInfinity : Expr.zero } })
}
