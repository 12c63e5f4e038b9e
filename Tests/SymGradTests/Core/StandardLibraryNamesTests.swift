import Foundation
import SymGrad
import Testing

/// SymGrad's elementary functions on `Expr` (`exp`, `log`, `sqrt`, `max`, `min`, `abs`, ...)
/// are overloads, not shadows: in a module that imports SymGrad and Foundation, the same
/// names on numbers still call the standard library's and Foundation's functions, unqualified,
/// with results of the numeric type; on expressions they build expressions.
@Suite struct StandardLibraryNamesTests {
  @Test func numbersKeepTheirFunctions() {
    let d = 2.0
    let i = 3
    let j = -4
    let values: [Double] = [exp(d), log(d), sqrt(d), abs(-d), tanh(d), sin(d), cos(d), log1p(d), expm1(d)]
    let expected: [Double] = [
      Foundation.exp(2.0), Foundation.log(2.0), 2.0.squareRoot(), 2.0, Foundation.tanh(2.0), Foundation.sin(2.0),
      Foundation.cos(2.0), Foundation.log1p(2.0), Foundation.expm1(2.0),
    ]
    #expect(values == expected)
    let ints: [Int] = [max(i, j), min(i, j), abs(j)]
    #expect(ints == [3, -4, 4])
    #expect(max(1.5, 2.5) == 2.5 && min(1.5, 2.5) == 1.5)
  }

  @Test func expressionsBuildExpressions() {
    let x = Expr.symbol("x")
    #expect(exp(x).description == "exp(x)" && max(x, Expr(1)).description == "max(1, x)")
    #expect(sqrt(x) == Expr.power(x, Expr(1) / 2))
  }
}
