#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// How a loss reduces its per-element (or per-row) values, like PyTorch's `reduction=` argument.
///
/// ```
/// none: l            (one value per element / row)
/// mean: sum(l) / D   (D = numel, N, or the summed class weights, depending on the loss)
/// sum:  sum(l)
/// ```
/// Reduced losses are returned as a one-element array so every oracle loss has type
/// `([Double]) -> [Double]` and can be fed to `oracleJacobian(at:of:)`.
public enum OracleReduction: String, Sendable, CaseIterable {
  case none, mean, sum
}

// MARK: - Internal helpers shared by the oracle's primitives

/// The tangent type of `[Double]`.
@usableFromInline typealias DoubleTangent = Array<Double>.DifferentiableView

/// Turns an incoming cotangent into a dense array. Swift's AD uses an empty array as the
/// symbolic zero of `[Double]`; PyTorch always materialises a zero gradient, so we do too.
@inline(__always)
func dense(_ g: DoubleTangent, count: Int) -> [Double] {
  g.base.isEmpty ? [Double](repeating: 0, count: count) : g.base
}

/// Sequential sum (PyTorch uses vectorised / cascade sums; results agree to rounding).
@inline(__always)
func plainSum(_ x: [Double]) -> Double {
  var s = 0.0
  for v in x { s += v }
  return s
}

/// Applies a loss reduction to unreduced values, PyTorch's `apply_loss_reduction`.
///
/// ```
/// none: x;  mean: [x.sum() / x.count];  sum: [x.sum()]
/// ```
/// Backward: `none` passes `g` through, `sum` broadcasts `g`, `mean` broadcasts `g / numel`.
/// A `mean` of zero elements is NaN (0/0), as in PyTorch.
@differentiable(reverse,wrt: x)
func reduceLoss(_ x: [Double], _ reduction: OracleReduction) -> [Double] {
  switch reduction {
  case .none: return x
  case .sum: return [plainSum(x)]
  case .mean: return [plainSum(x) / Double(x.count)]
  }
}

@derivative(of: reduceLoss, wrt: x)
func reduceLossVJP(_ x: [Double], _ reduction: OracleReduction)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let n = x.count
  let value = reduceLoss(x, reduction)
  return (
    value,
    { g in
      switch reduction {
      case .none: return DoubleTangent(dense(g, count: n))
      case .sum:
        let gv = dense(g, count: 1)[0]
        return DoubleTangent([Double](repeating: gv, count: n))
      case .mean:
        // PyTorch: grad.expand(self.sizes()) / numel
        let gv = dense(g, count: 1)[0]
        return DoubleTangent([Double](repeating: gv / Double(n), count: n))
      }
    }
  )
}

/// The pullback of an elementwise loss over `count` elements: the input's cotangent is the
/// element's derivative `derivative(i)` times the element's cotangent (`cotangent`).
func elementwisePullback(
  count n: Int, _ reduction: OracleReduction, _ derivative: @escaping (Int) -> Double
) -> (DoubleTangent) -> DoubleTangent {
  { g in
    let gd = dense(g, count: reduction == .none ? n : 1)
    var gx = [Double](repeating: 0, count: n)
    for i in 0..<n { gx[i] = derivative(i) * cotangent(gd, i, count: n, reduction) }
    return DoubleTangent(gx)
  }
}

/// The cotangent of element `i` of an unreduced loss of `count` elements, from the
/// reduced loss's cotangent `g` (`mean` spreads it over the elements).
func cotangent(_ g: [Double], _ i: Int, count: Int, _ reduction: OracleReduction) -> Double {
  switch reduction {
  case .none: return g[i]
  case .sum: return g[0]
  case .mean: return g[0] / Double(count)
  }
}
#endif
