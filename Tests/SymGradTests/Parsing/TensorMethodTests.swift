import Testing

@testable import SymGrad

/// PyTorch's tensor methods: `x.f(args)` is `f(x, args)` for the functions `torch.Tensor`
/// has as methods; `view` and `reshape` take their sizes one by one too.
@Suite struct TensorMethodTests {
  func value(_ text: String) throws -> Expr.Value { try Expr.Value(parsing: text) }

  @Test func methodsAreTheFunctions() throws {
    #expect(try value("x.exp()") == value("exp(x)"))
    #expect(try value("(x + 1).log1p()") == value("log1p(x + 1)"))
    #expect(try value("[a, b, c].softmax(-1)") == value("softmax([a, b, c], -1)"))
    #expect(try value("[[a, b], [c, d]].sum(dim=0, keepdim=True)") == value("sum([[a, b], [c, d]], 0, True)"))
    #expect(try value("[[a, b], [c, d]].T.sum(0)") == value("[a + b, c + d]"))
    #expect(try value("[[a, b], [c, d]].max(1)[0]") == value("max([[a, b], [c, d]], dim=1)[0]"))
    #expect(try value("[a, b].matmul([c, d])") == value("a*c + b*d"))
    // A method of a method's result, and after indexing.
    #expect(try value("[a, b, c, d].view(2, 2).transpose(0, 1)") == value("[[a, c], [b, d]]"))
    #expect(try value("[[a, b], [c, d]][1].abs()") == value("[abs(c), abs(d)]"))
  }

  /// Every method is a registered function (the table cannot drift from the registry).
  @Test func methodsAreRegistered() {
    let unregistered = FunctionRegistry.tensorMethods.filter { FunctionRegistry.byName[$0] == nil }
    #expect(unregistered.isEmpty, "\(unregistered.sorted())")
    #expect(!FunctionRegistry.tensorMethods.contains("where"))
  }

  @Test func reshapeAndViewTakeSizesEitherWay() throws {
    let square = try value("[[a, b], [c, d]]")
    for text in [
      "reshape([a, b, c, d], [2, 2])", "reshape([a, b, c, d], 2, 2)", "[a, b, c, d].reshape(2, -1)",
      "[a, b, c, d].view([2, 2])", "view([a, b, c, d], 2, 2)",
    ] {
      #expect(try value(text) == square, "\(text)")
    }
    #expect(throws: ParseError.self) { try value("[a, b].view(3)") }
  }

  /// Module prefixes still name functions; anything else after a dot is an attribute or a
  /// method, or an error at its column.
  @Test func dotsAreFunctionsAttributesOrMethods() throws {
    #expect(try value("F.softmax([a, b], dim=0)") == value("softmax([a, b], dim=0)"))
    #expect(try value("torch.exp(x)") == value("exp(x)"))
    for (text, column) in [("x.foo()", 3), ("x.where([True], 1)", 3), ("[a].exp", 5), ("x.T.foo(1)", 5)] {
      #expect(throws: ParseError.self, "\(text)") { try value(text) }
      do { _ = try value(text) } catch let e as ParseError { #expect(e.column == column, "\(text): \(e)") }
    }
  }
}
