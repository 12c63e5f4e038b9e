extension Expr {
  /// Folds the DAG bottom-up without recursion: `combine` sees each distinct node once,
  /// after all its children, with their results in child order.
  ///
  /// `memo` carries results across calls (pass the same dictionary to share work between
  /// several roots). Runs in time linear in the number of distinct nodes reached, and
  /// its stack lives on the heap, so arbitrarily deep expressions are safe.
  func fold<T>(memo: inout [Expr: T], _ combine: (Expr, [T]) throws -> T) rethrows -> T {
    try fold(memo: &memo, shortcut: { _ in nil }, combine)
  }

  /// Like `fold(memo:_:)`, but a child for which `shortcut` returns a value is not
  /// visited: that value stands for its result (and is not stored in `memo`).
  ///
  /// Depth first with an explicit stack: a frame holds a node, its children and the
  /// results of those already done; a child is looked up in `memo` once (a DAG has no
  /// cycles, so a node is never on the stack twice and is combined exactly once).
  func fold<T>(memo: inout [Expr: T], shortcut: (Expr) -> T?, _ combine: (Expr, [T]) throws -> T) rethrows -> T {
    try fold(memo: &memo, shortcut: shortcut, lazy: false, choosing: { _, _ in 1 }, combine)
  }

  /// Like `fold(memo:_:)`, but a selection's branches are folded lazily (the semantics of
  /// `Expr+Selection.swift`): once its condition is done, `choose(node, condition's
  /// result)` names the branch to fold, 1 or 2, and `combine` sees the node with the
  /// results `[condition, chosen branch]`. The other branch is not visited (its errors,
  /// its work). `choose` may throw (an undefined condition). Without a selection below
  /// (`containsSelection`, O(1)) this is `fold(memo:_:)`, with no check per child.
  func fold<T>(
    memo: inout [Expr: T], choosing choose: (Expr, T) throws -> Int, _ combine: (Expr, [T]) throws -> T
  ) rethrows -> T {
    try fold(memo: &memo, shortcut: { _ in nil }, lazy: containsSelection, choosing: choose, combine)
  }

  private func fold<T>(
    memo: inout [Expr: T], shortcut: (Expr) -> T?, lazy: Bool, choosing choose: (Expr, T) throws -> Int,
    _ combine: (Expr, [T]) throws -> T
  ) rethrows -> T {
    if let done = memo[self] { return done }
    if let s = shortcut(self) { return s }
    var stack: [FoldFrame<T>] = [FoldFrame(self)]
    while true {
      let top = stack.count - 1
      var descended = false
      while stack[top].results.count < stack[top].children.count {
        if lazy, stack[top].results.count == 1, stack[top].children.count == 3,
          case .apply(let f, _) = stack[top].node.kind, f.isSelection
        {
          let branch = try choose(stack[top].node, stack[top].results[0])
          stack[top].children = [stack[top].children[0], stack[top].children[branch]]
        }
        let c = stack[top].children[stack[top].results.count]
        if let r = shortcut(c) ?? memo[c] {
          stack[top].results.append(r)
        } else {
          stack.append(FoldFrame(c))
          descended = true
          break
        }
      }
      if descended { continue }
      let frame = stack.removeLast()
      let value = try combine(frame.node, frame.results)
      memo[frame.node] = value
      if stack.isEmpty { return value }
      stack[stack.count - 1].results.append(value)
    }
  }

  /// Folds without a caller-supplied memo.
  func fold<T>(_ combine: (Expr, [T]) throws -> T) rethrows -> T {
    var memo: [Expr: T] = [:]
    return try fold(memo: &memo, combine)
  }

  /// The same kind of node rebuilt canonically over new children (in `children` order).
  func rebuilt(with newChildren: [Expr]) -> Expr {
    switch kind {
    case .number, .symbol, .constant: return self
    case .sum: return .sum(newChildren)
    case .product: return .product(newChildren)
    case .power: return .power(newChildren[0], newChildren[1])
    case .apply(let f, _): return .apply(f, newChildren)
    }
  }

  /// Replaces every occurrence of each key by its value, *simultaneously*: `[x: y, y: x]`
  /// swaps `x` and `y`. Keys may be symbols or any subexpression (matched by identity of
  /// the canonical node). The result is canonical, so numbers fold: substituting `x: 0`
  /// into `exp(x)` gives `1`; substituting `+-inf` applies only the construction rules
  /// (e.g. `exp(-inf) = 0`, `inf - inf = undefined`), not limits — see `evaluate`.
  public func substituting(_ replacements: [Expr: Expr]) -> Expr {
    if replacements.isEmpty { return self }
    var memo: [Expr: Expr] = [:]
    return fold(memo: &memo) { e, kids in
      if let r = replacements[e] { return r }
      return e.rebuilt(with: kids)
    }
  }

  /// Substitutes values for symbols by name.
  public func substituting(_ values: [String: Expr]) -> Expr {
    substituting(Dictionary(uniqueKeysWithValues: values.map { (Expr.symbol($0.key), $0.value) }))
  }

  /// Whether no symbol occurs (`freeSymbols.isEmpty`, without collecting and sorting the
  /// names). O(1) unless `undefined` occurs: a symbol always sets a bit of the node's
  /// symbol mask, and only `undefined` sets bits without being a symbol (then one walk).
  public var isSymbolFree: Bool {
    if node.symbolMask == 0 { return true }
    if node.nonFinite & ExprNode.NonFinite.undefined == 0 { return false }
    return Expr.symbolNames(of: [self]).isEmpty
  }

  /// The names of the symbols in the expression, sorted in natural order.
  public var freeSymbols: [String] {
    Expr.symbolNames(of: [self]).sorted { Expr.naturalCompare($0, $1) < 0 }
  }

  /// The names of the symbols in any of `roots`, unordered (one walk, each node once:
  /// cheaper than `freeSymbols` when the order does not matter).
  public static func symbolNames<S: Sequence>(of roots: S) -> Set<String> where S.Element == Expr {
    // A depth-first walk with a set of visited nodes: no per-node results to keep (a
    // fold's frames and memo cost several times more on a 100 KB sum), and subtrees
    // without symbols (a clear mask: numbers, constants) are never entered.
    var names = Set<String>()
    var visited = Set<ObjectIdentifier>()
    var stack: [Expr] = []
    for r in roots where r.node.symbolMask != 0 { stack.append(r) }
    while let e = stack.popLast() {
      guard visited.insert(ObjectIdentifier(e.node)).inserted else { continue }
      if let s = e.symbolName {
        names.insert(s)
        continue
      }
      for c in e.children where c.node.symbolMask != 0 { stack.append(c) }
    }
    return names
  }

  /// Whether `symbol` (or any subexpression) occurs in the expression.
  public func contains(_ symbol: Expr) -> Bool {
    let mask = symbol.node.symbolMask
    let isSymbol = symbol.symbolName != nil
    // Provably absent: a clear mask bit, or (for a symbol) an id outside the node's range.
    func absent(_ e: Expr) -> Bool {
      isSymbol ? !e.node.mayContain(symbol: symbol.node) : mask != 0 && e.node.symbolMask & mask == 0
    }
    if absent(self) { return false }
    // The limit engine's variables have exact bits: a set bit proves presence.
    if isSymbol, mask & ExprNode.exactSymbolBits != 0 { return true }
    var memo: [Expr: Bool] = [:]
    return fold(memo: &memo, shortcut: { absent($0) ? false : nil }) { e, kids in
      e == symbol || kids.contains(true)
    }
  }

  /// Number of distinct nodes in the DAG.
  public var nodeCount: Int {
    var memo: [Expr: Bool] = [:]
    _ = fold(memo: &memo) { _, _ in true }
    return memo.count
  }

  /// Number of nodes of the expression written out as a tree (a shared node counted once
  /// per occurrence, as printed text repeats it), saturating: any count above `cap` is
  /// `cap + 1`. O(DAG size), so it bounds the cost of printing before any text is built:
  /// nested compositions such as `silu(silu(...(x)))` double their tree at each level.
  public func treeSize(cappedAt cap: Int) -> Int {
    var memo: [Expr: Int] = [:]
    return fold(memo: &memo) { _, kids in
      var n = 1
      for k in kids {
        n += k
        if n > cap { return cap + 1 }
      }
      return n
    }
  }

  /// Number of distinct nodes reachable from any of `roots` (shared nodes counted once).
  public static func nodeCount<S: Sequence>(of roots: S) -> Int where S.Element == Expr {
    var memo: [Expr: Bool] = [:]
    for r in roots { _ = r.fold(memo: &memo) { _, _ in true } }
    return memo.count
  }
}

/// A node being folded: its children and the results of the first `results.count` of them.
struct FoldFrame<T> {
  let node: Expr
  var children: [Expr]
  var results: [T]

  init(_ node: Expr) {
    self.node = node
    children = node.children
    results = []
    results.reserveCapacity(children.count)
  }
}
