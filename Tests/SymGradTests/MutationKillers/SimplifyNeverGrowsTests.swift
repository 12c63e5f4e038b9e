import Testing

@testable import SymGrad

/// `simplified()` never makes an expression bigger (issue 8: expanding
/// `-(log(exp(3) + exp(W)) - 3)**15` into 16 terms made it 10^6 worse in double
/// evaluation; `sin((z + 100000)**4/16)` was expanded inside `sin`). Size is measured here
/// as the length of the printed text, independently of the simplifier's own node count.
@Suite struct SimplifyNeverGrowsTests {
  @Test(arguments: [
    "(b + 2)**12",
    "sin((z + 100000)**4/16)",
    "-(log(exp(3) + exp(W)) - 3)**15",
    "(x + y)**8 * exp(x)",
  ])
  func simplifiedIsNoLongerThanTheInput(_ text: String) throws {
    let e = try Expr(parsing: text)
    let s = e.simplified()
    #expect(s.description.count <= e.description.count, "\(text) simplified to \(s)")
  }

  /// The positive control: where normal forms shrink the expression they are still used.
  @Test func simplificationStillCancels() throws {
    #expect(try Expr(parsing: "(x + 1)**2 - x**2 - 2*x - 1").simplified() == .zero)
    #expect(try Expr(parsing: "(b + 2)**12 - (b + 2)**12").simplified() == .zero)
  }
}
