import SymGrad

/// Recognizing matrix notation in an index-notation result, by rules on its structure:
/// - an entry `X[a, b]` of free variables is the matrix `X` (a vector for one index); with
///   a row fixed (`X[n, c]` in row `n` of a Jacobian) it is the vector `X[n, :]`;
///   `w[t[n]]` is the vector `w[t]`;
/// - `delta(c, t[n])` is `Y = one_hot(t, C)` at `(n, c)`; `delta(a, b)` is the identity;
///   `[t[n] != ignore_index]` is a vector;
/// - `exp(u[.., c]) / sum_k exp(u[.., k])` is `softmax(u)` along `c` (with a squared
///   normalizer, two such factors);
/// - in a product, entries of the same indices multiply entrywise, a vector times a
///   matrix sharing its row (column) index is `diag(v) M` (`M diag(v)`), two vectors of
///   different indices are the outer product `u v^T`, and `delta(a, b) v[a]` is `diag(v)`;
/// - `sum_k A[a, k] B[k, b]` is `A B` (transposed as the indices require);
/// - sums are sums; factors free of the indices are scalars.
/// Anything else is not recognized (nil). The form is then simplified (common scalars
/// and common right factors taken out, transposes moved outwards) and printed only when
/// its entries are proved equal to the index form (`matrixForm(of:)`).
extension IndexedAlgebra {
  /// A recognized piece: a scalar coefficient and a form (nil for a scalar) whose rows
  /// and columns are the index variables `rows` and `columns`.
  struct Piece {
    var scalar: Expr
    var form: MatrixForm?
    var rows: IndexVariable?
    var columns: IndexVariable?

    var variables: [IndexVariable] { [rows, columns].compactMap { $0 } }
  }

  /// The matrix form of `d`'s gradient: of the whole gradient for a reduced loss
  /// (`dL/dX = ...`), or of one row's block when the loss has free indices and the
  /// gradient is `delta(m, n)` times a block (`row n: ...`). Nil when nothing is
  /// recognized or the recognized form is not proved equal to the index form.
  public func matrixForm(of d: IndexedDerivation) -> MatrixFormResult? {
    var fixed: Set<IndexVariable> = []
    var gradient = d.gradient
    var targetRows: [IndexVariable] = []
    var blockFactor = Expr.one
    if d.lossIndices.isEmpty {
      targetRows = d.inputIndices
    } else {
      // delta(m, n) (an input index, a loss index) in every term: one block per row n.
      let terms: [Expr]
      if case .sum(let ts) = gradient.kind { terms = ts } else { terms = [gradient] }
      guard
        let (m, n) = zip(d.inputIndices, d.lossIndices).first(where: { m, n in
          terms.allSatisfy { factors(of: $0).contains(delta(.variable(m), .variable(n))) }
        })
      else { return nil }
      let block = delta(.variable(m), .variable(n))
      gradient = .sum(terms.map { t in IndexedAlgebra.product(factors(of: t).filter { $0 != block }) })
      fixed = [n]
      blockFactor = block
      targetRows = d.lossIndices.filter { $0 != n } + d.inputIndices.filter { $0 != m }
    }
    guard (1...2).contains(targetRows.count), let piece = recognize(gradient, fixed: fixed, contracting: nil),
      let form = oriented(piece, rows: targetRows[0], columns: targetRows.count == 2 ? targetRows[1] : nil)
    else { return nil }
    let simple = simplified(form)
    // Proved, or not printed.
    let back = entry(
      of: simple, at: .variable(targetRows[0]), targetRows.count == 2 ? .variable(targetRows[1]) : nil)
    guard provedEqual(blockFactor * back, d.gradient) else { return nil }
    var printer = MatrixPrinter(algebra: self)
    let body = printer.text(simple)
    let latexBody = printer.latex(simple)
    let lhs: String
    let lhsLatex: String
    if let n = fixed.first {
      let loss = d.lossIndices.map { $0 == n ? n.name : ":" }
      let input = d.inputIndices.map { targetRows.contains($0) ? ":" : n.name }
      lhs = "row \(n.name): dL[\(loss.joined(separator: ", "))]/d\(d.input)[\(input.joined(separator: ", "))]"
      let dot = { (s: [String]) in s.map { $0 == ":" ? "\\cdot" : $0 }.joined(separator: " ") }
      lhsLatex = "\\frac{\\partial L_{\(dot(loss))}}{\\partial \(d.input)_{\(dot(input))}}"
    } else {
      lhs = "dL/d\(d.input)"
      lhsLatex = "\\frac{\\partial L}{\\partial \(d.input)}"
    }
    return MatrixFormResult(
      form: simple, text: lhs + " = " + body, latex: lhsLatex + " = " + latexBody, definitions: printer.definitions,
      latexDefinitions: printer.latexDefinitions)
  }

  private func factors(of e: Expr) -> [Expr] {
    if case .product(let fs) = e.kind { return fs }
    return [e]
  }

  /// The non-fixed index variables of `e`.
  private func open(_ e: Expr, _ fixed: Set<IndexVariable>) -> Set<IndexVariable> {
    freeVariables(e).subtracting(fixed)
  }

  // MARK: Recognition

  func recognize(_ e: Expr, fixed: Set<IndexVariable>, contracting v: IndexVariable?) -> Piece? {
    if open(e, fixed).isEmpty { return Piece(scalar: e, form: nil) }
    switch e.kind {
    case .sum(let terms):
      var pieces: [Piece] = []
      for t in terms {
        guard let p = recognize(t, fixed: fixed, contracting: v) else { return nil }
        pieces.append(p)
      }
      return sum(pieces)
    case .product(let fs): return product(fs, fixed: fixed, contracting: v)
    case .apply(.exp, _), .power: return product([e], fixed: fixed, contracting: v)
    case .symbol:
      guard let a = atom(e) else { return nil }
      return leaf(a, e, fixed: fixed)
    default: return nil
    }
  }

  private func leaf(_ a: IndexedAtom, _ e: Expr, fixed: Set<IndexVariable>) -> Piece? {
    func isOpen(_ t: IndexTerm) -> IndexVariable? {
      if case .variable(let v) = t, !fixed.contains(v) { return v }
      return nil
    }
    switch a {
    case .element(let name, let indices):
      let free = indices.compactMap(isOpen)
      if free.count == indices.count, (1...2).contains(free.count) {
        return Piece(
          scalar: .one, form: .leaf(label: name, latex: name, entry: e, rows: free[0], columns: free.dropFirst().first),
          rows: free[0], columns: free.dropFirst().first)
      }
      if indices.count == 2, free.count == 1, case .variable(let row) = indices[0], fixed.contains(row),
        free[0] == isOpen(indices[1])
      {
        return Piece(
          scalar: .one,
          form: .leaf(
            label: "\(name)[\(row.name), :]", latex: "\(name)_{\(row.name) \\cdot}", entry: e, rows: free[0],
            columns: nil), rows: free[0])
      }
      if indices.count == 1, case .gather(let data, let inner) = indices[0], inner.count == 1,
        let row = isOpen(inner[0])
      {
        return Piece(
          scalar: .one,
          form: .leaf(
            label: "\(name)[\(data.name)]", latex: "\(name)_{\(data.name)}", entry: e, rows: row, columns: nil),
          rows: row)
      }
      return nil
    case .delta(let x, let y):
      if let p = isOpen(x), let q = isOpen(y), p.size == q.size {
        return Piece(
          scalar: .one, form: .leaf(label: "I", latex: "I", entry: e, rows: p, columns: q), rows: p, columns: q)
      }
      for (c, g) in [(x, y), (y, x)] {
        guard let cv = isOpen(c), case .gather(let data, let inner) = g, inner.count == 1, data.range == cv.size,
          case .variable(let row) = inner[0]
        else { continue }
        if fixed.contains(row) {
          return Piece(
            scalar: .one,
            form: .leaf(label: "Y[\(row.name), :]", latex: "Y_{\(row.name) \\cdot}", entry: e, rows: cv, columns: nil),
            rows: cv)
        }
        return Piece(
          scalar: .one, form: .leaf(label: "Y", latex: "Y", entry: e, rows: row, columns: cv), rows: row, columns: cv)
      }
      return nil
    case .notIgnored(let g):
      guard case .gather(let data, let inner) = g, inner.count == 1, let row = isOpen(inner[0]) else { return nil }
      return Piece(
        scalar: .one,
        form: .leaf(
          label: "[\(data.name) != ignore_index]", latex: "[\(data.name) \\neq \\iota]", entry: e, rows: row,
          columns: nil),
        rows: row)
    case .sum(let w, let body):
      // A contraction: the body, its bound variable open.
      // Named after the bound variable, so that equal sums open to equal leaves.
      let v = IndexVariable("~" + w.name, w.size)
      let opened = substituting(w, with: .variable(v), in: body)
      let terms: [Expr]
      if case .sum(let ts) = opened.kind { terms = ts } else { terms = [opened] }
      var pieces: [Piece] = []
      for t in terms {
        guard var p = recognize(t, fixed: fixed, contracting: v) else { return nil }
        if p.variables.contains(v) {
          // One factor holds v: sum_v M[v, x] is (M^T 1)[x], sum_v u[v] is 1^T u.
          let other = p.variables.first { $0 != v }
          guard let f = oriented(p, rows: v, columns: other) else { return nil }
          let form: MatrixForm =
            other == nil ? .product([.transpose(.ones(v)), f]) : .product([.transpose(f), .ones(v)])
          p = Piece(scalar: .one, form: form, rows: other)
        }
        pieces.append(p)
      }
      return pieces.count == 1 ? pieces[0] : sum(pieces)
    }
  }

  /// The sum of pieces, oriented as the one with the most indices (vectors spread).
  private func sum(_ pieces: [Piece]) -> Piece? {
    guard let first = pieces.filter({ $0.form != nil }).max(by: { $0.variables.count < $1.variables.count }) else {
      return nil
    }
    var forms: [MatrixForm] = []
    for p in pieces {
      guard let f = spread(p, rows: first.rows!, columns: first.columns) else { return nil }
      forms.append(f)
    }
    return Piece(scalar: .one, form: .sum(forms), rows: first.rows, columns: first.columns)
  }

  /// A product of factors: softmax pairs (`exp(u) / sum_k exp(u)`) first, then the rest
  /// combined left to right; `v`, when given, is contracted.
  private func product(_ fs: [Expr], fixed: Set<IndexVariable>, contracting v: IndexVariable?) -> Piece? {
    var exps: [Expr] = []
    var normalizers: [Expr: Int] = [:]
    var others: [Expr] = []
    for f in fs {
      switch f.kind {
      case .apply(.exp, let args) where !open(f, fixed).isEmpty:
        if open(args[0], fixed).contains(where: { normalizers.keys.contains(sum($0, f)) })
          || fs.contains(where: { g in open(args[0], fixed).contains { g == .power(sum($0, f), .number(-1)) } })
        {
          exps.append(args[0])
          continue
        }
        // exp(u(c) + u(j)): one exponential per group of terms with the same indices.
        let terms: [Expr]
        if case .sum(let ts) = args[0].kind { terms = ts } else { terms = [args[0]] }
        var groups: [[IndexVariable]: [Expr]] = [:]
        var order: [[IndexVariable]] = []
        for t in terms {
          let key = open(t, fixed).sorted { $0.name < $1.name }
          if groups[key] == nil { order.append(key) }
          groups[key, default: []].append(t)
        }
        for key in order { exps.append(.sum(groups[key]!)) }
      case .power(let base, let p):
        if let r = p.rationalValue, r.isInteger, r.signum < 0, let k = Int(r.magnitude.description), k <= 4,
          let a = atom(base), case .sum = a
        {
          normalizers[base, default: 0] += k
        } else {
          others.append(f)
        }
      default: others.append(f)
      }
    }
    var pieces: [Piece] = []
    for u in exps {
      var matched = false
      for x in open(u, fixed).sorted(by: { $0.name > $1.name }) {
        let s = sum(x, exp(u))
        guard let count = normalizers[s], count > 0, let inner = recognize(u, fixed: fixed, contracting: nil),
          inner.scalar == .one || inner.form != nil
        else { continue }
        normalizers[s] = count - 1
        if inner.form == nil { return nil }
        let other = inner.variables.first { $0 != x }
        guard let f = oriented(inner, rows: other ?? x, columns: other == nil ? nil : x) else { return nil }
        pieces.append(Piece(scalar: .one, form: .softmax(f), rows: other ?? x, columns: other == nil ? nil : x))
        matched = true
        break
      }
      if !matched { return nil }
    }
    for (s, k) in normalizers where k > 0 { others.append(.power(s, .number(-k))) }
    for f in others {
      // A power or function of an index expression other than a softmax: not recognized
      // (recognizing it again would not end).
      switch f.kind {
      case .power, .apply: if !open(f, fixed).isEmpty { return nil }
      default: break
      }
      guard let p = recognize(f, fixed: fixed, contracting: v) else { return nil }
      pieces.append(p)
    }
    var result = Piece(scalar: .one, form: nil)
    for p in pieces {
      guard let combined = combine(result, p, contracting: v) else { return nil }
      result = combined
    }
    return result
  }

  /// `a` times `b` (see the type's rules).
  private func combine(_ a: Piece, _ b: Piece, contracting v: IndexVariable?) -> Piece? {
    let scalar = a.scalar * b.scalar
    guard let fa = a.form else { return Piece(scalar: scalar, form: b.form, rows: b.rows, columns: b.columns) }
    guard let fb = b.form else { return Piece(scalar: scalar, form: fa, rows: a.rows, columns: a.columns) }
    let va = a.variables
    let vb = b.variables
    if let v, va.contains(v), vb.contains(v) {
      // sum_v A[.., v] B[v, ..]
      let ra = va.first { $0 != v }
      let cb = vb.first { $0 != v }
      guard let left = oriented(a, rows: ra ?? v, columns: ra == nil ? nil : v),
        let right = oriented(b, rows: v, columns: cb)
      else { return nil }
      let l = ra == nil ? MatrixForm.transpose(left) : left
      if ra == nil && cb == nil { return Piece(scalar: scalar * .one, form: .product([l, right])) }
      if ra == nil { return Piece(scalar: scalar, form: .product([l, right]), rows: nil, columns: cb) }
      return Piece(scalar: scalar, form: .product([l, right]), rows: ra, columns: cb)
    }
    if Set(va) == Set(vb) {
      guard let rb = oriented(b, rows: a.rows!, columns: a.columns) else { return nil }
      return Piece(scalar: scalar, form: .hadamard([fa, rb]), rows: a.rows, columns: a.columns)
    }
    if va.count == 1, vb.count == 1 {
      // u v^T
      return Piece(
        scalar: scalar, form: .product([fa, .transpose(fb)]), rows: va[0], columns: vb[0])
    }
    if va.count == 2, vb.count == 1, case .leaf("I", _, _, _, _) = fa, va.contains(vb[0]) {
      let other = va.first { $0 != vb[0] }!
      return Piece(scalar: scalar, form: .diagonal(fb), rows: vb[0], columns: other)
    }
    if vb.count == 2, va.count == 1, case .leaf("I", _, _, _, _) = fb, vb.contains(va[0]) {
      let other = vb.first { $0 != va[0] }!
      return Piece(scalar: scalar, form: .diagonal(fa), rows: va[0], columns: other)
    }
    if va.count == 1, vb.count == 2, vb.contains(va[0]) {
      if b.rows == va[0] {
        return Piece(scalar: scalar, form: .product([.diagonal(fa), fb]), rows: b.rows, columns: b.columns)
      }
      return Piece(scalar: scalar, form: .product([fb, .diagonal(fa)]), rows: b.rows, columns: b.columns)
    }
    if vb.count == 1, va.count == 2, va.contains(vb[0]) {
      if a.rows == vb[0] {
        return Piece(scalar: scalar, form: .product([.diagonal(fb), fa]), rows: a.rows, columns: a.columns)
      }
      return Piece(scalar: scalar, form: .product([fa, .diagonal(fb)]), rows: a.rows, columns: a.columns)
    }
    return nil
  }

  /// The piece as a form whose rows are `rows` and columns `columns` (transposed when
  /// they are the other way round), its scalar applied. Nil when the indices differ.
  func oriented(_ p: Piece, rows: IndexVariable, columns: IndexVariable?) -> MatrixForm? {
    guard let f = p.form else { return nil }
    let scaled = { (g: MatrixForm) in p.scalar == .one ? g : MatrixForm.scaled(p.scalar, g) }
    if p.rows == rows && p.columns == columns { return scaled(f) }
    if let c = columns, p.rows == c && p.columns == rows { return scaled(.transpose(f)) }
    return nil
  }

  /// As `oriented`, and a vector in one of the two indices spread over the other (a term
  /// of a sum that does not depend on the row: `1 s^T`; on the column: `s 1^T`).
  func spread(_ p: Piece, rows: IndexVariable, columns: IndexVariable?) -> MatrixForm? {
    if let f = oriented(p, rows: rows, columns: columns) { return f }
    guard let c = columns, let f = p.form, p.columns == nil, let v = p.rows else { return nil }
    let scaled = { (g: MatrixForm) in p.scalar == .one ? g : MatrixForm.scaled(p.scalar, g) }
    if v == c { return scaled(.product([.ones(rows), .transpose(f)])) }
    if v == rows { return scaled(.product([f, .transpose(.ones(c))])) }
    return nil
  }

  // MARK: Simplification

  /// Transposes moved outwards and cancelled, scalars and common right factors of sums
  /// taken out: `P^T A - Y^T A` is `(P - Y)^T A`, `P/N - Y/N` is `(P - Y)/N`.
  func simplified(_ f: MatrixForm) -> MatrixForm {
    switch f {
    case .leaf: return f
    case .softmax(let g): return .softmax(simplified(g))
    case .diagonal(let g): return .diagonal(simplified(g))
    case .scaled(let s, let g):
      if Self.isNegative(s), case .sum(let terms) = g {
        // -s (A - B) is s (B - A): the sign goes into the sum.
        return simplified(.scaled(-s, .sum(terms.map { .scaled(-1, $0) })))
      }
      let inner = simplified(g)
      if case .scaled(let t, let h) = inner { return s * t == .one ? h : .scaled(s * t, h) }
      return s == .one ? inner : .scaled(s, inner)
    case .hadamard(let gs): return .hadamard(gs.map(simplified))
    case .transpose(let g):
      switch simplified(g) {
      case .transpose(let h): return h
      case .scaled(let s, let h): return simplified(.scaled(s, .transpose(h)))
      case .diagonal(let h): return .diagonal(h)
      case .product(let hs): return simplified(.product(hs.reversed().map { .transpose($0) }))
      case let h:
        // The transpose of a symmetric leaf (the identity) is itself.
        if case .leaf("I", _, _, _, _) = h { return h }
        return .transpose(h)
      }
    case .product(let gs):
      var out: [MatrixForm] = []
      var scalar = Expr.one
      for g in gs.map(simplified) {
        var h = g
        if case .scaled(let s, let inner) = h {
          scalar = scalar * s
          h = inner
        }
        if case .product(let inner) = h { out += inner } else { out.append(h) }
      }
      return scalar == .one ? .product(out) : .scaled(scalar, .product(out))
    case .sum(let gs):
      var terms: [MatrixForm] = []
      for g in gs.map(simplified) {
        if case .sum(let inner) = g { terms += inner } else { terms.append(g) }
      }
      if terms.count == 1 { return terms[0] }
      // Terms with a positive (or symbolic) coefficient first: P - Y, not -Y + P.
      let negative = { (t: MatrixForm) -> Bool in
        if case .scaled(let s, _) = t { return Self.isNegative(s) }
        return false
      }
      terms = terms.filter { !negative($0) } + terms.filter(negative)
      // A common scalar: every term's scalar a rational multiple of the first's.
      let scalars = terms.map { t -> Expr in if case .scaled(let s, _) = t { return s } else { return .one } }
      let bare = terms.map { t -> MatrixForm in if case .scaled(_, let g) = t { return g } else { return t } }
      if scalars[0] != .one, scalars.allSatisfy({ ($0 / scalars[0]).rationalValue != nil }) {
        let rest = zip(scalars, bare).map { s, g -> MatrixForm in
          let r = s / scalars[0]
          return r == .one ? g : .scaled(r, g)
        }
        return .scaled(scalars[0], simplified(.sum(rest)))
      }
      // A common right factor: sum_i c_i (A_i B) = (sum_i c_i A_i) B; then a common left one.
      if let (last, heads) = Self.commonFactor(scalars, bare, right: true) {
        return simplified(.product([factoredTranspose(.sum(heads)), last]))
      }
      if let (first, tails) = Self.commonFactor(scalars, bare, right: false) {
        return simplified(.product([first, .sum(tails)]))
      }
      return .sum(terms)
    }
  }

  /// The factor every product of `bare` ends with (`right`) or starts with, by key, and
  /// each term without it, its scalar kept; nil when they do not share one.
  private static func commonFactor(_ scalars: [Expr], _ bare: [MatrixForm], right: Bool)
    -> (MatrixForm, [MatrixForm])?
  {
    let ends = bare.map { g -> MatrixForm? in
      guard case .product(let hs) = g, hs.count >= 2 else { return nil }
      return right ? hs.last : hs.first
    }
    guard let end = ends[0], ends.allSatisfy({ $0?.key == end.key }) else { return nil }
    let rests = zip(scalars, bare).map { s, g -> MatrixForm in
      guard case .product(let hs) = g else { return g }
      let rest = right ? Array(hs.dropLast()) : Array(hs.dropFirst())
      let form = rest.count == 1 ? rest[0] : MatrixForm.product(rest)
      return s == .one ? form : .scaled(s, form)
    }
    return (end, rests)
  }

  /// Whether a scalar is written with a minus sign: a negative number, or a product with one.
  static func isNegative(_ s: Expr) -> Bool {
    if let r = s.rationalValue { return r.signum < 0 }
    if case .product(let fs) = s.kind { return fs.contains { ($0.rationalValue?.signum ?? 1) < 0 } }
    return false
  }

  /// `A^T + B^T` as `(A + B)^T` (scalars kept on the terms).
  private func factoredTranspose(_ f: MatrixForm) -> MatrixForm {
    guard case .sum(let terms) = f else { return f }
    var inner: [MatrixForm] = []
    for t in terms {
      switch t {
      case .transpose(let g): inner.append(g)
      case .scaled(let s, .transpose(let g)): inner.append(.scaled(s, g))
      default: return f
      }
    }
    return .transpose(.sum(inner))
  }
}
