import SymGrad

/// The atoms of index notation. An indexed expression is an ordinary `Expr` whose symbols
/// are these atoms (each interned as a symbol with a structural name, `IndexedAlgebra`),
/// so the core's algebra, canonical forms and derivatives apply to it unchanged; only
/// what depends on the index structure (the derivative of an entry, the rules for sums
/// and deltas) is done here.
enum IndexedAtom: Hashable {
  /// An entry of a real tensor: `X[n, c]`, `w[t[n]]`.
  case element(String, [IndexTerm])
  /// Kronecker's delta: 1 when the two index terms are equal, else 0.
  case delta(IndexTerm, IndexTerm)
  /// The Iverson bracket `[a != ignore_index]`: 1 when the term is a class, 0 when it is
  /// the ignored value.
  case notIgnored(IndexTerm)
  /// `sum_{v=1}^{size} body`; `v` is named by its nesting level (`_1` for a body without
  /// sums), so alpha-equivalent sums are one atom.
  case sum(IndexVariable, Expr)

  /// The atom's symbol name: its structure, inside brackets no user symbol has.
  var name: String {
    switch self {
    case .element(let t, let i): return "⟦" + t + "[" + i.map(\.description).joined(separator: ",") + "]⟧"
    case .delta(let a, let b): return "⟦delta(\(a),\(b))⟧"
    case .notIgnored(let a): return "⟦[\(a)!=ignore]⟧"
    case .sum(let v, let body): return "⟦sum(\(v.name)<=\(v.size)|\(body.description))⟧"
    }
  }

  /// The gathers (`t[n]`) in the atom's index terms, outside sums.
  var gathers: [IndexTerm] {
    func of(_ t: IndexTerm) -> [IndexTerm] {
      if case .gather(_, let i) = t { return [t] + i.flatMap(of) }
      return []
    }
    switch self {
    case .element(_, let i): return i.flatMap(of)
    case .delta(let x, let y): return of(x) + of(y)
    case .notIgnored(let x): return of(x)
    case .sum: return []
    }
  }

  /// Whether the atom only takes the values 0 and 1 (a power of it is itself).
  var isIndicator: Bool {
    switch self {
    case .delta, .notIgnored: return true
    case .element, .sum: return false
    }
  }
}
