import SymGrad
import Testing

/// `LatexDocument`: the shapes of the renderings and of a standalone document.
@Suite struct LatexDocumentRenderingTests {
  @Test func gradientIsAColumnVector() throws {
    let f = try Expr(parsing: "cross_entropy([[a, b, c]], [1])")
    let g = f.gradient(withRespectTo: ["a", "b", "c"].map(Expr.symbol))
    let text = LatexDocument.gradient(g, named: false)
    #expect(text.hasPrefix("\\begin{pmatrix}\n") && text.hasSuffix("\\end{pmatrix}"))
    let rows = text.split(separator: "\n").dropFirst().dropLast()
    #expect(rows.count == 3)
    #expect(!text.contains("&"))
    #expect(!text.contains("where"))
  }

  @Test func namedMatrixDefinesItsNamesBelow() throws {
    let j = try SubexpressionNamingTests.softmaxJacobian()
    let text = LatexDocument.matrix(j)
    let whereAt = try #require(text.range(of: ",\\\\\n\\text{where }\\begin{aligned}[t]\n"))
    #expect(text[..<whereAt.lowerBound].hasSuffix("\\end{pmatrix}"))
    #expect(text.hasSuffix("S &= e^{x_{0}} + e^{x_{1}} + e^{x_{2}}\n\\end{aligned}"))
    #expect(!LatexDocument.matrix(j, named: false).contains("where"))
  }

  @Test func longSumsBreakBetweenTerms() throws {
    let e = try Expr(parsing: (0..<30).map { "\($0 % 2 == 0 ? "" : "-")sin(x\($0))" }.joined(separator: " + "))
    let whole = LatexDocument.scalar(e, named: false)
    #expect(!whole.contains("\\\\"))
    let broken = LatexDocument.scalar(e, named: false, lineLength: 80)
    #expect(broken.hasPrefix("\\begin{aligned}[t]\n&") && broken.hasSuffix("\n\\end{aligned}"))
    let lines = broken.split(separator: "\n").dropFirst().dropLast()
    #expect(lines.count > 2)
    for line in lines.dropFirst() { #expect(line.hasPrefix("&\\quad {}+ ") || line.hasPrefix("&\\quad {}- ")) }
    // Taking the line breaks out gives the one-line text back.
    let rejoined = lines.map { line -> String in
      var l = String(line)
      for p in ["&\\quad {}", "&"] where l.hasPrefix(p) {
        l.removeFirst(p.count)
        break
      }
      if l.hasSuffix(" \\\\") { l.removeLast(3) }
      return l
    }.joined(separator: " ")
    #expect(rejoined == whole)
    // A short sum or a non-sum is never broken.
    #expect(LatexDocument.scalar(try Expr(parsing: "a + b"), lineLength: 80) == "a + b")
  }

  @Test func standaloneIsACompleteArticle() {
    let doc = LatexDocument.standalone(body: "x^{2}", title: "Loss & gradient_1 100%")
    #expect(
      doc.hasPrefix(
        "\\documentclass[10pt]{article}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n\\allowdisplaybreaks\n"))
    #expect(!doc.contains("geometry"))
    #expect(doc.contains("\\section*{Loss \\& gradient\\_1 100\\%}"))
    #expect(doc.contains("\\begin{gather*}\nx^{2}\n\\end{gather*}"))
    #expect(doc.hasSuffix("\\end{document}\n"))
  }

  @Test func escapeCoversEverySpecialCharacter() {
    #expect(LatexDocument.escape("\\{}$&#_%^~") == "\\textbackslash{}\\{\\}\\$\\&\\#\\_\\%\\^{}\\~{}")
  }
}
