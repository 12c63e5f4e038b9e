import SymGrad
import Testing

/// The replaced spellings still build and mean exactly what their replacements mean, so
/// code written against them keeps working (the test is itself deprecated, which silences
/// the warnings its calls would raise).
@Suite struct DeprecatedSpellingsTests {
  @available(*, deprecated, message: "exercises the deprecated spellings on purpose")
  @Test func oldSpellingsGiveTheSameResults() throws {
    let x = Expr.symbol("x")
    let y = Expr.symbol("y")
    let f = log(exp(x) + exp(y)) - x
    #expect(gradient(of: f, withRespectTo: [x, y]) == f.gradient(withRespectTo: [x, y]))
    #expect(hessian(of: f, withRespectTo: [x, y]) == f.hessian(withRespectTo: [x, y]))
    #expect(jacobian(of: [f, x * y], withRespectTo: [x, y]) == [f, x * y].jacobian(withRespectTo: [x, y]))
    #expect(limit(of: f, as: x, approaches: .plusInfinity) == f.limit(as: x, approaches: .infinity))
    #expect(limit(of: -x, as: x, approaches: .plusInfinity) == .minusInfinity)
    #expect(LimitValue.minusInfinity == .negativeInfinity && LimitPoint.plusInfinity == .infinity)
    let t = try Tensor.symbols("T", shape: [2])
    #expect(
      gradient(of: t.elements[0] * t.elements[1], withRespectTo: t)
        == (t.elements[0] * t.elements[1]).gradient(withRespectTo: t))
    let v: Value = try Value(parsing: "[x, 2]")
    #expect(v == (try Expr.Value(parsing: "[x, 2]")))
    let e: Function = .exp
    let c: Constant = .pi
    #expect(Expr.apply(e, [x]) == exp(x) && Expr.constant(c) == .pi)
  }
}
