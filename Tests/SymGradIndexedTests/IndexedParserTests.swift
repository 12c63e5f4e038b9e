import SymGrad
import Testing

@testable import SymGradIndexed

/// Reading index notation back: every printed loss and gradient reads back as an
/// expression proved equal to it, stated formulas are recognized, and bad text is an
/// error with its column.
@Suite struct IndexedParserTests {
  static func parser(_ d: IndexedDerivation) -> IndexedParser {
    IndexedParser(algebra: d.algebra, variables: d.inputIndices + d.lossIndices, data: d.target.map { [$0] } ?? [])
  }

  static func derivations() -> [(String, IndexedDerivation)] {
    [
      ("cross_entropy", IndexedLosses.crossEntropy(.init())),
      (
        "cross_entropy weighted, ignoring, smoothed",
        IndexedLosses.crossEntropy(.init(weight: true, ignoreIndex: true, labelSmoothing: .symbol("e")))
      ),
      ("cross_entropy none", IndexedLosses.crossEntropy(.init(ignoreIndex: true, reduction: .none))),
      ("cross_entropy probabilities", IndexedLosses.crossEntropy(.init(weight: true, probabilities: true))),
      ("nll_loss", IndexedLosses.nllLoss(.init(weight: true, ignoreIndex: true))),
      ("mse_loss", IndexedLosses.mseLoss(reduction: .mean)),
      ("kl_div", IndexedLosses.klDiv(logTarget: false, reduction: .sum)),
      ("softmax", IndexedLosses.softmax(log: false)),
      ("log_softmax", IndexedLosses.softmax(log: true)),
      ("linear", IndexedLosses.crossEntropyOfLinear(.init())),
    ]
  }

  @Test func printedResultsReadBack() throws {
    for (name, d) in Self.derivations() {
      for (part, e) in [("loss", d.loss), ("gradient", d.gradient)] {
        let text = d.algebra.text(e)
        let back = try Self.parser(d).parse(text)
        #expect(d.algebra.provedEqual(e, back), "\(name) \(part): \(text) read back as \(d.algebra.text(back))")
      }
    }
  }

  /// The softmax Jacobian, stated by hand: d s[n, c] / d X[m, j] = delta(m, n) s_c (delta(c, j) - s_j).
  @Test func theSoftmaxJacobianAsStated() throws {
    let d = IndexedLosses.softmax(log: false)
    let s = "exp(X[n, c])/Sum(exp(X[n, k]), (k, 1, C))"
    let sj = "exp(X[n, j])/Sum(exp(X[n, l]), (l, 1, C))"
    let stated = try Self.parser(d).parse("KroneckerDelta(m, n)*\(s)*(KroneckerDelta(c, j) - \(sj))")
    #expect(d.algebra.provedEqual(d.gradient, stated))
    // Without the row delta it is a different (wrong) formula.
    let wrong = try Self.parser(d).parse("\(s)*(KroneckerDelta(c, j) - \(sj))")
    #expect(!d.algebra.provedEqual(d.gradient, wrong))
  }

  @Test func badTextIsAnErrorWithItsColumn() {
    let d = IndexedLosses.crossEntropy(.init())
    let p = Self.parser(d)
    #expect(throws: IndexedParseError(column: 3, message: "'q' is not an index variable here")) {
      try p.parse("X[q, c]")
    }
    #expect(throws: IndexedParseError.self) { try p.parse("Sum(X[n, k], (k, 0, C))") }
    #expect(throws: IndexedParseError.self) { try p.parse("frobnicate(X[n, c])") }
    #expect(throws: IndexedParseError.self) { try p.parse("exp(X[n, c]") }
    #expect(throws: IndexedParseError.self) { try p.parse("X[n, c] $") }
  }
}
