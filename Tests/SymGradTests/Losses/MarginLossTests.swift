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
    ("multilabel_margin_loss([x, y], [0])", "input's shape"),
    ("multi_margin_loss([[x, y], [z, w]], [[0], [1]])", "target must be () or (N)"),
    ("multi_margin_loss([[[x, y]]], [0])", "input must be (), (C) or (N, C)"),
    ("multilabel_soft_margin_loss(x, 1)", "class dimension"),
    ("multilabel_soft_margin_loss([x, y], [1, 0], weight=[[1, 2], [3, 4]])", "class dimension would move"),
    ("cosine_similarity(x, y, dim=1)", "Dimension out of range"),
    ("pairwise_distance([x], [y], p=nan)", "p must be a number, inf or -inf"),
  ])
  func clearErrors(_ c: (String, String)) {
    #expect(throws: ParseError.self) { try value(c.0) }
    do {
      _ = try value(c.0)
    } catch {
      #expect("\(error)".contains(c.1), "\(c.0): \(error)")
    }
  }

  /// The shapes ATen accepts beyond (C) and (N, C) (OpInfo samples them): a 0-d input is
  /// one sample of one class, so the multi-class margin losses are 0 there; "none" takes
  /// its shape from multi_margin_loss's target; multilabel_soft_margin_loss's weight
  /// broadcasts (per class or per element) and the input may have any rank >= 1;
  /// cosine_similarity of two 0-d tensors is their product over the clamped magnitudes.
  @Test func scalarInputsTargetShapesAndBroadcastWeights() throws {
    let (x, y, a, b) = (Expr.symbol("x"), Expr.symbol("y"), Expr.symbol("a"), Expr.symbol("b"))
    #expect(try value("multi_margin_loss(x, 0)") == .scalar(.zero))
    #expect(try value("multi_margin_loss(x, [0], reduction=\"none\")") == .list([.scalar(.zero)]))
    #expect(try value("multilabel_margin_loss(x, 0)") == .scalar(.zero))
    #expect(try value("multilabel_margin_loss(x, [-1], reduction=\"none\")") == .scalar(.zero))
    // (C) input: "none" is () for a 0-d target and (1) for a 1-element one.
    let hinge = Expr.relu(1 - x + y) / 2
    #expect(try value("multi_margin_loss([x, y], 0, reduction=\"none\")") == .scalar(hinge))
    #expect(try value("multi_margin_loss([x, y], [0], reduction=\"none\")") == .list([.scalar(hinge)]))
    // A weight per element: (w11 softplus(-a) + w12 softplus(b)) / 2 for target (1, 0).
    let perElement = try value(
      "multilabel_soft_margin_loss([[a, b], [a, b]], [[1, 0], [1, 0]], weight=[[2, 3], [5, 7]], reduction=\"none\")")
    #expect(
      perElement
        == .list([
          .scalar((2 * softplus(-a) + 3 * softplus(b)) / 2), .scalar((5 * softplus(-a) + 7 * softplus(b)) / 2),
        ]))
    // Rank 3: the class mean over the last dimension, "none" of shape (1, 1).
    #expect(
      try value("multilabel_soft_margin_loss([[[a, b]]], [[[1, 0]]], reduction=\"none\")")
        == .list([.list([.scalar((softplus(-a) + softplus(b)) / 2)])]))
    let eps = Expr.number(Rational(numerator: 1, denominator: 100_000_000)!)
    #expect(try value("cosine_similarity(x, y, dim=0)") == .scalar((x / max(abs(x), eps)) * (y / max(abs(y), eps))))
  }

  /// pairwise_distance broadcasts x1 and x2 and takes the norm over the result's last
  /// dimension (ATen), any rank; triplet_margin_loss requires equal ranks (PyTorch's error)
  /// and broadcasts its two distances.
  @Test func pairwiseDistanceBroadcasts() throws {
    let (x, y) = (Expr.symbol("x"), Expr.symbol("y"))
    #expect(
      try value("pairwise_distance([[x, y]], [[0, 0], [1, 1]], eps=0)")
        == .list([.scalar(sqrt(x * x + y * y)), .scalar(sqrt((x - 1) * (x - 1) + (y - 1) * (y - 1)))]))
    #expect(try value("pairwise_distance(x, y, eps=0, keepdim=True)") == .scalar(abs(x - y)))
    #expect(
      try value("pairwise_distance([[[x]], [[y]]], [[[0]]], eps=0, keepdim=True)")
        == .list([.list([.list([.scalar(abs(x))])]), .list([.list([.scalar(abs(y))])])]))
    #expect(
      try value("triplet_margin_loss([[x]], [[0], [1]], [[2]], eps=0, reduction=\"none\")")
        == .list([.scalar(Expr.relu(1 + abs(x) - abs(x - 2))), .scalar(Expr.relu(1 + abs(x - 1) - abs(x - 2)))]))
    #expect(throws: ParseError.self) { try value("triplet_margin_loss([x], [[0]], [[2]])") }
  }

  /// Norm orders beyond positive numbers, as `torch.linalg.vector_norm`: 0 counts nonzero
  /// entries (gradient 0), inf / -inf are the largest / smallest magnitude with the
  /// gradient split evenly among ties, a negative p is `(sum |v|^p)^(1/p)`; anything else is
  /// refused. Values and gradients written out by hand (PyTorch's are in margin.json).
  @Test func normOrdersZeroInfinityAndNegative() throws {
    func value(_ text: String) throws -> [Expr] { try Expr.Value(parsing: text).flattened }
    let x = Expr.symbol("x")
    let y = Expr.symbol("y")
    let at: [String: Double] = ["x": 1.5, "y": -1.5]
    // ||(x, y, 0.5)||_inf = 1.5 at a tie: d/dx = sign(x)/2, d/dy = sign(y)/2.
    let inf = try value("pairwise_distance([x, y, 0.5], [0, 0, 0], eps=0, p=inf)")[0]
    #expect(try inf.evaluate(at: at) == 1.5)
    #expect(try inf.derivative(withRespectTo: x).evaluate(at: at) == 0.5)
    #expect(try inf.derivative(withRespectTo: y).evaluate(at: at) == -0.5)
    let minusInf = try value("pairwise_distance([x, y, 0.5], [0, 0, 0], eps=0, p=-inf)")[0]
    #expect(try minusInf.evaluate(at: at) == 0.5)
    #expect(try minusInf.derivative(withRespectTo: x).evaluate(at: at) == 0)
    // p = 0: two nonzero entries of (x, 0, y) at x = 1.5, y = -1.5; one at y = 0.
    let zero = try value("pairwise_distance([x, 0, y], [0, 0, 0], eps=0, p=0)")[0]
    #expect(try zero.evaluate(at: at) == 2)
    #expect(try zero.evaluate(at: ["x": 1.5, "y": 0]) == 1)
    #expect(try zero.derivative(withRespectTo: x).evaluate(at: at) == 0)
    // p = -1: 1/(1/|x| + 1/|y|) = 0.75; d/dx = sign(x) (n/|x|)^2 = (0.75/1.5)^2 = 0.25.
    let minusOne = try value("pairwise_distance([x, y], [0, 0], eps=0, p=-1)")[0]
    #expect(try minusOne.evaluate(at: at) == 0.75)
    #expect(try minusOne.derivative(withRespectTo: x).evaluate(at: at) == 0.25)
    // normalize with p = inf divides by the largest magnitude.
    let n = try value("normalize([x, y, 0.5], p=inf, dim=0)")
    #expect(try n.map { try $0.evaluate(at: at) } == [1, -1, 0.5 / 1.5])
    // A 0-d tensor is its own lane for dim 0 or -1 (PyTorch): x / max(|x|, eps).
    #expect(try value("normalize(x, p=1.2, dim=0)")[0].evaluate(at: ["x": -3]) == -1)
    #expect(throws: ParseError.self) { try Expr.Value(parsing: "normalize(x, dim=1)") }
    for bad in ["nan", "x", "\"fro\""] {
      #expect(throws: ParseError.self) { try Expr.Value(parsing: "pairwise_distance([1, 2], [0, 0], p=\(bad))") }
    }
  }
}
