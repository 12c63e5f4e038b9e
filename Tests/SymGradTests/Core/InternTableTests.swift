import Foundation
import Testing

@testable import SymGrad

/// The intern table frees what nothing references, all the way down, and nothing else.
@Suite struct InternTableTests {
  /// Builds `exp(... exp(exp(s) + 1) + 2 ...) + n` over a symbol no other test uses, and
  /// returns weak references to its nodes at every tenth level (the DAG itself is dropped).
  private func droppedChain(symbol: String, height: Int, keeping kept: inout Expr?) -> [WeakNode] {
    var e = Expr.symbol(symbol)
    var watched: [WeakNode] = []
    for k in 0..<height {
      e = exp(e) + .number(Rational(k + 1))
      if k % 10 == 0 { watched.append(WeakNode(e.node)) }
      if k == height / 2 { kept = e }
    }
    return watched
  }

  /// Collects until every watched node is freed, at most `rounds` times. One collection
  /// frees a dropped DAG in a process of its own; here other tests' sweeps may hold part of
  /// it for a moment (a sweep that freed a parent checks the children after releasing its
  /// shard), so a few rounds are allowed, 100 ms apart: the hold lasts as long as the other
  /// sweep, and ten back-to-back rounds took a few milliseconds, less than one sweep of a
  /// large table under a loaded suite (CI once kept 60 of the 300 watched nodes through
  /// them). A sweep that freed one level per collection (as before the cascade) needs the
  /// chain's height, thousands of rounds, and still fails here.
  private func collect(until watched: [WeakNode], rounds: Int = 10) -> Bool {
    for _ in 0..<rounds {
      InternTable.collectGarbage()
      if watched.allSatisfy({ $0.node == nil }) { return true }
      usleep(100_000)
    }
    return false
  }

  @Test func oneCollectionFreesADroppedChainAllTheWayDown() {
    var kept: Expr?
    let watched = droppedChain(symbol: "internChainA", height: 3000, keeping: &kept)
    kept = nil
    #expect(collect(until: watched))
  }

  @Test func aReferencedSubexpressionAndEverythingBelowItSurvive() {
    var kept: Expr?
    let watched = droppedChain(symbol: "internChainB", height: 600, keeping: &kept)
    let keptID = kept!.node.id
    let below = watched.prefix(while: { $0.id <= keptID })
    let above = Array(watched.drop(while: { $0.id <= keptID }))
    #expect(!below.isEmpty && !above.isEmpty)
    #expect(collect(until: above))
    #expect(below.allSatisfy { $0.node != nil })
    // The survivors are still the table's: rebuilding finds the same nodes.
    var again = Expr.symbol("internChainB")
    for k in 0...300 { again = exp(again) + .number(Rational(k + 1)) }
    #expect(again.node === kept!.node)
  }

  @Test func aSumBuiltAtOnceFreesItsTerms() {
    var watched: [WeakNode] = []
    do {
      let terms = (0..<100).map { exp(Expr.symbol("internSum\($0)") * .number(Rational(3))) }
      watched = terms.map { WeakNode($0.node) }
      let s = Expr.sum(terms)
      #expect(s.node.large != nil)
    }
    #expect(collect(until: watched))
  }
}

/// A reference that does not keep its node alive.
private struct WeakNode {
  weak var node: ExprNode?
  let id: UInt64
  init(_ node: ExprNode) {
    self.node = node
    self.id = node.id
  }
}
