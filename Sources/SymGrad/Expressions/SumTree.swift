/// A node of a persistent treap holding the non-numeric terms of a large sum in canonical
/// order (see `LargeSum`).
///
/// Nodes are immutable: inserting, replacing or removing a term copies the nodes on its
/// search path and shares every other node with the tree it started from, so each
/// intermediate sum of a loop `acc = acc + t` owns only O(log n) nodes of its own.
///
/// Terms are ordered as `SumBuilder` sorts them: by the key of their *rest* (the term
/// without its numeric coefficient, `key(of:)`), so `3*x` sits where `x` would. A node's
/// priority is a hash of that key: the shape of a tree depends only on the set of rests,
/// not on the order in which they were added, and its depth is O(log n) with high
/// probability (about `2 ln n` on average).
///
/// Each node caches aggregates of its subtree (the greatest term height, the symbol mask,
/// the symbol-id range and the non-finite bits), so the fields of a sum node stay O(1) to
/// compute after any edit, including a removal of the term that set them.
final class SumTreeNode: Sendable {
  let term: Expr
  let left: SumTreeNode?
  let right: SumTreeNode?
  let priority: UInt64
  /// The greatest `height` of a term in this subtree.
  let height: Int
  let symbolMask: UInt64
  let lowestSymbolID: UInt64
  let highestSymbolID: UInt64
  let nonFinite: UInt8

  init(term: Expr, priority: UInt64, left: SumTreeNode?, right: SumTreeNode?) {
    let n = term.node
    var height = n.height
    var mask = n.symbolMask
    var nonFinite = n.nonFinite
    var low = n.lowestSymbolID
    var high = n.highestSymbolID
    if let l = left {
      height = Swift.max(height, l.height)
      mask |= l.symbolMask
      nonFinite |= l.nonFinite
      low = Swift.min(low, l.lowestSymbolID)
      high = Swift.max(high, l.highestSymbolID)
    }
    if let r = right {
      height = Swift.max(height, r.height)
      mask |= r.symbolMask
      nonFinite |= r.nonFinite
      low = Swift.min(low, r.lowestSymbolID)
      high = Swift.max(high, r.highestSymbolID)
    }
    self.term = term
    self.priority = priority
    self.left = left
    self.right = right
    self.height = height
    self.symbolMask = mask
    self.nonFinite = nonFinite
    self.lowestSymbolID = low
    self.highestSymbolID = high
  }

  /// A copy of `node` (same term and priority) over new children.
  convenience init(_ node: SumTreeNode, left: SumTreeNode?, right: SumTreeNode?) {
    self.init(term: node.term, priority: node.priority, left: left, right: right)
  }

  // MARK: Keys

  /// The ordering key of a term's rest, the one `SumBuilder.build` sorts by:
  /// `3*x*y -> key(x*y)`, `x*y -> key(x*y)`, `x -> key(x)`.
  static func key(of term: Expr) -> SortKey {
    // The rank test first: copying out a symbol's kind would retain its name.
    if term.node.orderKey.rank == 5, case .product(let fs) = term.kind {
      if case .number = fs[0].kind { return SortKey(productOf: fs.dropFirst()) }
      return SortKey(productOf: fs[...])
    }
    return SortKey(term)
  }

  /// The priority of a term whose rest has key `key` (a function of the rest alone, so a
  /// change of coefficient keeps the node where it is).
  static func priority(of key: SortKey) -> UInt64 {
    StructuralHash.mix(key.hash, 0x5D58_8B65_6C07_8965)
  }

  // MARK: Queries

  /// The first term in canonical order.
  var first: Expr {
    var node = self
    while let l = node.left { node = l }
    return node.term
  }

  /// The terms in canonical order, appended to `out` (iteratively: no recursion).
  func appendTerms(to out: inout [Expr]) {
    var iterator = SumTreeIterator(self)
    while let t = iterator.next() { out.append(t) }
  }

  /// Whether `a` and `b` have the same shape and the same term at every node, skipping
  /// the subtrees they share (`visited` counts the node pairs compared).
  static func sameShapeAndTerms(_ a: SumTreeNode?, _ b: SumTreeNode?, visited: inout Int) -> Bool {
    if a === b { return true }
    guard let a, let b else { return false }
    visited += 1
    guard a.term == b.term else { return false }
    return sameShapeAndTerms(a.left, b.left, visited: &visited)
      && sameShapeAndTerms(a.right, b.right, visited: &visited)
  }

  // MARK: Edits (persistent: `copied` counts the nodes allocated)

  /// `root` with `term` inserted, or nil when a term with the same rest is already there:
  /// then `found` is that term, and nothing was allocated (nodes are copied on the way
  /// back up, after the search).
  static func inserting(
    _ term: Expr, key: SortKey, priority: UInt64, into root: SumTreeNode?, copied: inout Int,
    found: inout Expr?
  ) -> SumTreeNode? {
    guard let node = root else {
      copied += 1
      return SumTreeNode(term: term, priority: priority, left: nil, right: nil)
    }
    let c = SortKey.compare(key, SumTreeNode.key(of: node.term))
    if c == 0 {
      found = node.term
      return nil
    }
    if c < 0 {
      guard let l = inserting(term, key: key, priority: priority, into: node.left, copied: &copied, found: &found)
      else { return nil }
      if l.priority > node.priority {  // rotate right: the new node rises above `node`
        copied += 2
        return SumTreeNode(l, left: l.left, right: SumTreeNode(node, left: l.right, right: node.right))
      }
      copied += 1
      return SumTreeNode(node, left: l, right: node.right)
    } else {
      guard let r = inserting(term, key: key, priority: priority, into: node.right, copied: &copied, found: &found)
      else { return nil }
      if r.priority > node.priority {  // rotate left
        copied += 2
        return SumTreeNode(r, left: SumTreeNode(node, left: node.left, right: r.left), right: r.right)
      }
      copied += 1
      return SumTreeNode(node, left: node.left, right: r)
    }
  }

  /// `root` with the term whose rest has key `key` (which must be present) replaced by
  /// `term` (a term with the same rest).
  static func replacing(
    _ key: SortKey, with term: Expr, in root: SumTreeNode, copied: inout Int
  ) -> SumTreeNode {
    copied += 1
    let c = SortKey.compare(key, SumTreeNode.key(of: root.term))
    if c == 0 { return SumTreeNode(term: term, priority: root.priority, left: root.left, right: root.right) }
    if c < 0 {
      return SumTreeNode(root, left: replacing(key, with: term, in: root.left!, copied: &copied), right: root.right)
    }
    return SumTreeNode(root, left: root.left, right: replacing(key, with: term, in: root.right!, copied: &copied))
  }

  /// `root` without the term whose rest has key `key` (which must be present).
  static func removing(_ key: SortKey, from root: SumTreeNode, copied: inout Int) -> SumTreeNode? {
    let c = SortKey.compare(key, SumTreeNode.key(of: root.term))
    if c == 0 { return joined(root.left, root.right, copied: &copied) }
    copied += 1
    if c < 0 {
      return SumTreeNode(root, left: removing(key, from: root.left!, copied: &copied), right: root.right)
    }
    return SumTreeNode(root, left: root.left, right: removing(key, from: root.right!, copied: &copied))
  }

  /// The treap of the terms of `a` followed by those of `b` (every key of `a` below every
  /// key of `b`).
  private static func joined(_ a: SumTreeNode?, _ b: SumTreeNode?, copied: inout Int) -> SumTreeNode? {
    guard let a else { return b }
    guard let b else { return a }
    copied += 1
    if a.priority >= b.priority {
      return SumTreeNode(a, left: a.left, right: joined(a.right, b, copied: &copied))
    }
    return SumTreeNode(b, left: joined(a, b.left, copied: &copied), right: b.right)
  }

  // MARK: Construction from a sorted array

  /// The treap of `terms`, which are already in canonical order (the non-numeric terms of
  /// a canonical sum). O(n): the Cartesian tree of the priorities, built with a stack.
  static func build(_ terms: ArraySlice<Expr>) -> SumTreeNode? {
    let ts = Array(terms)
    let n = ts.count
    if n == 0 { return nil }
    let priorities = ts.map { priority(of: key(of: $0)) }
    var left = [Int](repeating: -1, count: n)
    var right = [Int](repeating: -1, count: n)
    var stack: [Int] = []
    for i in 0..<n {
      var last = -1
      while let top = stack.last, priorities[top] < priorities[i] { last = stack.removeLast() }
      left[i] = last
      if let top = stack.last { right[top] = i }
      stack.append(i)
    }
    // Children before parents: an explicit post-order, so no recursion whatever the shape.
    var built = [SumTreeNode?](repeating: nil, count: n)
    var pending: [(Int, Bool)] = [(stack[0], false)]
    while let (i, expanded) = pending.popLast() {
      if expanded {
        built[i] = SumTreeNode(
          term: ts[i], priority: priorities[i],
          left: left[i] < 0 ? nil : built[left[i]], right: right[i] < 0 ? nil : built[right[i]])
        continue
      }
      pending.append((i, true))
      if left[i] >= 0 { pending.append((left[i], false)) }
      if right[i] >= 0 { pending.append((right[i], false)) }
    }
    return built[stack[0]]
  }
}

/// The terms of a `SumTreeNode` in canonical order (an explicit stack of left spines).
struct SumTreeIterator: IteratorProtocol {
  private var stack: [SumTreeNode] = []

  init(_ root: SumTreeNode?) { pushLeftSpine(root) }

  private mutating func pushLeftSpine(_ node: SumTreeNode?) {
    var current = node
    while let n = current {
      stack.append(n)
      current = n.left
    }
  }

  mutating func next() -> Expr? {
    guard let n = stack.popLast() else { return nil }
    pushLeftSpine(n.right)
    return n.term
  }
}
