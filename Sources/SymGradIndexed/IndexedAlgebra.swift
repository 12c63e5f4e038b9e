import SymGrad

/// Index notation on top of the core: sums over index ranges, Kronecker deltas, Iverson
/// brackets and tensor entries, as atoms (`IndexedAtom`) inside ordinary expressions.
///
/// One algebra holds the atoms of one derivation (an atom's symbol name is its structure,
/// so equal atoms are one symbol; bound variables are named by nesting level, so sums
/// that differ only in the name of their variable are one atom, and
/// `sum_c exp(X[n, c]) / sum_k exp(X[n, k])` is 1 by the core's algebra).
///
/// Rules applied when a sum is built (`sum(_:_:)`), each exact for every size:
/// - a sum of terms is the sum of their sums;
/// - `sum_v delta(v, a) f(v) = f(a)` when every value of `a` lies in `v`'s range (`a` a
///   variable of the same size, or a concrete index in range); for a gather `a = t[n]`
///   that may hold `ignore_index` (in no range), `= [t[n] != ignore_index] f(t[n])`;
/// - a factor with a sum holding such a delta is distributed first;
/// - factors free of `v` move out: `sum_v a g(v) = a sum_v g(v)`;
/// - a term free of `v` is multiplied by the size: `sum_{v=1}^{N} a = N a`.
/// Powers of deltas and brackets (values 0 and 1) are the atoms themselves.
///
/// Not thread-safe: one derivation, one algebra.
public final class IndexedAlgebra {
  private var atoms: [String: IndexedAtom] = [:]
  private var freeMemo: [String: Set<IndexVariable>] = [:]
  private var freshCount = 0

  public init() {}

  /// The atom a symbol stands for, nil for an ordinary symbol (sizes, scalars).
  func atom(_ e: Expr) -> IndexedAtom? {
    guard case .symbol(let name) = e.kind else { return nil }
    return atoms[name]
  }

  func atom(named name: String) -> IndexedAtom? { atoms[name] }

  private func make(_ a: IndexedAtom) -> Expr {
    let name = a.name
    if atoms[name] == nil { atoms[name] = a }
    return .symbol(name)
  }

  // MARK: Atoms

  /// The entry `tensor[indices]` of a real tensor.
  public func element(_ tensor: String, _ indices: [IndexTerm]) -> Expr { make(.element(tensor, indices)) }

  /// `delta(a, b)`: 1 when equal, 0 when different; decided at once for equal terms,
  /// concrete indices, and the ignored value against a variable or a concrete index.
  public func delta(_ a: IndexTerm, _ b: IndexTerm) -> Expr {
    if a == b { return .one }
    switch (a, b) {
    case (.value(let x), .value(let y)): return x == y ? .one : .zero
    case (.ignored, .value), (.value, .ignored), (.ignored, .variable), (.variable, .ignored): return .zero
    default: break
    }
    let (p, q) = a.description <= b.description ? (a, b) : (b, a)
    return make(.delta(p, q))
  }

  /// `[a != ignore_index]`: 1 for a variable or a concrete index, 0 for the ignored value,
  /// the bracket for a gather that may hold it.
  public func notIgnored(_ a: IndexTerm) -> Expr {
    switch a {
    case .ignored: return .zero
    case .value, .variable: return .one
    case .gather(let d, _): return d.mayBeIgnored ? make(.notIgnored(a)) : .one
    }
  }

  // MARK: Sums

  /// `sum_{v=1}^{v.size} body`, with the rules of the type's comment applied.
  public func sum(_ v: IndexVariable, _ body: Expr) -> Expr {
    let body = indicatorsReduced(body)
    if body.isZero { return .zero }
    let terms: [Expr]
    if case .sum(let ts) = body.kind { terms = ts } else { terms = [body] }
    return .sum(terms.map { sumOfTerm(v, $0) })
  }

  private func sumOfTerm(_ v: IndexVariable, _ term: Expr) -> Expr {
    let factors: [Expr]
    if case .product(let fs) = term.kind { factors = fs } else { factors = [term] }
    for (i, f) in factors.enumerated() {
      guard let (other, membership) = binding(v, f) else { continue }
      var rest = factors
      rest.remove(at: i)
      let substituted = substituting(v, with: other, in: Self.product(rest))
      return membership == .unlessIgnored ? notIgnored(other) * substituted : substituted
    }
    for (i, f) in factors.enumerated() {
      guard case .sum(let parts) = f.kind, f.freeSymbols.contains(where: { binding(v, .symbol($0)) != nil }) else {
        continue
      }
      var rest = factors
      rest.remove(at: i)
      let others = Self.product(rest)
      return sum(v, .sum(parts.map { $0 * others }))
    }
    var dependent: [Expr] = []
    var constant: [Expr] = []
    for f in factors {
      if freeVariables(f).contains(v) { dependent.append(f) } else { constant.append(f) }
    }
    if dependent.isEmpty { return v.size.expr * term }
    return Self.product(constant) * bound(v, Self.product(dependent))
  }

  /// The term `a` that `f = delta(v, a)` binds `v` to, and whether `a` always lies in
  /// `v`'s range; nil when `f` is no such delta.
  private func binding(_ v: IndexVariable, _ f: Expr) -> (IndexTerm, IndexTerm.Membership)? {
    guard let atom = atom(f), case .delta(let a, let b) = atom else { return nil }
    let other: IndexTerm
    if a == .variable(v), !b.variables.contains(v) {
      other = b
    } else if b == .variable(v), !a.variables.contains(v) {
      other = a
    } else {
      return nil
    }
    let membership = other.lies(in: v.size)
    return membership == .unknown ? nil : (other, membership)
  }

  /// The sum atom, its variable renamed to its level: one more than the highest level of
  /// the sums inside its body. The name depends on the body's structure only (never on
  /// how the sum was built), so equal sums are one atom; and every sum's level exceeds
  /// those of the sums inside it, so a variable of an enclosing sum, free in a body, is
  /// never captured by a sum inside it (substitution renames what could be,
  /// `avoidingCapture`).
  private func bound(_ v: IndexVariable, _ body: Expr) -> Expr {
    var level = 0
    for s in body.freeSymbols {
      if let a = atoms[s], case .sum(let w, _) = a { level = Swift.max(level, w.boundLevel ?? 0) }
    }
    // A guard, never met by the sums built here: a free variable of that name would be
    // captured; a higher level is safe (only an equality may then go unproved).
    let free = Set(freeVariables(body).filter { $0 != v }.map(\.name))
    while free.contains("_\(level + 1)") { level += 1 }
    let w = IndexVariable("_\(level + 1)", v.size)
    return make(.sum(w, w == v ? body : substituting(v, with: .variable(w), in: body)))
  }

  // MARK: Structure

  /// The free index variables of `e`.
  public func freeVariables(_ e: Expr) -> Set<IndexVariable> {
    var out = Set<IndexVariable>()
    for s in e.freeSymbols {
      if let a = atoms[s] { out.formUnion(freeVariables(named: s, a)) }
    }
    return out
  }

  private func freeVariables(named name: String, _ a: IndexedAtom) -> Set<IndexVariable> {
    if let known = freeMemo[name] { return known }
    let f: Set<IndexVariable>
    switch a {
    case .element(_, let i): f = i.reduce(into: Set<IndexVariable>()) { $0.formUnion($1.variables) }
    case .delta(let x, let y): f = x.variables.union(y.variables)
    case .notIgnored(let x): f = x.variables
    case .sum(let v, let body): f = freeVariables(body).subtracting([v])
    }
    freeMemo[name] = f
    return f
  }

  /// `e` with the index variable `v` replaced by `t` (bound variables renamed where they
  /// would capture a variable of `t`); the sums it rebuilds apply their rules again.
  public func substituting(_ v: IndexVariable, with t: IndexTerm, in e: Expr) -> Expr {
    var replacements: [Expr: Expr] = [:]
    for s in e.freeSymbols {
      guard let a = atoms[s], freeVariables(named: s, a).contains(v) else { continue }
      replacements[.symbol(s)] = substituting(v, with: t, inAtom: a)
    }
    if replacements.isEmpty { return e }
    return indicatorsReduced(e.substituting(replacements))
  }

  private func substituting(_ v: IndexVariable, with t: IndexTerm, inAtom a: IndexedAtom) -> Expr {
    switch a {
    case .element(let name, let i): return element(name, i.map { $0.substituting(v, with: t) })
    case .delta(let x, let y): return delta(x.substituting(v, with: t), y.substituting(v, with: t))
    case .notIgnored(let x): return notIgnored(x.substituting(v, with: t))
    case .sum(let w, let body):
      let (w2, body2) = avoidingCapture(w, body, of: t.variables)
      return sum(w2, substituting(v, with: t, in: body2))
    }
  }

  /// A variable of size `size` that no expression has used yet.
  func fresh(_ size: IndexSize) -> IndexVariable {
    freshCount += 1
    return IndexVariable("~\(freshCount)", size)
  }

  /// The bound variable `w` of a sum and its body, renamed to a fresh variable when `w`
  /// is among `variables` (the sum is rebuilt, and renamed to its level, afterwards).
  func avoidingCapture(_ w: IndexVariable, _ body: Expr, of variables: Set<IndexVariable>) -> (IndexVariable, Expr) {
    guard variables.contains(w) else { return (w, body) }
    let renamed = fresh(w.size)
    return (renamed, substituting(w, with: .variable(renamed), in: body))
  }

  /// `e` with every positive integer power of a delta or bracket replaced by the atom, and
  /// brackets implied by a delta in the same product removed.
  func indicatorsReduced(_ e: Expr) -> Expr {
    guard e.freeSymbols.contains(where: { atoms[$0]?.isIndicator ?? false }) else { return e }
    var memo: [Expr: Expr] = [:]
    return reduceIndicatorPowers(e, &memo)
  }

  private func reduceIndicatorPowers(_ e: Expr, _ memo: inout [Expr: Expr]) -> Expr {
    if let done = memo[e] { return done }
    let result: Expr
    switch e.kind {
    case .number, .symbol, .constant: result = e
    case .power(let b, let p):
      if let a = atom(b), a.isIndicator, let r = p.rationalValue, r.isInteger, r.signum > 0 {
        result = b
      } else {
        result = .power(reduceIndicatorPowers(b, &memo), reduceIndicatorPowers(p, &memo))
      }
    case .sum(let ts): result = .sum(ts.map { reduceIndicatorPowers($0, &memo) })
    case .product(let fs):
      // delta(c, t[n]) [t[n] != ignore_index] = delta(c, t[n]): a variable or a concrete
      // index is never the ignored value, so where the delta is 1 the bracket is too.
      var factors = fs.map { reduceIndicatorPowers($0, &memo) }
      var classes = Set<IndexTerm>()
      for f in factors {
        guard let a = atom(f), case .delta(let x, let y) = a else { continue }
        if case .gather = y, x.isClassValue { classes.insert(y) }
        if case .gather = x, y.isClassValue { classes.insert(x) }
      }
      if !classes.isEmpty {
        factors.removeAll { f in
          guard let a = atom(f), case .notIgnored(let g) = a else { return false }
          return classes.contains(g)
        }
      }
      // delta(c, t[n]) delta(t[n], ignore_index) = 0 for a class c.
      let ignoredHere = factors.contains { f in
        guard let a = atom(f), case .delta(let x, let y) = a else { return false }
        return (y == .ignored && classes.contains(x)) || (x == .ignored && classes.contains(y))
      }
      result = ignoredHere ? .zero : Self.product(factors)
    case .apply(let f, let args): result = .apply(f, args.map { reduceIndicatorPowers($0, &memo) })
    }
    memo[e] = result
    return result
  }

  static func product(_ factors: [Expr]) -> Expr { factors.isEmpty ? .one : .product(factors) }
}
