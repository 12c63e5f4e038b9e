import Foundation
import Testing

@testable import SymGradCLI

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The SVG pictures, parsed as XML: one cell per entry with the right number, masked cells
/// marked and drawn distinctly, labels and a legend.
@Suite struct PlotTests {
  final class Cells: NSObject, XMLParserDelegate {
    var cells: [String: [String: String]] = [:]
    var classes: [String] = []
    var texts: [String] = []
    var current = ""
    func parser(
      _ p: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
      attributes a: [String: String] = [:]
    ) {
      if let c = a["class"] { classes.append(c) }
      if name == "rect", a["class"] == "cell", let r = a["data-row"], let c = a["data-col"] { cells["\(r),\(c)"] = a }
      current = ""
    }
    func parser(_ p: XMLParser, foundCharacters s: String) { current += s }
    func parser(_ p: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
      if name == "text" { texts.append(current) }
    }
  }

  func parse(_ path: String) throws -> Cells {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    let parser = XMLParser(data: data)
    let cells = Cells()
    parser.delegate = cells
    #expect(parser.parse(), "the SVG is not well-formed XML")
    return cells
  }

  func tmp(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-\(UUID().uuidString)-\(name)").path
  }

  @Test func jacobianHeatmapCellsCarryTheNumbers() throws {
    let path = tmp("j.svg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let status = CommandLineTool.run(
      ["plot", "softmax([a, b, c])", "--wrt", "a,b,c", "--at", "a=1,b=2,c=-inf", "-o", path], output: Output())
    #expect(status == 0)
    let svg = try parse(path)
    #expect(svg.cells.count == 9)
    // Independently: s = softmax([1, 2]) padded with 0 for the -inf entry; J = diag(s) - s s^T.
    let e1 = Foundation.exp(1.0)
    let e2 = Foundation.exp(2.0)
    let s = [e1 / (e1 + e2), e2 / (e1 + e2), 0]
    for i in 0..<3 {
      for j in 0..<3 {
        let expected = (i == j ? s[i] : 0) - s[i] * s[j]
        let got = Double(svg.cells["\(i),\(j)"]?["data-value"] ?? "") ?? .nan
        #expect(Swift.abs(got - expected) <= 1e-12, "cell \(i),\(j): \(got) vs \(expected)")
      }
    }
    #expect(svg.classes.contains("legend") && svg.classes.contains("legend-min") && svg.classes.contains("legend-max"))
    #expect(svg.texts.contains("a") && svg.texts.contains("f[2]"))
    // Both signs: the diverging map, white at 0.
    #expect(svg.cells["2,2"]?["fill"] == "#f7f7f7")
  }

  @Test func attentionPictureMasksCells() throws {
    let path = tmp("a.svg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let status = CommandLineTool.run(
      ["plot", "attention", "--scores", "[[1, 2, 0.5], [0.3, 0.1, 2]]", "--padding", "1,1,0", "--causal", "-o", path],
      output: Output())
    #expect(status == 0)
    let svg = try parse(path)
    #expect(svg.cells.count == 6)
    for key in ["0,1", "0,2", "1,2"] {
      #expect(svg.cells[key]?["data-value"] == "masked")
      #expect(svg.cells[key]?["fill"] == "url(#hatch)")
    }
    #expect(svg.cells["0,0"]?["data-value"] == "1.0")
    let w0 = 1 / (1 + Foundation.exp(0.1 - 0.3))
    #expect(Swift.abs((Double(svg.cells["1,0"]?["data-value"] ?? "") ?? .nan) - w0) <= 1e-12)
    #expect(svg.texts.contains("q1") && svg.texts.contains("k2") && svg.texts.contains("masked"))
  }

  @Test func badInputIsAClearError() {
    let o = Output()
    #expect(CommandLineTool.run(["plot", "x", "--wrt", "x", "--at", "x=1"], output: o) == 64)
    #expect(o.standardError.contains("-o"))
    #expect(
      CommandLineTool.run(
        ["plot", "attention", "--scores", "[[1, 2]]", "--padding", "1", "-o", "/tmp/x.svg"], output: Output()) == 64)
  }
}
