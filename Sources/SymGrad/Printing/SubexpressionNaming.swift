/// Names the large or repeated subexpressions of a list of expressions, so LaTeX stays
/// readable: `\frac{e^{x_{0}}}{S}` with `S = e^{x_{0}} + e^{x_{1}} + e^{x_{2}}`.
///
/// A subexpression is named when it has at least `minimumSize` nodes and occurs under at
/// least two different parents across the entries, or when it has at least `largeSize`
/// nodes. Names are S, T, U, V, W, then S_{1}, S_{2}, ...; inner named subexpressions
/// appear by name inside outer ones, and definitions come in dependency order.
///
/// Occurrences are counted on the shared DAG: a node counts once per distinct parent node
/// (and once per entry it is), so `exp(x0) + exp(x1) + exp(x2)` under `1/S` in one entry
/// and `1/S**2` in another is repeated. Before a size test the names already chosen are
/// substituted, so `1/S` is never named. The base of a numeric power is named rather than
/// the power (`\frac{e^{x}}{S}` and `S^{2}`, not a name for `1/S`). Names never print
/// like a symbol of the expressions (`S1` prints as `S_{1}`, so it blocks `S_1`). The
/// result depends only on the expressions, not on hashing or timing: it is deterministic.
public struct SubexpressionNaming {
  /// The entries with named subexpressions replaced by their name symbols.
  public let entries: [Expr]
  /// (name symbol, definition) pairs, each definition using only earlier names.
  public let definitions: [(name: Expr, definition: Expr)]

  /// The first names, in order; after them come `S_1`, `S_2`, ... (`S_{1}` in LaTeX).
  static let letters = ["S", "T", "U", "V", "W"]

  /// Chooses names for `expressions`: nodes of at least `minimumSize` nodes that occur at
  /// least twice, and nodes of at least `largeSize` nodes. `largeSize: .max` names only
  /// repeated subexpressions.
  public init(_ expressions: [Expr], minimumSize: Int = 6, largeSize: Int = 40) {
    // Count distinct parents per node, and sizes, over the shared DAG.
    var parents: [Expr: Int] = [:]
    var sizes: [Expr: Int] = [:]
    var order: [Expr] = []  // post-order: children before parents
    var seen = Set<Expr>()
    for root in expressions {
      var stack: [(Expr, Bool)] = [(root, false)]
      while let (e, done) = stack.popLast() {
        if done {
          // Tree size, saturating: a DAG that reuses a node at every level doubles it.
          sizes[e] = e.children.reduce(1) { total, c in
            let (s, overflow) = total.addingReportingOverflow(sizes[c] ?? 1)
            return overflow ? .max : s
          }
          order.append(e)
          continue
        }
        if seen.contains(e) { continue }
        seen.insert(e)
        stack.append((e, true))
        for c in e.children {
          parents[c, default: 0] += 1
          if !seen.contains(c) { stack.append((c, false)) }
        }
      }
    }
    for root in expressions { parents[root, default: 0] += 1 }
    // Names must not clash with the symbols in print: compare LaTeX, since `S1` and `S_1`
    // both print as `S_{1}`.
    let used = Set(Expr.symbolNames(of: expressions).map(LatexPrinter.symbol))
    var names: [String] = []
    for base in SubexpressionNaming.letters where !used.contains(LatexPrinter.symbol(base)) { names.append(base) }
    var k = 1
    func nextName() -> Expr {
      if !names.isEmpty { return .symbol(names.removeFirst()) }
      while used.contains(LatexPrinter.symbol("S_\(k)")) { k += 1 }
      defer { k += 1 }
      return .symbol("S_\(k)")
    }
    var replacements: [Expr: Expr] = [:]
    // Reduced forms (names substituted), shared across candidates: a candidate's
    // descendants all come before it in `order`, so their names are final when it is
    // reduced; only naming a power's base (which came earlier) can make entries stale, and
    // then the memo is cleared. One memo keeps a sum of 3,000 named terms from being
    // rebuilt for each of its 3,000 ancestors.
    var reducedMemo: [Expr: Expr] = [:]
    func reduce(_ e: Expr) -> Expr {
      e.fold(memo: &reducedMemo, shortcut: { replacements[$0] }) { node, kids in
        kids == node.children ? node : node.rebuilt(with: kids)
      }
    }
    var defs: [(Expr, Expr)] = []
    let roots = Set(expressions)
    for candidate in order where !roots.contains(candidate) {
      // Name the base of a numeric power rather than the power: S = e^a + e^b shows as
      // \frac{e^a}{S}, where naming 1/S would hide the fraction.
      var e = candidate
      if case .power(let b, let p) = candidate.kind, p.rationalValue != nil, replacements[b] == nil {
        e = b
        parents[b] = Swift.max(parents[b] ?? 0, parents[candidate] ?? 0)
      }
      if replacements[e] != nil { continue }
      let size = sizes[e] ?? 1
      guard size >= minimumSize, (parents[e] ?? 0) >= 2 || size >= largeSize else { continue }
      if case .number = e.kind { continue }
      // Size once the names already chosen are in: 1/S is not worth a name of its own.
      let reduced = reduce(e)
      let reducedSize = reduced.nodeCount
      guard reducedSize >= minimumSize, (parents[e] ?? 0) >= 2 || reducedSize >= largeSize else { continue }
      if e != candidate { reducedMemo.removeAll() }
      let name = nextName()
      defs.append((name, reduced))
      replacements[e] = name
    }
    // One walk for all entries (they share their named parts: a 64 x 1000 gradient's
    // entries share 64 row sums), stopping at each named node.
    var memo: [Expr: Expr] = [:]
    entries = expressions.map { e in
      e.fold(memo: &memo, shortcut: { replacements[$0] }) { node, kids in
        kids == node.children ? node : node.rebuilt(with: kids)
      }
    }
    definitions = defs.map { (name: $0.0, definition: $0.1) }
  }
}
