import SymGrad
import Testing

/// Printing is bounded by the length of the written-out text (`PrintLimits`): an expression
/// whose DAG is small but whose text would be astronomically large says so plainly instead
/// of hanging, and everything else still works on it.
@Suite struct PrintLimitsTests {
  let x = Expr.symbol("x")

  @Test func treeSizeCountsSharedNodesPerOccurrence() {
    let s = x * sigmoid(x)  // product(x, sigmoid(x)): 4 nodes written out, 3 distinct
    #expect(s.treeSize(cappedAt: 100) == 4 && s.nodeCount == 3)
    #expect(s.treeSize(cappedAt: 3) == 4 && s.treeSize(cappedAt: 2) == 3)  // any count above the cap is cap + 1
    var e = x
    for _ in 0..<40 { e = e * sigmoid(e) }
    #expect(e.treeSize(cappedAt: 1000) == 1001)  // saturates
    #expect(e.nodeCount < 200)
  }

  /// 45 nested `leaky_relu`s: astronomically many nodes as a tree, a few hundred distinct. The text and LaTeX printers
  /// say it is too large (text that does not parse, so it can never be read back as a
  /// different formula); values, derivatives and the shared printing still work.
  @Test func nestedCompositionsSayTheyAreTooLargeToPrint() throws {
    var text = "x"
    for _ in 0..<45 { text = "leaky_relu(\(text))" }
    let e = try Expr(parsing: text)
    #expect(e.treeSize(cappedAt: PrintLimits.maximumTextBytes) > PrintLimits.maximumTextBytes)
    #expect(e.description.hasPrefix(PrintLimits.oversizedPrefix), "\(e.description)")
    #expect(e.description.contains("(\(e.nodeCount) distinct nodes)"))
    #expect(throws: ParseError.self) { try Expr(parsing: e.description) }
    #expect(e.latex.hasPrefix("\\text{(too large to print"))
    #expect(e.sympyDescription.hasPrefix(PrintLimits.oversizedPrefix))
    let v = try e.evaluate(at: ["x": 1])
    #expect(v == 1)  // leaky_relu(1) = 1, 45 times
    let d = e.derivative(withRespectTo: x)
    #expect(try d.evaluate(at: ["x": 1]) == 1)
    #expect(try d.evaluate(at: ["x": -1]) == 1e-90)  // 0.01^45, certified
  }

  /// Large expressions within the bound print as before (a 5,000-term sum).
  @Test func largeExpressionsWithinTheBoundPrint() throws {
    let e = Expr.sum((0..<5000).map { exp(x + .number($0)) })
    #expect(!e.description.hasPrefix(PrintLimits.oversizedPrefix))
    #expect(try Expr(parsing: e.description) == e)
  }

  /// The bound is on the text's length, known before it is written out: a sum just below
  /// it prints in full, one just above it is refused (symbols with 1,000-character names).
  @Test func theBoundIsTheTextLength() throws {
    let name = String(repeating: "a", count: 996)
    func symbols(_ prefix: String, _ range: Range<Int>) -> [Expr] { range.map { .symbol(prefix + name + String($0)) } }
    func length(_ terms: [Expr]) -> Int { terms.reduce(0) { $0 + $1.symbolName!.utf8.count } + 3 * (terms.count - 1) }
    let below = symbols("", 1000..<10_000)  // 9,000 names of 1,000 characters, joined by " + "
    #expect(length(below) < PrintLimits.maximumTextBytes)
    #expect(Expr.sum(below).description.utf8.count == length(below))
    let above = below + symbols("b", 1000..<2000)
    #expect(length(above) > PrintLimits.maximumTextBytes)
    #expect(Expr.sum(above).description.hasPrefix(PrintLimits.oversizedPrefix))
    #expect(Expr.sum(above).latex.hasPrefix("\\text{(too large to print"))
  }

  /// Ropes: nested text is built without copying, and its pieces come out in order.
  @Test func nestedTextIsWrittenOutInOrder() throws {
    var text = "x"
    for k in 0..<200 { text = "log(\(text) + \(k + 1))" }
    let e = try Expr(parsing: text)
    #expect(e.description == text)
  }
}
