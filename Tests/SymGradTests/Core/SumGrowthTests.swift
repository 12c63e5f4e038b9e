import Foundation
import Testing

@testable import SymGrad

/// Sums grown with `+`, `-` and `+=` in a loop (issue 10, item 5): the node is the one
/// `Expr.sum` builds at once from the same terms, whatever the order of the additions, and
/// the work stays O(n log n) (counted with `SumWorkMeter`, never timed).
@Suite struct SumGrowthTests {
  /// Fresh symbols for one test, so its nodes are new in the intern table.
  static func symbols(_ count: Int, _ tag: String) -> [Expr] {
    let prefix = "sg\(tag)\(UUID().uuidString.prefix(8))_"
    return (0..<count).map { Expr.symbol("\(prefix)\($0)") }
  }

  /// How the terms of a random mix may include non-finite values.
  enum NonFinite: CaseIterable { case none, infinity, negativeInfinity, both, undefined }

  /// A random mix of terms over `pool`: symbols (repeated, so like terms collect),
  /// coefficients (and exact negatives of earlier terms, so coefficients cancel to zero),
  /// numbers, products, powers, functions, `pi`, nested sums small and large, and the
  /// requested non-finite values.
  static func randomTerms(_ rng: inout SplitMix64, pool: [Expr], count: Int, nonFinite: NonFinite) -> [Expr] {
    let coefficients: [Expr] = [2, -1, -3, Expr(1) / 2, Expr(-5) / 7]
    var terms: [Expr] = []
    func symbol() -> Expr { pool[rng.below(pool.count)] }
    for _ in 0..<count {
      switch rng.below(20) {
      case 0..<6: terms.append(symbol())
      case 6, 7: terms.append(coefficients[rng.below(coefficients.count)] * symbol())
      case 8: terms.append(Expr.number(rng.below(9) - 4))
      case 9: terms.append(symbol() * symbol())
      case 10: terms.append(coefficients[rng.below(coefficients.count)] * symbol() * symbol())
      case 11: terms.append(symbol() ** 2)
      case 12: terms.append(exp(symbol()))
      case 13: terms.append(rng.below(4) == 0 ? .pi : exp(exp(symbol())))
      case 14, 15:
        // An earlier term taken back: its coefficient cancels (or changes, if the term
        // was added more than once).
        if !terms.isEmpty { terms.append(-terms[rng.below(terms.count)]) }
      case 16: terms.append(Expr.sum((0..<(2 + rng.below(4))).map { _ in symbol() }))
      case 17: terms.append(Expr.sum((0..<(2 + rng.below(3))).map { _ in 3 * symbol() }) + 1)
      case 18:
        if rng.below(8) == 0 {
          terms.append(Expr.sum((0..<40).map { _ in symbol() }))  // a large nested sum
        } else {
          terms.append(symbol())
        }
      default:
        switch nonFinite {
        case .none: terms.append(symbol())
        case .infinity: terms.append(rng.below(3) == 0 ? .infinity : symbol())
        case .negativeInfinity: terms.append(rng.below(3) == 0 ? .negativeInfinity : symbol())
        case .both: terms.append([Expr.infinity, .negativeInfinity, symbol()][rng.below(3)])
        case .undefined: terms.append(rng.below(5) == 0 ? .undefined : symbol())
        }
      }
    }
    return terms
  }

  static func loopSum(_ terms: [Expr]) -> Expr {
    var acc: Expr = 0
    for t in terms { acc = acc + t }
    return acc
  }

  /// The fields a large sum node would get from its array of terms (what `InternTable`
  /// computes for an array), against those a grown node got from running totals.
  static func expectFieldsMatchTerms(_ e: Expr, _ context: String) {
    guard case .sum(let terms) = e.kind else { return }
    let n = e.node
    #expect(n.structuralHash == StructuralHash.of(.sum(terms)), "hash \(context)")
    #expect(n.height == 1 + terms.map(\.node.height).max()!, "height \(context)")
    #expect(n.symbolMask == terms.reduce(0) { $0 | $1.node.symbolMask }, "mask \(context)")
    #expect(n.lowestSymbolID == terms.map(\.node.lowestSymbolID).min()!, "lowest id \(context)")
    #expect(n.highestSymbolID == terms.map(\.node.highestSymbolID).max()!, "highest id \(context)")
    #expect(n.nonFinite == terms.reduce(0) { $0 | $1.node.nonFinite }, "non-finite \(context)")
    #expect(n.orderKey.rank == 6 && n.orderKey.count == terms.count, "order key \(context)")
    #expect(n.orderKey.lead === OrderKey.leadAtom(of: terms), "lead atom \(context)")
  }

  // MARK: Loops against Expr.sum

  @Test(arguments: 0..<40)
  func loopBuiltSumIsTheSumOfTheTerms(seed: Int) {
    var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 77)
    let pool = SumGrowthTests.symbols(20 + rng.below(60), "r\(seed)")
    let nonFinite = seed % 8 == 7 ? NonFinite.allCases[1 + (seed / 8) % 4] : .none
    let terms = SumGrowthTests.randomTerms(&rng, pool: pool, count: 60 + rng.below(300), nonFinite: nonFinite)
    // Half the seeds make the array-built node first, half the grown one.
    let atOnceFirst = seed % 2 == 0 ? Expr.sum(terms) : nil
    let forward = SumGrowthTests.loopSum(terms)
    let atOnce = atOnceFirst ?? Expr.sum(terms)
    #expect(forward == atOnce)
    #expect(forward.node === atOnce.node)
    #expect(SumGrowthTests.loopSum(terms.reversed()) == atOnce)
    var shuffled = terms
    shuffled.shuffle(using: &rng)
    #expect(SumGrowthTests.loopSum(shuffled) == atOnce)
    // `+=`, the term on the left of `+`, and `-` (against the sum of the negatives).
    var compound: Expr = 0
    for t in shuffled { compound += t }
    #expect(compound == atOnce)
    var leftward: Expr = 0
    for t in terms { leftward = t + leftward }
    #expect(leftward == atOnce)
    var difference: Expr = 0
    for t in terms { difference = difference - t }
    #expect(difference == Expr.sum(terms.map { -$0 }))
  }

  /// Every prefix of a loop is the sum of that prefix, and its fields are the ones an
  /// array would give: removals included (a cancelled term may have set the height, the
  /// symbol range or the lead atom).
  @Test(arguments: 0..<8)
  func everyPrefixIsCanonical(seed: Int) {
    var rng = SplitMix64(seed: UInt64(seed) &+ 4242)
    let pool = SumGrowthTests.symbols(70, "p\(seed)")
    let terms = SumGrowthTests.randomTerms(&rng, pool: pool, count: 220, nonFinite: seed == 3 ? .infinity : .none)
    var acc: Expr = 0
    var grown: [(Int, Expr)] = []
    for (i, t) in terms.enumerated() {
      acc = acc + t
      if acc.node.large != nil && rng.below(4) == 0 { grown.append((i, acc)) }
    }
    #expect(!grown.isEmpty)
    for (i, e) in grown {
      SumGrowthTests.expectFieldsMatchTerms(e, "seed \(seed), prefix \(i)")
      #expect(e == Expr.sum(Array(terms[...i])), "seed \(seed), prefix \(i)")
    }
  }

  @Test func specialCasesMatchTheBuilder() {
    let xs = SumGrowthTests.symbols(50, "s")
    let big = Expr.sum(xs)
    #expect(big.node.large != nil)
    func same(_ grown: Expr, _ terms: [Expr], _ note: Comment) {
      #expect(grown == Expr.sum(terms), note)
    }
    // Numbers: folded, cancelled, absorbed by an infinity.
    same(big + 3, xs + [3], "number")
    same(big + 3 + Expr(-3), xs, "number cancels")
    #expect(big + 3 + Expr(-3) == big)
    same(big + Expr(1) / 2 + Expr(1) / 3, xs + [Expr(5) / 6], "rationals fold")
    // Infinities and undefined.
    let withInf = big + .infinity
    same(withInf, xs + [.infinity], "inf")
    #expect(withInf + 7 == withInf)
    #expect((big + 7) + .infinity == withInf)
    #expect(withInf + .negativeInfinity == .undefined)
    #expect(big + .negativeInfinity + .infinity == .undefined)
    #expect(big + .undefined == .undefined)
    #expect(Expr.undefined + big == .undefined)
    same(big + .negativeInfinity + xs[0], xs + [.negativeInfinity, xs[0]], "-inf with a like term")
    // pi is an ordinary term, not a head.
    same(big + .pi + 2, xs + [.pi, 2], "pi and a number")
    same(big + .pi + .pi, xs + [2 * .pi], "pi collects")
    // Like terms: coefficients add, cancel to zero, come back to 1.
    same(big + xs[3], xs + [xs[3]], "2*x")
    same(big + 2 * xs[3] * xs[4] + Expr(-2) * xs[3] * xs[4], xs, "product cancels")
    #expect(big + (-xs[7]) == Expr.sum(xs.enumerated().filter { $0.offset != 7 }.map(\.element)))
    #expect(big + xs[5] + (-xs[5]) == big)
    // A tall term added and taken back: the height must come down again.
    let tall = exp(exp(exp(xs[0])))
    let up = big + tall
    #expect(up.node.height == tall.node.height + 1)
    #expect(up - tall == big)
    #expect((up - tall).node.height == 2)
    // Shrinking: below the threshold an array again, one term, zero.
    var acc = big
    for (i, x) in xs.enumerated() {
      acc = acc - x
      let rest = Array(xs[(i + 1)...])
      #expect(acc == Expr.sum(rest), "after removing \(i + 1) terms")
    }
    #expect(acc == 0)
    // Sums on either side, small and large.
    let ys = SumGrowthTests.symbols(40, "t")
    same(big + Expr.sum(ys), xs + ys, "two large sums")
    same(Expr.sum(ys) + big, xs + ys, "two large sums, swapped")
    same(big + (ys[0] + 2 * ys[1] + 5), xs + [ys[0], 2 * ys[1], 5], "large + small")
    same((ys[0] - xs[0]) + big, xs + [ys[0], -xs[0]], "small + large, with a cancellation")
    let huge = Expr.sum(ys + SumGrowthTests.symbols(800, "u"))
    same(huge + big, (huge.children) + xs, "a large sum 1/16 the size of the other")
    same(Expr.sum([big, xs[1]]), xs + [xs[1]], "Expr.sum of two operands")
    // Products distributing over a grown sum, and a grown sum as a factor.
    let grown = SumGrowthTests.loopSum(xs)
    #expect(2 * grown == Expr.sum(xs.map { 2 * $0 }))
    #expect((2 * grown + 2) * xs[0] == 2 * xs[0] * (grown + 1))
  }

  /// Loop-built sums print and evaluate as the array-built one (the array is made lazily
  /// from the tree).
  @Test func grownSumIsUsableEverywhere() throws {
    let xs = SumGrowthTests.symbols(60, "e")
    var acc: Expr = 0
    for x in xs.reversed() { acc += 3 * x }
    let large = try #require(acc.node.large)
    #expect(!large.hasTermArray)
    #expect(acc.children.count == 60)
    #expect(large.hasTermArray)
    #expect(acc.description == Expr.sum(xs.map { 3 * $0 }).description)
    let values = Dictionary(uniqueKeysWithValues: xs.enumerated().map { ($1.symbolName!, Double($0)) })
    var evaluator = Evaluator(values: values)
    #expect(try evaluator.value(of: acc) == 3 * Double(59 * 60 / 2))
    #expect(acc.derivative(withRespectTo: xs[10]) == 3)
  }

  // MARK: Work (counted, not timed)

  /// A loop over n new terms makes O(log n) tree nodes per step and never touches the whole
  /// sum once it is large: no hashing, copying or comparing of its n terms.
  @Test(arguments: [false, true])
  func loopWorkIsNLogN(shuffled: Bool) throws {
    let n = 4000
    var xs = SumGrowthTests.symbols(n, shuffled ? "ws" : "wn")
    if shuffled {
      var rng = SplitMix64(seed: 99)
      xs.shuffle(using: &rng)
    }
    let meter = SumWorkMeter()
    let acc = SumWorkMeter.$current.withValue(meter) { SumGrowthTests.loopSum(xs) }
    let visited = meter.termsVisited.load(ordering: .relaxed)
    let allocated = meter.treeNodesAllocated.load(ordering: .relaxed)
    // Only the step that crosses the threshold sees whole sums: it hashes the array it
    // makes and builds the tree from it. Quadratic growth would visit ~n^2/2 = 8e6 terms.
    #expect(visited <= 2 * LargeSum.threshold, "terms visited: \(visited)")
    // A treap's search path averages ~1.4 log2 n nodes (ln n for appends at the end); a
    // step copies that path plus its rotations. 3 n log2 n (1.4e5 here) leaves room for an
    // unlucky shape and is still 50x below one copy of the sum per step (n^2/2 = 8e6).
    let bound = 3 * n * Int(Foundation.log2(Double(n)).rounded(.up))
    #expect(allocated <= bound, "tree nodes allocated: \(allocated), bound \(bound)")
    let large = try #require(acc.node.large)
    #expect(!large.hasTermArray)
    #expect(acc == Expr.sum(xs))
  }

  /// Taking the terms back one by one (a coefficient cancelling to zero each step, from the
  /// front, the back or in random order) is O(log n) per step too, down to the threshold.
  @Test(arguments: ["front", "back", "random"])
  func cancellingWorkIsNLogN(order: String) throws {
    let n = 4000
    let xs = SumGrowthTests.symbols(n, "c\(order)").map { 3 * $0 }
    var rng = SplitMix64(seed: 7)
    let full = SumGrowthTests.loopSum(xs.shuffled(using: &rng))
    let removals = order == "front" ? xs : order == "back" ? xs.reversed() : xs.shuffled(using: &rng)
    let meter = SumWorkMeter()
    var kept: [Expr] = []
    let result = SumWorkMeter.$current.withValue(meter) { () -> Expr in
      var acc = full
      for (i, t) in removals.enumerated() {
        acc = acc - t
        if i % 500 == 0 { kept.append(acc) }
      }
      return acc
    }
    #expect(result == 0)
    let visited = meter.termsVisited.load(ordering: .relaxed)
    let allocated = meter.treeNodesAllocated.load(ordering: .relaxed)
    // No whole-sum step: below the threshold the sums are small arrays (not counted).
    #expect(visited == 0, "terms visited: \(visited)")
    let bound = 3 * n * Int(Foundation.log2(Double(n)).rounded(.up))
    #expect(allocated <= bound, "tree nodes allocated: \(allocated), bound \(bound)")
    for e in kept where e.node.large != nil { SumGrowthTests.expectFieldsMatchTerms(e, "\(order)") }
  }

  /// Running the same loop again hits the nodes of the first run (kept alive here, so no
  /// sweep can drop them) and recognises each by its origin, without comparing n terms.
  @Test func repeatedLoopDoesNotCompareWholeSums() {
    let xs = SumGrowthTests.symbols(2000, "rep")
    var firstRun: [Expr] = []
    var acc: Expr = 0
    for x in xs {
      acc = acc + x
      firstRun.append(acc)
    }
    let meter = SumWorkMeter()
    let second = SumWorkMeter.$current.withValue(meter) { SumGrowthTests.loopSum(xs) }
    #expect(second.node === firstRun.last!.node)
    let visited = meter.termsVisited.load(ordering: .relaxed)
    // The threshold step hashes its array and finds the first run's node (one compare).
    #expect(visited <= 4 * LargeSum.threshold, "terms visited: \(visited)")
  }

  /// The treap of a set of terms has one shape whatever the order of insertion (so equal
  /// sums compare node by node), and two trees grown alike from one ancestor compare in
  /// O(depth): the intern table's equality after a sweep broke a chain of origins.
  @Test func treeShapeIsCanonicalAndSharedPartsAreSkipped() throws {
    let xs = SumGrowthTests.symbols(3000, "shape")
    var rng = SplitMix64(seed: 5)
    var copied = 0
    func tree(_ terms: [Expr]) -> SumTreeNode? {
      var root: SumTreeNode?
      for t in terms {
        let key = SumTreeNode.key(of: t)
        var found: Expr?
        root = SumTreeNode.inserting(
          t, key: key, priority: SumTreeNode.priority(of: key), into: root, copied: &copied, found: &found)
      }
      return root
    }
    func depth(_ n: SumTreeNode?) -> Int { n.map { 1 + Swift.max(depth($0.left), depth($0.right)) } ?? 0 }
    let forward = try #require(tree(xs))
    let shuffled = try #require(tree(xs.shuffled(using: &rng)))
    let built = try #require(SumTreeNode.build(xs[...]))
    var visited = 0
    #expect(SumTreeNode.sameShapeAndTerms(forward, shuffled, visited: &visited))
    #expect(SumTreeNode.sameShapeAndTerms(forward, built, visited: &visited))
    #expect(visited == 2 * xs.count)
    // An expected depth of ~2 ln n = 16 (a loose bound: the shape is fixed by the hashes).
    #expect(depth(forward) <= 40, "depth \(depth(forward))")

    // Two separate growths of the same tree by the same two terms: equal, not shared
    // along the edited paths, recognised without visiting the rest.
    let extra = SumGrowthTests.symbols(2, "shape_extra")
    func grown() -> SumTreeNode {
      var root: SumTreeNode? = forward
      for t in extra {
        let key = SumTreeNode.key(of: t)
        var found: Expr?
        root = SumTreeNode.inserting(
          t, key: key, priority: SumTreeNode.priority(of: key), into: root, copied: &copied, found: &found)
      }
      return root!
    }
    let hash = (xs + extra).reduce(UInt64(0)) { $0 &+ StructuralHash.sumTerm($1.node.structuralHash) }
    let a = LargeSum(head: nil, root: grown(), tailCount: xs.count + 2, tailHash: hash, origin: (1, 2), copied: 0)
    let b = LargeSum(head: nil, root: grown(), tailCount: xs.count + 2, tailHash: hash, origin: (3, 4), copied: 0)
    #expect(a.root !== b.root)
    let meter = SumWorkMeter()
    let same = SumWorkMeter.$current.withValue(meter) { LargeSum.sameTerms(a, b) }
    #expect(same)
    let compared = meter.termsVisited.load(ordering: .relaxed)
    #expect(compared <= 2 * (depth(a.root) + 1), "node pairs compared: \(compared)")
  }

  // MARK: Concurrency

  /// Parallel loops over the same new terms race in the intern table and in making the
  /// tree and the array lazily: all get the one node and the same terms.
  @Test func parallelLoopsGiveOneNode() async {
    let xs = SumGrowthTests.symbols(300, "par")
    let results = await withTaskGroup(of: (Expr, [Expr]).self) { group in
      for k in 0..<8 {
        group.addTask {
          var order = xs
          var rng = SplitMix64(seed: UInt64(k))
          if k % 2 == 1 { order.shuffle(using: &rng) }
          let s = SumGrowthTests.loopSum(order)
          return (s, s.children)
        }
      }
      var all: [(Expr, [Expr])] = []
      for await r in group { all.append(r) }
      return all
    }
    let expected = Expr.sum(xs)
    for (s, children) in results {
      #expect(s == expected)
      #expect(children == expected.children)
    }
  }
}
