import Testing

@testable import SymGrad

/// Remembered enclosures (`CertifiedEvaluator.ConstantEnclosures`) change costs, never
/// answers: a sign asked again, or of a constant built on one already asked, is the sign a
/// fresh evaluation gives.
@Suite struct ConstantEnclosureTests {
  /// `elu` applied `n` times to `start`, alpha 1/2.
  static func nest(_ n: Int, _ start: Expr) -> Expr {
    (0..<n).reduce(start) { e, _ in Expr.apply(.elu, [e, Expr.number(Rational(numerator: 1, denominator: 2)!)]) }
  }

  @Test func signsAreTheSameAskedTwiceAndAlongANest() {
    let base = expm1(Expr.number(-1))
    var signs: [Int?] = []
    for depth in [1, 5, 20, 40] {
      let c = Self.nest(depth, base)
      let first = CertifiedEvaluator.signAndPrecision(of: c)
      let again = CertifiedEvaluator.signAndPrecision(of: c)
      #expect(first.sign == again.sign && first.precision == again.precision)
      signs.append(first.sign)
      // Its negation shares every subexpression: the opposite sign.
      #expect(CertifiedEvaluator.signAndPrecision(of: -c).sign == first.sign.map { -$0 })
    }
    #expect(signs == [-1, -1, -1, -1])
  }
}
