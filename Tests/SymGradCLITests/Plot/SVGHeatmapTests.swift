import Foundation
import Testing

@testable import SymGradCLI

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `SVGHeatmap` on its own, parsed with `XMLDocument`: structure, values, colours, legend.
@Suite struct SVGHeatmapTests {
  /// The parsed SVG with its cells by "row,col".
  struct Parsed {
    let document: XMLDocument
    /// Each cell's attributes, by "row,col".
    let cells: [String: [String: String]]

    init(_ svg: String) throws {
      document = try XMLDocument(xmlString: svg, options: [])
      var cells: [String: [String: String]] = [:]
      for node in try document.nodes(forXPath: "//*[local-name()='rect'][@class='cell']") {
        let e = try #require(node as? XMLElement)
        // `attribute(forName:)` misses attributes of elements in a default namespace in
        // swift-corelibs-foundation; the attribute list has them.
        var a: [String: String] = [:]
        for attribute in e.attributes ?? [] { a[attribute.name ?? ""] = attribute.stringValue }
        let r = try #require(a["data-row"])
        let c = try #require(a["data-col"])
        #expect(cells["\(r),\(c)"] == nil, "two cells at \(r),\(c)")
        cells["\(r),\(c)"] = a
      }
      self.cells = cells
    }

    func attribute(_ cell: String, _ name: String) -> String? { cells[cell]?[name] }

    /// Text of every element with class `cls`.
    func texts(_ cls: String) throws -> [String] {
      try document.nodes(forXPath: "//*[@class='\(cls)']").map { $0.stringValue ?? "" }
    }
  }

  @Test func cellsCarryTheirValues() throws {
    let values: [[Double]] = [[0.1, 2.5, -0.0], [1e-20, .nan, .infinity], [-.infinity, 3, 0.30000000000000004]]
    let map = SVGHeatmap(values: values, rowLabels: ["r0", "r1", "r2"], columnLabels: ["c0", "c1", "c2"], title: "t")
    let p = try Parsed(map.svg())
    #expect(p.cells.count == 9)
    let expected = [["0.1", "2.5", "-0.0"], ["1e-20", "nan", "inf"], ["-inf", "3.0", "0.30000000000000004"]]
    for i in 0..<3 {
      for j in 0..<3 { #expect(p.attribute("\(i),\(j)", "data-value") == expected[i][j]) }
    }
    // The finite values are all >= 0 except -0.0, so the map is sequential (viridis):
    // the minimum is viridis' first anchor, the maximum its last, NaN grey.
    #expect(p.attribute("0,2", "fill") == "#440154")
    #expect(p.attribute("2,1", "fill") == "#fde725")
    #expect(p.attribute("1,1", "fill") == SVGHeatmap.nanFill)
    #expect(p.attribute("1,2", "fill") == "#fde725")  // +inf clamps to the top
    #expect(try p.texts("cell-mark").sorted() == ["+\u{221E}", "NaN", "\u{2212}\u{221E}"])
    #expect(try p.texts("legend-nan").count == 1)
  }

  @Test func divergingMapIsWhiteAtZeroAndSymmetric() throws {
    let map = SVGHeatmap(values: [[-2, 0, 1]], rowLabels: ["r"], columnLabels: ["a", "b", "c"], title: "t")
    let p = try Parsed(map.svg())
    #expect(p.attribute("0,0", "fill") == "#2166ac")
    #expect(p.attribute("0,1", "fill") == "#f7f7f7")
    // 1 is halfway from white to red on [-2, 2].
    #expect(p.attribute("0,2", "fill") == SVGHeatmap.interpolate(SVGHeatmap.diverging, 0.75))
    #expect(try p.texts("legend-max") == ["2"])
    #expect(try p.texts("legend-min") == ["-2"])
    #expect(try p.texts("legend-zero") == ["0"])
    // Forcing the sequential map.
    let seq = try Parsed(
      SVGHeatmap(
        values: [[-2, 0, 1]], rowLabels: ["r"], columnLabels: ["a", "b", "c"], title: "t", colorMap: .sequential
      ).svg())
    #expect(seq.attribute("0,0", "fill") == "#440154")
  }

  @Test func maskedCellsAreHatchedAndLabelled() throws {
    let map = SVGHeatmap(
      values: [[0.5, 0.5], [1, 0]], masked: [[false, false], [false, true]],
      rowLabels: ["q0", "q1"], columnLabels: ["k0", "k1"], title: "A <b> & \"c\"")
    let svg = map.svg()
    let p = try Parsed(svg)
    #expect(p.attribute("1,1", "data-value") == "masked")
    #expect(p.attribute("1,1", "fill") == "url(#hatch)")
    #expect(p.attribute("1,0", "fill") != "url(#hatch)")
    #expect(try p.document.nodes(forXPath: "//*[local-name()='pattern'][@id='hatch']").count == 1)
    #expect(try p.texts("legend-masked").count == 1)
    #expect(try p.texts("row-label") == ["q0", "q1"])
    #expect(try p.texts("col-label") == ["k0", "k1"])
    #expect(try p.texts("title") == ["A <b> & \"c\""])
    #expect(svg.contains("A &lt;b&gt; &amp; &quot;c&quot;"))
  }

  @Test func constantAndEmptyMatricesStillDraw() throws {
    let p = try Parsed(SVGHeatmap(values: [[3, 3]], rowLabels: ["r"], columnLabels: ["a", "b"], title: "t").svg())
    #expect(p.attribute("0,0", "fill") == SVGHeatmap.interpolate(SVGHeatmap.viridis, 0.5))
    let nan = try Parsed(SVGHeatmap(values: [[.nan]], rowLabels: ["r"], columnLabels: ["a"], title: "t").svg())
    #expect(nan.cells.count == 1)
  }
}
