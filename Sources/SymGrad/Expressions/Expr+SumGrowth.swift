extension Expr {
  /// `a + b` when either is a large sum (`LargeSum`): the other operand's terms are merged
  /// into the larger sum's treap one by one, each in O(log n), and the result is interned
  /// in O(1). This is what makes `acc = acc + t` (and `acc += t`, `acc = acc - t`) loops
  /// O(n log n) in all instead of O(n^2).
  ///
  /// The result is the node `Expr.sum([a, b])` gives: the same rules, applied to one term
  /// at a time in the same way `SumBuilder` applies them (like terms collected by rest,
  /// numbers folded, `inf` absorbing numbers, `inf + -inf` and `undefined` giving
  /// `undefined`, collapsing to a number, a single term or zero).
  ///
  /// Nil when neither operand is a large sum, or when both are and the smaller has more
  /// than 1/16 of the larger's terms (`SumBuilder` merges those faster).
  static func growingSum(_ a: Expr, _ b: Expr) -> Expr? {
    switch (a.node.large, b.node.large) {
    case (nil, nil): return nil
    case (let x?, nil): return growing(a, x, by: b)
    case (nil, let y?): return growing(b, y, by: a)
    case (let x?, let y?): return x.count >= y.count ? growing(a, x, by: b) : growing(b, y, by: a)
    }
  }

  private static func growing(_ total: Expr, _ large: LargeSum, by addend: Expr) -> Expr? {
    if let other = addend.node.large, other.count * 16 > large.count { return nil }
    var editor = SumEditor(large)
    if let other = addend.node.large {
      other.forEachTerm { editor.add($0) }
    } else if case .sum(let terms) = addend.kind {
      for t in terms { editor.add(t) }
    } else {
      editor.add(addend)
    }
    return editor.result(unchanged: total, origin: (total.node.id, addend.node.id))
  }
}

/// A large sum being edited term by term: the state of a `SumBuilder` whose entries are a
/// persistent treap instead of an array.
private struct SumEditor {
  private let original: LargeSum
  private var constant = Rational(0)
  private var positiveInfinity = false, negativeInfinity = false, undefined = false
  private var root: SumTreeNode?
  private var tailCount: Int
  private var tailHash: UInt64
  private var edited = false
  private var copied = 0

  init(_ large: LargeSum) {
    original = large
    switch large.head?.kind {
    case .number(let r)?: constant = r
    case .constant(.infinity)?: positiveInfinity = true
    case .constant(.negativeInfinity)?: negativeInfinity = true
    default: break
    }
    root = large.root
    tailCount = large.count - (large.head == nil ? 0 : 1)
    tailHash = large.tailHash
  }

  /// Adds one term of a canonical sum (never a sum itself).
  mutating func add(_ t: Expr) {
    switch t.kind {
    case .number(let r): constant = constant + r
    case .constant(.infinity): positiveInfinity = true
    case .constant(.negativeInfinity): negativeInfinity = true
    case .constant(.undefined): undefined = true
    default:
      edited = true
      let key = SumTreeNode.key(of: t)
      var found: Expr?
      let priority = SumTreeNode.priority(of: key)
      if let grown = SumTreeNode.inserting(t, key: key, priority: priority, into: root, copied: &copied, found: &found)
      {
        root = grown
        tailCount += 1
        tailHash &+= StructuralHash.sumTerm(t.node.structuralHash)
        return
      }
      let u = found!
      // A like term: as in `SumBuilder.build`, the coefficients add up over the rest of
      // the term already present.
      var c = Rational(1)
      if case .product(let fs) = t.kind, case .number(let k) = fs[0].kind { c = k }
      let (cu, rest) = u.coefficientAndRest
      let coefficient = cu + c
      tailHash &-= StructuralHash.sumTerm(u.node.structuralHash)
      if coefficient.isZero {
        root = SumTreeNode.removing(key, from: root!, copied: &copied)
        tailCount -= 1
      } else {
        let merged = Expr.scaled(rest, by: coefficient)
        root = SumTreeNode.replacing(key, with: merged, in: root!, copied: &copied)
        tailHash &+= StructuralHash.sumTerm(merged.node.structuralHash)
      }
    }
  }

  /// The canonical sum of everything added (`unchanged` when that is the original sum).
  func result(unchanged: Expr, origin: (base: UInt64, addend: UInt64)) -> Expr {
    if copied > 0 { SumWorkMeter.current?.treeNodesAllocated.add(copied, ordering: .relaxed) }
    if undefined || (positiveInfinity && negativeInfinity) { return .undefined }
    let head: Expr?
    if positiveInfinity {
      head = .infinity
    } else if negativeInfinity {
      head = .negativeInfinity
    } else {
      head = constant.isZero ? nil : .number(constant)
    }
    if !edited && head == original.head { return unchanged }
    let count = tailCount + (head == nil ? 0 : 1)
    guard let root, count >= LargeSum.threshold else {
      // Small again (terms cancelled): a plain array, as `SumBuilder.build` would make.
      var terms: [Expr] = []
      terms.reserveCapacity(count)
      if let head { terms.append(head) }
      root?.appendTerms(to: &terms)
      switch terms.count {
      case 0: return .zero
      case 1: return terms[0]
      default: return InternTable.intern(.sum(terms))
      }
    }
    return InternTable.intern(
      LargeSum(
        head: head, root: root, tailCount: tailCount, tailHash: tailHash, origin: origin, copied: copied))
  }
}
