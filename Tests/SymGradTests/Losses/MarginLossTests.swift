import Testing

@testable import SymGrad

/// The margin and embedding losses: exact forms, PyTorch's derivative 0 at every hinge
/// kink, and clear errors where PyTorch raises or a symbolic target cannot choose a branch.
/// (Their numbers are checked against PyTorch in `Tests/Fixtures/pytorch/margin.json`.)
@Suite struct MarginLossTests {
  func value(_ text: String) throws -> Expr.Value { try Expr.Value(parsing: text) }

  @Test func marginRankingIsAHingeWithDerivativeZeroAtTheKink() throws {
    guard case .scalar(let l) = try value("margin_ranking_loss([a], [b], [1], margin=0.5)") else {
      Issue.record("not a scalar")
      return
    }
    let a = Expr.symbol("a")
    let b = Expr.symbol("b")
    #expect(l == Expr.relu(b - a + Expr.number(Rational(numerator: 1, denominator: 2)!)))
    // At the kink a - b = 1/2 the derivative is PyTorch's 0; just inside it is -1.
    let d = l.derivative(withRespectTo: a)
    #expect(d.substituting(["a": .number(1), "b": Expr.number(Rational(numerator: 1, denominator: 2)!)]) == .zero)
    #expect(d.substituting(["a": .zero, "b": .zero]) == -1)
  }

  @Test func hingeEmbeddingBranches() throws {
    guard case .list(let l) = try value("hinge_embedding_loss([x, y, z], [1, -1, 0], reduction=\"none\")") else {
      Issue.record("not a list")
      return
    }
    let (x, y, z) = (Expr.symbol("x"), Expr.symbol("y"), Expr.symbol("z"))
    #expect(l == [.scalar(x), .scalar(Expr.relu(1 - y)), .scalar(z + Expr.relu(1 - z))])
  }

  /// A symbolic target (OpInfo's targets require grad) chooses the branch through
  /// indicators: the loss agrees with the numeric-target one at every target, and its
  /// derivative in the target is 0 (PyTorch's `where`).
  @Test func symbolicTargetsSelectBranchesByIndicators() throws {
    guard case .scalar(let l) = try value("hinge_embedding_loss([x], [t], reduction=\"sum\")"),
      case .scalar(let c) = try value("cosine_embedding_loss([[x, 1]], [[1, 2]], [t])")
    else {
      Issue.record("not scalars")
      return
    }
    for y in [1, -1, 0] {
      guard case .scalar(let n) = try value("hinge_embedding_loss([x], [\(y)], reduction=\"sum\")"),
        case .scalar(let m) = try value("cosine_embedding_loss([[x, 1]], [[1, 2]], [\(y)])")
      else { continue }
      #expect(l.substituting(["t": .number(y)]) == n)
      #expect(c.substituting(["t": .number(y)]) == m)
    }
    #expect(l.derivative(withRespectTo: "t") == .zero && c.derivative(withRespectTo: "t") == .zero)
  }

  @Test(arguments: [
    ("multi_margin_loss([[x, y]], [0], p=3)", "only p == 1 and p == 2"),
    ("multi_margin_loss([[x, y]], [2])", "out of bounds"),
    ("margin_ranking_loss([x, y], [z], [1, 1])", "input2 size"),
    ("cosine_embedding_loss([[x, y]], [[z, w]], [1, 1])", "one entry per row"),
    ("multilabel_margin_loss([[x, y]], [[0]])", "input's shape"),
    ("pairwise_distance([x], [y], p=-1)", "positive"),
  ])
  func clearErrors(_ c: (String, String)) {
    #expect(throws: ParseError.self) { try value(c.0) }
    do {
      _ = try value(c.0)
    } catch {
      #expect("\(error)".contains(c.1), "\(c.0): \(error)")
    }
  }
}
