/// The key of the canonical order, precomputed per node so that comparing two nodes is
/// O(1) and never recursive (deep trees cannot overflow the stack while sorting).
///
/// The order, used to sort the terms of sums and the factors of products and hence by
/// both printers:
/// 1. by rank: numbers < constants < symbols < powers < function applications <
///    products < sums;
/// 2. atoms by value: numbers numerically, constants by kind, symbols in natural order
///    (`x2` before `x10`);
/// 3. composites by their *leading atom* (the first non-numeric atom reached by following
///    first children), so `exp(x0)` sorts before `exp(x1)`, then by child count, height
///    and the deterministic structural hash.
/// The order is total and the same in every run (up to 64-bit hash collisions, where the
/// creation order decides).
struct OrderKey: Sendable {
  let rank: UInt8
  /// The leading atom of a composite node; nil for atoms (they lead themselves). The node
  /// keeps it alive through its children.
  unowned(unsafe) let lead: ExprNode?
  let count: Int
  /// For symbols: a prefix of the natural order (see `symbolPrefix`); else 0.
  let prefix: UInt64

  static func make(for kind: Expr.Kind) -> OrderKey {
    switch kind {
    case .number: return OrderKey(rank: 0, lead: nil, count: 0, prefix: 0)
    case .constant: return OrderKey(rank: 1, lead: nil, count: 0, prefix: 0)
    case .symbol(let s): return OrderKey(rank: 2, lead: nil, count: 0, prefix: symbolPrefix(s))
    case .power(let b, _): return OrderKey(rank: 3, lead: leadAtom(of: [b]), count: 2, prefix: 0)
    case .apply(_, let xs): return OrderKey(rank: 4, lead: leadAtom(of: xs), count: xs.count, prefix: 0)
    case .product(let xs): return OrderKey(rank: 5, lead: leadAtom(of: xs), count: xs.count, prefix: 0)
    case .sum(let xs): return OrderKey(rank: 6, lead: leadAtom(of: xs), count: xs.count, prefix: 0)
    }
  }

  /// The key of a large sum (the same as `make(for: .sum(large.terms))`, in O(1)).
  static func make(forSum large: LargeSum) -> OrderKey {
    let lead = large.leadingTerm.node
    return OrderKey(rank: 6, lead: lead.orderKey.lead ?? lead, count: large.count, prefix: 0)
  }

  static func leadAtom<C: Collection>(of children: C) -> ExprNode? where C.Element == Expr {
    let chosen =
      children.first { if case .number = $0.kind { return false } else { return true } }
      ?? children.first
    guard let node = chosen?.node else { return nil }
    return node.orderKey.lead ?? node
  }

  /// A 64-bit summary consistent with `Expr.naturalCompare`: the first up to 4 non-digit
  /// ASCII characters (zero padded) and then the value of the digit run that follows
  /// (capped). Different prefixes order names exactly; equal prefixes need the full compare.
  static func symbolPrefix(_ s: String) -> UInt64 {
    var letters: UInt64 = 0
    var count = 0
    var number: UInt64 = 0
    var iterator = s.utf8.makeIterator()
    var next = iterator.next()
    while let c = next, !(c >= 48 && c <= 57), count < 4 {
      letters = letters << 8 | UInt64(c)
      count += 1
      next = iterator.next()
    }
    let onlyLetters = next == nil || (next! >= 48 && next! <= 57)
    letters <<= UInt64(8 * (4 - count))
    if onlyLetters {
      while let c = next, c >= 48 && c <= 57 {
        number = Swift.min(number * 10 + UInt64(c - 48), 0xFFFF_FFFF)
        next = iterator.next()
      }
    } else {
      number = 0xFFFF_FFFF  // more than 4 letters: leave the rest to the full compare
    }
    return letters << 32 | number
  }
}

/// A view of the ordering data of a node, or of a product that has not been built (the
/// rest of a term in a sum under construction), so both compare alike.
struct SortKey {
  let rank: UInt8
  unowned(unsafe) let atom: ExprNode  // the node itself for atoms, else its leading atom
  let isAtom: Bool
  let count: Int
  let height: Int
  let hash: UInt64
  let id: UInt64

  init(rank: UInt8, atom: ExprNode, isAtom: Bool, count: Int, height: Int, hash: UInt64, id: UInt64) {
    self.rank = rank
    self.atom = atom
    self.isAtom = isAtom
    self.count = count
    self.height = height
    self.hash = hash
    self.id = id
  }

  init(_ e: Expr) {
    let n = e.node
    let k = n.orderKey
    self.init(
      rank: k.rank, atom: k.lead ?? n, isAtom: k.rank <= 2, count: k.count, height: n.height,
      hash: n.structuralHash, id: n.id)
  }

  /// The key the product of `factors` (canonical, sorted, no coefficient) would have.
  init(productOf factors: ArraySlice<Expr>) {
    if factors.count == 1 {
      self.init(factors.first!)
      return
    }
    self.init(
      rank: 5, atom: OrderKey.leadAtom(of: factors)!, isAtom: false, count: factors.count,
      height: 1 + factors.reduce(0) { Swift.max($0, $1.node.height) },
      hash: factors.reduce(5) { StructuralHash.mix($0, $1.node.structuralHash) }, id: UInt64.max)
  }

  static func compare(_ a: SortKey, _ b: SortKey) -> Int {
    if a.rank != b.rank { return a.rank < b.rank ? -1 : 1 }
    if a.isAtom { return Expr.compareAtoms(a.atom, b.atom) }
    let c = Expr.compareAtoms(a.atom, b.atom)
    if c != 0 { return c }
    if a.count != b.count { return a.count < b.count ? -1 : 1 }
    if a.height != b.height { return a.height < b.height ? -1 : 1 }
    if a.hash != b.hash { return a.hash < b.hash ? -1 : 1 }
    return a.id == b.id ? 0 : (a.id < b.id ? -1 : 1)
  }
}

extension Expr {
  /// Three-way comparison in the canonical order: negative, zero (same node) or positive.
  static func compare(_ a: Expr, _ b: Expr) -> Int {
    if a.node === b.node { return 0 }
    return SortKey.compare(SortKey(a), SortKey(b))
  }

  /// Whether `a` comes before `b` in the canonical order.
  static func precedes(_ a: Expr, _ b: Expr) -> Bool { compare(a, b) < 0 }

  static func compareAtoms(_ x: ExprNode, _ y: ExprNode) -> Int {
    if x === y { return 0 }
    // Different ranks, or symbols with different prefixes, without copying out the kinds
    // (that would retain both names: writes to two more cache lines per comparison while
    // sorting or searching). The same answers as the cases below.
    let kx = x.orderKey
    let ky = y.orderKey
    if kx.rank != ky.rank { return kx.rank < ky.rank ? -1 : 1 }
    if kx.rank == 2 && kx.prefix != ky.prefix { return kx.prefix < ky.prefix ? -1 : 1 }
    switch (x.kind, y.kind) {
    case (.number(let p), .number(let q)): return p < q ? -1 : (p == q ? 0 : 1)
    case (.constant(let p), .constant(let q)):
      return p.rawValue < q.rawValue ? -1 : (p == q ? 0 : 1)
    case (.symbol(let p), .symbol(let q)):
      let px = x.orderKey.prefix
      let py = y.orderKey.prefix
      if px != py { return px < py ? -1 : 1 }
      return naturalCompare(p, q)
    default:
      let rx = x.orderKey.rank
      let ry = y.orderKey.rank
      return rx < ry ? -1 : (rx == ry ? 0 : 1)
    }
  }

  /// Compares names so that digit runs compare by value: `x2 < x10 < y`.
  static func naturalCompare(_ a: String, _ b: String) -> Int {
    var i = a.unicodeScalars.makeIterator()
    var j = b.unicodeScalars.makeIterator()
    var ca = i.next()
    var cb = j.next()
    func isDigit(_ c: Unicode.Scalar?) -> Bool { c.map { $0.value >= 48 && $0.value <= 57 } ?? false }
    while let p = ca, let q = cb {
      if isDigit(p) && isDigit(q) {
        var da = ""
        var db = ""
        while isDigit(ca) {
          da.unicodeScalars.append(ca!)
          ca = i.next()
        }
        while isDigit(cb) {
          db.unicodeScalars.append(cb!)
          cb = j.next()
        }
        let ta = String(da.drop { $0 == "0" })
        let tb = String(db.drop { $0 == "0" })
        if ta.count != tb.count { return ta.count < tb.count ? -1 : 1 }
        if ta != tb { return ta < tb ? -1 : 1 }
        if da.count != db.count { return da.count < db.count ? -1 : 1 }
        continue
      }
      if p != q { return p.value < q.value ? -1 : 1 }
      ca = i.next()
      cb = j.next()
    }
    if ca == nil && cb == nil { return 0 }
    return ca == nil ? -1 : 1
  }
}
