import SymGrad

extension IndexedAlgebra {
  /// Whether `a = b` is proved for every size: their difference, with each bracket
  /// `[g != ignore_index]` written `1 - delta(g, ignore_index)` (inside sums too),
  /// simplified, its products of deltas reduced (`delta(c, g) delta(g, ignore_index) = 0`
  /// for a class `c`), simplified again (or in exponentials), is 0. False means "not
  /// proved", not "different".
  public func provedEqual(_ a: Expr, _ b: Expr) -> Bool {
    if a == b { return true }
    var memo: [String: Expr] = [:]
    let d = normalForm(a - b, &memo).simplified()
    if d.isZero { return true }
    let reduced = indicatorsReduced(d)
    if reduced.simplified().isZero { return true }
    // delta(c, t[n]) h(t[n]) = delta(c, t[n]) h(c): the gather and the class agree where
    // the delta is 1 (and the product is 0 elsewhere).
    var gatherMemo: [Expr: Expr] = [:]
    let bound = indicatorsReduced(gathersReplacedByClasses(reduced, &gatherMemo)).simplified()
    // Functions written out in exponentials (`sigmoid(-x) = 1 - sigmoid(x)`).
    if bound.isZero || bound.simplifiedInExponentials().isZero { return true }
    return provedByCases(bound)
  }

  /// The largest number of cases `provedByCases` tries.
  static let maximumCases = 64

  /// Proof by exhaustion where sizes are small numbers: sums over a fixed size (at most 4)
  /// written out, then every value of each free index variable of fixed size and of the
  /// one gather of a fixed class range (`t[n]`, its classes and, when it may be ignored,
  /// `ignore_index`) substituted in turn; `d` is 0 when it simplifies to 0 in every case.
  /// Exact: the cases are all the values the indices take.
  private func provedByCases(_ d: Expr) -> Bool {
    let e = unrollingFixedSums(d)
    let variables = freeVariables(e).sorted { $0.name < $1.name }
    var choices: [(IndexTerm, [IndexTerm])] = []
    for v in variables {
      guard case .fixed(let k) = v.size else { continue }
      guard k <= 4 else { return false }
      choices.append((.variable(v), (1...k).map { .value($0) }))
    }
    let gathers = Set(e.freeSymbols.compactMap { atom(named: $0) }.flatMap(\.gathers))
    guard gathers.count <= 1 else { return false }
    if let g = gathers.first, case .gather(let data, _) = g {
      guard case .fixed(let k) = data.range, k <= 4 else { return false }
      choices.append((g, (1...k).map { .value($0) } + (data.mayBeIgnored ? [.ignored] : [])))
    }
    guard e != d || !choices.isEmpty, choices.reduce(1, { $0 * $1.1.count }) <= Self.maximumCases else {
      return false
    }
    var cases: [Expr] = [e]
    for (term, values) in choices {
      cases = cases.flatMap { c in values.map { replacing(term, with: $0, in: c) } }
    }
    return cases.allSatisfy { c in
      let r = indicatorsReduced(c).simplified()
      return r.isZero || r.simplifiedInExponentials().isZero
    }
  }

  /// `e` with every sum over a fixed size of at most 4 written out term by term.
  private func unrollingFixedSums(_ e: Expr) -> Expr {
    var replacements: [Expr: Expr] = [:]
    for s in e.freeSymbols {
      guard let a = atom(named: s), case .sum(let v, let body) = a, case .fixed(let k) = v.size, k <= 4 else {
        continue
      }
      let inner = unrollingFixedSums(body)
      replacements[.symbol(s)] = .sum((1...k).map { substituting(v, with: .value($0), in: inner) })
    }
    return replacements.isEmpty ? e : e.substituting(replacements)
  }

  /// `e` without domain guards (`unit_interval(u)` is `u`), inside sums too: the same
  /// function on the guarded domain.
  public func removingDomainGuards(_ e: Expr) -> Expr {
    var replacements: [Expr: Expr] = [:]
    for s in e.freeSymbols {
      guard let a = atom(named: s), case .sum(let v, let body) = a else { continue }
      let r = sum(v, removingDomainGuards(body))
      if r != .symbol(s) { replacements[.symbol(s)] = r }
    }
    return (replacements.isEmpty ? e : e.substituting(replacements)).removingDomainGuards()
  }

  /// `e` with every product holding `delta(c, g)` (`c` a class variable, `g` a gather of
  /// `c`'s range) having `g` replaced by `c` in its other factors.
  private func gathersReplacedByClasses(_ e: Expr, _ memo: inout [Expr: Expr]) -> Expr {
    if let done = memo[e] { return done }
    let result: Expr
    switch e.kind {
    case .number, .symbol, .constant: result = e
    case .sum(let ts): result = .sum(ts.map { gathersReplacedByClasses($0, &memo) })
    case .power(let b, let p): result = .power(gathersReplacedByClasses(b, &memo), gathersReplacedByClasses(p, &memo))
    case .apply(let f, let args): result = .apply(f, args.map { gathersReplacedByClasses($0, &memo) })
    case .product(let fs):
      var factors = fs.map { gathersReplacedByClasses($0, &memo) }
      for (i, f) in factors.enumerated() {
        guard let a = atom(f), case .delta(let x, let y) = a else { continue }
        for (c, g) in [(x, y), (y, x)] {
          guard case .variable(let v) = c, case .gather(let data, _) = g, data.range == v.size else { continue }
          for j in factors.indices where j != i { factors[j] = replacing(g, with: c, in: factors[j]) }
        }
      }
      result = Self.product(factors)
    }
    memo[e] = result
    return result
  }

  /// `e` with the index term `g` replaced by `t` in every atom.
  private func replacing(_ g: IndexTerm, with t: IndexTerm, in e: Expr) -> Expr {
    var replacements: [Expr: Expr] = [:]
    for s in e.freeSymbols {
      guard let a = atom(named: s) else { continue }
      let r: Expr
      switch a {
      case .element(let name, let i): r = element(name, i.map { $0 == g ? t : $0.replacing(g, with: t) })
      case .delta(let x, let y): r = delta(x == g ? t : x.replacing(g, with: t), y == g ? t : y.replacing(g, with: t))
      case .notIgnored(let x): r = notIgnored(x == g ? t : x.replacing(g, with: t))
      case .sum(let v, let body): r = sum(v, replacing(g, with: t, in: body))
      }
      if r != .symbol(s) { replacements[.symbol(s)] = r }
    }
    return replacements.isEmpty ? e : e.substituting(replacements)
  }

  /// `e` with each bracket written `1 - delta(g, ignore_index)`, each sum split into sums
  /// of terms whose factors hold no sum over the summed index (`sum_n A (s - d)` is
  /// `sum_n A s - sum_n A d`), and two directly nested sums in a canonical order: one form
  /// for the different groupings and orders of equal sums, so that the core's algebra can
  /// cancel them. Exact (finite sums distribute and exchange).
  private func normalForm(_ e: Expr, _ memo: inout [String: Expr]) -> Expr {
    var replacements: [Expr: Expr] = [:]
    for s in e.freeSymbols {
      guard let a = atom(named: s) else { continue }
      let r: Expr
      if let done = memo[s] {
        r = done
      } else {
        switch a {
        case .notIgnored(let g): r = 1 - delta(g, .ignored)
        case .sum(let v, let body):
          let inner = normalForm(body, &memo)
          r = .sum(split(inner, over: v).map { exchangedCanonically(v, $0) })
        case .element, .delta: r = .symbol(s)
        }
        memo[s] = r
      }
      if r != .symbol(s) { replacements[.symbol(s)] = r }
    }
    return replacements.isEmpty ? e : e.substituting(replacements)
  }

  /// `sum_v term`, and when `term` is itself one sum `sum_w b`, the order of the two sums
  /// chosen canonically: both orders are built and the one whose atom name is smaller is
  /// kept (exchanging finite sums is exact; their ranges are sizes, never each other's
  /// variables), so `sum_n sum_c` and `sum_c sum_n` of one body are one atom.
  private func exchangedCanonically(_ v: IndexVariable, _ term: Expr) -> Expr {
    // Factors free of v leave the sum: `sum_v (-1) sum_w b` is `-(sum_v sum_w b)`.
    if case .product(let fs) = term.kind {
      let dependent = fs.filter { freeVariables($0).contains(v) }
      if dependent.count == 1, let a = atom(dependent[0]), case .sum = a {
        let free = fs.filter { !freeVariables($0).contains(v) }
        return IndexedAlgebra.product(free) * exchangedCanonically(v, dependent[0])
      }
    }
    let outer = sum(v, term)
    guard let a = atom(term), case .sum(let w, let b) = a else { return outer }
    let opened = fresh(w.size)
    let swapped = sum(opened, sum(v, substituting(w, with: .variable(opened), in: b)))
    guard case .symbol(let x) = outer.kind, case .symbol(let y) = swapped.kind else { return outer }
    return y < x ? swapped : outer
  }

  /// The terms of `e` with every factor that is a sum depending on `v` multiplied out.
  private func split(_ e: Expr, over v: IndexVariable) -> [Expr] {
    if case .sum(let terms) = e.kind { return terms.flatMap { split($0, over: v) } }
    let factors: [Expr]
    if case .product(let fs) = e.kind { factors = fs } else { factors = [e] }
    for (i, f) in factors.enumerated() {
      guard case .sum(let parts) = f.kind, freeVariables(f).contains(v) else { continue }
      var rest = factors
      rest.remove(at: i)
      let others = Self.product(rest)
      return parts.flatMap { split($0 * others, over: v) }
    }
    return [e]
  }
}
