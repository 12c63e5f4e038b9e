import Foundation
import Testing

@testable import SymGradCLI

/// `symgrad codegen`: the contract's flags, errors and output file.
@Suite struct CodegenCommandTests {
  @Test func writesEachLanguage() {
    for (lang, signature) in [
      ("c", "void symgrad_fn(double a, double b, double *value, double *gradient)"),
      ("swift", "func symgrad_fn(_ a: Double, _ b: Double) -> (value: Double, gradient: [Double])"),
      ("python", "def symgrad_fn(a, b):"), ("numpy", "def symgrad_fn(a, b):"),
      ("torch", "def symgrad_fn(a, b):"),
    ] {
      let r = HelpExamples.run(["codegen", "log(exp(a) + exp(b)) - a", "--wrt", "a,b", "--lang", lang])
      #expect(r.status == 0, "\(lang): \(r.err)")
      #expect(r.out.contains(signature), "\(lang):\n\(r.out)")
    }
  }

  @Test func aListGivesValuesAndJacobian() {
    let r = HelpExamples.run(["codegen", "softmax([a, b], dim=0)", "--wrt", "a,b", "--lang", "c", "--name", "softmax2"])
    #expect(r.status == 0)
    #expect(r.out.contains("void softmax2(double a, double b, double *values, double *jacobian)"))
    #expect(r.out.contains("jacobian[3] ="))
  }

  @Test func tensorsAreArrays() {
    let r = HelpExamples.run([
      "codegen", "cross_entropy(X, [0, 2])", "--tensor", "X=2x3", "--wrt", "X", "--lang", "swift",
    ])
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out.contains("func symgrad_fn(_ X: [Double]) -> (value: Double, gradient: [Double])"))
    #expect(r.out.contains("precondition(X.count == 6"))
    #expect(r.out.contains("gradient[5] ="))
  }

  @Test func usageErrors() {
    let missing = HelpExamples.run(["codegen", "x**2", "--wrt", "x"])
    #expect(missing.status == 64)
    #expect(missing.err.contains("missing --lang"))
    let unknown = HelpExamples.run(["codegen", "x**2", "--wrt", "x", "--lang", "rust"])
    #expect(unknown.status == 64)
    #expect(unknown.err.contains("unknown language 'rust'"))
    let badName = HelpExamples.run(["codegen", "x**2", "--wrt", "x", "--lang", "c", "--name", "my-fn"])
    #expect(badName.status == 64)
    #expect(badName.err.contains("'my-fn' cannot name the function"))
    let typo = HelpExamples.run(["codegen", "x**2", "--wrt", "X", "--lang", "c"])
    #expect(typo.status == 64)
    #expect(typo.err.contains("'X' is not a symbol of EXPR"))
    #expect(HelpExamples.run(["codegen", "--help"]).out.contains("symgrad codegen EXPR --wrt"))
  }

  @Test func writesTheFile() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-codegen-\(UUID().uuidString).py")
      .path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = HelpExamples.run(["codegen", "x**2", "--wrt", "x", "--lang", "python", "-o", path])
    #expect(r.status == 0)
    #expect(r.out == "wrote \(path)\n")
    #expect(try String(contentsOfFile: path, encoding: .utf8).contains("def symgrad_fn(x):"))
  }
}

extension CodegenCommandTests {
  /// The README shows `codegen`'s Swift output for cross-entropy: it is what the command prints.
  @Test func readmeShowsTheCurrentOutput() throws {
    let readme = try String(
      contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
    let r = HelpExamples.run(["codegen", "cross_entropy([[a, b, c]], [1])", "--wrt", "a,b,c", "--lang", "swift"])
    #expect(
      readme.contains("```swift\n" + r.out.trimmingCharacters(in: .newlines) + "\n```\n"),
      "README's codegen example is stale:\n\(r.out)")
  }
}
