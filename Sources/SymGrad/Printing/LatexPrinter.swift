/// Prints expressions as LaTeX math: `\frac{e^{x}}{e^{x} + e^{y}}`, `x_{0}`, `\log`,
/// `\sigma`, `\sqrt{x}`; minimal parentheses, in the same order as the text printer.
/// Works without recursion on any depth.
enum LatexPrinter {
  typealias Printed = TextPrinter.Printed
  static let sumP = TextPrinter.sumPrecedence, productP = TextPrinter.productPrecedence
  static let powerP = TextPrinter.powerPrecedence, atomP = TextPrinter.atomPrecedence

  static func print(_ e: Expr, symbols: ((String) -> (text: String, grouped: Bool)?)? = nil) -> String {
    var memo: [Expr: Printed] = [:]
    let text = e.fold(memo: &memo) { node, kids in
      if let symbols, case .symbol(let name) = node.kind, let (text, grouped) = symbols(name) {
        // An operator (`\sum_{k} ...`) takes in what follows it: parenthesized as a
        // factor or a power's base, not as a term of a sum or alone in a fraction.
        return Printed(TextRope(text), grouped ? productP : atomP)
      }
      return render(node, kids)
    }.text
    return PrintLimits.fits(text) ? text.string : PrintLimits.oversizedLatex(e)
  }

  static func paren(_ text: TextRope) -> TextRope { "\\left(" + text + "\\right)" }

  static func wrap(_ text: TextRope, _ precedence: Int, above minimum: Int) -> TextRope {
    precedence > minimum ? text : paren(text)
  }

  private static let greek: Set<String> = [
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega",
    "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma", "Phi", "Psi", "Omega",
  ]

  /// `x0 -> x_{0}`, `w_01 -> w_{01}`, `alpha -> \alpha`, `loss -> \mathrm{loss}`.
  static func symbol(_ name: String) -> String {
    var head = name
    var sub = ""
    if let b = name.firstIndex(of: "[") {
      head = String(name[..<b])
      sub = name[b...].split(whereSeparator: { $0 == "[" || $0 == "]" }).joined(separator: ",")
    } else if let u = name.firstIndex(of: "_") {
      head = String(name[..<u])
      sub = String(name[name.index(after: u)...])
    } else if let d = name.firstIndex(where: \.isNumber), d != name.startIndex,
      name[d...].allSatisfy(\.isNumber)
    {
      head = String(name[..<d])
      sub = String(name[d...])
    }
    let h = greek.contains(head) ? "\\" + head : (head.count > 1 ? "\\mathrm{\(head)}" : head)
    return sub.isEmpty ? h : h + "_{" + sub.replacingOccurrences(of: "_", with: "\\_") + "}"
  }

  private static func functionName(_ f: Expr.Function) -> String {
    switch f {
    case .log: return "\\log"
    case .sin: return "\\sin"
    case .cos: return "\\cos"
    case .tanh: return "\\tanh"
    case .sigmoid: return "\\sigma"
    case .max: return "\\max"
    case .min: return "\\min"
    case .sign: return "\\operatorname{sign}"
    case .silu: return "\\operatorname{SiLU}"
    case .mish: return "\\operatorname{Mish}"
    case .geluTanh: return "\\operatorname{GELU}_{\\tanh}"
    case .elu: return "\\operatorname{ELU}"
    case .gelu: return "\\operatorname{GELU}"
    default: return "\\operatorname{\(f.rawValue)}"
    }
  }

  private static func render(_ node: Expr, _ kids: [Printed]) -> Printed {
    switch node.kind {
    case .number(let r):
      let m = r.magnitude
      let abs =
        m.isInteger
        ? Printed(TextRope(m.description), atomP)
        : Printed("\\frac{\(m.numerator)}{\(m.denominator)}", atomP)
      return r.signum < 0 ? .negated(abs.text, abs.precedence) : abs
    case .symbol(let s): return Printed(TextRope(symbol(s)), atomP)
    case .constant(let c):
      switch c {
      case .infinity: return Printed("\\infty", atomP)
      case .negativeInfinity: return .negated("\\infty", atomP)
      case .undefined: return Printed("\\mathrm{NaN}", atomP)
      case .pi: return Printed("\\pi", atomP)
      }
    case .sum(let terms):
      return TextPrinter.renderSum(terms, kids) { wrap($0, $1, above: $2) }
    case .product(let factors):
      return renderFraction(ProductLayout(factors), kids)
    case .power(let b, let e):
      let base = kids[0]
      let exponent = kids[1]
      func raised(_ exp: TextRope) -> TextRope {
        let needs =
          base.precedence <= powerP || base.negative || base.text.contains(ascii: "^")
          || (b.rationalValue.map { !$0.isInteger } ?? false)
        return (needs ? paren(base.text) : base.text) + "^{" + exp + "}"
      }
      var p: Printed
      if e.rationalValue == Rational(numerator: 1, denominator: 2)! {
        p = Printed("\\sqrt{\(base.text)}", atomP)
      } else {
        p = Printed(raised(exponent.text), powerP)
      }
      if let r = e.rationalValue, r.signum < 0 {
        let m = -r
        let inv: (text: TextRope, precedence: Int)
        if m == Rational(1) {
          inv = (base.text, base.precedence)
        } else if m == Rational(numerator: 1, denominator: 2)! {
          inv = ("\\sqrt{\(base.text)}", atomP)
        } else {
          inv = (raised(m.isInteger ? TextRope(m.description) : "\\frac{\(m.numerator)}{\(m.denominator)}"), powerP)
        }
        p = Printed("\\frac{1}{\(inv.text)}", atomP)
        p.reciprocal = inv
      }
      return p
    case .apply(let f, let args):
      if f == .exp {
        if args[0].isOne { return Printed("e", atomP) }
        return Printed("e^{" + kids[0].text + "}", powerP)
      }
      if f == .abs { return Printed("\\left|" + kids[0].text + "\\right|", atomP) }
      if f == .unitInterval { return kids[0] }
      if let comparison = f.selectionComparison {
        // where(u > 0, a, b): cases.
        let op = comparison == .greater ? ">" : comparison == .greaterOrEqual ? "\\geq" : "="
        return Printed(
          "\\begin{cases}" + kids[1].text + " & " + kids[0].text + " " + TextRope(op) + " 0 \\\\ " + kids[2].text
            + " & \\text{otherwise}\\end{cases}", atomP)
      }
      return Printed(TextRope(functionName(f)) + paren(TextRope.joined(kids.map(\.text), separator: ", ")), atomP)
    }
  }

  private static func renderFraction(_ layout: ProductLayout, _ kids: [Printed]) -> Printed {
    var top: [TextRope] = []
    if let n = layout.numeratorNumber { top.append(TextRope(n.description)) }
    if layout.infinity { top.append("\\infty") }
    var lastPrecedence = atomP
    for i in layout.numerator {
      let k = kids[i]
      top.append(wrap(k.text, k.precedence, above: productP))
      lastPrecedence = k.precedence
    }
    var bottom: [TextRope] = []
    if let d = layout.denominatorNumber { bottom.append(TextRope(d.description)) }
    for i in layout.denominator {
      let r = kids[i].reciprocal!
      bottom.append(wrap(r.text, r.precedence, above: productP))
    }
    var text = joinFactors(top)
    var precedence = top.count == 1 ? lastPrecedence : productP
    if top.isEmpty {
      text = "1"
      precedence = atomP
    }
    if !bottom.isEmpty {
      // Inside \frac a lone factor needs no parentheses.
      if layout.numerator.count == 1 && top.count == 1 { text = kids[layout.numerator[0]].text }
      if layout.denominator.count == 1 && bottom.count == 1 { bottom = [kids[layout.denominator[0]].reciprocal!.text] }
      text = "\\frac{\(text)}{\(joinFactors(bottom))}"
      precedence = atomP
    }
    return layout.negative ? .negated(text, precedence) : Printed(text, precedence)
  }

  /// Juxtaposes factors, with `\cdot` where a digit would follow a digit.
  private static func joinFactors(_ parts: [TextRope]) -> TextRope {
    var pieces: [TextRope] = []
    for p in parts {
      if pieces.isEmpty {
        pieces.append(p)
        continue
      }
      let digitNext = p.startsWithNumber
      pieces += [digitNext ? " \\cdot " : " ", p]
    }
    return TextRope.concatenation(pieces)
  }
}

extension Expr {
  /// LaTeX math for the expression (without `$` delimiters).
  public var latex: String { LatexPrinter.print(self) }

  /// LaTeX with some symbols written by `symbols` (its LaTeX for a name; nil: the symbol as
  /// usual): how other modules print their own atoms. A symbol whose text is `grouped`
  /// (an operator such as `\sum_{k=1}^{C} e^{x_k}`, which would take in what follows it)
  /// is parenthesized as a factor of a product or a power's base; not as a term of a sum,
  /// alone in a fraction's numerator or denominator, or as a function's argument.
  public func latex(symbols: @escaping (String) -> (text: String, grouped: Bool)?) -> String {
    LatexPrinter.print(self, symbols: symbols)
  }
}
