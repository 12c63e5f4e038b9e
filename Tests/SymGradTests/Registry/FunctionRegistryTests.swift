import Foundation
import Testing

@testable import SymGrad

/// The function registry: one entry per function, PyTorch's prefixes, "did you mean", and
/// the README's language table in step with it.
@Suite struct FunctionRegistryTests {
  @Test func everyEntryHasASignatureAndADescription() {
    var seen = Set<String>()
    for e in FunctionRegistry.entries {
      #expect(seen.insert(e.name).inserted, "\(e.name) registered twice")
      #expect(e.signature.hasPrefix(e.name + "(") && e.signature.hasSuffix(")"), "\(e.signature)")
      #expect(e.description.count >= 5, "\(e.name): '\(e.description)'")
    }
    #expect(FunctionRegistry.entries.count == FunctionRegistry.byName.count)
  }

  @Test func pytorchPrefixesNameTheSameFunction() throws {
    let plain = try Expr.Value(parsing: "softmax([a, b], dim=0)")
    for prefix in ["F.", "torch.nn.functional.", "nn.functional.", "torch."] {
      #expect(try Expr.Value(parsing: "\(prefix)softmax([a, b], dim=0)") == plain, "\(prefix)")
    }
    #expect(FunctionRegistry.resolve("F.cross_entropy")?.name == "cross_entropy")
    #expect(FunctionRegistry.resolve("G.softmax") == nil)
    #expect(FunctionRegistry.resolve("torch.nosuch") == nil)
  }

  @Test func didYouMean() {
    #expect(FunctionRegistry.suggestions(for: "sofmax") == ["softmax"])
    #expect(FunctionRegistry.suggestions(for: "cross_entopy") == ["cross_entropy"])
    #expect(FunctionRegistry.suggestions(for: "F.sigmiod") == ["sigmoid"])
    #expect(FunctionRegistry.suggestions(for: "frobnicate").isEmpty)
    #expect(Suggestions.distance("ab", "ba") == 1)
    #expect(Suggestions.distance("kitten", "sitting") == 3)
    #expect(
      throws: ParseError(
        column: 1, message: "unknown function 'sofmax' (did you mean 'softmax'?) (symgrad functions lists them)")
    ) {
      try Expr.Value(parsing: "sofmax([a, b])")
    }
    let keyword = #expect(throws: ParseError.self) {
      try Expr.Value(parsing: "cross_entropy([[a, b]], [1], reductio='sum')")
    }
    #expect(keyword?.message.contains("did you mean 'reduction'?") == true, "\(String(describing: keyword))")
  }

  /// Tensor attributes other than `.T` and `.mT` are a clear error; those two are read
  /// (a 0-d tensor's `.T` is itself, as in PyTorch).
  @Test func attributesAreAClearError() throws {
    let e = #expect(throws: ParseError.self) { try Expr.Value(parsing: "x.shape + 1") }
    #expect(e?.message.contains("attributes other than .T and .mT are not supported") == true)
    #expect(e?.column == 1)
    #expect(try Expr.Value(parsing: "x.T + 1") == Expr.Value(parsing: "x + 1"))
    let after = #expect(throws: ParseError.self) { try Expr.Value(parsing: "[[a, b]].shape") }
    #expect(after?.message.contains("expected a tensor attribute (T, mT)") == true && after?.column == 10)
  }

  /// The README's language table names every registered function, and every function it
  /// names is registered.
  @Test func readmeTableMatchesTheRegistry() throws {
    let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md")
    let text = try String(contentsOf: readme, encoding: .utf8)
    guard let start = text.range(of: "## The expression language"),
      let end = text.range(of: "\n## ", range: start.upperBound..<text.endIndex)
    else {
      Issue.record("no language section in README")
      return
    }
    var named = Set<String>()
    for line in text[start.upperBound..<end.lowerBound].split(separator: "\n") where line.hasPrefix("| `") {
      let firstCell = line.dropFirst(2).prefix { $0 != "|" }
      for span in firstCell.split(separator: "`", omittingEmptySubsequences: false).enumerated()
      where span.offset % 2 == 1 {
        let code = span.element
        if code.contains("(") {
          for m in code.matches(of: /([A-Za-z_][A-Za-z_0-9.]*)\(/) { named.insert(String(m.output.1)) }
        } else if code.split(separator: " ").count > 1,
          code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == " " })
        {
          named.formUnion(code.split(separator: " ").map(String.init))
        }
      }
    }
    let registered = Set(FunctionRegistry.entries.map(\.name))
    #expect(
      registered.subtracting(named).isEmpty,
      "registered but not in the README table: \(registered.subtracting(named).sorted())")
    let unknown = named.filter { FunctionRegistry.resolve($0) == nil }
    #expect(unknown.isEmpty, "in the README table but not registered: \(unknown.sorted())")
  }
}
