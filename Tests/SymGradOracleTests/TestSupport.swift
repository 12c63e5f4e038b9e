#if canImport(_Differentiation)
import Foundation
import SymGradTestSupport
import Testing
import _Differentiation

@testable import SymGradOracle

/// Deterministic SplitMix64 generator, so every run tests the same inputs.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  mutating func doubles(_ n: Int, in range: ClosedRange<Double> = -2...2) -> [Double] {
    (0..<n).map { _ in Double.random(in: range, using: &self) }
  }
}

/// Step of the central differences. With `h = 1e-6` the truncation error is
/// `h^2/6 * |f'''| ~ 1e-13` and the rounding error `~ eps * |f| / h ~ 2e-16 * 10 / 1e-6 = 2e-9`
/// for the O(1..10) values these losses take, so `rtol = 1e-6, atol = 1e-7` (below) leaves
/// two orders of magnitude of margin while still catching any wrong backward formula
/// (a wrong formula is off by O(1e-2) or more on random inputs).
let fdStep = 1e-6
let fdRelativeTolerance = 1e-6
let fdAbsoluteTolerance = 1e-7

/// The Jacobian of `f` at `x` by central differences (rows = outputs, columns = inputs).
func finiteDifferenceJacobian(at x: [Double], h: Double = fdStep, of f: ([Double]) -> [Double]) -> [[Double]] {
  let outputs = f(x).count
  var jac = [[Double]](repeating: [Double](repeating: 0, count: x.count), count: outputs)
  for j in 0..<x.count {
    var plus = x
    var minus = x
    plus[j] += h
    minus[j] -= h
    let fp = f(plus)
    let fm = f(minus)
    for i in 0..<outputs { jac[i][j] = (fp[i] - fm[i]) / (2 * h) }
  }
  return jac
}

/// Checks the oracle's reverse-mode Jacobian of `f` at `x` against central differences.
func expectMatchesFiniteDifferences(
  at x: [Double], _ label: String,
  sourceLocation: SourceLocation = #_sourceLocation,
  of f: @escaping @differentiable(reverse) ([Double]) -> [Double]
) {
  let (value, jac) = oracleJacobian(at: x, of: f)
  #expect(value.allSatisfy { $0.isFinite }, "\(label): non-finite value \(value)", sourceLocation: sourceLocation)
  let fd = finiteDifferenceJacobian(at: x) { f($0) }
  let ok = isApprox(jac, fd, rtol: fdRelativeTolerance, atol: fdAbsoluteTolerance)
  #expect(ok, "\(label): AD \(jac) vs FD \(fd)", sourceLocation: sourceLocation)
}

/// `true` when every entry is NaN.
func allNaN(_ x: [Double]) -> Bool { !x.isEmpty && x.allSatisfy { $0.isNaN } }
#endif
