/// The symbolic gradient of one scalar with respect to many symbols in one adjoint sweep
/// (reverse mode): cost proportional to the size of the DAG, not to variables x DAG size.
///
/// The sweep visits the nodes that depend on a variable from the root down (every parent
/// before its children). A node's adjoint is the canonical sum of what its parents sent
/// it; it sends each dependent child `adjoint * d(node)/d(child)`:
/// ```
/// sum:          1                     product:  the other factors
/// b ** e:       e * b ** (e - 1)  (base),   b ** e * log(b)  (exponent)
/// f(x):         f'(x), as in `Differentiator` (PyTorch's conventions at kinks)
/// max/min(a, b): the even split at ties, as in `Differentiator`
/// ```
/// A symbol's gradient entry is its adjoint (0 when it does not occur). The results are
/// canonical and hash-consed, equal in value to `Differentiator`'s (the same rules,
/// grouped per path instead of per variable, so the canonical forms may differ in how
/// shared factors are distributed). An `undefined` in the expression makes every entry
/// undefined, as in forward mode.
struct ReverseGradient {
  /// The gradient of `f` with respect to `symbols` (each a symbol), in order.
  static func gradient(of f: Expr, withRespectTo symbols: [Expr]) -> [Expr] {
    if f.containsUndefined { return symbols.map { _ in .undefined } }
    // Selections are differentiated forward: in reverse mode an adjoint reaches a branch as
    // `mask * adjoint`, whose product with the branch's own derivatives is `0 * inf` where
    // the branch is not selected (PyTorch's NaN); forward mode selects between the
    // branches' derivatives (`Expr+Selection.swift`).
    if f.containsSelection { return symbols.map { f.derivative(withRespectTo: $0) } }
    let wanted = Set(symbols)
    // Nodes that depend on a wanted symbol, children before parents (an iterative
    // post-order walk that skips subtrees provably free of them).
    let order = dependentNodes(of: f, on: wanted, symbols: symbols)
    guard !order.isEmpty else { return symbols.map { _ in .zero } }
    var position: [Expr: Int] = [:]
    position.reserveCapacity(order.count)
    for (i, e) in order.enumerated() { position[e] = i }
    // What each node's parents sent it, as (the parent's adjoint, the partial derivative)
    // pairs: partials sent with one adjoint are summed before that adjoint multiplies
    // them, so d/dx sqrt(exp(x) + exp(x + 1) + ...) is (exp(x) + exp(x + 1) + ...)/(2 sqrt(S)),
    // one shared factor, not a sum of 1,000 products that each print S again.
    var contributions = [[(adjoint: Factors, partial: Expr)]](repeating: [], count: order.count)
    contributions[order.count - 1] = [([], .one)]
    var adjointOfSymbol: [Expr: Expr] = [:]
    for i in stride(from: order.count - 1, through: 0, by: -1) {
      let node = order[i]
      let sent = contributions[i]
      contributions[i] = []
      if sent.isEmpty { continue }
      let adjoint = ReverseGradient.combine(sent)
      if adjoint.contains(where: \.isZero) { continue }
      if case .symbol = node.kind {
        adjointOfSymbol[node] = adjoint.isEmpty ? .one : adjoint.count == 1 ? adjoint[0] : .product(adjoint)
        continue
      }
      propagate(from: node) { child, partial in
        guard let j = position[child] else { return }
        let p = partial()
        if !p.isZero { contributions[j].append((adjoint, p)) }
      }
    }
    return symbols.map { adjointOfSymbol[$0] ?? .zero }
  }

  /// An adjoint as factors not yet multiplied (their product is the adjoint; `[]` is 1).
  ///
  /// Multiplying on the way down would merge what the canonical product merges: under
  /// `exp(S)`, the adjoint of each term's argument `x + k_i` is `exp(S)*exp(x + k_i)`,
  /// which is `exp(S + x + k_i)`, a new copy of the whole sum S per term (2,500 terms of
  /// S: 31 MB printed per gradient entry, 5 s to evaluate). Kept apart, the common factor
  /// `exp(S)` is still visible where the adjoints meet, and comes out once.
  typealias Factors = [Expr]

  /// Past this many factors an adjoint is multiplied out (a chain of n unary functions
  /// would otherwise carry lists of length n: quadratic).
  static let maximumPendingFactors = 16

  /// `adjoint * partial`, kept as factors.
  private static func appending(_ adjoint: Factors, _ partial: Expr) -> Factors {
    if partial.isOne { return adjoint }
    let all = adjoint + [partial]
    return all.count > maximumPendingFactors ? [.product(all)] : all
  }

  /// `sum_i adjoint_i * partial_i`, with the partials of equal adjoints summed first
  /// (groups in order of first appearance, so the result does not depend on hashing) and
  /// the factors all groups share taken out (`sumFactoringCommonFactors`).
  private static func combine(_ sent: [(adjoint: Factors, partial: Expr)]) -> Factors {
    if sent.count == 1 { return appending(sent[0].adjoint, sent[0].partial) }
    var order: [Factors] = []
    var partials: [Factors: [Expr]] = [:]
    for (a, p) in sent {
      if partials[a] == nil { order.append(a) }
      partials[a, default: []].append(p)
    }
    let terms = order.map { a -> Factors in
      let ps = partials[a]!
      return appending(a, ps.count == 1 ? ps[0] : Expr.sum(ps))
    }
    return terms.count == 1 ? terms[0] : sumFactoringCommonFactors(terms)
  }

  /// `sum(terms)` (each term a list of factors), with the non-numeric factors every term
  /// shares taken out: `A*exp(t) + A*exp(t + 1) + ...` becomes `A*(exp(t) + exp(t + 1) +
  /// ...)`. The adjoints of a symbol under a sum of 1,000 exponentials all carry the sum's
  /// `1/(2 sqrt(S))`; distributed, the gradient printed S a thousand times per entry
  /// (357 MB for three entries). Equal in value; nothing is taken out when a term is a
  /// number or no factor is shared. Factors that are products count factor by factor.
  private static func sumFactoringCommonFactors(_ terms: [Factors]) -> Factors {
    func flattened(_ term: Factors) -> [Expr] {
      term.flatMap { e -> [Expr] in
        if case .product(let fs) = e.kind { return fs }
        return [e]
      }
    }
    let flat = terms.map(flattened)
    func symbolic(_ fs: [Expr]) -> [Expr] { fs.filter { $0.rationalValue == nil } }
    var common: [Expr: Int] = [:]
    for f in symbolic(flat[0]) { common[f, default: 0] += 1 }
    for t in flat.dropFirst() {
      if common.isEmpty { break }
      var here: [Expr: Int] = [:]
      for f in symbolic(t) { here[f, default: 0] += 1 }
      for (f, n) in common {
        let m = Swift.min(n, here[f] ?? 0)
        common[f] = m == 0 ? nil : m
      }
    }
    if common.isEmpty { return [.sum(flat.map { $0.isEmpty ? .one : .product($0) })] }
    let rests = flat.map { all -> Expr in
      var left = common
      var kept: [Expr] = []
      for f in all {
        if let n = left[f], n > 0 {
          left[f] = n - 1
        } else {
          kept.append(f)
        }
      }
      return kept.isEmpty ? .one : .product(kept)
    }
    // Common factors in the order of the first term (deterministic).
    var shared: [Expr] = []
    var left = common
    for f in symbolic(flat[0]) where (left[f] ?? 0) > 0 {
      shared.append(f)
      left[f]! -= 1
    }
    return shared + [.sum(rests)]
  }

  /// The nodes of `f` that contain a symbol of `wanted`, each after all of its children.
  private static func dependentNodes(of f: Expr, on wanted: Set<Expr>, symbols: [Expr]) -> [Expr] {
    // A cheap filter first: the union of the symbols' masks and id ranges.
    var mask: UInt64 = 0
    var lo = UInt64.max
    var hi = UInt64(0)
    for s in symbols {
      mask |= s.node.symbolMask
      lo = Swift.min(lo, s.node.id)
      hi = Swift.max(hi, s.node.id)
    }
    func mayDepend(_ e: Expr) -> Bool {
      e.node.symbolMask & mask != 0 && e.node.highestSymbolID >= lo && e.node.lowestSymbolID <= hi
    }
    var depends: [Expr: Bool] = [:]
    var order: [Expr] = []
    var stack: [(Expr, Bool)] = [(f, false)]
    while let (e, expanded) = stack.popLast() {
      if depends[e] != nil { continue }
      if !mayDepend(e) {
        depends[e] = false
        continue
      }
      let children = e.children
      if children.isEmpty {
        let d = wanted.contains(e)
        depends[e] = d
        if d { order.append(e) }
      } else if expanded {
        let d = children.contains { depends[$0] == true }
        depends[e] = d
        if d { order.append(e) }
      } else {
        stack.append((e, true))
        for c in children.reversed() where depends[c] == nil { stack.append((c, false)) }
      }
    }
    return order
  }

  /// Calls `send(child, d node / d child)` for each child of `node` (the sweep ignores
  /// children that do not depend on a variable).
  private static func propagate(from node: Expr, _ send: (Expr, () -> Expr) -> Void) {
    switch node.kind {
    case .number, .constant, .symbol: return
    case .sum(let terms):
      for t in terms { send(t, { .one }) }
    case .product(let factors):
      for i in factors.indices where factors[i].rationalValue == nil {
        send(
          factors[i],
          {
            var others = factors
            others.remove(at: i)
            return others.count == 1 ? others[0] : .product(others)
          })
      }
    case .power(let b, let e):
      send(b, { .product([e, .power(b, e - .one)]) })
      send(e, { node * log(b) })
    case .apply(let f, let xs):
      if f.arity == 1 {
        send(xs[0], { Differentiator.outerDerivative(f, xs[0], node) })
      } else {
        let p = Differentiator.partialDerivatives(f, xs)
        for (x, w) in zip(xs, p) { send(x, { w }) }
      }
    }
  }
}
