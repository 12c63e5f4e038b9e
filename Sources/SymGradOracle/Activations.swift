#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// PyTorch's activation functions as ATen computes them (float64, CPU), forward and backward.
///
/// Each case states the forward and the backward of its ATen kernel; at a kink the backward
/// is what the kernel returns there (e.g. `relu` gives 0 at 0).
public enum OracleActivation: Sendable {
  /// `threshold_backward`: `x > 0 ? g : 0`.
  case relu
  /// `leaky_relu_backward`: `x > 0 ? g : g * slope`.
  case leakyRelu(negativeSlope: Double)
  /// `hardtanh_backward`: `x <= lo || x >= hi ? 0 : g` (`relu6` is `hardtanh(0, 6)`).
  case hardtanh(min: Double, max: Double)
  /// `min(x, 0) - log1p(exp(-|x|))`; backward `g sigmoid(-x)`.
  case logsigmoid

  func value(_ x: Double) -> Double {
    switch self {
    case .relu: return x > 0 ? x : 0
    case .leakyRelu(let s): return x > 0 ? x : x * s
    case .hardtanh(let lo, let hi): return Swift.min(Swift.max(x, lo), hi)
    case .logsigmoid: return Swift.min(x, 0) - log1p(exp(-Swift.abs(x)))
    }
  }

  func derivative(_ x: Double) -> Double {
    switch self {
    case .relu: return x > 0 ? 1 : 0
    case .leakyRelu(let s): return x > 0 ? 1 : s
    case .hardtanh(let lo, let hi): return x <= lo || x >= hi ? 0 : 1
    case .logsigmoid: return 1 / (1 + exp(x))
    }
  }
}

/// An activation applied elementwise, differentiable with the kernel's own backward.
@differentiable(reverse,wrt: x)
public func activation(_ x: [Double], _ kind: OracleActivation) -> [Double] {
  var out = [Double](repeating: 0, count: x.count)
  for i in 0..<x.count { out[i] = kind.value(x[i]) }
  return out
}

@derivative(of: activation, wrt: x)
@usableFromInline
func activationVJP(_ x: [Double], _ kind: OracleActivation)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let y = activation(x, kind)
  return (
    y,
    { g in
      let gd = dense(g, count: x.count)
      var gx = [Double](repeating: 0, count: x.count)
      for i in 0..<x.count { gx[i] = gd[i] * kind.derivative(x[i]) }
      return DoubleTangent(gx)
    }
  )
}
#endif
