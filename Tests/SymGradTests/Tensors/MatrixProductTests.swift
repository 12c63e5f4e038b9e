import Testing

@testable import SymGrad

/// `matmul` / `@` and `transpose` / `.T` / `.mT` with PyTorch's rules, exactly (the
/// numbers and Jacobians are checked against PyTorch in `Tests/Fixtures/pytorch/linalg.json`).
@Suite struct MatrixProductTests {
  func value(_ text: String) throws -> Expr.Value { try Expr.Value(parsing: text) }

  @Test func productsOfEveryRank() throws {
    #expect(try value("[a, b] @ [c, d]") == value("a*c + b*d"))
    #expect(try value("[[a, b], [c, d]] @ [[1, 0], [0, 2]]") == value("[[a, 2*b], [c, 2*d]]"))
    // A 1-D operand is a row (left) or a column (right), its 1 removed again.
    #expect(try value("[x, y] @ [[a, b], [c, d]]") == value("[a*x + c*y, b*x + d*y]"))
    #expect(try value("[[a, b], [c, d]] @ [x, y]") == value("[a*x + b*y, c*x + d*y]"))
    // Batched: the batch dimensions broadcast (1 against 2), the matrices multiply.
    let batched = try #require(Expr.Tensor(value("matmul([[[a, b]]], [[[1], [2]], [[3], [4]]])")))
    #expect(batched.shape == [2, 1, 1])
    #expect(
      batched.elements == [
        try #require(Expr.Tensor(value("a + 2*b"))).elements[0], .symbol("a") * 3 + .symbol("b") * 4,
      ])
    #expect(try Expr.Tensor(value("matmul([[[a, b], [c, d]], [[e, f], [g, h]]], [x, y])"))?.shape == [2, 2])
  }

  /// `@` has the precedence of `*` and `/`, left to right (Python's).
  @Test func precedence() throws {
    #expect(try value("2*[[a, b]] @ [[1], [1]]") == value("[[2*a + 2*b]]"))
    #expect(try value("[[a, b]] @ [[1], [1]] * 3") == value("[[3*a + 3*b]]"))
    #expect(try value("[[a, b]] @ [[1], [1]] + 1") == value("[[a + b + 1]]"))
  }

  @Test func shapesPyTorchRefusesAreErrors() {
    let e = #expect(throws: ParseError.self) { try value("[[a, b, c]] @ [[1, 2]]") }
    #expect(e?.message.contains("cannot be multiplied (1x3 and 1x2)") == true && e?.column == 13)
    #expect(throws: ParseError.self) { try value("matmul(a, [1, 2])") }
    #expect(throws: ParseError.self) { try value("\"a\" @ [1]") }
    #expect(throws: ParseError.self) { try value("True @ [1]") }
    #expect(throws: ParseError.self) { try value("[a, b] @ [1, 2, 3]") }
    #expect(throws: ParseError.self) { try value("matmul([[[a]], [[b]]], [[[1]], [[2]], [[3]]])") }
  }

  @Test func reshapes() throws {
    #expect(try value("reshape([[a, b, c], [d, e, f]], [3, -1])") == value("[[a, b], [c, d], [e, f]]"))
    #expect(try value("reshape([[a, b, c], [d, e, f]], [-1])") == value("[a, b, c, d, e, f]"))
    let e = #expect(throws: ParseError.self) { try value("reshape([[a, b, c], [d, e, f]], [4, -1])") }
    #expect(e?.message.contains("is invalid for input of size 6") == true)
    #expect(throws: ParseError.self) { try value("reshape([a, b], [-1, -1])") }
    // The sizes may follow the input one by one (the method form x.reshape(2, 1)).
    #expect(try value("reshape([a, b], 2)") == value("[a, b]"))
    #expect(throws: ParseError.self) { try value("reshape([a, b], 3)") }
    #expect(throws: ParseError.self) { try value("reshape([a, b], x)") }
    // Sizes whose product leaves Int's range (fuzz seed 44 #697278 trapped here): PyTorch's
    // size error, with and without an inferred dimension.
    for shape in ["[3, --9223372036854775807-1]", "[3, 9223372036854775807, -1]", "[2**62, 4]"] {
      let big = #expect(throws: ParseError.self) { try value("reshape([[t, t, t]], \(shape))") }
      #expect(big?.message.contains("is invalid for input of size 3") == true, "\(shape): \(big?.message ?? "")")
    }
  }

  @Test func transposes() throws {
    #expect(try value("[[a, b, c], [d, e, f]].T") == value("[[a, d], [b, e], [c, f]]"))
    #expect(try value("transpose([[a, b, c], [d, e, f]], 0, 1)") == value("[[a, d], [b, e], [c, f]]"))
    #expect(try value("transpose([[a, b], [c, d]])") == value("[[a, c], [b, d]]"))
    let t = try #require(Expr.Tensor(value("transpose([[[a, b, c]], [[d, e, f]]], 0, -1)")))
    #expect(t.shape == [3, 1, 2] && t.elements.map(\.description) == ["a", "d", "b", "e", "c", "f"])
    // .T reverses every dimension; .mT swaps the last two of a batch.
    #expect(try Expr.Tensor(value("[[[a, b, c]], [[d, e, f]]].T"))?.shape == [3, 1, 2])
    let m = try #require(Expr.Tensor(value("[[[a, b, c]], [[d, e, f]]].mT")))
    #expect(m.shape == [2, 3, 1] && m.elements.map(\.description) == ["a", "b", "c", "d", "e", "f"])
    #expect(throws: ParseError.self) { try value("[a, b].mT") }
    #expect(throws: ParseError.self) { try value("transpose([[a, b]], 0, 2)") }
    // Attention scores as PyTorch code writes them.
    #expect(try value("[[q0, q1]] @ [[k0, k1], [k2, k3]].T") == value("[[k0*q0 + k1*q1, k2*q0 + k3*q1]]"))
  }
}

/// Batched and multi-head attention (numbers against PyTorch in `linalg.json`): the rules
/// PyTorch refuses and the head grouping.
@Suite struct BatchedAttentionTests {
  func value(_ text: String) throws -> Expr.Value { try Expr.Value(parsing: text) }

  @Test func eachMatrixOfTheBatchIsOneHead() throws {
    // Two batch entries: each the one-head attention of its slices.
    let batched = try #require(
      Expr.Tensor(
        value(
          "scaled_dot_product_attention([[[a, b]], [[c, d]]], [[[1, 0], [0, 1]], [[1, 1], [0, 1]]], [[[1], [2]], [[3], [4]]])"
        )))
    let first = try #require(Expr.Tensor(value("scaled_dot_product_attention([[a, b]], [[1, 0], [0, 1]], [[1], [2]])")))
    let second = try #require(
      Expr.Tensor(value("scaled_dot_product_attention([[c, d]], [[1, 1], [0, 1]], [[3], [4]])")))
    #expect(batched.shape == [2, 1, 1] && batched.elements == first.elements + second.elements)
  }

  /// Grouped-query attention: query heads 0 and 1 read key/value head 0, heads 2 and 3 head 1.
  @Test func groupedQueryHeadsShareKeys() throws {
    let keys = "[[[[1, 0]], [[0, 1]]]]"
    let values = "[[[[5]], [[7]]]]"
    let gqa = try #require(
      Expr.Tensor(
        value(
          "scaled_dot_product_attention([[[[a, b]], [[c, d]], [[e, f]], [[g, h]]]], \(keys), \(values), enable_gqa=True)"
        )))
    #expect(gqa.shape == [1, 4, 1, 1])
    #expect(gqa.elements.map(\.description) == ["5", "5", "7", "7"])
    #expect(throws: ParseError.self) {
      try value("scaled_dot_product_attention([[[[a, b]], [[c, d]], [[e, f]]]], \(keys), \(values), enable_gqa=True)")
    }
    #expect(throws: ParseError.self) {
      try value("scaled_dot_product_attention([[[[a, b]], [[c, d]], [[e, f]], [[g, h]]]], \(keys), \(values))")
    }
  }

  @Test func dropoutIsRefusedUnlessZero() throws {
    let e = #expect(throws: ParseError.self) {
      try value("scaled_dot_product_attention([[a, b]], [[1, 0]], [[1]], dropout_p=0.1)")
    }
    #expect(e?.message.contains("random") == true)
    #expect(try value("scaled_dot_product_attention([[a, b]], [[1, 0]], [[1]], dropout_p=0.0)") == value("[[1]]"))
  }

  /// attention_weights reads its third positional argument as the mask (it was dropped).
  @Test func attentionWeightsPositionalMask() throws {
    let positional = try value("attention_weights([[a, b]], [[1, 0], [0, 1]], [[True, False]])")
    #expect(try positional == value("attention_weights([[a, b]], [[1, 0], [0, 1]], attn_mask=[[True, False]])"))
    #expect(try positional != value("attention_weights([[a, b]], [[1, 0], [0, 1]])"))
  }
}
