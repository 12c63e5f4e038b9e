import Foundation
import SymGrad
import SymGradTestSupport
import Testing

@testable import SymGradCLI

/// Generated LaTeX: names, layout against hand-written documents, and documents that
/// pdflatex compiles (when it is installed; `.ci/run` installs it).
@Suite struct LatexDocumentTests {
  /// pdflatex's path: the first executable `pdflatex` on PATH or in a standard TeX
  /// location; nil only when none exists, i.e. pdflatex is not installed. The compile tests
  /// are skipped only then: an installed pdflatex that fails to compile (or to run) fails
  /// them.
  static let pdflatex: String? = ExternalTool.path(
    of: "pdflatex", extraDirectories: ["/usr/bin", "/usr/local/bin", "/Library/TeX/texbin", "/opt/homebrew/bin"])

  @Test func softmaxDenominatorIsNamedOnce() throws {
    let s = try Expr.Value(parsing: "softmax([x0, x1, x2])").flattened
    let j = s.jacobian(withRespectTo: ["x0", "x1", "x2"].map(Expr.symbol))
    let naming = SubexpressionNaming(j.flatMap { $0 })
    #expect(naming.definitions.count == 1)
    #expect(naming.definitions.first?.definition == (try Expr(parsing: "exp(x0) + exp(x1) + exp(x2)")))
    #expect(naming.entries.allSatisfy { !$0.description.contains("exp(x0) + exp(x1)") })
    // Substituting the definitions back gives the original entries.
    let back = naming.entries.map { e in
      naming.definitions.reversed().reduce(e) { $0.substituting([$1.name: $1.definition]) }
    }
    #expect(back == j.flatMap { $0 })
    // The document: a 3x3 pmatrix (2 column separators per row, 2 row breaks) whose
    // entries use S, then S's definition, once.
    let doc = LatexDocument.matrix(j)
    let matrix = try #require(doc.components(separatedBy: "\\end{pmatrix}").first)
    let rows = matrix.components(separatedBy: " \\\\\n")
    #expect(rows.count == 3, "\(doc)")
    #expect(rows.allSatisfy { $0.components(separatedBy: " & ").count == 3 }, "\(doc)")
    #expect(matrix.contains("S") && !matrix.contains("e^{x_{0}} + e^{x_{1}}"), "\(doc)")
    #expect(
      doc.hasSuffix(",\\\\\n\\text{where }\\begin{aligned}[t]\nS &= e^{x_{0}} + e^{x_{1}} + e^{x_{2}}\n\\end{aligned}"),
      "\(doc)")
  }

  /// Small matrices against hand-written LaTeX: the pmatrix layout (cells joined by
  /// ` & `, rows by ` \\`), the standard notation of each entry, and the `where` block.
  @Test func matricesMatchHandWrittenLatex() throws {
    let (x, y) = (Expr.symbol("x"), Expr.symbol("y"))
    #expect(
      LatexDocument.matrix([[x, 1], [y ** 2, x / y]]) == """
        \\begin{pmatrix}
        x & 1 \\\\
        y^{2} & \\frac{x}{y}
        \\end{pmatrix}
        """)
    #expect(
      LatexDocument.gradient([exp(x), -y]) == """
        \\begin{pmatrix}
        e^{x} \\\\
        -y
        \\end{pmatrix}
        """)
    // A repeated subexpression of 7 nodes (the softmax denominator) is named S.
    let s = try Expr(parsing: "exp(x0) + exp(x1) + exp(x2)")
    #expect(
      LatexDocument.matrix([[.symbol("a") / s], [.symbol("b") / s]]) == """
        \\begin{pmatrix}
        \\frac{a}{S} \\\\
        \\frac{b}{S}
        \\end{pmatrix},\\\\
        \\text{where }\\begin{aligned}[t]
        S &= e^{x_{0}} + e^{x_{1}} + e^{x_{2}}
        \\end{aligned}
        """)
  }

  /// Documents for a gradient, a Jacobian with names, a loss, and every function.
  static func documents() throws -> [String: String] {
    let grad = try Expr(parsing: "cross_entropy([[a, b, c]], [1])").gradient(
      withRespectTo: ["a", "b", "c"].map(Expr.symbol))
    let s = try Expr.Value(parsing: "softmax([x0, x1, x2])").flattened
    let jac = s.jacobian(withRespectTo: ["x0", "x1", "x2"].map(Expr.symbol))
    let every = try Expr(
      parsing:
        "exp(x) + log(y) + sqrt(z) + abs(w) + sin(x) + cos(y) + tanh(z) + sigmoid(w) + softplus(x) + log1p(y) + expm1(z) + sign(w) + max(x, y) + min(z, w) + x**(3/2) + w_01 + x[0] + alpha + pi + E + inf"
    )
    return [
      "gradient": LatexDocument.standalone(title: "Gradient", blocks: [LatexDocument.matrix(grad.map { [$0] })]),
      "jacobian": LatexDocument.standalone(
        title: "Softmax Jacobian", paragraphs: ["With names_and $pecial characters & 100%."],
        blocks: [LatexDocument.matrix(jac)]),
      "loss": LatexDocument.standalone(blocks: [
        LatexDocument.scalar(
          try Expr(parsing: "binary_cross_entropy_with_logits([[z0, z1]], [[1.0, 0.0]], pos_weight=[3, 1])"))
      ]),
      "functions": LatexDocument.standalone(blocks: [every.latex]),
    ]
  }

  @Test func documentsAreComplete() throws {
    for (_, doc) in try Self.documents() {
      #expect(doc.hasPrefix("\\documentclass"))
      #expect(doc.hasSuffix("\\end{document}\n"))
      #expect(doc.components(separatedBy: "\\begin{").count == doc.components(separatedBy: "\\end{").count)
    }
  }

  /// The harness can fail: an installed pdflatex rejects a broken document with a nonzero
  /// status (so a document that does not compile cannot pass unnoticed).
  @Test(.enabled(if: pdflatex != nil, "pdflatex is not installed"))
  func pdflatexRejectsABrokenDocument() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-latex-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("broken.tex")
    try "\\documentclass{article}\n\\begin{document}\n$\\frac{1}{$\n\\end{document}\n".write(
      to: file, atomically: true, encoding: .utf8)
    #expect(try Self.compile(file) != 0)
  }

  @Test(.enabled(if: pdflatex != nil, "pdflatex is not installed"))
  func pdflatexCompilesEveryDocument() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-latex-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    for (name, doc) in try Self.documents() {
      let file = dir.appendingPathComponent("\(name).tex")
      try doc.write(to: file, atomically: true, encoding: .utf8)
      let status = try Self.compile(file)
      #expect(status == 0, "pdflatex failed on \(name).tex")
      #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(name).pdf").path), "no \(name).pdf")
    }
  }

  /// `symgrad latex --standalone` documents for the losses people write about compile
  /// without an overfull box (pdflatex's log says "Overfull \\hbox" when a line sticks
  /// into the margin): gradients, a Jacobian small enough for a matrix and one printed per
  /// entry, a masked attention matrix, a loss with pos_weight, a Hessian-sized focal loss.
  @Test(.enabled(if: pdflatex != nil, "pdflatex is not installed"))
  func commandLineDocumentsHaveNoOverfullBoxes() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-latex-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let cases: [[String]] = [
      ["cross_entropy([[a, b, c]], [1])", "--wrt", "a,b,c"],
      ["cross_entropy([[a, b], [c, d]], [1, 0], label_smoothing=0.1)", "--wrt", "a,b,c,d"],
      ["softmax([x0, x1, x2], dim=0)", "--wrt", "x0,x1,x2"],
      ["softmax([x0, x1, x2, x3, x4], dim=0)", "--wrt", "x0,x1,x2,x3,x4"],
      ["attention_weights([[q0],[q1]], [[k0],[k1]], is_causal=True)"],
      ["binary_cross_entropy_with_logits([[z0, z1]], [[1.0, 0.0]], pos_weight=[3, 1])", "--wrt", "z0,z1"],
      ["sigmoid_focal_loss([z0, z1], [1.0, 0.0], reduction=\"mean\")", "--wrt", "z0,z1"],
      ["log_softmax([x0, x1, x2, x3], dim=0)", "--wrt", "x0,x1,x2,x3"],
    ]
    for (k, args) in cases.enumerated() {
      let file = dir.appendingPathComponent("doc\(k).tex")
      let r = HelpExamples.run(["latex"] + args + ["--standalone", "-o", file.path])
      #expect(r.status == 0, "\(args): \(r.err)")
      #expect(try Self.compile(file) == 0, "pdflatex failed on \(args)")
      let log = try String(contentsOf: dir.appendingPathComponent("doc\(k).log"), encoding: .isoLatin1)
      #expect(!log.contains("Overfull \\hbox"), "\(args): an overfull box")
    }
  }

  /// Runs pdflatex on `file` in its directory; the exit status.
  static func compile(_ file: URL) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: pdflatex!)
    p.arguments = ["-interaction=nonstopmode", "-halt-on-error", file.lastPathComponent]
    p.currentDirectoryURL = file.deletingLastPathComponent()
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
  }
}
