#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// The value and Jacobian of `f` at `x`, from one pullback per output (reverse mode), like
/// `torch.autograd.functional.jacobian` (one `vjp` with a one-hot `grad_output` per row).
///
/// ```
/// jacobian[i][j] = d f(x)_i / d x_j = pullback(e_i)[j]
/// ```
/// Rows are outputs, columns are inputs. NaN/inf propagate exactly as in the primitives'
/// backward formulas with a one-hot upstream gradient (so e.g. `0 * inf = NaN` in a formula
/// still gives NaN, as in PyTorch). A symbolic-zero pullback result becomes a row of zeros.
public func oracleJacobian(
  at x: [Double], of f: @differentiable(reverse) ([Double]) -> [Double]
) -> (value: [Double], jacobian: [[Double]]) {
  let (value, pullback) = valueWithPullback(at: x, of: f)
  var jacobian: [[Double]] = []
  jacobian.reserveCapacity(value.count)
  for i in 0..<value.count {
    var seed = [Double](repeating: 0, count: value.count)
    seed[i] = 1
    jacobian.append(dense(pullback(DoubleTangent(seed)), count: x.count))
  }
  return (value, jacobian)
}

/// The value and gradient of a scalar function `f` at `x` (one pullback with seed 1),
/// like `loss.backward()` in PyTorch.
///
/// ```
/// gradient[j] = d f(x) / d x_j
/// ```
/// NaN/inf behave as in `oracleJacobian`.
public func oracleGradient(
  at x: [Double], of f: @differentiable(reverse) ([Double]) -> Double
) -> (value: Double, gradient: [Double]) {
  let (value, pullback) = valueWithPullback(at: x, of: f)
  return (value, dense(pullback(1), count: x.count))
}
#endif
