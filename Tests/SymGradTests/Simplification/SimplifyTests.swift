import SymGradTestSupport
import Testing

@testable import SymGrad

/// `simplified()`: equal expressions simplify their difference to exactly 0; what must not
/// be rewritten (domains, sizes) is not.
@Suite struct SimplifyTests {
  /// Pairs of equal functions written differently. Each pair differs *after* canonical
  /// construction (checked below), so only `simplified()` can make the difference 0.
  static let identities: [(String, String)] = [
    ("x/(x*y + x)", "1/(y + 1)"),
    ("(x**2 - 1)/(x - 1)", "x + 1"),
    ("(x**2 + 2*x*y + y**2)/(x + y)", "x + y"),
    ("1/x + 1/y", "(x + y)/(x*y)"),
    ("exp(a)/(exp(a) + exp(b)) + exp(b)/(exp(a) + exp(b))", "1"),
    ("(exp(2*a) - 1)/(exp(a) + 1)", "exp(a) - 1"),
    ("exp(a)/(exp(a) + exp(b))", "1/(1 + exp(b - a))"),
    ("log(exp(x)/(exp(x) + exp(y)))", "x - log(exp(x) + exp(y))"),
    ("sigmoid(x)*(1 - sigmoid(x))", "sigmoid(x) - sigmoid(x)**2"),
    ("(exp(x)/(exp(x)+exp(y))) * (1 - exp(x)/(exp(x)+exp(y)))", "exp(x + y)/(exp(x) + exp(y))**2"),
    ("x*(1/x - 1) + 1", "2 - x"),
    ("(x + y)**2", "x**2 + 2*x*y + y**2"),
  ]

  @Test(arguments: identities)
  func differenceSimplifiesToZero(_ pair: (String, String)) throws {
    let a = try Expr(parsing: pair.0)
    let b = try Expr(parsing: pair.1)
    // Not already equal by construction: otherwise this would test nothing of simplify.
    #expect(a - b != 0, "\(pair.0) and \(pair.1) are equal before simplification")
    #expect((a - b).simplified() == 0, "\(a) - \(b) -> \((a - b).simplified())")
  }

  /// Unequal expressions stay nonzero; so do expressions equal only on part of the real
  /// line (log(x*y) = log(x) + log(y) needs x, y > 0).
  @Test(arguments: [
    ("x/(x + 1)", "1"), ("exp(a)/(exp(a) + exp(b))", "exp(b)/(exp(a) + exp(b))"), ("log(x*y)", "log(x) + log(y)"),
  ])
  func differentExpressionsDoNotCancel(_ pair: (String, String)) throws {
    let a = try Expr(parsing: pair.0)
    let b = try Expr(parsing: pair.1)
    #expect((a - b).simplified() != 0)
  }

  /// Rewrites that would widen the domain: exp(log(x)) is undefined for x <= 0 and x is
  /// not, so is sqrt(x)**2; log(x**2) is defined for x < 0 and 2*log(x) is not. Each stays
  /// as written, and its difference from the wider form does not simplify to 0.
  @Test(arguments: [("exp(log(x))", "x"), ("sqrt(x)**2", "x"), ("log(x**2)", "2*log(x)")])
  func domainRestrictingFormsStay(_ pair: (String, String)) throws {
    let e = try Expr(parsing: pair.0)
    let wider = try Expr(parsing: pair.1)
    #expect(e.simplified() == e, "\(e) -> \(e.simplified())")
    #expect((e - wider).simplified() != 0, "\(e) - \(wider) -> \((e - wider).simplified())")
  }

  /// Powers of sums stay powers (expanding them grows the expression and, for
  /// non-polynomial bases, loses precision), also inside functions.
  @Test(arguments: [
    ("(b + 2)**12", "b + 2", 12),
    ("-(log(exp(3) + exp(W)) - 3)**15", "log(exp(3) + exp(W)) - 3", 15),
  ])
  func powersOfSumsAreNotExpanded(_ text: String, _ base: String, _ exponent: Int) throws {
    let s = try Expr(parsing: text).simplified()
    let power = try Expr(parsing: base) ** Expr.number(exponent)
    #expect(s == power || s == -power, "\(text) -> \(s)")
  }

  @Test func powerInsideAFunctionIsNotExpanded() throws {
    let e = try Expr(parsing: "sin((z + 100000)**4/16)")
    #expect(e.simplified() == e, "\(e) -> \(e.simplified())")
  }

  /// The value never changes (checked at a few points).
  @Test(arguments: identities.map(\.0))
  func valuePreserved(_ text: String) throws {
    let e = try Expr(parsing: text)
    let s = e.simplified()
    for p in [["x": 0.7, "y": 1.3, "a": -0.4, "b": 2.1], ["x": 2.5, "y": -0.6, "a": 1.0, "b": 0.5]] {
      let (u, v) = (try e.evaluate(at: p), try s.evaluate(at: p))
      // O(1) values, each side a dozen or so libm operations (~1 ulp each): 1e-12 relative
      // and absolute is far above their rounding and far below any change of value.
      #expect(isApprox(u, v, rtol: 1e-12, atol: 1e-12), "\(e) = \(u), simplified \(s) = \(v)")
    }
  }

  /// The softmax Jacobian is diag(s) - s s^T: each entry, differentiated symbolically,
  /// minus the closed form simplifies to 0.
  @Test func softmaxJacobianIsDiagMinusOuter() throws {
    let xs = ["x0", "x1", "x2"].map(Expr.symbol)
    let s = try Expr.Value(parsing: "softmax([x0, x1, x2])").flattened
    let j = s.jacobian(withRespectTo: xs)
    for r in 0..<3 {
      for c in 0..<3 {
        let expected = (r == c ? s[r] : 0) - s[r] * s[c]
        #expect((j[r][c] - expected).simplified() == 0)
      }
    }
  }
}
