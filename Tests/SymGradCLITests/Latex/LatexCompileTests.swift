import Foundation
import SymGrad
import Testing

@testable import SymGradCLI

/// Generated LaTeX documents compile with pdflatex (skipped only when pdflatex is not
/// installed; a failure to compile fails).
@Suite struct LatexCompileTests {
  /// pdflatex's path (nil only when it is not installed; see `LatexDocumentTests.pdflatex`):
  /// the compile test is skipped only then, and fails when an installed pdflatex fails.
  static let pdflatex: String? = LatexDocumentTests.pdflatex

  /// An expression applying every function of `Function` (built from `allCases`, so a new
  /// function is covered automatically), with subscripts, Greek letters and constants.
  static func everyFunction() -> Expr {
    let args: [Expr] = [.symbol("x0"), .symbol("alpha"), .symbol("w_01"), .symbol("y")]
    var sum: Expr = .symbol("pi") + sqrt(.symbol("z")) + pow(.symbol("z"), Expr(1.5)) + exp(Expr(1))
    for (k, f) in Expr.Function.allCases.enumerated() {
      let a = args[k % args.count]
      let b = args[(k + 1) % args.count]
      let c = args[(k + 2) % args.count]
      switch f.arity {
      case 3: sum += Expr.apply(f, [a - b, b, exp(c)])
      case 2: sum += Expr.apply(f, [a, b])
      default: sum += Expr.apply(f, [a * b + 1])
      }
    }
    return sum
  }

  /// The documents to compile, by file name.
  static func documents() throws -> [(String, String)] {
    let ce = try Expr(parsing: "cross_entropy([[a, b, c]], [1])")
    let grad = ce.gradient(withRespectTo: ["a", "b", "c"].map(Expr.symbol))
    let softmax = try Expr.Value(parsing: "softmax([x0, x1, x2])").flattened
    let jac = softmax.jacobian(withRespectTo: ["x0", "x1", "x2"].map(Expr.symbol))
    let hess = try Expr(parsing: "log(exp(a) + exp(b) + exp(c))").hessian(
      withRespectTo: ["a", "b", "c"].map(Expr.symbol))
    let long = try Expr(parsing: (0..<60).map { "tanh(w\($0) * x\($0))" }.joined(separator: " - "))
    let width = LatexDocument.lineLength
    return [
      (
        "gradient",
        LatexDocument.standalone(
          body: LatexDocument.gradient(grad, lineLength: width), title: "Gradient of cross_entropy")
      ),
      (
        "jacobian",
        LatexDocument.standalone(body: LatexDocument.matrix(jac, lineLength: width), title: "Softmax Jacobian & its S")
      ),
      (
        "hessian",
        LatexDocument.standalone(body: LatexDocument.matrix(hess, lineLength: width), title: "Hessian of logsumexp")
      ),
      (
        "cross-entropy",
        LatexDocument.standalone(body: LatexDocument.scalar(ce, lineLength: width), title: "Cross entropy")
      ),
      (
        "functions",
        LatexDocument.standalone(
          body: LatexDocument.scalar(everyFunction(), lineLength: width), title: "Every function")
      ),
      ("long-sum", LatexDocument.standalone(body: LatexDocument.scalar(long, lineLength: width), title: "A long sum")),
    ]
  }

  @Test func documentsNameAndBalance() throws {
    let docs = try Self.documents()
    for (name, doc) in docs {
      #expect(doc.components(separatedBy: "\\begin{").count == doc.components(separatedBy: "\\end{").count, "\(name)")
      #expect(doc.components(separatedBy: "\\left").count == doc.components(separatedBy: "\\right").count, "\(name)")
    }
    let jacobian = try #require(docs.first { $0.0 == "jacobian" }?.1)
    #expect(jacobian.contains("S &= e^{x_{0}} + e^{x_{1}} + e^{x_{2}}"))
    let functions = try #require(docs.first { $0.0 == "functions" }?.1)
    for f in [
      "\\sigma", "\\operatorname{softplus}", "\\operatorname{log1p}", "\\operatorname{expm1}", "\\tanh", "\\max",
      "\\min", "\\operatorname{sign}", "\\left|",
    ] {
      #expect(functions.contains(f), "\(f) missing")
    }
    let long = try #require(docs.first { $0.0 == "long-sum" }?.1)
    #expect(long.contains("&\\quad {}- "))
  }

  @Test(.enabled(if: pdflatex != nil, "pdflatex is not installed"))
  func pdflatexCompilesTheDocuments() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
      "symgrad-latex-compile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    var docs = try Self.documents()
    // And what the command writes.
    let cli = dir.appendingPathComponent("cli.tex").path
    #expect(
      HelpExamples.run(["latex", "softmax([x0, x1, x2, x3])", "--wrt", "x0,x1,x2,x3", "--standalone", "-o", cli]).status
        == 0)
    docs.append(("cli", try String(contentsOfFile: cli, encoding: .utf8)))
    for (name, doc) in docs {
      let file = dir.appendingPathComponent("\(name).tex")
      try doc.write(to: file, atomically: true, encoding: .utf8)
      let (status, log) = try Self.compile(file)
      #expect(status == 0, "pdflatex failed on \(name).tex:\n\(log.suffix(1500))")
      #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("\(name).pdf").path))
    }
  }

  /// Runs `pdflatex -interaction=nonstopmode -halt-on-error` on `file` in its directory:
  /// the exit status and the log's text.
  static func compile(_ file: URL) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: pdflatex!)
    p.arguments = ["-interaction=nonstopmode", "-halt-on-error", file.lastPathComponent]
    p.currentDirectoryURL = file.deletingLastPathComponent()
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    let log =
      (try? String(contentsOf: file.deletingPathExtension().appendingPathExtension("log"), encoding: .utf8)) ?? ""
    return (p.terminationStatus, log)
  }
}
