import Synchronization

/// The process-wide table that hash-conses expression nodes.
///
/// Each distinct node (by kind, atom value and child identity) exists at most once while
/// anything references it. The table is split into shards, each behind its own `Mutex`,
/// so construction from parallel tasks rarely contends. The table holds its nodes
/// strongly (weak references would put every node's reference count on Swift's slow
/// side-table path); a shard that has doubled since its last sweep drops the nodes that
/// only it still references, and everything below them that only they referenced, so
/// memory is reclaimed and construction stays amortized O(1). (Sweeping after a quarter's
/// growth halved the fuzzer's peak memory but made the n = 1000 softmax Jacobian 1.94 ->
/// 2.2-3.4 s; a minimum of 16,384 entries per shard made the small benchmarks faster and
/// the Jacobians slower: measured, neither kept.)
/// Sums of at least `LargeSum.threshold` terms live in a table of their own, keyed by their
/// terms (`LargeSumKey`), so one grown by `+` is found whether it was grown or built at once.
enum InternTable {
  private static let shardCount = 16
  private static let shards: [InternShard] = (0..<shardCount).map { InternShard(index: $0) }
  private static let nextID = Atomic<UInt64>(1)

  /// The unique node of `kind`, created if it does not exist yet.
  ///
  /// `kind` must already be canonical; this function does no rewriting.
  static func intern(_ kind: Expr.Kind) -> Expr {
    if case .sum(let terms) = kind, terms.count >= LargeSum.threshold { return intern(LargeSum(terms: terms)) }
    let hash = StructuralHash.of(kind)
    let key = InternKey(kind: kind, hash: hash)
    var elsewhere: [SweepKey] = []
    let made = shard(hash).state.withLock { state -> Expr in
      if let node = state.table[key] { return Expr(node: node) }
      elsewhere = state.prepareToAdd(weight: InternTable.weight(of: kind))
      let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
      let node = ExprNode(
        kind: kind, large: nil, id: id, structuralHash: hash,
        orderKey: OrderKey.make(for: kind), height: height(of: kind), symbolMask: symbolMask(of: kind, hash: hash),
        symbolIDs: symbolIDs(of: kind, id: id), nonFinite: nonFinite(of: kind))
      state.table[key] = node
      return Expr(node: node)
    }
    if !elsewhere.isEmpty { release(&elsewhere) }
    return made
  }

  /// The unique sum node holding the terms of `large`, created if it does not exist yet.
  /// O(1) apart from the lookup: every field comes from `large`'s running totals.
  static func intern(_ large: LargeSum) -> Expr {
    let hash = large.structuralHash
    let key = LargeSumKey(large: large, hash: hash)
    var elsewhere: [SweepKey] = []
    let made = shard(hash).state.withLock { state -> Expr in
      if let node = state.largeSums[key] { return Expr(node: node) }
      elsewhere = state.prepareToAdd(weight: large.addedWeight)
      let node = ExprNode(
        kind: .sum([]), large: large, id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue, structuralHash: hash,
        orderKey: OrderKey.make(forSum: large), height: large.height, symbolMask: large.symbolMask,
        symbolIDs: large.symbolIDs, nonFinite: large.nonFinite)
      state.largeSums[key] = node
      return Expr(node: node)
    }
    if !elsewhere.isEmpty { release(&elsewhere) }
    return made
  }

  static func shardIndex(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 60) & (shardCount - 1) }

  private static func shard(_ hash: UInt64) -> InternShard { shards[shardIndex(hash)] }

  /// Drops every node that nothing outside the table references, in all shards, and
  /// everything below them that only they referenced: one call frees a whole dropped DAG.
  static func collectGarbage() {
    for shard in shards {
      var elsewhere = shard.state.withLock { $0.sweep() }
      release(&elsewhere)
    }
  }

  /// Finishes a sweep's cascade in other shards: checks each child of a freed node, frees
  /// it if only its shard still references it, and so on down, one shard lock at a time
  /// (never two at once, so no lock order to keep). Work is proportional to what is freed.
  /// `pending` is consumed: a key still held would keep its node's children referenced.
  private static func release(_ pending: inout [SweepKey]) {
    while !pending.isEmpty {
      var byShard = [[SweepKey]](repeating: [], count: shardCount)
      while let key = pending.popLast() { byShard[shardIndex(key.hash)].append(key) }
      for i in byShard.indices where !byShard[i].isEmpty {
        pending += shards[i].state.withLock { $0.release(&byShard[i]) }
      }
    }
  }

  /// How many entries the table holds, live or not yet swept (for the benchmark).
  static var entryCount: Int { shards.reduce(0) { $0 + $1.state.withLock { $0.count } } }

  /// How many children a node holds (its share of memory beyond the node itself).
  static func weight(of kind: Expr.Kind) -> Int {
    switch kind {
    case .sum(let xs), .product(let xs), .apply(_, let xs): return xs.count
    case .power: return 2
    default: return 0
    }
  }

  /// Whether a sum's content is 1 (a cheap sufficient test: integer coefficients, one of
  /// them +-1, the first non-numeric term positive).
  static func isPrimitive(_ kind: Expr.Kind) -> Bool {
    guard case .sum(let terms) = kind else { return false }
    var firstSign = 0
    var unit = false
    for t in terms {
      let c: Rational
      if let r = t.rationalValue {
        c = r
      } else if t.constantValue != nil {
        return false
      } else if case .product(let fs) = t.kind, case .number(let k) = fs[0].kind {
        c = k
      } else {
        c = Rational(1)
      }
      guard c.isInteger else { return false }
      if c.magnitude == Rational(1) { unit = true }
      if firstSign == 0 && t.rationalValue == nil { firstSign = c.signum }
    }
    return unit && firstSign > 0
  }

  private static func symbolMask(of kind: Expr.Kind, hash: UInt64) -> UInt64 {
    switch kind {
    case .number: return 0
    // `undefined` must never be skipped as "free of the variable": its derivative is undefined.
    case .constant(let c): return c == .undefined ? ~ExprNode.exactSymbolBits : 0
    case .symbol(let name): return ExprNode.exactSymbolBit(name) ?? 1 << (hash % 62)
    case .sum(let xs), .product(let xs), .apply(_, let xs): return xs.reduce(0) { $0 | $1.node.symbolMask }
    case .power(let b, let e): return b.node.symbolMask | e.node.symbolMask
    }
  }

  /// The range of the symbol ids below a new node with id `id` (see
  /// `ExprNode.lowestSymbolID`).
  private static func symbolIDs(of kind: Expr.Kind, id: UInt64) -> (lowest: UInt64, highest: UInt64) {
    switch kind {
    case .number: return (.max, 0)
    case .constant(let c): return c == .undefined ? (0, .max) : (.max, 0)
    case .symbol: return (id, id)
    case .sum(let xs), .product(let xs), .apply(_, let xs):
      var lo = UInt64.max
      var hi = UInt64(0)
      for x in xs {
        lo = Swift.min(lo, x.node.lowestSymbolID)
        hi = Swift.max(hi, x.node.highestSymbolID)
      }
      return (lo, hi)
    case .power(let b, let e):
      return (
        Swift.min(b.node.lowestSymbolID, e.node.lowestSymbolID),
        Swift.max(b.node.highestSymbolID, e.node.highestSymbolID)
      )
    }
  }

  private static func nonFinite(of kind: Expr.Kind) -> UInt8 {
    switch kind {
    case .number, .symbol: return 0
    case .constant(.infinity): return ExprNode.NonFinite.plusInfinity
    case .constant(.negativeInfinity): return ExprNode.NonFinite.minusInfinity
    case .constant(.undefined): return ExprNode.NonFinite.undefined
    case .constant: return 0
    case .sum(let xs), .product(let xs): return xs.reduce(0) { $0 | $1.node.nonFinite }
    case .apply(let f, let xs):
      let own = f.isActivation ? ExprNode.NonFinite.activation : f.isSelection ? ExprNode.NonFinite.selection : 0
      return xs.reduce(own) { $0 | $1.node.nonFinite }
    case .power(let b, let e): return b.node.nonFinite | e.node.nonFinite
    }
  }

  private static func height(of kind: Expr.Kind) -> Int {
    switch kind {
    case .number, .symbol, .constant: return 1
    case .sum(let xs), .product(let xs), .apply(_, let xs):
      return 1 + xs.reduce(0) { Swift.max($0, $1.node.height) }
    case .power(let b, let e): return 1 + Swift.max(b.node.height, e.node.height)
    }
  }
}

/// The table key of a node a sweep freed a parent of (it may now be dead too). It holds
/// the node's children, never the node itself, so it does not keep the node alive.
enum SweepKey {
  case node(InternKey)
  case large(LargeSumKey)

  var hash: UInt64 {
    switch self {
    case .node(let k): return k.hash
    case .large(let k): return k.hash
    }
  }
}

final class InternShard: Sendable {
  struct State {
    /// This shard's position in `InternTable`'s shards (which keys a cascade keeps).
    let index: Int
    var table: [InternKey: ExprNode] = [:]
    /// Sums of at least `LargeSum.threshold` terms, keyed by their terms.
    var largeSums: [LargeSumKey: ExprNode] = [:]
    var sweepThreshold = 4096
    /// Children held by the nodes added since the last sweep, and the budget for them.
    var addedWeight = 0
    var sweepWeight = 1 << 22

    var count: Int { table.count + largeSums.count }

    /// Accounts for a node about to be added that holds `weight` children (or tree nodes,
    /// `LargeSum.addedWeight`), sweeping first when the shard has doubled in entries or in
    /// children held since its last sweep (a sum grown by `+` in a loop makes few, ever
    /// larger nodes: their arrays and tree nodes are what fills memory).
    /// Returns the keys in other shards that the sweep's cascade must still check.
    mutating func prepareToAdd(weight: Int) -> [SweepKey] {
      addedWeight += weight
      guard count >= sweepThreshold || addedWeight >= sweepWeight else { return [] }
      let elsewhere = sweep()
      sweepThreshold = Swift.max(4096, 2 * count)
      let live =
        table.keys.reduce(0) { $0 + InternTable.weight(of: $1.kind) }
        + largeSums.keys.reduce(0) { $0 + $1.large.count }
      sweepWeight = Swift.max(1 << 22, 2 * live)
      addedWeight = 0
      return elsewhere
    }

    /// Removes the nodes referenced only by this table, then, transitively, the children
    /// that freeing them left referenced only by this table. Returns the children that
    /// live in other shards, for `InternTable` to check there (a DAG of height h would
    /// otherwise take h sweeps to free, and a long-running process would keep most of
    /// what it ever built).
    mutating func sweep() -> [SweepKey] {
      var dead: [SweepKey] = []
      State.unreferenced(&table, into: &dead, SweepKey.node)
      State.unreferenced(&largeSums, into: &dead, SweepKey.large)
      return release(&dead)
    }

    /// Appends the keys of the nodes only `table` references.
    private static func unreferenced<Key>(
      _ table: inout [Key: ExprNode], into dead: inout [SweepKey], _ key: (Key) -> SweepKey
    ) {
      var i = table.values.startIndex
      while i != table.values.endIndex {
        if isKnownUniquelyReferenced(&table.values[i]) { dead.append(key(table.keys[i])) }
        i = table.values.index(after: i)
      }
    }

    /// Frees each of `keys` that only this table references, and cascades to the children
    /// of what it frees; returns the children in other shards. `work` is consumed (a key
    /// still held would keep its node's children referenced).
    mutating func release(_ work: inout [SweepKey]) -> [SweepKey] {
      var elsewhere: [SweepKey] = []
      while let key = work.popLast() {
        let freed: ExprNode
        switch key {
        case .node(let k):
          guard let at = table.index(forKey: k), isKnownUniquelyReferenced(&table.values[at]) else { continue }
          freed = table.remove(at: at).value
        case .large(let k):
          guard let at = largeSums.index(forKey: k), isKnownUniquelyReferenced(&largeSums.values[at]) else { continue }
          freed = largeSums.remove(at: at).value
        }
        State.forEachChild(of: freed) { child in
          let n = child.node
          let childKey: SweepKey =
            if let large = n.large {
              .large(LargeSumKey(large: large, hash: n.structuralHash))
            } else {
              .node(InternKey(kind: n.kind, hash: n.structuralHash))
            }
          if InternTable.shardIndex(n.structuralHash) == index {
            work.append(childKey)
          } else {
            elsewhere.append(childKey)
          }
        }
        // `freed` is released here: its children lose their last reference outside the table.
      }
      return elsewhere
    }

    /// The children of a node, except those of a sum grown by `+`: its terms live in a
    /// persistent tree shared with the sums it grew from (listing them would cost O(n) per
    /// sum, and they stay referenced until the last of those sums is freed anyway); the
    /// next full sweep finds them.
    private static func forEachChild(of node: ExprNode, _ body: (Expr) -> Void) {
      if let large = node.large {
        if large.hasTermArray { large.forEachTerm(body) }
        return
      }
      switch node.kind {
      case .sum(let xs), .product(let xs), .apply(_, let xs): xs.forEach(body)
      case .power(let b, let e):
        body(b)
        body(e)
      case .number, .symbol, .constant: return
      }
    }
  }
  let state: Mutex<State>

  init(index: Int) { state = Mutex(State(index: index)) }
}

/// The intern table's key: a node's kind compared *shallowly* (children by identity).
struct InternKey: Hashable, Sendable {
  let kind: Expr.Kind
  let hash: UInt64

  static func == (a: InternKey, b: InternKey) -> Bool {
    a.hash == b.hash && shallowEqual(a.kind, b.kind)
  }

  func hash(into hasher: inout Hasher) { hasher.combine(hash) }
  func _rawHashValue(seed: Int) -> Int {
    Int(truncatingIfNeeded: StructuralHash.mix(hash, UInt64(bitPattern: Int64(seed))))
  }

  private static func shallowEqual(_ a: Expr.Kind, _ b: Expr.Kind) -> Bool {
    switch (a, b) {
    case (.number(let x), .number(let y)): return x == y
    case (.symbol(let x), .symbol(let y)): return x == y
    case (.constant(let x), .constant(let y)): return x == y
    case (.sum(let xs), .sum(let ys)), (.product(let xs), .product(let ys)):
      return identical(xs, ys)
    case (.power(let b1, let e1), .power(let b2, let e2)): return b1 == b2 && e1 == e2
    case (.apply(let f, let xs), .apply(let g, let ys)): return f == g && identical(xs, ys)
    default: return false
    }
  }

  private static func identical(_ xs: [Expr], _ ys: [Expr]) -> Bool {
    guard xs.count == ys.count else { return false }
    for i in xs.indices where xs[i] != ys[i] { return false }
    return true
  }
}

/// The intern table's key for a large sum: its terms, however they are stored
/// (`LargeSum.sameTerms`). A table of their own keeps `InternKey`, and so every other
/// entry, as small as it was.
struct LargeSumKey: Hashable, Sendable {
  let large: LargeSum
  let hash: UInt64

  static func == (a: LargeSumKey, b: LargeSumKey) -> Bool {
    a.hash == b.hash && LargeSum.sameTerms(a.large, b.large)
  }

  func hash(into hasher: inout Hasher) { hasher.combine(hash) }
  func _rawHashValue(seed: Int) -> Int {
    Int(truncatingIfNeeded: StructuralHash.mix(hash, UInt64(bitPattern: Int64(seed))))
  }
}

/// Deterministic 64-bit structural hashing (the same value in every process).
enum StructuralHash {
  static func mix(_ h: UInt64, _ v: UInt64) -> UInt64 {
    // splitmix64 finalizer over the combination.
    var z = h &+ 0x9E37_79B9_7F4A_7C15 &+ (v &* 0xBF58_476D_1CE4_E5B9)
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A term's share of a large sum's hash. A sum of at least `LargeSum.threshold` terms
  /// hashes as `ofSum` of the wrapping total of its terms' shares: commutative, so adding
  /// or removing one term updates it in O(1) (a canonical sum's order is a function of its
  /// set of terms, so no information is lost). Smaller sums keep the sequential fold, so
  /// their hashes, and the canonical order they break ties in, are as they always were.
  static func sumTerm(_ h: UInt64) -> UInt64 { mix(0x2F1B_3C5D_7E9A_4B6C, h) }

  /// The hash of a sum whose terms' `sumTerm` shares total `total`.
  static func ofSum(_ total: UInt64) -> UInt64 { mix(4, total) }

  static func of(_ text: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
    return h
  }

  static func of(_ r: Rational) -> UInt64 {
    mix(part(r.numerator), part(r.denominator))
  }

  /// Small values hash as themselves; large ones mix their limbs and sign (linear in the
  /// size: a decimal string of a 10**400 costs quadratic time, and the limit engine
  /// interns many such numbers).
  private static func part(_ b: BigInt) -> UInt64 {
    switch b.storage {
    case .small(let small): return UInt64(bitPattern: Int64(small))
    case .large(let negative, let magnitude):
      return magnitude.reduce(negative ? 0x5851_F42D_4C95_7F2D : 0x1405_7B7E_F767_814F) { mix($0, UInt64($1)) }
    }
  }

  static func of(_ kind: Expr.Kind) -> UInt64 {
    switch kind {
    case .number(let r): return mix(1, of(r))
    case .symbol(let s): return mix(2, of(s))
    case .constant(let c): return mix(3, UInt64(c.rawValue))
    case .sum(let xs) where xs.count >= LargeSum.threshold:
      return ofSum(xs.reduce(0) { $0 &+ sumTerm($1.node.structuralHash) })
    case .sum(let xs): return xs.reduce(4) { mix($0, $1.node.structuralHash) }
    case .product(let xs): return xs.reduce(5) { mix($0, $1.node.structuralHash) }
    case .power(let b, let e): return mix(mix(6, b.node.structuralHash), e.node.structuralHash)
    case .apply(let f, let xs):
      return xs.reduce(mix(7, of(f.rawValue))) { mix($0, $1.node.structuralHash) }
    }
  }
}
