import Foundation
import SymGrad
import Testing
@testable import SymGradCLI

/// `symgrad latex` end to end, in process.
@Suite struct LatexCommandTests {
  @Test func jacobianNamesTheSoftmaxDenominator() {
    let r = HelpExamples.run(["latex", "softmax([x0, x1, x2])", "--wrt", "x0,x1,x2"])
    #expect(r.status == 0)
    #expect(r.out.hasPrefix("\\begin{gather*}\n\\begin{pmatrix}\n"))
    #expect(r.out.hasSuffix("\\end{gather*}\n"))
    #expect(r.out.components(separatedBy: "S &= e^{x_{0}} + e^{x_{1}} + e^{x_{2}}").count == 2)
    #expect(!r.out.contains("T &="))
    // The definition comes after the matrix that uses it.
    let use = r.out.range(of: "}{S}")!.lowerBound, def = r.out.range(of: "S &=")!.lowerBound
    #expect(use < def)
    // --plain spells everything out.
    let plain = HelpExamples.run(["latex", "softmax([x0, x1, x2])", "--wrt", "x0,x1,x2", "--plain"])
    #expect(!plain.out.contains("where") && plain.out.contains("e^{x_{0}} + e^{x_{1}} + e^{x_{2}}"))
  }

  @Test func gradientDerivativeAndExpression() {
    let g = HelpExamples.run(["latex", "cross_entropy([[a, b, c]], [1])", "--wrt", "a,b,c"])
    #expect(g.status == 0)
    #expect(g.out.contains("\\frac{e^{b}}{S} - 1 \\\\"))
    let d = HelpExamples.run(["latex", "sigmoid(x)", "--wrt", "x"])
    #expect(d.status == 0 && d.out.contains("\\sigma\\left(x\\right)"))
    let e = HelpExamples.run(["latex", "softplus(x) + log(y)"])
    #expect(e.status == 0)
    #expect(e.out.contains("\\operatorname{softplus}\\left(x\\right)") && e.out.contains("\\log\\left(y\\right)"))
  }

  @Test func standaloneWritesACompleteDocument() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-latex-\(UUID().uuidString).tex").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = HelpExamples.run(["latex", "cross_entropy([[a, b, c]], [1])", "--wrt", "a,b,c", "--standalone", "-o", path])
    #expect(r.status == 0)
    #expect(r.out == "wrote \(path)\n")
    let doc = try String(contentsOfFile: path, encoding: .utf8)
    #expect(doc.hasPrefix("\\documentclass"))
    #expect(doc.contains("Gradient of cross\\_entropy([[a, b, c]], [1]) with respect to a,b,c:"))
    #expect(doc.hasSuffix("\\end{document}\n"))
  }

  @Test func helpExamplesRun() throws {
    let help = HelpExamples.run(["latex", "--help"])
    #expect(help.status == 0)
    let examples = HelpExamples.commands(in: help.out)
    #expect(examples.count == 2)
    for args in examples {
      let r = HelpExamples.run(args)
      #expect(r.status == 0, "\(args): \(r.err)")
      if let i = args.firstIndex(of: "-o") { try? FileManager.default.removeItem(atPath: args[i + 1]) }
    }
  }

  @Test func errorsExitWithTheRightStatus() {
    #expect(HelpExamples.run(["latex"]).status == 64)
    #expect(HelpExamples.run(["latex", "x", "--bogus"]).status == 64)
    #expect(HelpExamples.run(["latex", "x +"]).status == 1)
    let unwritable = HelpExamples.run(["latex", "x", "-o", "/nonexistent-dir/x.tex"])
    #expect(unwritable.status == 1 && unwritable.err.contains("cannot write"))
  }
}
