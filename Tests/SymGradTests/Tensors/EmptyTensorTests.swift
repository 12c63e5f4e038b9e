import Testing

@testable import SymGrad

/// Tensors with no elements, as PyTorch's OpInfo samples pass them (`(1, 0, 3)`, `(5, 0)`,
/// `(0, 0)`): written `zeros(...)`, they keep their shape through every function, and a
/// product over an empty dimension is a tensor of zeros (the recorded samples are in
/// `Tests/Fixtures/pytorch-opinfo/opinfo.json`, checked with their shapes).
@Suite struct EmptyTensorTests {
  func value(_ text: String) throws -> Expr.Value { try Expr.Value(parsing: text) }
  func shape(_ text: String) throws -> [Int]? { try value(text).shape }

  /// Shapes that nested lists cannot hold are `.empty`; the others stay lists, so one
  /// tensor has one value (equality does not depend on how it was written).
  @Test func oneValueForEachShape() throws {
    #expect(try value("zeros(1, 0, 3)") == .empty(shape: [1, 0, 3]))
    #expect(try value("[zeros(0, 3)]") == .empty(shape: [1, 0, 3]))
    #expect(try value("zeros([0, 2])") == .empty(shape: [0, 2]))
    #expect(try value("zeros(2, 0)") == value("[[], []]"))
    #expect(try value("zeros(0)") == value("[]"))
    #expect(try value("eye(0)") == .empty(shape: [0, 0]))
    #expect(try value("zeros([])") == value("0"))
    #expect(try value("ones(2, 1)") == value("[[1], [1]]"))
    // The text reads back to the same value.
    let printed = try value("exp(zeros(1, 0, 3))").description
    #expect(printed == "zeros(1, 0, 3)")
    #expect(try value(printed) == .empty(shape: [1, 0, 3]))
    // For sympy: its N-dimensional Array keeps the shape (sympify("Array([], (1, 0, 3))")
    // has shape (1, 0, 3); sympy's zeros builds matrices only).
    #expect(try value("zeros(1, 0, 3)").sympyDescription == "Array([], (1, 0, 3))")
    let t = try #require(Expr.Tensor(value("zeros(2, 0, 4)")))
    #expect(t.shape == [2, 0, 4] && t.elements.isEmpty)
  }

  /// Elementwise functions and arithmetic keep the shape; broadcasting follows NumPy's
  /// rules (0 against 1 or 0), and shapes that do not broadcast are an error.
  @Test func elementwiseAndBroadcasting() throws {
    #expect(try shape("exp(zeros(1, 0, 3))") == [1, 0, 3])
    #expect(try shape("softplus(zeros(1, 0, 3), beta=3, threshold=0.2)") == [1, 0, 3])
    #expect(try shape("maximum(zeros(0, 1, 3), zeros(0, 10, 3))") == [0, 10, 3])
    #expect(try shape("x * zeros(0, 2) + 1") == [0, 2])
    #expect(try shape("where(zeros(0, 2) > 0, zeros(0, 2), 1)") == [0, 2])
    #expect(throws: ParseError.self) { try value("zeros(0, 1, 3) + zeros(0, 2, 4)") }
    #expect(throws: ParseError.self) { try value("zeros(0, 3) + [1, 2]") }
  }

  /// Products over an empty dimension are sums of no terms: 0 (PyTorch's (5, 0) @ (0, 10)
  /// is a 5 x 10 zero matrix); a linear layer with no input features gives its bias.
  @Test func productsOverAnEmptyDimension() throws {
    let z = try #require(Expr.Tensor(value("matmul(zeros(5, 0), zeros(0, 10))")))
    #expect(z.shape == [5, 10] && z.elements.allSatisfy { $0 == .zero })
    #expect(try shape("matmul(zeros(0, 0), zeros(5, 0, 0))") == [5, 0, 0])
    #expect(try value("linear(zeros(2, 0), zeros(3, 0), [a, b, c])") == value("[[a, b, c], [a, b, c]]"))
    #expect(try shape("linear(zeros(0, 3), [[a, b, c]])") == [0, 1])
    #expect(try value("sum(zeros(1, 0, 3))") == value("0"))
    #expect(try shape("softmax(zeros(5, 0, 0), -1)") == [5, 0, 0])
    #expect(try shape("layer_norm(zeros(0, 1), [1], [w], [b])") == [0, 1])
  }

  /// `zeros`/`ones` take sizes between 0 and 2^20 and at most 512^2 entries, with errors
  /// that say so.
  @Test func sizesAreChecked() throws {
    for bad in ["zeros(-1)", "zeros(2, x)", "zeros(1.5)", "zeros(100000, 100000)", "zeros(2, dtype=torch.int64)"] {
      #expect(throws: ParseError.self, "\(bad)") { try value(bad) }
    }
    #expect(try shape("zeros(2, 3, dtype=torch.float32)") == [2, 3])
    // PyTorch code's other keywords: the numbers are the same on every device, and a
    // literal has nothing to differentiate.
    #expect(try value("ones([2], dtype=torch.float64, device=\"cpu\", requires_grad=True)") == value("[1, 1]"))
    #expect(throws: ParseError.self) { try value("zeros(2, device=0)") }
    #expect(throws: ParseError.self) { try value("zeros(2, requires_grad=1)") }
  }
}
