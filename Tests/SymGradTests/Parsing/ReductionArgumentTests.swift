import Testing

@testable import SymGrad

/// Reductions as PyTorch takes them (found by PyTorch's OpInfo samples): `dim` as a list,
/// `dim=[]` for every dimension, `dim` 0 or -1 on a 0-d tensor, `None` for a default;
/// `torch.max(x)` and `amax`/`amin` with the gradient split evenly among tied entries;
/// `max`/`min`/`maximum`/`minimum` elementwise on lists.
@Suite struct ReductionArgumentTests {
  func value(_ text: String) throws -> Expr.Value { try Expr.Value(parsing: text) }
  let a = Expr.symbol("a")
  let b = Expr.symbol("b")
  let c = Expr.symbol("c")
  let d = Expr.symbol("d")

  @Test func dimensionLists() throws {
    let m = "[[a, b], [c, d]]"
    #expect(try value("sum(\(m), dim=[0, 1])") == .scalar(a + b + c + d))
    #expect(try value("sum(\(m), dim=[])") == .scalar(a + b + c + d))
    #expect(try value("sum(\(m), dim=[1, 0], keepdim=True)") == .list([.list([.scalar(a + b + c + d)])]))
    #expect(try value("mean(\(m), [0])") == .list([.scalar((a + c) / 2), .scalar((b + d) / 2)]))
    #expect(try value("logsumexp(\(m), [0, 1])") == .scalar(log(exp(a) + exp(b) + exp(c) + exp(d))))
    #expect(try value("sum(a, dim=0)") == .scalar(a) && (try value("mean(a, -1)")) == .scalar(a))
    #expect(try value("sum(\(m), dim=None)") == .scalar(a + b + c + d))
    #expect(throws: ParseError.self) { try value("sum(\(m), dim=[0, 0])") }
    #expect(throws: ParseError.self) { try value("sum(\(m), dim=[2])") }
    #expect(throws: ParseError.self) { try value("sum(a, dim=1)") }
  }

  /// Ties share the gradient evenly (PyTorch: 1/3 each for three equal entries).
  @Test func tiedExtremaShareTheGradient() throws {
    guard case .scalar(let m) = try value("max([a, b, c])"), case .scalar(let n) = try value("amin([a, b, c], dim=0)")
    else {
      Issue.record("not scalars")
      return
    }
    let at: [String: Expr] = ["a": 1, "b": 1, "c": 1]
    for e in [m, n] {
      let g = e.gradient(withRespectTo: [a, b, c]).map { $0.substituting(at) }
      #expect(g == [1, 1, 1].map { Expr.number(Rational(numerator: $0, denominator: 3)!) }, "\(g)")
      #expect(e.substituting(at) == 1)
    }
    let g = m.gradient(withRespectTo: [a, b, c]).map { $0.substituting(["a": 2, "b": 2, "c": 1]) }
    #expect(
      g == [
        Expr.number(Rational(numerator: 1, denominator: 2)!), Expr.number(Rational(numerator: 1, denominator: 2)!), 0,
      ])
    #expect(m.substituting(["a": 2, "b": 5, "c": 1]) == 5)
  }

  @Test func elementwiseExtrema() throws {
    #expect(try value("max([a, 1], [b, 3])") == .list([.scalar(max(a, b)), .scalar(3)]))
    #expect(try value("maximum([a, b], c)") == .list([.scalar(max(a, c)), .scalar(max(b, c))]))
    #expect(
      try value("minimum([[a], [b]], [c, d])")
        == .list([.list([.scalar(min(a, c)), .scalar(min(a, d))]), .list([.scalar(min(b, c)), .scalar(min(b, d))])]))
    #expect(try value("max(a)") == .scalar(a))
    // With an integer dim, a tensor's max is PyTorch's reduction: [values, indices] (the
    // first largest entry); a number that is not an integer is no dim.
    #expect(try value("max([3, 1, 3], 0)") == value("[3, 0]"))
    #expect(try value("min([[3, 1, 1]], dim=1, keepdim=True)") == value("[[[1]], [[1]]]"))
    #expect(throws: ParseError.self) { try value("max([a, b], 0.5)") }
  }
}
