import SymGrad

/// Prints a `MatrixForm` as text (`(P - Y)^T A`, `diag(s) - s s^T`) and LaTeX, naming
/// each softmax (`P` for a matrix, `s` for a vector; `P2`, ... when there are several)
/// and the one-hot matrix `Y`, and collecting what the names stand for.
struct MatrixPrinter {
  let algebra: IndexedAlgebra
  private(set) var definitions: [String] = []
  private(set) var latexDefinitions: [String] = []
  private var names: [String: String] = [:]

  init(algebra: IndexedAlgebra) { self.algebra = algebra }

  mutating func text(_ f: MatrixForm) -> String { print(f, latex: false) }
  mutating func latex(_ f: MatrixForm) -> String { print(f, latex: true) }

  private func scalar(_ s: Expr, latex: Bool) -> String {
    let hasAtoms = s.freeSymbols.contains { algebra.atom(named: $0) != nil }
    if latex { return hasAtoms ? algebra.latex(s) : s.latex }
    return hasAtoms ? algebra.text(s) : s.description
  }

  /// A name for a softmax or the one-hot matrix, defined once.
  private mutating func name(_ f: MatrixForm, base: String, definition: (Bool) -> String) -> String {
    if let known = names[f.key] { return known }
    var candidate = base
    var k = 2
    while names.values.contains(candidate) {
      candidate = base + "\(k)"
      k += 1
    }
    names[f.key] = candidate
    definitions.append(candidate + " = " + definition(false))
    latexDefinitions.append(candidate + " = " + definition(true))
    return candidate
  }

  private mutating func print(_ f: MatrixForm, latex: Bool) -> String {
    switch f {
    case .leaf(let label, let latexLabel, let entry, _, _):
      if label == "Y", let atom = algebra.atom(entry), case .delta(let x, let y) = atom {
        let (data, classes): (String, IndexSize) = {
          for t in [x, y] { if case .gather(let d, _) = t { return (d.name, d.range) } }
          return ("t", .symbolic("C"))
        }()
        return name(f, base: "Y") { l in
          l ? "\\operatorname{one\\_hot}(\(data), \(classes))" : "one_hot(\(data), \(classes))"
        }
      }
      return latex ? latexLabel : label
    case .softmax(let g):
      let matrix = g.shape.columns != nil
      let inner = print(g, latex: false)
      let innerLatex = print(g, latex: true)
      return name(f, base: matrix ? "P" : "s") { l in
        l
          ? "\\operatorname{softmax}(\(innerLatex)\(matrix ? ", \\text{dim}=1" : ""))"
          : "softmax(\(inner)\(matrix ? ", dim=1" : ""))"
      }
    case .transpose(let g): return grouped(g, latex: latex, tight: true) + (latex ? "^{\\top}" : "^T")
    case .diagonal(let g): return (latex ? "\\operatorname{diag}(" : "diag(") + print(g, latex: latex) + ")"
    case .product(let gs): return gs.map { grouped($0, latex: latex, tight: false) }.joined(separator: " ")
    case .hadamard(let gs):
      return gs.map { grouped($0, latex: latex, tight: false) }.joined(separator: latex ? " \\odot " : " ⊙ ")
    case .sum(let gs):
      var out = ""
      for (i, g) in gs.enumerated() {
        if case .scaled(let s, let h) = g, let r = s.rationalValue, r.signum < 0 {
          let positive = Expr.number(-r)
          let body =
            positive == .one ? grouped(h, latex: latex, tight: false) : print(.scaled(positive, h), latex: latex)
          out += (i == 0 ? "-" : " - ") + body
        } else {
          out += (i == 0 ? "" : " + ") + print(g, latex: latex)
        }
      }
      return out
    case .scaled(let s, let g):
      if let r = s.rationalValue, r.signum < 0 {
        return "-" + print(.scaled(.number(-r), g), latex: latex)
      }
      // k/D: the number and the denominator written as such.
      var number = Expr.one
      var denominator: [Expr] = []
      var numerator: [Expr] = []
      let factors: [Expr]
      if case .product(let fs) = s.kind { factors = fs } else { factors = [s] }
      for f in factors {
        if f.rationalValue != nil {
          number = number * f
        } else if case .power(let b, let p) = f.kind, let q = p.rationalValue, q.signum < 0 {
          denominator.append(.power(b, -p))
        } else {
          numerator.append(f)
        }
      }
      if let r = number.rationalValue, !r.isInteger {
        denominator.append(.number(Rational(r.denominator)))
        number = .number(Rational(r.numerator))
      }
      let top = IndexedAlgebra.product([number] + numerator)
      let bottom = IndexedAlgebra.product(denominator)
      if latex {
        let head =
          bottom == .one
          ? scalar(top, latex: true) : "\\frac{\(scalar(top, latex: true))}{\(scalar(bottom, latex: true))}"
        return head + " " + grouped(g, latex: true, tight: false)
      }
      let body = grouped(g, latex: false, tight: false)
      let lead = top == .one ? body : groupedScalar(top) + " " + body
      return bottom == .one ? lead : lead + "/" + groupedScalar(bottom)
    }
  }

  private func groupedScalar(_ s: Expr) -> String {
    let t = scalar(s, latex: false)
    if case .sum = s.kind { return "(" + t + ")" }
    if case .product = s.kind { return "(" + t + ")" }
    return t
  }

  /// `f` in parentheses where it binds looser than a product (`tight`: than a postfix).
  private mutating func grouped(_ f: MatrixForm, latex: Bool, tight: Bool) -> String {
    let inner = print(f, latex: latex)
    let needs: Bool
    switch f {
    case .sum, .scaled, .hadamard: needs = true
    case .product: needs = tight
    default: needs = false
    }
    guard needs else { return inner }
    return latex ? "\\left(" + inner + "\\right)" : "(" + inner + ")"
  }
}
