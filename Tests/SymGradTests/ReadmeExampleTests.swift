import Testing

@testable import SymGrad

/// The README's Swift example, kept true.
@Suite struct ReadmeExampleTests {
  @Test func swiftExample() throws {
    let x = Expr.symbol("x")
    let y = Expr.symbol("y")
    let f = exp(x) / (exp(x) + exp(y))
    #expect(f.description == "exp(x)/(exp(x) + exp(y))")
    #expect(f.derivative(withRespectTo: x).description == "exp(x)/(exp(x) + exp(y)) - exp(2*x)/(exp(x) + exp(y))**2")
    #expect(f.latex == "\\frac{e^{x}}{e^{x} + e^{y}}")
    #expect(try f.evaluate(at: ["x": -.infinity, "y": 1]) == 0)
    #expect((log(exp(x) + exp(y)) - x).limit(as: x, approaches: .infinity) == .finite(0))

    let abc = ["a", "b", "c"].map(Expr.symbol)
    let s = try Expr.Value(parsing: "softmax([a, b, c])").flattened
    let jac = s.jacobian(withRespectTo: abc)
    #expect((jac[0][0] - s[0] * (1 - s[0])).simplified() == 0)
    let loss = try Expr(parsing: "cross_entropy([[a, b, c]], [1], label_smoothing=0.1)")
    let g = loss.gradient(withRespectTo: abc)
    #expect((g[1] - (s[1] - 0.9 - Expr(1) / 30)).simplified() == 0)
  }
}
