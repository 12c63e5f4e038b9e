import Foundation
import Testing

@testable import SymGradCLI

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `symgrad plot` and `symgrad plot attention` end to end, the numbers recomputed here.
@Suite struct PlotCommandTests {
  func temporary(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-plot-\(UUID().uuidString)-\(name)").path
  }

  func values(_ p: SVGHeatmapTests.Parsed, rows: Int, cols: Int) -> [[String]] {
    (0..<rows).map { i in (0..<cols).map { j in p.attribute("\(i),\(j)", "data-value") ?? "?" } }
  }

  @Test func jacobianOfSigmoidAndTanh() throws {
    let path = temporary("j.svg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = HelpExamples.run([
      "plot", "[sigmoid(x*y), tanh(x) + y**2]", "--wrt", "x,y", "--at", "x=0.5,y=-1.5", "-o", path,
    ])
    #expect(r.status == 0, "\(r.err)")
    #expect(r.out == "wrote \(path) (2 x 2)\n")
    let p = try SVGHeatmapTests.Parsed(String(contentsOfFile: path, encoding: .utf8))
    #expect(p.cells.count == 4)
    // Independently: d sigmoid(xy) = s(1-s) * (y, x); d(tanh x + y^2) = (1 - tanh^2 x, 2y).
    let (x, y) = (0.5, -1.5)
    let s = 1 / (1 + Foundation.exp(-x * y))
    let t = Foundation.tanh(x)
    let expected = [[s * (1 - s) * y, s * (1 - s) * x], [1 - t * t, 2 * y]]
    let got = values(p, rows: 2, cols: 2)
    for i in 0..<2 {
      for j in 0..<2 {
        let v = try #require(Double(got[i][j]))
        // Different but equally short routes: a few roundings apart, far below 1e-12.
        #expect(Swift.abs(v - expected[i][j]) <= 1e-12 * Swift.max(1, Swift.abs(v)), "cell \(i),\(j)")
      }
    }
    #expect(try p.texts("row-label") == ["f[0]", "f[1]"])
    #expect(try p.texts("col-label") == ["x", "y"])
    #expect(try p.texts("legend").count == 1 && p.texts("legend-min").count == 1 && p.texts("legend-max").count == 1)
    #expect(try p.texts("title").first?.contains("Jacobian of [sigmoid(x*y), tanh(x) + y**2]") == true)
  }

  @Test func attentionWeightsWithPaddingAndCausalMasks() throws {
    let path = temporary("a.svg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let scores: [[Double]] = [[1, 2, 0.5, -1], [0.3, 0.1, 2, 4], [1, -.infinity, 1, 7]]
    let r = HelpExamples.run([
      "plot", "attention", "--scores", "[[1, 2, 0.5, -1], [0.3, 0.1, 2, 4], [1, -inf, 1, 7]]",
      "--padding", "1,1,1,0", "--causal", "-o", path,
    ])
    #expect(r.status == 0, "\(r.err)")
    let p = try SVGHeatmapTests.Parsed(String(contentsOfFile: path, encoding: .utf8))
    #expect(p.cells.count == 12)
    // Independently: key 3 is padding, key j > i is in the future, a -inf score is masked.
    for i in 0..<3 {
      let live = (0..<4).filter { j in j != 3 && j <= i && scores[i][j] != -.infinity }
      let total = live.map { Foundation.exp(scores[i][$0]) }.reduce(0, +)
      for j in 0..<4 {
        let cell = "\(i),\(j)"
        if live.contains(j) {
          let v = try #require(Double(p.attribute(cell, "data-value") ?? ""))
          #expect(Swift.abs(v - Foundation.exp(scores[i][j]) / total) <= 1e-12, "cell \(cell)")
          #expect(p.attribute(cell, "fill")?.hasPrefix("#") == true)
        } else {
          #expect(p.attribute(cell, "data-value") == "masked", "cell \(cell)")
          #expect(p.attribute(cell, "fill") == "url(#hatch)")
        }
      }
    }
    #expect(p.attribute("0,0", "data-value") == "1.0")
    #expect(try p.texts("row-label") == ["q0", "q1", "q2"])
    #expect(try p.texts("col-label") == ["k0", "k1", "k2", "k3"])
    #expect(try p.texts("legend-masked").count == 1)
    #expect(try p.texts("title") == ["Attention weights"])
  }

  @Test func aFullyMaskedRowIsMaskedAndNamedInTheTitle() throws {
    let path = temporary("m.svg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = HelpExamples.run([
      "plot", "attention", "--scores", "[[1, 2], [3, 4]]", "--padding", "0,1", "--causal", "-o", path,
    ])
    #expect(r.status == 0)
    let p = try SVGHeatmapTests.Parsed(String(contentsOfFile: path, encoding: .utf8))
    #expect(p.attribute("0,0", "data-value") == "masked" && p.attribute("0,1", "data-value") == "masked")
    #expect(p.attribute("1,1", "data-value") == "1.0")
    let title = try #require(try p.texts("title").first)
    #expect(title.contains("q0 is fully masked: no defined weights"))
  }

  @Test func queryAndKeyGiveScaledDotProductScores() throws {
    let path = temporary("qk.svg")
    defer { try? FileManager.default.removeItem(atPath: path) }
    let q = [[1.0, 0], [0.5, 2]]
    let k = [[1.0, 1], [0, -1], [2, 0.5]]
    let r = HelpExamples.run([
      "plot", "attention", "--query", "[[1, 0], [0.5, 2]]", "--key", "[[1, 1], [0, -1], [2, 0.5]]", "-o", path,
    ])
    #expect(r.status == 0, "\(r.err)")
    let p = try SVGHeatmapTests.Parsed(String(contentsOfFile: path, encoding: .utf8))
    for i in 0..<2 {
      let s = k.map { (q[i][0] * $0[0] + q[i][1] * $0[1]) / 2.0.squareRoot() }
      let total = s.map(Foundation.exp).reduce(0, +)
      for j in 0..<3 {
        let v = try #require(Double(p.attribute("\(i),\(j)", "data-value") ?? ""))
        #expect(Swift.abs(v - Foundation.exp(s[j]) / total) <= 1e-12)
      }
    }
  }

  @Test func helpExamplesRun() throws {
    for sub in [["plot"], ["plot", "attention"]] {
      let help = HelpExamples.run(sub + ["--help"])
      #expect(help.status == 0)
      let examples = HelpExamples.commands(in: help.out)
      #expect(examples.count == 1, "\(sub)")
      for args in examples {
        let r = HelpExamples.run(args)
        #expect(r.status == 0, "\(args): \(r.err)")
        let out = try #require(args.firstIndex(of: "-o").map { args[$0 + 1] })
        #expect(try SVGHeatmapTests.Parsed(String(contentsOfFile: out, encoding: .utf8)).cells.count > 0)
        try? FileManager.default.removeItem(atPath: out)
      }
    }
  }

  @Test func usageErrors() {
    #expect(
      HelpExamples.run(["plot", "attention", "--scores", "[[1, 2]]", "-o", "/tmp/x.svg", "--padding", "1,2"]).status
        == 64)
    #expect(HelpExamples.run(["plot", "attention", "-o", "/tmp/x.svg"]).status == 64)
    #expect(
      HelpExamples.run(["plot", "attention", "--query", "[[1, 2]]", "--key", "[[1]]", "-o", "/tmp/x.svg"]).status == 64)
    #expect(HelpExamples.run(["plot", "attention", "--scores", "[1, 2]", "-o", "/tmp/x.svg"]).status == 64)
    #expect(
      HelpExamples.run(["plot", "x", "--wrt", "x", "--at", "x=1", "-o", "/tmp/x.svg", "--colors", "rainbow"]).status
        == 64)
  }
}
