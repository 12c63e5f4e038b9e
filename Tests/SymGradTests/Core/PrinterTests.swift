import Testing

@testable import SymGrad

/// Exact output of the text (Python/sympy syntax) and LaTeX printers.
@Suite struct PrinterTests {
  static let x = Expr.symbol("x"), y = Expr.symbol("y"), z = Expr.symbol("z")
  static let half = Expr(1) / 2

  struct Case: CustomTestStringConvertible, Sendable {
    let expression: Expr
    let expected: String
    var testDescription: String { expected }
    init(_ expression: Expr, _ expected: String) {
      self.expression = expression
      self.expected = expected
    }
  }

  static let textCases: [Case] = [
    Case(exp(x) / (exp(x) + exp(y)), "exp(x)/(exp(x) + exp(y))"),
    Case(x ** 2, "x**2"),
    Case(x - 1, "x - 1"),
    Case(1 - x, "1 - x"),
    Case(-3 * x / 4, "-3*x/4"),
    Case(sqrt(x), "sqrt(x)"),
    Case(1 / sqrt(x), "1/sqrt(x)"),
    Case(x / (2 * y), "x/(2*y)"),
    Case(.infinity, "inf"),
    Case(.negativeInfinity, "-inf"),
    Case(.undefined, "nan"),
    Case(Expr.e, "E"),
    Case(.pi, "pi"),
    Case(x, "x"),
    Case(-x, "-x"),
    Case(2 * x, "2*x"),
    Case(x / 2, "x/2"),
    Case(1 / x, "1/x"),
    Case(-1 / x, "-1/x"),
    Case(1 / x ** 2, "1/x**2"),
    Case(1 / (x + 1), "1/(x + 1)"),
    Case((x + 1) ** 2, "(x + 1)**2"),
    Case(half, "1/2"),
    Case(-half, "-1/2"),
    Case(Expr(-7), "-7"),
    Case(x + half, "x + 1/2"),
    Case(x ** half, "sqrt(x)"),
    Case(x ** (Expr(1) / 3), "x**(1/3)"),
    Case(x ** (Expr(-3) / 2), "1/x**(3/2)"),
    Case(half ** x, "(1/2)**x"),
    Case(Expr(-2) ** x, "(-2)**x"),
    Case(x ** (-y), "x**(-y)"),
    Case(x ** (2 * y), "x**(2*y)"),
    Case(sin(x) ** 2, "sin(x)**2"),
    Case(exp(-x), "exp(-x)"),
    Case(-(x + y), "-x - y"),
    Case(x - y, "x - y"),
    Case(x * y * z, "x*y*z"),
    Case(-x * y / z, "-x*y/z"),
    Case(max(x, y), "max(x, y)"),
    Case(min(y, x), "min(x, y)"),
    Case(log(x) * sigmoid(y), "log(x)*sigmoid(y)"),
    Case(2 * sqrt(Expr(2)), "2*sqrt(2)"),
    Case(x * .infinity, "inf*x"),
    Case(Expr(10) ** 20, "100000000000000000000"),
    Case(Expr.symbol("x[0]") + 1, "x[0] + 1"),
  ]

  @Test(arguments: textCases)
  func text(_ c: Case) throws {
    #expect(c.expression.description == c.expected)
    // Every printed text parses back to the same node.
    #expect(try Expr(parsing: c.expected) == c.expression)
  }

  static let latexCases: [Case] = [
    Case(exp(x) / (exp(x) + exp(y)), "\\frac{e^{x}}{e^{x} + e^{y}}"),
    Case(.symbol("x0"), "x_{0}"),
    Case(.symbol("w_01"), "w_{01}"),
    Case(.symbol("x12"), "x_{12}"),
    Case(.symbol("x[0][1]"), "x_{0,1}"),
    Case(.symbol("alpha"), "\\alpha"),
    Case(.symbol("loss"), "\\mathrm{loss}"),
    Case(log(x), "\\log\\left(x\\right)"),
    Case(sigmoid(x), "\\sigma\\left(x\\right)"),
    Case(x ** 2, "x^{2}"),
    Case(sqrt(x), "\\sqrt{x}"),
    Case(1 / x, "\\frac{1}{x}"),
    Case(1 / sqrt(x), "\\frac{1}{\\sqrt{x}}"),
    Case(x / (2 * y), "\\frac{x}{2 y}"),
    Case(-3 * x / 4, "-\\frac{3 x}{4}"),
    Case(half, "\\frac{1}{2}"),
    Case(x - 1, "x - 1"),
    Case(.infinity, "\\infty"),
    Case(.negativeInfinity, "-\\infty"),
    Case(.pi, "\\pi"),
    Case(Expr.e, "e"),
    Case(exp(-x), "e^{-x}"),
    Case(abs(x), "\\left|x\\right|"),
    Case((x + 1) ** 2, "\\left(x + 1\\right)^{2}"),
    Case(x ** (Expr(1) / 3), "x^{\\frac{1}{3}}"),
    Case(2 * Expr(2) ** x, "2 \\cdot 2^{x}"),
    Case(sin(x) * cos(y), "\\sin\\left(x\\right) \\cos\\left(y\\right)"),
    Case(max(x, y), "\\max\\left(x, y\\right)"),
  ]

  @Test(arguments: latexCases)
  func latex(_ c: Case) {
    #expect(c.expression.latex == c.expected)
  }

  @Test func coefficientTimesSumRoundTrips() throws {
    // A product holding a coefficient, a sum and another factor prints with the sum
    // right after the coefficient; reading it back must give the same node.
    let x = PrinterTests.x
    let y = PrinterTests.y
    for e in [
      Expr.product([2, x + 1, 1 / y]), Expr.product([-1, x - y, y]),
      Expr.product([Expr(5) / 3, cos(x) + 3, 1 / (y - x)]),
    ] {
      let parsed = try Expr(parsing: e.description)
      #expect(parsed == e, "\(e.description) parsed as \(parsed.description)")
    }
  }

  @Test func printersDoNotRecurse() {
    // A deep chain prints (the printers fold the DAG iteratively).
    var e = PrinterTests.x
    for _ in 0..<2_000 { e = sin(e) }
    let text = e.description
    #expect(text.hasPrefix("sin(sin("))
    #expect(text.count == 2_000 * 5 + 1)
    #expect(e.latex.hasPrefix("\\sin\\left(\\sin\\left("))
  }

  @Test func sharedSubexpressionsPrintInFull() {
    let s = exp(PrinterTests.x) + exp(PrinterTests.y)
    let e = exp(PrinterTests.x) / s + exp(PrinterTests.y) / s
    // Both terms lead with the same atom, so their order is the (deterministic) hash order.
    let a = "exp(x)/(exp(x) + exp(y))"
    let b = "exp(y)/(exp(x) + exp(y))"
    #expect([a + " + " + b, b + " + " + a].contains(e.description), "\(e.description)")
    #expect(e.description == e.description)
  }
}
