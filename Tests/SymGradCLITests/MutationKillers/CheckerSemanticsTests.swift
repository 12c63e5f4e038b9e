import Foundation
import Testing

@testable import SymGradCLI

/// The checker's comparison rule, entry by entry, and its values at infinite inputs.
/// Written for `Scripts/mutation-check`: each test pins a property whose mutation the
/// end-to-end tests did not notice.
@Suite struct CheckerSemanticsTests {
  let exact = (rtol: 1e-9, atol: 1e-12)

  func agrees(_ s: Double, _ r: Double) -> Bool {
    Checker().compare("reference", [[s]], [[r]], ["x"], exact).agrees
  }

  /// |s - r| <= atol + rtol |r| is symmetric in the sign of the error: 1 vs 1 + 1e-6 is
  /// 1e-6 apart, far beyond 1e-12 + 1e-9, whichever side is larger.
  @Test func anErrorOfEitherSignDisagrees() {
    #expect(!agrees(1, 1 + 1e-6))
    #expect(!agrees(1 + 1e-6, 1))
    #expect(!agrees(-3, 2))
    #expect(!agrees(2, -3))
    #expect(agrees(1, 1 + 1e-13))
    #expect(agrees(1 + 1e-13, 1))
  }

  /// NaN agrees only with NaN, an infinity only with the same infinity.
  @Test func nanAndInfinitiesAgreeOnlyWithThemselves() {
    #expect(!agrees(.nan, 0.5))
    #expect(!agrees(0.5, .nan))
    #expect(agrees(.nan, .nan))
    #expect(!agrees(.infinity, 1e300))
    #expect(!agrees(.infinity, -.infinity))
    #expect(agrees(-.infinity, -.infinity))
    let c = Checker().compare("reference", [[.nan, 1]], [[1, 1]], ["x", "y"], exact)
    #expect(c.disagreements.count == 1)
  }

  /// A report that consulted no reference is not an agreement (nothing was checked).
  @Test func noReferenceIsNoAgreement() {
    let none = Checker.Report(
      expression: "x", variables: ["x"], symbolic: [[1]], ieee: [[1]],
      comparisons: [], skipped: [(reference: "all", reason: "test")])
    #expect(!none.agrees)
    let one = Checker().compare("reference", [[1]], [[1]], ["x"], exact)
    let some = Checker.Report(
      expression: "x", variables: ["x"], symbolic: [[1]], ieee: [[1]],
      comparisons: [one], skipped: [])
    #expect(some.agrees)
  }

  /// At an infinite input the symbolic value is the limit, even where IEEE arithmetic gives
  /// a number: d/dy of y*(1 + 1/x)**x at x = inf is lim (1 + 1/x)**x = e, while IEEE's
  /// pow(1, inf) = 1.
  @Test func symbolicValuesAtInfiniteInputsAreLimits() throws {
    let report = try Checker().check("y*(1 + 1/x)**x", variables: ["y"], at: ["x": .infinity, "y": 1])
    #expect(report.ieee[0][0] == 1)
    #expect(report.symbolic[0][0] == M_E)
  }
}
