import SymGradTestSupport
import Testing

/// The helper itself: a broken comparison would make every numeric test vacuous.
@Suite struct ApproxTests {
  @Test func nanEqualsNaNOnly() {
    #expect(isApprox(.nan, .nan))
    #expect(!isApprox(.nan, 0))
    #expect(!isApprox(1, .nan))
  }

  @Test func infinitiesCompareExactly() {
    #expect(isApprox(.infinity, .infinity))
    #expect(isApprox(-.infinity, -.infinity))
    #expect(!isApprox(.infinity, -.infinity))
    #expect(!isApprox(.infinity, .greatestFiniteMagnitude))
    #expect(!isApprox(.infinity, .nan))
  }

  @Test func relativeAndAbsoluteTolerances() {
    #expect(isApprox(1, 1 + 1e-13))
    #expect(!isApprox(1, 1 + 1e-9))
    #expect(isApprox(1e20, 1e20 * (1 + 1e-13)))
    #expect(!isApprox(1e-20, 2e-20))
    #expect(isApprox(0, 1e-310))
    #expect(isApprox(0, 1e-8, atol: 1e-6))
    #expect(!isApprox(0, 1e-8, rtol: 0.5, atol: 0))
    // Symmetric: the scale is max(|a|, |b|), whichever argument is the reference.
    #expect(isApprox(1, 1.5, rtol: 0.34, atol: 0) && isApprox(1.5, 1, rtol: 0.34, atol: 0))
    #expect(!isApprox(1, 1.5, rtol: 0.33, atol: 0) && !isApprox(1.5, 1, rtol: 0.33, atol: 0))
  }

  @Test func arraysCompareElementWiseAndByShape() {
    #expect(isApprox([1, .nan, -.infinity], [1 + 1e-13, .nan, -.infinity]))
    #expect(!isApprox([1, 2], [1, 2, 3]))
    #expect(!isApprox([1, 2], [1, 2.1]))
    #expect(isApprox([[1], [2, 3]], [[1], [2, 3]]))
    #expect(!isApprox([[1], [2, 3]], [[1, 2], [3]]))
  }
}
