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
///    first children), so `exp(x0)` sorts before `exp(x1)`, then by child count, then by
///    the deterministic structural hash.
/// The order is total and the same in every run.
struct OrderKey: Sendable {
  let rank: UInt8
  /// The leading atom of a composite node; nil for atoms (they lead themselves).
  let lead: ExprNode?
  let count: Int

  static func make(for kind: Expr.Kind) -> OrderKey {
    switch kind {
    case .number: return OrderKey(rank: 0, lead: nil, count: 0)
    case .constant: return OrderKey(rank: 1, lead: nil, count: 0)
    case .symbol: return OrderKey(rank: 2, lead: nil, count: 0)
    case .power(let b, _): return OrderKey(rank: 3, lead: leadAtom(of: [b]), count: 2)
    case .apply(_, let xs): return OrderKey(rank: 4, lead: leadAtom(of: xs), count: xs.count)
    case .product(let xs): return OrderKey(rank: 5, lead: leadAtom(of: xs), count: xs.count)
    case .sum(let xs): return OrderKey(rank: 6, lead: leadAtom(of: xs), count: xs.count)
    }
  }

  private static func leadAtom(of children: [Expr]) -> ExprNode? {
    let chosen = children.first { if case .number = $0.kind { return false } else { return true } }
      ?? children.first
    guard let node = chosen?.node else { return nil }
    return node.orderKey.lead ?? node
  }
}

extension Expr {
  /// Three-way comparison in the canonical order: negative, zero (same node) or positive.
  static func compare(_ a: Expr, _ b: Expr) -> Int {
    let x = a.node, y = b.node
    if x === y { return 0 }
    let kx = x.orderKey, ky = y.orderKey
    if kx.rank != ky.rank { return kx.rank < ky.rank ? -1 : 1 }
    if kx.rank <= 2 { return compareAtoms(x, y) }
    let c = compareAtoms(kx.lead ?? x, ky.lead ?? y)
    if c != 0 { return c }
    if kx.count != ky.count { return kx.count < ky.count ? -1 : 1 }
    if x.height != y.height { return x.height < y.height ? -1 : 1 }
    if x.structuralHash != y.structuralHash { return x.structuralHash < y.structuralHash ? -1 : 1 }
    return x.id < y.id ? -1 : 1  // only on a 64-bit hash collision
  }

  /// Whether `a` comes before `b` in the canonical order.
  static func precedes(_ a: Expr, _ b: Expr) -> Bool { compare(a, b) < 0 }

  private static func compareAtoms(_ x: ExprNode, _ y: ExprNode) -> Int {
    if x === y { return 0 }
    switch (x.kind, y.kind) {
    case (.number(let p), .number(let q)): return p < q ? -1 : (p == q ? 0 : 1)
    case (.constant(let p), .constant(let q)):
      return p.rawValue < q.rawValue ? -1 : (p == q ? 0 : 1)
    case (.symbol(let p), .symbol(let q)): return naturalCompare(p, q)
    default:
      let rx = x.orderKey.rank, ry = y.orderKey.rank
      return rx < ry ? -1 : (rx == ry ? 0 : 1)
    }
  }

  /// Compares names so that digit runs compare by value: `x2 < x10 < y`.
  static func naturalCompare(_ a: String, _ b: String) -> Int {
    var i = a.unicodeScalars.makeIterator(), j = b.unicodeScalars.makeIterator()
    var ca = i.next(), cb = j.next()
    func isDigit(_ c: Unicode.Scalar?) -> Bool { c.map { $0.value >= 48 && $0.value <= 57 } ?? false }
    while let p = ca, let q = cb {
      if isDigit(p) && isDigit(q) {
        var da = "", db = ""
        while isDigit(ca) { da.unicodeScalars.append(ca!); ca = i.next() }
        while isDigit(cb) { db.unicodeScalars.append(cb!); cb = j.next() }
        let ta = String(da.drop { $0 == "0" }), tb = String(db.drop { $0 == "0" })
        if ta.count != tb.count { return ta.count < tb.count ? -1 : 1 }
        if ta != tb { return ta < tb ? -1 : 1 }
        if da.count != db.count { return da.count < db.count ? -1 : 1 }
        continue
      }
      if p != q { return p.value < q.value ? -1 : 1 }
      ca = i.next(); cb = j.next()
    }
    if ca == nil && cb == nil { return 0 }
    return ca == nil ? -1 : 1
  }
}
