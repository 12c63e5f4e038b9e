/// Prints expressions in Python/sympy syntax, e.g. `exp(x)/(exp(x) + exp(y))`, `x**2`,
/// `-3*x/4`, `sqrt(x)`, `inf`, `nan`. Parsing the printed text gives back the same
/// expression (canonical forms make this exact). Terms and factors come in the canonical
/// order, numbers last in sums (`x - 1`). Works without recursion on any depth.
enum TextPrinter {
  static let sumPrecedence = 10, productPrecedence = 20, powerPrecedence = 30, atomPrecedence = 40

  /// A printed node. `abs` is the text without a leading minus when `negative`. A class:
  /// each node's result is stored once and shared by every parent that prints it.
  final class Printed {
    var text: TextRope
    var precedence: Int
    var negative = false
    var absText: TextRope = ""
    var absPrecedence = 0
    /// For a power with a negative numeric exponent: the text of its reciprocal.
    var reciprocal: (text: TextRope, precedence: Int)?

    init(_ text: TextRope, _ precedence: Int) {
      self.text = text
      self.precedence = precedence
      absText = text
      absPrecedence = precedence
    }

    static func negated(_ abs: TextRope, _ absPrecedence: Int) -> Printed {
      let p = Printed("-" + wrap(abs, absPrecedence, above: productPrecedence - 1), productPrecedence)
      p.negative = true
      p.absText = abs
      p.absPrecedence = absPrecedence
      return p
    }
  }

  static func wrap(_ text: TextRope, _ precedence: Int, above minimum: Int) -> TextRope {
    precedence > minimum ? text : "(" + text + ")"
  }

  /// The text syntax: SymGrad's expression language, or what `sympy.sympify` reads.
  enum Dialect {
    case symgrad
    /// `oo`/`-oo`/`nan` for the constants, `Abs`/`Max`/`Min`, the functions sympy lacks
    /// written out (`sigmoid(x)` as `1/(1 + exp(-x))`, `softplus(x)` as `log(1 + exp(x))`,
    /// `log1p`, `expm1`, `unit_interval(x)` as a `Piecewise` that is `nan` outside
    /// [0, 1]), and symbols whose names sympy would read otherwise as `Symbol('name')`.
    case sympy
  }

  static func print(
    _ e: Expr, decimals: Bool = false, dialect: Dialect = .symgrad, symbols: ((String) -> String?)? = nil
  ) -> String {
    var memo: [Expr: Printed] = [:]
    let text = e.fold(memo: &memo) { node, kids in
      if let symbols, case .symbol(let name) = node.kind, let text = symbols(name) {
        return Printed(TextRope(text), atomPrecedence)
      }
      return render(node, kids, decimals, dialect)
    }.text
    return PrintLimits.fits(text) ? text.string : PrintLimits.oversizedText(e)
  }

  /// Single letters sympy's namespace takes (`E`, `I`, `N`, `O`, `Q`, `S`; `C` was one);
  /// other letters, optionally followed by digits or `_` and word characters, are plain
  /// symbols for `sympify`. Every other name is written `Symbol('name')` (`x[0]`, `gamma`,
  /// `beta`, `lambda`, `logits`: names sympy reads as functions, keywords or not at all).
  static func sympySymbol(_ name: String) -> String {
    let chars = Array(name)
    let reserved: Set<Character> = ["E", "I", "N", "O", "Q", "S", "C"]
    if let first = chars.first, first.isASCII, first.isLetter, !reserved.contains(first) {
      var i = 1
      while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
      if i == chars.count { return name }
      if chars[i] == "_", chars[i...].allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) {
        return name
      }
    }
    let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
    return "Symbol('" + escaped + "')"
  }

  /// The decimal text of `r` when it terminates (denominator 2^a 5^b) and is short.
  static func decimalText(_ r: Rational) -> String? {
    var d = r.denominator
    var twos = 0
    var fives = 0
    while d.isEven {
      d = d / 2
      twos += 1
    }
    while (d % 5).isZero {
      d = d / 5
      fives += 1
    }
    guard d == BigInt(1) else { return nil }
    let places = Swift.max(twos, fives)
    guard places > 0, places <= 20 else { return nil }
    let scaled = r.magnitude.numerator * (BigInt(10).power(places) / r.denominator)
    var digits = scaled.description
    if digits.count <= places { digits = String(repeating: "0", count: places - digits.count + 1) + digits }
    var text = String(digits.dropLast(places)) + "." + String(digits.suffix(places))
    while text.hasSuffix("0") { text.removeLast() }
    return (r.signum < 0 ? "-" : "") + text
  }

  private static func render(_ node: Expr, _ kids: [Printed], _ decimals: Bool, _ dialect: Dialect) -> Printed {
    switch node.kind {
    case .number(let r):
      let m = r.magnitude
      if decimals, let d = decimalText(m) {
        return r.signum < 0 ? .negated(TextRope(d), atomPrecedence) : Printed(TextRope(d), atomPrecedence)
      }
      let abs = Printed(TextRope(m.description), m.isInteger ? atomPrecedence : productPrecedence)
      return r.signum < 0 ? .negated(abs.text, abs.precedence) : abs
    case .symbol(let s): return Printed(TextRope(dialect == .sympy ? sympySymbol(s) : s), atomPrecedence)
    case .constant(let c):
      let infinity: TextRope = dialect == .sympy ? "oo" : "inf"
      switch c {
      case .infinity: return Printed(infinity, atomPrecedence)
      case .negativeInfinity: return .negated(infinity, atomPrecedence)
      case .undefined: return Printed("nan", atomPrecedence)
      case .pi: return Printed("pi", atomPrecedence)
      }
    case .sum(let terms):
      return renderSum(terms, kids) { wrap($0, $1, above: $2) }
    case .product(let factors):
      return renderFraction(ProductLayout(factors), kids, decimals, dialect)
    case .power(let b, let e):
      let base = kids[0]
      let exponent = kids[1]
      var p: Printed
      if e.rationalValue == Rational(numerator: 1, denominator: 2)! {
        p = Printed("sqrt(" + base.text + ")", atomPrecedence)
      } else {
        let baseNeedsParens =
          base.precedence <= powerPrecedence || base.negative
          || (b.rationalValue.map { !$0.isInteger } ?? false)
        let baseText = baseNeedsParens ? "(" + base.text + ")" : base.text
        // `**` is right-associative: a power in the exponent needs no parentheses
        // (x**y**z is x**(y**z)), which keeps printed towers as shallow as their parse.
        let expText =
          exponent.precedence >= powerPrecedence && !exponent.negative
          ? exponent.text : "(" + exponent.text + ")"
        p = Printed(baseText + "**" + expText, powerPrecedence)
      }
      if let r = e.rationalValue, r.signum < 0 {
        // Shown as 1/(b**(-e)); the reciprocal text is what a product puts below the bar.
        let m = -r
        let baseNeedsParens =
          base.precedence <= powerPrecedence || base.negative
          || (b.rationalValue.map { !$0.isInteger } ?? false)
        let baseText = baseNeedsParens ? "(" + base.text + ")" : base.text
        let inv: (text: TextRope, precedence: Int)
        if m == Rational(1) {
          inv = (base.text, base.precedence)
        } else if m == Rational(numerator: 1, denominator: 2)! {
          inv = ("sqrt(" + base.text + ")", atomPrecedence)
        } else {
          inv = (baseText + "**" + TextRope(m.isInteger ? m.description : "(" + m.description + ")"), powerPrecedence)
        }
        p = Printed("1/" + wrap(inv.text, inv.precedence, above: productPrecedence), productPrecedence)
        p.reciprocal = inv
      }
      return p
    case .apply(let f, let args):
      if f == .exp, args[0].isOne { return Printed("E", atomPrecedence) }
      // erfcx is internal to the limit engine (a message may show it): its definition,
      // which both dialects read.
      if dialect == .sympy || f == .erfcx { return sympyCall(f, kids) }
      // where(u > 0, a, b): the language's torch.where of a comparison.
      if let comparison = f.selectionComparison {
        return Printed(
          "where(" + kids[0].text + " \(comparison.rawValue) 0, " + kids[1].text + ", " + kids[2].text + ")",
          atomPrecedence)
      }
      // The language's spelling: gelu_tanh(x) is gelu(x, approximate="tanh").
      if f == .geluTanh { return Printed("gelu(" + kids[0].text + ", approximate=\"tanh\")", atomPrecedence) }
      return Printed(
        TextRope(f.rawValue) + "(" + TextRope.joined(kids.map(\.text), separator: ", ") + ")", atomPrecedence)
    }
  }

  /// A sum from its printed terms, in the printing order, with ` - ` for negative terms;
  /// shared by the text and LaTeX printers (`wrap` parenthesizes in each syntax).
  static func renderSum(_ terms: [Expr], _ kids: [Printed], wrap: (TextRope, Int, Int) -> TextRope) -> Printed {
    var parts: [TextRope] = []
    for (n, i) in sumOrder(terms, kids).enumerated() {
      let k = kids[i]
      if n == 0 {
        parts += k.negative ? ["-", wrap(k.absText, k.absPrecedence, sumPrecedence)] : [k.text]
      } else if k.negative {
        parts += [" - ", wrap(k.absText, k.absPrecedence, sumPrecedence)]
      } else {
        parts += [" + ", wrap(k.text, k.precedence, sumPrecedence)]
      }
    }
    return Printed(TextRope.concatenation(parts), sumPrecedence)
  }

  /// Numbers go last, as sympy prints them (`x - 1`), unless that would put a minus sign
  /// first (`1 - x`).
  static func sumOrder(_ terms: [Expr], _ kids: [Printed]) -> [Int] {
    let order = Array(terms.indices)
    guard case .number = terms[0].kind, terms.count > 1, !kids[1].negative else { return order }
    return Array(order.dropFirst()) + [0]
  }

  /// A call in sympy's names; the functions sympy lacks, written out in parentheses.
  private static func sympyCall(_ f: Expr.Function, _ kids: [Printed]) -> Printed {
    let x = kids[0].text
    func call(_ name: String) -> Printed {
      Printed(TextRope(name) + "(" + TextRope.joined(kids.map(\.text), separator: ", ") + ")", atomPrecedence)
    }
    switch f {
    case .exp, .log, .sin, .cos, .tanh, .sign, .erf, .erfc: return call(f.rawValue)
    case .abs: return call("Abs")
    case .max: return call("Max")
    case .min: return call("Min")
    case .sigmoid: return Printed("(1/(1 + exp(-(\(x)))))", atomPrecedence)
    case .softplus: return Printed("log(1 + exp(\(x)))", atomPrecedence)
    case .log1p: return Printed("log(1 + (\(x)))", atomPrecedence)
    case .expm1: return Printed("(exp(\(x)) - 1)", atomPrecedence)
    case .unitInterval: return Printed("Piecewise((\(x), (\(x) >= 0) & (\(x) <= 1)), (nan, True))", atomPrecedence)
    // Activations: their definitions (Activations/Function+Definition.swift).
    case .silu: return Printed("((\(x))/(1 + exp(-(\(x)))))", atomPrecedence)
    case .mish: return Printed("((\(x))*tanh(log(1 + exp(\(x)))))", atomPrecedence)
    case .softsign: return Printed("((\(x))/(1 + Abs(\(x))))", atomPrecedence)
    case .geluTanh:
      return Printed(
        "((\(x))/(1 + exp(-2*sqrt(2/pi)*((\(x)) + 44715*(\(x))**3/1000000))))", atomPrecedence)
    case .hardswish: return Printed("((\(x))*Min(Max((\(x)) + 3, 0), 6)/6)", atomPrecedence)
    case .gelu: return Printed("((\(x))*erfc(-(\(x))/sqrt(2))/2)", atomPrecedence)
    case .erfcx: return Printed("(exp((\(x))**2)*erfc(\(x)))", atomPrecedence)
    case .elu: return Printed("(Max(\(x), 0) + (\(kids[1].text))*(exp(Min(\(x), 0)) - 1))", atomPrecedence)
    case .wherePositive, .whereNonNegative, .whereZero:
      let relation = f == .whereZero ? "Eq(\(x), 0)" : "(\(x)) \(f.selectionComparison!.rawValue) 0"
      return Printed("Piecewise((\(kids[1].text), \(relation)), (\(kids[2].text), True))", atomPrecedence)
    }
  }

  private static func renderFraction(_ layout: ProductLayout, _ kids: [Printed], _ decimals: Bool, _ dialect: Dialect)
    -> Printed
  {
    var layout = layout
    if decimals, let n = layout.numeratorNumber ?? BigInt(1) as BigInt?, let d = layout.denominatorNumber,
      let text = decimalText(Rational(numerator: n, denominator: d)!)
    {
      layout.decimalCoefficient = text
      layout.numeratorNumber = nil
      layout.denominatorNumber = nil
    }
    var top: [TextRope] = []
    var topPrecedence = atomPrecedence
    if let n = layout.numeratorNumber { top.append(TextRope(n.description)) }
    if let t = layout.decimalCoefficient { top.append(TextRope(t)) }
    if layout.infinity { top.append(dialect == .sympy ? "oo" : "inf") }
    for i in layout.numerator {
      let k = kids[i]
      top.append(wrap(k.text, k.precedence, above: productPrecedence))
      topPrecedence = k.precedence
    }
    var bottom: [TextRope] = []
    if let d = layout.denominatorNumber { bottom.append(TextRope(d.description)) }
    var bottomPrecedence = atomPrecedence
    for i in layout.denominator {
      let r = kids[i].reciprocal!
      bottom.append(wrap(r.text, r.precedence, above: productPrecedence))
      bottomPrecedence = r.precedence > productPrecedence ? r.precedence : atomPrecedence
    }
    var text: TextRope = top.isEmpty ? "1" : TextRope.joined(top, separator: "*")
    if top.count > 1 { topPrecedence = productPrecedence }
    if top.isEmpty { topPrecedence = atomPrecedence }
    if !bottom.isEmpty {
      // `2*(x + y)` read on its own distributes (2*x + 2*y), so a numeric denominator
      // next to a sum is written as its own divisor: `a/3/(x + y)`, not `a/(3*(x + y))`.
      let numberBesideSum =
        layout.denominatorNumber != nil
        && layout.denominator.contains { kids[$0].reciprocal!.precedence <= sumPrecedence }
      if numberBesideSum {
        text += "/" + bottom[0]
        bottom.removeFirst()
        bottomPrecedence = bottom.count == 1 ? bottomPrecedence : productPrecedence
      }
      let single = bottom.count == 1 && bottomPrecedence > productPrecedence
      text += "/" + (single ? bottom[0] : "(" + TextRope.joined(bottom, separator: "*") + ")")
      topPrecedence = productPrecedence
    }
    return layout.negative ? .negated(text, topPrecedence) : Printed(text, topPrecedence)
  }
}

extension Expr {
  /// Whether the printers show this node without operators (symbol, number, call).
  var isAtomLike: Bool {
    switch kind {
    case .symbol, .constant, .apply: return true
    case .number(let r): return r.isInteger && r.signum >= 0
    case .power(_, let e): return e.rationalValue == Rational(numerator: 1, denominator: 2)!
    default: return false
    }
  }
}

extension Expr: CustomStringConvertible {
  /// Python/sympy syntax; `Expr(parsing: e.description) == e`.
  public var description: String { TextPrinter.print(self) }

  /// The text form with terminating fractions written as decimals (`1.3032*w00` rather
  /// than `1629*w00/1250`); it parses back to the same expression.
  public var decimalDescription: String { TextPrinter.print(self, decimals: true) }

  /// Text that `sympy.sympify` reads as this expression (see `TextPrinter.Dialect.sympy`):
  /// `oo`, `nan`, `Abs`, `Max`, `Min`, sigmoid and softplus written out.
  public var sympyDescription: String { TextPrinter.print(self, dialect: .sympy) }

  /// The sympy text with some symbols written by `symbols` (its text for a name, printed
  /// as an atom; nil: the symbol as usual). Other modules print their own atoms this way:
  /// the index-notation module writes `X[n, c]`, `KroneckerDelta(t[n], c)` and `Sum(...)`.
  public func sympyDescription(symbols: @escaping (String) -> String?) -> String {
    TextPrinter.print(self, dialect: .sympy, symbols: symbols)
  }
}
