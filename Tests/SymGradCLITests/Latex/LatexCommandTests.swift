import Foundation
import SymGrad
import Testing

@testable import SymGradCLI

/// `symgrad latex` end to end, in process.
@Suite struct LatexCommandTests {
  @Test func jacobianNamesTheSoftmaxDenominator() {
    let r = HelpExamples.run(["latex", "softmax([x0, x1, x2])", "--wrt", "x0,x1,x2"])
    #expect(r.status == 0)
    #expect(
      r.out.hasPrefix(
        "\\begin{align*}\n\\frac{\\partial (y_{1}, y_{2}, y_{3})}{\\partial (x_{0},\\, x_{1},\\, x_{2})} &= \\begin{pmatrix}\n"
      ))
    #expect(r.out.hasSuffix("\\end{align*}\n"))
    #expect(r.out.components(separatedBy: "S &= e^{x_{0}} + e^{x_{1}} + e^{x_{2}}").count == 2)
    #expect(!r.out.contains("T &="))
    // The definition comes after the matrix that uses it.
    let use = r.out.range(of: "}{S}")!.lowerBound
    let def = r.out.range(of: "S &=")!.lowerBound
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
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-latex-\(UUID().uuidString).tex")
      .path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = HelpExamples.run(["latex", "cross_entropy([[a, b, c]], [1])", "--wrt", "a,b,c", "--standalone", "-o", path])
    #expect(r.status == 0)
    #expect(r.out == "wrote \(path)\n")
    let doc = try String(contentsOfFile: path, encoding: .utf8)
    #expect(doc.hasPrefix("\\documentclass"))
    // No heading and no raw input text unless asked.
    #expect(!doc.contains("\\section") && !doc.contains("cross\\_entropy"))
    #expect(doc.contains("\\begin{document}\n\\begin{align*}\n\\nabla_{(a,\\, b,\\, c)} L &= "))
    #expect(doc.hasSuffix("\\end{document}\n"))
    let titled = HelpExamples.run(["latex", "x**2", "--standalone", "--title", "Loss & gradient"])
    #expect(titled.out.contains("\\section*{Loss \\& gradient}\n"))
    #expect(HelpExamples.run(["latex", "x**2", "--title", "T"]).status == 64)
  }

  /// Every result has its left-hand side: L, dL/dx, nabla L, the Jacobian, y.
  @Test(arguments: [
    (["x**2 + y"], "L &= y + x^{2}"),
    (["x**2 + y", "--wrt", "x"], "\\frac{\\partial L}{\\partial x} &= 2 x"),
    (["x**2 + y", "--wrt", "x,y"], "\\nabla_{(x,\\, y)} L &= \\begin{pmatrix}\n2 x \\\\\n1\n\\end{pmatrix}"),
    (
      ["[x*y, x + y]", "--wrt", "x,y"],
      "\\frac{\\partial (y_{1}, y_{2})}{\\partial (x,\\, y)} &= \\begin{pmatrix}\ny & x \\\\\n1 & 1\n\\end{pmatrix}"
    ),
    (["[x, y**2]"], "y &= \\begin{pmatrix}\nx \\\\\ny^{2}\n\\end{pmatrix}"),
  ])
  func equationsHaveLeftHandSides(_ args: [String], _ expected: String) {
    let r = HelpExamples.run(["latex"] + args)
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out == "\\begin{align*}\n" + expected + "\n\\end{align*}\n", "\(r.out)")
  }

  /// Masks are resolved before printing: a causal mask's entries are 0 and 1, not
  /// e^{-\infty + ...}; rows of fractions are spaced apart.
  @Test func maskedTermsAreResolved() {
    let r = HelpExamples.run(["latex", "attention_weights([[q0],[q1]], [[k0],[k1]], is_causal=True)"])
    #expect(r.status == 0)
    #expect(!r.out.contains("infty"), "\(r.out)")
    #expect(r.out.contains("y &= \\begin{pmatrix}\n1 & 0 \\\\[6pt]\n"), "\(r.out)")
    // A limit that depends on a symbol's sign is kept as written.
    let kept = HelpExamples.run(["latex", "exp(-inf*q)"])
    #expect(kept.out.contains("\\infty"), "\(kept.out)")
  }

  /// A Jacobian too wide for the page is one equation per entry.
  @Test func wideJacobiansArePrintedPerEntry() {
    let r = HelpExamples.run(["latex", "softmax([x0, x1, x2, x3, x4], dim=0)", "--wrt", "x0,x1,x2,x3,x4"])
    #expect(r.status == 0)
    #expect(!r.out.contains("pmatrix"))
    #expect(
      r.out.contains(
        "\\frac{\\partial y_{2}}{\\partial x_{1}} &= \\frac{e^{x_{1}}}{S} - \\frac{e^{2 x_{1}}}{S^{2}}\\\\\n"),
      "\(r.out)")
    #expect(r.out.components(separatedBy: "&= ").count == 25 + 1 + 1)  // 25 entries and S
  }

  /// The documents committed in docs/latex are what the command prints today (README
  /// links them; the PDFs beside them are pdflatex's output of these files).
  @Test(arguments: [
    (
      "cross-entropy-label-smoothing.tex",
      ["cross_entropy([[a, b, c]], [1], label_smoothing=0.1)", "--wrt", "a,b,c", "--standalone"]
    ),
    (
      "causal-attention.tex",
      [
        "attention_weights([[q0],[q1]], [[k0],[k1]], is_causal=True)", "--standalone", "--title",
        "Causal attention weights",
      ]
    ),
  ])
  func committedDocumentsAreFresh(_ file: String, _ args: [String]) throws {
    let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/latex")
    let committed = try String(contentsOf: docs.appendingPathComponent(file), encoding: .utf8)
    let r = HelpExamples.run(["latex"] + args)
    #expect(r.status == 0)
    #expect(
      r.out == committed + "\n",
      "docs/latex/\(file) is stale: regenerate it with symgrad latex \(args.joined(separator: " ")) -o docs/latex/\(file)"
    )
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
