import SymGrad

/// Printing index notation: sympy text (`Sum`, `KroneckerDelta`, `Indexed` entries
/// `X[n, c]`, with `X` an `IndexedBase`) and LaTeX (`\sum_{k=1}^{C}`, `\delta_{c t_{n}}`,
/// Iverson brackets, `X_{n c}`). Bound variables, named by level inside, are printed with
/// the first free letter of a list chosen by their size's role (`k, j, l, ...`).
extension IndexedAlgebra {
  /// The sympy text of `e`. Iverson brackets are written `(1 - KroneckerDelta(t[n], ignore_index))`.
  public func text(_ e: Expr) -> String { text(e, names: [:], taken: takenNames(e)) }

  /// The LaTeX of `e`; `ignore_index` is written `\iota`.
  public func latex(_ e: Expr) -> String { latex(e, names: [:], taken: takenNames(e)) }

  /// Names that bound variables must not take: the free variables of `e`.
  private func takenNames(_ e: Expr) -> Set<String> { Set(freeVariables(e).map(\.name)) }

  private static let boundNames = ["k", "j", "l", "i", "m", "p", "q", "r", "s", "u"]

  /// The bound variable's printed name: its size's name in lower case (`n` for a sum up
  /// to `N`) when free, else the first free name of `boundNames`.
  private func displayName(_ v: IndexVariable, _ taken: Set<String>) -> String {
    if case .symbolic(let size) = v.size, ExpressionLanguage.isSymbolName(size.lowercased()),
      !taken.contains(size.lowercased())
    {
      return size.lowercased()
    }
    if let n = Self.boundNames.first(where: { !taken.contains($0) }) { return n }
    var k = 1
    while taken.contains("k\(k)") { k += 1 }
    return "k\(k)"
  }

  private func indexText(_ t: IndexTerm, _ names: [IndexVariable: String]) -> String {
    switch t {
    case .variable(let v): return names[v] ?? v.name
    case .gather(let d, let i): return d.name + "[" + i.map { indexText($0, names) }.joined(separator: ", ") + "]"
    case .value(let k): return "\(k)"
    case .ignored: return "ignore_index"
    }
  }

  private func text(_ e: Expr, names: [IndexVariable: String], taken: Set<String>) -> String {
    e.sympyDescription { [self] name in
      guard let a = atom(named: name) else { return nil }
      switch a {
      case .element(let t, let i): return t + "[" + i.map { indexText($0, names) }.joined(separator: ", ") + "]"
      case .delta(let x, let y): return "KroneckerDelta(\(indexText(x, names)), \(indexText(y, names)))"
      case .notIgnored(let x): return "(1 - KroneckerDelta(\(indexText(x, names)), ignore_index))"
      case .sum(let v, let body):
        let shown = displayName(v, taken)
        var inner = names
        inner[v] = shown
        let b = text(body, names: inner, taken: taken.union([shown]))
        return "Sum(\(b), (\(shown), 1, \(v.size.expr.sympyDescription)))"
      }
    }
  }

  private func indexLatex(_ t: IndexTerm, _ names: [IndexVariable: String]) -> String {
    switch t {
    case .variable(let v): return names[v] ?? v.name
    case .gather(let d, let i): return d.name + "_{" + i.map { indexLatex($0, names) }.joined(separator: " ") + "}"
    case .value(let k): return "\(k)"
    case .ignored: return "\\iota"
    }
  }

  private func latex(_ e: Expr, names: [IndexVariable: String], taken: Set<String>) -> String {
    e.latex { [self] name -> (text: String, grouped: Bool)? in
      guard let a = atom(named: name) else { return nil }
      switch a {
      case .element(let t, let i):
        let sep = i.allSatisfy({ if case .variable = $0 { return true } else { return false } }) ? " " : ","
        return (t + "_{" + i.map { indexLatex($0, names) }.joined(separator: sep) + "}", false)
      case .delta(let x, let y): return ("\\delta_{\(indexLatex(x, names)) \(indexLatex(y, names))}", false)
      case .notIgnored(let x): return ("\\left[\(indexLatex(x, names)) \\neq \\iota\\right]", false)
      case .sum(let v, let body):
        let shown = displayName(v, taken)
        var inner = names
        inner[v] = shown
        var b = latex(body, names: inner, taken: taken.union([shown]))
        if case .sum = body.kind { b = "\\left(" + b + "\\right)" }
        return ("\\sum_{\(shown)=1}^{\(v.size)} \(b)", true)
      }
    }
  }
}
