import SymGrad

extension IndexedAlgebra {
  /// `d e / d tensor[indices]`: the chain rule over the atoms of `e` (the core's partial
  /// derivative by each atom times the atom's derivative), with
  /// - `d X[a1, ..., ak] / d X[i1, ..., ik] = delta(a1, i1) ... delta(ak, ik)` (0 for another
  ///   tensor or rank),
  /// - `d (sum_v body) = sum_v d body` (the sum's rules then remove the deltas it binds),
  /// - deltas, brackets and data (`t[n]`) have derivative 0.
  /// Exact wherever the core's derivatives are (kinks follow the core's conventions).
  public func derivative(_ e: Expr, of tensor: String, at indices: [IndexTerm]) -> Expr {
    var memo: [String: Expr] = [:]
    return derivative(e, tensor, indices, &memo)
  }

  private func derivative(_ e: Expr, _ tensor: String, _ indices: [IndexTerm], _ memo: inout [String: Expr]) -> Expr {
    var terms: [Expr] = []
    for s in e.freeSymbols {
      guard let a = atom(named: s) else { continue }
      let d = atomDerivative(s, a, tensor, indices, &memo)
      if d.isZero { continue }
      terms.append(e.derivative(withRespectTo: .symbol(s)) * d)
    }
    return indicatorsReduced(.sum(terms))
  }

  private func atomDerivative(
    _ name: String, _ a: IndexedAtom, _ tensor: String, _ indices: [IndexTerm], _ memo: inout [String: Expr]
  ) -> Expr {
    if let known = memo[name] { return known }
    let d: Expr
    switch a {
    case .element(let t, let i):
      if t == tensor && i.count == indices.count {
        d = Self.product(zip(i, indices).map { delta($0, $1) })
      } else {
        d = .zero
      }
    case .delta, .notIgnored: d = .zero
    case .sum(let v, let body):
      let variables = indices.reduce(into: Set<IndexVariable>()) { $0.formUnion($1.variables) }
      let (w, renamed) = avoidingCapture(v, body, of: variables)
      let inner = derivative(renamed, tensor, indices, &memo)
      d = inner.isZero ? .zero : sum(w, inner)
    }
    memo[name] = d
    return d
  }
}
