import Foundation
import SymGradTestSupport
import Testing

@testable import SymGrad

/// The derivative of every function and rule, compared exactly with the expected expression
/// built independently (construction is canonical, so `==` is symbolic identity).
@Suite struct DerivativeTableTests {
  static let x = Expr.symbol("x"), y = Expr.symbol("y")
  let x = DerivativeTableTests.x, y = DerivativeTableTests.y
  let half = Expr(1) / 2

  struct Case: CustomTestStringConvertible, Sendable {
    let name: String
    let f: Expr
    let expected: Expr
    var testDescription: String { name }
  }

  /// d/dx of each unary function applied to x.
  static let table: [Case] = [
    Case(name: "exp", f: exp(x), expected: exp(x)),
    Case(name: "log", f: log(x), expected: 1 / x),
    Case(name: "sin", f: sin(x), expected: cos(x)),
    Case(name: "cos", f: cos(x), expected: -sin(x)),
    Case(name: "tanh", f: tanh(x), expected: 1 - tanh(x) ** 2),
    Case(name: "sigmoid", f: sigmoid(x), expected: sigmoid(x) * (1 - sigmoid(x))),
    Case(name: "softplus", f: softplus(x), expected: sigmoid(x)),
    Case(name: "log1p", f: log1p(x), expected: 1 / (1 + x)),
    Case(name: "expm1", f: expm1(x), expected: exp(x)),
    Case(name: "abs", f: abs(x), expected: sign(x)),
    Case(name: "sign", f: sign(x), expected: 0),
    Case(name: "sqrt", f: sqrt(x), expected: 1 / (2 * sqrt(x))),
    Case(name: "x**3", f: x ** 3, expected: 3 * x ** 2),
    Case(name: "x**-1", f: 1 / x, expected: -1 / x ** 2),
    Case(name: "x**(1/3)", f: x ** (Expr(1) / 3), expected: x ** (Expr(-2) / 3) / 3),
    Case(name: "x**y (d/dx)", f: x ** y, expected: y * x ** (y - 1)),
    Case(name: "x**x", f: x ** x, expected: x ** x * (log(x) + 1)),
    Case(name: "2**x", f: Expr(2) ** x, expected: Expr(2) ** x * log(2)),
    Case(name: "E**x", f: Expr.e ** x, expected: exp(x)),
    Case(name: "chain exp(sin(x))", f: exp(sin(x)), expected: exp(sin(x)) * cos(x)),
    Case(name: "chain sin(x**2)", f: sin(x ** 2), expected: 2 * x * cos(x ** 2)),
    Case(name: "chain log(cos(x))", f: log(cos(x)), expected: -sin(x) / cos(x)),
    Case(name: "product x*sin(x)", f: x * sin(x), expected: sin(x) + x * cos(x)),
    Case(name: "product x*y", f: x * y, expected: y),
    Case(name: "quotient sin(x)/x", f: sin(x) / x, expected: cos(x) / x - sin(x) / x ** 2),
    Case(name: "quotient 1/(1+exp(-x))", f: 1 / (1 + exp(-x)), expected: exp(-x) / (1 + exp(-x)) ** 2),
    Case(name: "sum", f: 3 * x ** 2 + 2 * x + 7, expected: 6 * x + 2),
    Case(name: "number", f: 5, expected: 0),
    Case(name: "pi", f: Expr.pi, expected: 0),
    Case(name: "inf", f: Expr.infinity, expected: 0),
    Case(name: "E", f: Expr.e, expected: 0),
    Case(name: "other symbol", f: y, expected: 0),
    Case(name: "absent variable", f: exp(y) * sin(y) + y ** 3, expected: 0),
    Case(name: "same variable", f: x, expected: 1),
  ]

  @Test(arguments: table)
  func derivative(of c: Case) {
    #expect(c.f.derivative(withRespectTo: x) == c.expected, "got \(c.f.derivative(withRespectTo: x))")
    #expect(c.f.derivative(withRespectTo: "x") == c.expected)
  }

  @Test func powerRuleForSymbolicExponent() {
    #expect(((x ** y).derivative(withRespectTo: y)) == (x ** y * log(x)))
    #expect(((x ** y).derivative(withRespectTo: x)) == (y * x ** (y - 1)))
  }

  @Test func undefinedHasUndefinedDerivative() {
    #expect(Expr.undefined.derivative(withRespectTo: x) == .undefined)
  }

  @Test func maxAndMinSplitTheDerivativeEvenly() throws {
    let s = sign(x - y)
    #expect(max(x, y).derivative(withRespectTo: x) == half * (1 + s))
    #expect(max(x, y).derivative(withRespectTo: y) == half * (1 - s))
    #expect(min(x, y).derivative(withRespectTo: x) == half * (1 - s))
    #expect(min(x, y).derivative(withRespectTo: y) == half * (1 + s))
    #expect(max(y, 3).derivative(withRespectTo: x) == 0)

    // Away from a tie the derivative goes to the selected argument.
    let dmx = max(x, y).derivative(withRespectTo: x)
    let dmy = max(x, y).derivative(withRespectTo: y)
    let dnx = min(x, y).derivative(withRespectTo: x)
    let dny = min(x, y).derivative(withRespectTo: y)
    let above = ["x": 3.0, "y": 1.0]
    #expect(try dmx.evaluateIEEE(at: above) == 1)
    #expect(try dmy.evaluateIEEE(at: above) == 0)
    #expect(try dnx.evaluateIEEE(at: above) == 0)
    #expect(try dny.evaluateIEEE(at: above) == 1)
    // At a tie each argument gets 1/2 (torch.maximum / torch.minimum).
    let tie = ["x": 2.0, "y": 2.0]
    for d in [dmx, dmy, dnx, dny] { #expect(try d.evaluateIEEE(at: tie) == 0.5) }
    // max(x, x**2) at x = 1: 1/2 * 1 + 1/2 * 2x.
    #expect(try max(x, x ** 2).derivative(withRespectTo: x).evaluateIEEE(at: ["x": 1]) == 1.5)
  }

  @Test func absAndSignAtZero() throws {
    // PyTorch conventions: d|x| = sign(x) is 0 at 0 and d sign = 0.
    #expect(try abs(x).derivative(withRespectTo: x).evaluateIEEE(at: ["x": 0]) == 0)
    #expect(try abs(x).derivative(withRespectTo: x).evaluateIEEE(at: ["x": -2]) == -1)
    #expect(try abs(x * y).derivative(withRespectTo: x).evaluateIEEE(at: ["x": 0, "y": 5]) == 0)
  }

  @Test func logSumExp() throws {
    let a = Expr.symbol("a")
    let b = Expr.symbol("b")
    let f = log(exp(a) + exp(b)) - a
    let point = ["a": 1.0, "b": 2.0]
    // Closed forms -e/(1 + e) and e/(1 + e); 1e-12 relative: a handful of libm ops.
    let da = try f.derivative(withRespectTo: a).evaluateIEEE(at: point)
    let db = try f.derivative(withRespectTo: b).evaluateIEEE(at: point)
    #expect(isApprox(da, -0.7310585786300049), "\(da)")
    #expect(isApprox(db, 0.7310585786300049), "\(db)")
    #expect(f.derivative(withRespectTo: a) == exp(a) / (exp(a) + exp(b)) - 1)
    #expect(f.derivative(withRespectTo: b) == exp(b) / (exp(a) + exp(b)))
  }

  @Test func derivativesAreCanonicalAndMemoSafe() {
    // One Differentiator reused across expressions gives the same results as fresh ones.
    var d = Differentiator(variable: x)
    let exprs = [exp(x) * sin(x), sin(x), exp(x) * sin(x) + sin(x) ** 2, tanh(sin(x))]
    for e in exprs { #expect(d.derivative(of: e) == e.derivative(withRespectTo: x)) }
  }

  @Test func secondDerivatives() {
    #expect(sin(x).derivative(withRespectTo: x).derivative(withRespectTo: x) == -sin(x))
    #expect(((x ** 4).derivative(withRespectTo: x).derivative(withRespectTo: x)) == (12 * x ** 2))
    #expect(exp(2 * x).derivative(withRespectTo: x).derivative(withRespectTo: x) == 4 * exp(2 * x))
  }
}
