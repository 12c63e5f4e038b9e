import SymGrad
import Testing

@testable import SymGradCLI

/// `softmax` and `log_softmax` without `dim`: PyTorch's implicit choice (0 for 0-, 1- and
/// 3-D inputs, else 1) and its deprecation warning, echoed on standard error. Until now
/// SymGrad took the last dimension, which disagrees with PyTorch for 3-D inputs.
@Suite struct ImplicitDimensionTests {
  func run(_ args: String...) -> (status: Int32, out: String, err: String) {
    let o = Output()
    let s = CommandLineTool.run(args, output: o)
    return (s, o.standardOutput, o.standardError)
  }

  @Test func threeDimensionalInputUsesDimensionZero() throws {
    let implicit = try Expr.Value(parsing: "softmax([[[a, b]], [[c, d]]])")
    #expect(implicit == (try Expr.Value(parsing: "softmax([[[a, b]], [[c, d]]], dim=0)")))
    #expect(implicit != (try Expr.Value(parsing: "softmax([[[a, b]], [[c, d]]], dim=-1)")))
    #expect(
      try Expr.Value(parsing: "log_softmax([[[a, b]], [[c, d]]])")
        == (try Expr.Value(parsing: "log_softmax([[[a, b]], [[c, d]]], dim=0)")))
    #expect(
      try Expr.Value(parsing: "softmax([[a, b], [c, d]])")
        == (try Expr.Value(parsing: "softmax([[a, b], [c, d]], dim=1)")))
  }

  @Test func zeroDimensionalInputIsOne() throws {
    #expect(try Expr.Value(parsing: "softmax(a)") == .scalar(1))
    #expect(try Expr.Value(parsing: "log_softmax(a, dim=0)") == .scalar(0))
    #expect(throws: ParseError.self) { try Expr.Value(parsing: "softmax(a, dim=1)") }
  }

  /// `dtype=`: float64 and float32 are accepted and change nothing symbolic; other dtypes
  /// are refused at the argument.
  @Test func dtypeIsAcceptedForFloatingTypes() throws {
    let plain = try Expr.Value(parsing: "softmax([a, b], dim=0)")
    for dtype in ["torch.float64", "torch.float32", "torch.double", "torch.float"] {
      #expect(try Expr.Value(parsing: "softmax([a, b], dim=0, dtype=\(dtype))") == plain, "\(dtype)")
      #expect(
        try Expr.Value(parsing: "F.log_softmax([a, b], 0, dtype=\(dtype))")
          == (try Expr.Value(parsing: "log_softmax([a, b], dim=0)")))
    }
    let e = #expect(throws: ParseError.self) { try Expr.Value(parsing: "softmax([a, b], dim=0, dtype=torch.int64)") }
    #expect(e?.message.contains("dtype must be torch.float64 or torch.float32") == true)
    #expect(e?.column == 24)
  }

  @Test func theWarningGoesToStandardError() {
    let r = run("eval", "softmax([[[a, b]], [[c, d]]])")
    #expect(r.status == 0)
    #expect(
      r.err.contains("warning: softmax: UserWarning: Implicit dimension choice for softmax has been deprecated"),
      "\(r.err)")
    #expect(r.err.contains("dim=0 used for a 3-D input"))
    #expect(!r.out.contains("warning"))
    let explicit = run("eval", "softmax([[[a, b]], [[c, d]]], dim=2)")
    #expect(explicit.status == 0 && explicit.err.isEmpty, "\(explicit.err)")
  }
}

/// `symgrad functions`: the registry's listing.
@Suite struct FunctionsCommandTests {
  func run(_ args: String...) -> (status: Int32, out: String, err: String) {
    let o = Output()
    let s = CommandLineTool.run(args, output: o)
    return (s, o.standardOutput, o.standardError)
  }

  @Test func listsEveryFunctionWithItsSignature() {
    let r = run("functions")
    #expect(r.status == 0)
    for e in FunctionRegistry.entries {
      #expect(r.out.contains("  \(e.signature)\n      \(e.description)\n"), "\(e.name)")
    }
    #expect(r.out.hasPrefix("elementary:\n"))
  }

  @Test func oneFunctionAndJSON() throws {
    let one = run("functions", "F.cross_entropy")
    #expect(one.status == 0)
    #expect(
      one.out.hasPrefix(
        "  cross_entropy(input, target, weight=None, ignore_index=-100, reduction=\"mean\", label_smoothing=0.0)\n"),
      "\(one.out)")
    let json = run("functions", "softmax", "--json")
    #expect(
      json.out.hasPrefix(
        "[{\"name\": \"softmax\", \"family\": \"losses\", \"signature\": \"softmax(x, dim=None, dtype=None)\", \"description\": "
      ), "\(json.out)")
  }

  @Test func unknownNameSuggests() {
    let r = run("functions", "sofmax")
    #expect(r.status == 1)
    #expect(r.err.contains("did you mean 'softmax'?"), "\(r.err)")
  }
}
