#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// PyTorch's activation functions as ATen computes them (float64, CPU), forward and backward.
///
/// Each case states the forward and the backward of its ATen kernel; at a kink the backward
/// is what the kernel returns there (e.g. `relu` gives 0 at 0, `hardswish` 0 at -3).
public enum OracleActivation: Sendable {
  /// `threshold_backward`: `x > 0 ? g : 0`.
  case relu
  /// `leaky_relu_backward`: `x > 0 ? g : g * slope`.
  case leakyRelu(negativeSlope: Double)
  /// `hardtanh_backward`: `x <= lo || x >= hi ? 0 : g` (`relu6` is `hardtanh(0, 6)`).
  case hardtanh(min: Double, max: Double)
  /// ATen's `elu(x, alpha, scale, input_scale)`: forward `x <= 0 ? expm1(x input_scale)
  /// alpha scale : x scale`; backward `x <= 0 ? g input_scale alpha scale exp(x input_scale)
  /// : g scale` (`elu`: scale = input_scale = 1; `selu`: PyTorch's constants; `celu`:
  /// input_scale = 1/alpha).
  case elu(alpha: Double, scale: Double, inputScale: Double)
  /// `x sigmoid(x)`; backward `g s (1 + x (1 - s))`.
  case silu
  /// `gelu(approximate="tanh")`: `x/2 (1 + tanh(k (x + 0.044715 x^3)))`, `k = sqrt(2/pi)`;
  /// backward the derivative of that formula (ATen's `GeluBackward` tanh branch).
  case geluTanh
  /// `x / (1 + |x|)` (a composite in PyTorch): backward by the chain rule through `abs`
  /// (`sign(0) = 0`), `1/(1 + |x|) - x sign(x)/(1 + |x|)^2`.
  case softsign
  /// `x tanh(softplus(x))`; backward `g (t + x sigmoid(x) (1 - t^2))`, `t = tanh(softplus(x))`.
  case mish
  /// `min(x, 0) - log1p(exp(-|x|))`; backward `g sigmoid(-x)`.
  case logsigmoid
  /// Forward `x <= -3 ? 0 : x >= 3 ? x : x (x + 3)/6`; backward `x <= -3 ? 0 : x < 3 ?
  /// g (x/3 + 1/2) : g` (0 at -3, g at 3: the outer pieces', as torch 2.15 records).
  case hardswish
  /// Forward `min(max(x + 3, 0), 6)/6`; backward `-3 < x < 3 ? g * (1.0f/6.0f) : 0` (0 at
  /// both kinks). ATen's kernel writes the constant as a float literal, so even in float64
  /// the backward multiplies by float32(1/6) = 0.1666666716337204, not 1/6.
  case hardsigmoid
  /// `gelu` (approximate="none"): `x/2 (1 + erf(x/sqrt(2)))`; backward `g (cdf + x pdf)`,
  /// `cdf = (1 + erf(x/sqrt(2)))/2`, `pdf = exp(-x^2/2)/sqrt(2 pi)` (ATen's GeluBackward).
  case gelu
  /// `torch.erf` / `torch.erfc`; backward `+- g 2/sqrt(pi) exp(-x^2)`.
  case erf, erfc
  /// `F.softplus(x, beta, threshold)`: `beta x > threshold ? x : log1p(exp(beta x))/beta`;
  /// backward `beta x > threshold ? g : g z/(z + 1)`, `z = exp(beta x)` (ATen's
  /// `softplus_backward`).
  case softplus(beta: Double, threshold: Double)
  /// `torch.clamp(x, lo, hi)` (either bound may be absent: -inf / inf): forward
  /// `min(max(x, lo), hi)`; backward `lo < x < hi ? g : 0` (torch 2.15: 0 at the bounds).
  case clamp(min: Double, max: Double)
  /// The elementary functions (aten::exp, log, sin, cos, tanh, log1p, expm1, abs, sign,
  /// sqrt) with derivatives.yaml's backward: `g exp(x)`, `g / x`, `g cos(x)`, `-g sin(x)`,
  /// `g (1 - tanh(x)^2)`, `g / (1 + x)`, `g (expm1(x) + 1)`, `g sgn(x)` (0 at 0), 0,
  /// `g / (2 sqrt(x))`.
  case exp, log, sin, cos, tanh, log1p, expm1, abs, sign, sqrt

  func value(_ x: Double) -> Double {
    switch self {
    case .exp: return Foundation.exp(x)
    case .log: return Foundation.log(x)
    case .sin: return Foundation.sin(x)
    case .cos: return Foundation.cos(x)
    case .tanh: return Foundation.tanh(x)
    case .log1p: return Foundation.log1p(x)
    case .expm1: return Foundation.expm1(x)
    case .abs: return Swift.abs(x)
    case .sign: return x > 0 ? 1 : (x < 0 ? -1 : 0)
    case .sqrt: return x.squareRoot()
    case .relu: return x > 0 ? x : 0
    case .leakyRelu(let s): return x > 0 ? x : x * s
    case .hardtanh(let lo, let hi): return Swift.min(Swift.max(x, lo), hi)
    case .elu(let alpha, let scale, let inputScale):
      return x <= 0 ? Foundation.expm1(x * inputScale) * alpha * scale : x * scale
    case .silu: return x / (1 + Foundation.exp(-x))
    case .geluTanh:
      let k = (2 / Double.pi).squareRoot()
      return 0.5 * x * (1 + Foundation.tanh(k * (x + 0.044715 * x * x * x)))
    case .softsign: return x / (1 + Swift.abs(x))
    case .mish: return x * Foundation.tanh(Foundation.log1p(Foundation.exp(x)))
    case .logsigmoid: return Swift.min(x, 0) - Foundation.log1p(Foundation.exp(-Swift.abs(x)))
    case .hardswish: return x <= -3 ? 0 : (x >= 3 ? x : x * (x + 3) / 6)
    case .hardsigmoid: return Swift.min(Swift.max(x + 3, 0), 6) / 6
    case .gelu: return x * 0.5 * (1 + Foundation.erf(x * (0.5 as Double).squareRoot()))
    case .erf: return Foundation.erf(x)
    case .erfc: return Foundation.erfc(x)
    case .softplus(let beta, let threshold):
      return x * beta > threshold ? x : Foundation.log1p(Foundation.exp(x * beta)) / beta
    case .clamp(let lo, let hi): return Swift.min(Swift.max(x, lo), hi)
    }
  }

  func derivative(_ x: Double) -> Double {
    switch self {
    case .exp: return Foundation.exp(x)
    case .log: return 1 / x
    case .sin: return Foundation.cos(x)
    case .cos: return -Foundation.sin(x)
    case .tanh: return 1 - Foundation.tanh(x) * Foundation.tanh(x)
    case .log1p: return 1 / (1 + x)
    case .expm1: return Foundation.expm1(x) + 1
    case .abs: return x > 0 ? 1 : (x < 0 ? -1 : 0)
    case .sign: return 0
    case .sqrt: return 1 / (2 * x.squareRoot())
    case .relu: return x > 0 ? 1 : 0
    case .leakyRelu(let s): return x > 0 ? 1 : s
    case .hardtanh(let lo, let hi): return x <= lo || x >= hi ? 0 : 1
    case .elu(let alpha, let scale, let inputScale):
      return x <= 0 ? inputScale * alpha * scale * Foundation.exp(x * inputScale) : scale
    case .silu:
      let s = 1 / (1 + Foundation.exp(-x))
      return s * (1 + x * (1 - s))
    case .geluTanh:
      let k = (2 / Double.pi).squareRoot()
      let inner = k * (x + 0.044715 * x * x * x)
      let t = Foundation.tanh(inner)
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
    case .softsign:
      let d = 1 + Swift.abs(x)
      let sign: Double = x > 0 ? 1 : (x < 0 ? -1 : 0)
      return 1 / d - x * sign / (d * d)
    case .mish:
      let t = Foundation.tanh(Foundation.log1p(Foundation.exp(x)))
      return t + x * (1 / (1 + Foundation.exp(-x))) * (1 - t * t)
    case .logsigmoid: return 1 / (1 + Foundation.exp(x))
    case .hardswish: return x <= -3 ? 0 : (x < 3 ? x / 3 + 0.5 : 1)
    case .hardsigmoid: return x > -3 && x < 3 ? Double(Float(1) / Float(6)) : 0
    case .gelu:
      let cdf = 0.5 * (1 + Foundation.erf(x * (0.5 as Double).squareRoot()))
      let pdf = Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()
      return cdf + x * pdf
    case .erf: return 2 / Double.pi.squareRoot() * Foundation.exp(-x * x)
    case .erfc: return -2 / Double.pi.squareRoot() * Foundation.exp(-x * x)
    case .softplus(let beta, let threshold):
      if x * beta > threshold { return 1 }
      let z = Foundation.exp(x * beta)
      return z / (z + 1)
    case .clamp(let lo, let hi): return x > lo && x < hi ? 1 : 0
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
