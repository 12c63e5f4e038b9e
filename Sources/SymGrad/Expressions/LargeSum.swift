import Synchronization

/// The terms of a sum node with at least `LargeSum.threshold` terms, held so that `+` can
/// grow the sum by one term in O(log n) (see `Expr+SumGrowth.swift`).
///
/// A large sum is the same canonical node whichever way it was made: its terms are those
/// `Expr.sum` would give, its structural hash is a commutative combination of its terms'
/// hashes (`StructuralHash.ofSum`), and the intern table compares two large sums term by
/// term. Only the storage differs:
///
/// - built from an array (`Expr.sum`, or a sum that just grew past the threshold): the
///   array is kept, and the treap of its terms is made on the first `+` (O(n), once);
/// - grown by `+`: a persistent treap (`SumTreeNode`) that shares all but O(log n) nodes
///   with the sum it grew from; the array of `Expr.Kind.sum` is made on first use of
///   `kind` (O(n), once), which a loop of `+` never asks for.
///
/// The node's fields (hash, height, masks, order key) come from running totals and the
/// tree's cached aggregates, so interning a grown sum is O(1), not O(n).
final class LargeSum: Sendable {
  /// Sums with fewer terms keep a plain array (copying them is cheaper than a tree).
  static let threshold = 32
  /// What one tree node costs the intern table's sweep budget, in array slots (a node is
  /// about 100 bytes, a slot 8).
  static let treeNodeWeight = 12

  /// The leading number or `+-inf`, if any (never `pi`: that is an ordinary term).
  let head: Expr?
  /// The number of terms, the head included.
  let count: Int
  /// The sum of `StructuralHash.sumTerm` over the terms other than the head.
  let tailHash: UInt64
  let height: Int
  let symbolMask: UInt64
  let symbolIDs: (lowest: UInt64, highest: UInt64)
  let nonFinite: UInt8
  /// The term that leads the canonical order (`OrderKey.leadAtom`): the head if it is an
  /// infinity, else the first non-numeric term.
  let leadingTerm: Expr
  /// For a sum grown by `+`: the ids of the sum it grew from and of what was added. Ids are
  /// never reused and growth is deterministic, so equal origins prove equal terms (the
  /// intern table's shortcut when the same loop runs again before a sweep).
  let origin: (base: UInt64, addend: UInt64)?
  /// What interning this sum adds to its shard's sweep budget (`InternTable`).
  let addedWeight: Int
  private let array = AtomicLazyReference<TermArray>()
  private let tree = AtomicLazyReference<SumTreeNode>()

  /// A large sum over the canonical `terms` (sorted, like terms collected, at least
  /// `threshold` of them). O(n).
  init(terms: [Expr]) {
    precondition(terms.count >= LargeSum.threshold)
    let head: Expr?
    switch terms[0].kind {
    case .number, .constant(.infinity), .constant(.negativeInfinity): head = terms[0]
    default: head = nil
    }
    var height = 0
    var mask: UInt64 = 0
    var nonFinite: UInt8 = 0
    var tailHash: UInt64 = 0
    var low = UInt64.max
    var high = UInt64(0)
    for (i, t) in terms.enumerated() {
      let n = t.node
      height = Swift.max(height, n.height)
      mask |= n.symbolMask
      nonFinite |= n.nonFinite
      low = Swift.min(low, n.lowestSymbolID)
      high = Swift.max(high, n.highestSymbolID)
      if i > 0 || head == nil { tailHash &+= StructuralHash.sumTerm(n.structuralHash) }
    }
    self.head = head
    self.count = terms.count
    self.tailHash = tailHash
    self.height = 1 + height
    self.symbolMask = mask
    self.symbolIDs = (low, high)
    self.nonFinite = nonFinite
    self.leadingTerm = head?.rationalValue != nil ? terms[1] : terms[0]
    self.origin = nil
    self.addedWeight = terms.count
    _ = array.storeIfNil(TermArray(terms))
    SumWorkMeter.current?.termsVisited.add(terms.count, ordering: .relaxed)
  }

  /// A large sum of `head` and the terms of `root` (`tailCount` of them, their
  /// `StructuralHash.sumTerm` summing to `tailHash`), grown from `origin`. O(1).
  init(
    head: Expr?, root: SumTreeNode, tailCount: Int, tailHash: UInt64, origin: (base: UInt64, addend: UInt64),
    copied: Int
  ) {
    precondition(tailCount + (head == nil ? 0 : 1) >= LargeSum.threshold)
    self.head = head
    self.count = tailCount + (head == nil ? 0 : 1)
    self.tailHash = tailHash
    // Heads are atoms: height 1, no symbols, and only an infinity sets a non-finite bit.
    self.height = 1 + Swift.max(root.height, head == nil ? 0 : 1)
    self.symbolMask = root.symbolMask
    self.symbolIDs = (root.lowestSymbolID, root.highestSymbolID)
    self.nonFinite = root.nonFinite | (head?.node.nonFinite ?? 0)
    self.leadingTerm = head?.constantValue != nil ? head! : root.first
    self.origin = origin
    self.addedWeight = LargeSum.treeNodeWeight * copied
    _ = tree.storeIfNil(root)
  }

  /// The structural hash of the sum node (the same as `StructuralHash.of(.sum(terms))`).
  var structuralHash: UInt64 {
    StructuralHash.ofSum(tailHash &+ (head.map { StructuralHash.sumTerm($0.node.structuralHash) } ?? 0))
  }

  /// The terms in canonical order (made from the tree on first use).
  var terms: [Expr] {
    if let made = array.load() { return made.terms }
    var out: [Expr] = []
    out.reserveCapacity(count)
    if let head { out.append(head) }
    tree.load()!.appendTerms(to: &out)
    SumWorkMeter.current?.termsVisited.add(count, ordering: .relaxed)
    return array.storeIfNil(TermArray(out)).terms
  }

  /// The treap of the terms other than the head (made from the array on first use).
  var root: SumTreeNode {
    if let made = tree.load() { return made }
    let terms = array.load()!.terms
    let built = SumTreeNode.build(terms[(head == nil ? 0 : 1)...])!
    SumWorkMeter.current?.termsVisited.add(count, ordering: .relaxed)
    return tree.storeIfNil(built)
  }

  /// Whether the array of terms has been made (tests check that a loop of `+` never makes it).
  var hasTermArray: Bool { array.load() != nil }

  /// Calls `body` on each term in canonical order, without making the array.
  func forEachTerm(_ body: (Expr) -> Void) {
    if let made = array.load() {
      made.terms.forEach(body)
      return
    }
    if let head { body(head) }
    var iterator = SumTreeIterator(tree.load())
    while let t = iterator.next() { body(t) }
  }

  /// Whether `a` and `b` hold the same terms (the intern table's equality; the hashes are
  /// already known to agree). O(1) for the same growth step; for two trees, O(the nodes
  /// they do not share); else O(n).
  static func sameTerms(_ a: LargeSum, _ b: LargeSum) -> Bool {
    if a === b { return true }
    guard a.count == b.count, a.tailHash == b.tailHash, a.head == b.head else { return false }
    if let p = a.origin, let q = b.origin, p == q { return true }
    // A treap's shape is a function of its set of terms (priorities are distinct hashes),
    // so equal sums have equal shapes, and two trees grown from the same ancestor differ
    // only along the paths edited since: compared node by node, shared subtrees are
    // skipped. False only proves a different shape (a priority tie could cause one):
    // then the terms are compared in order.
    if let x = a.tree.load(), let y = b.tree.load() {
      var visited = 0
      let same = SumTreeNode.sameShapeAndTerms(x, y, visited: &visited)
      SumWorkMeter.current?.termsVisited.add(visited, ordering: .relaxed)
      if same { return true }
    }
    SumWorkMeter.current?.termsVisited.add(a.count, ordering: .relaxed)
    var x = a.makeTermIterator()
    var y = b.makeTermIterator()
    while let s = x.next() {
      guard let t = y.next(), s == t else { return false }
    }
    return y.next() == nil
  }

  /// The terms in canonical order, from whichever storage exists.
  private func makeTermIterator() -> TermIterator {
    if let made = array.load() { return .array(made.terms.makeIterator()) }
    return .tree(head: head, SumTreeIterator(tree.load()))
  }

  private enum TermIterator: IteratorProtocol {
    case array(IndexingIterator<[Expr]>)
    case tree(head: Expr?, SumTreeIterator)

    mutating func next() -> Expr? {
      switch self {
      case .array(var it):
        let t = it.next()
        self = .array(it)
        return t
      case .tree(let head?, let it):
        self = .tree(head: nil, it)
        return head
      case .tree(nil, var it):
        let t = it.next()
        self = .tree(head: nil, it)
        return t
      }
    }
  }
}

/// An immutable array of terms, boxed for `AtomicLazyReference`.
final class TermArray: Sendable {
  let terms: [Expr]
  init(_ terms: [Expr]) { self.terms = terms }
}
