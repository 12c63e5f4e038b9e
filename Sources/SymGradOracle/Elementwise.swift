#if canImport(_Differentiation)
import Foundation
import _Differentiation

// Internal element-wise primitives with PyTorch's backward formulas, used to compose the
// losses that PyTorch itself builds out of autograd ops (focal loss, label smoothing,
// attention). Each one mirrors one ATen op and its entry in derivatives.yaml.

/// `a * b` element-wise (aten::mul). Backward: `(g * b, g * a)`.
@differentiable(reverse,wrt: (a, b))
func elementwiseProduct(_ a: [Double], _ b: [Double]) -> [Double] {
  precondition(a.count == b.count, "elementwiseProduct: count mismatch")
  var out = [Double](repeating: 0, count: a.count)
  for i in 0..<a.count { out[i] = a[i] * b[i] }
  return out
}

@derivative(of: elementwiseProduct, wrt: (a, b))
func elementwiseProductVJP(_ a: [Double], _ b: [Double])
  -> (value: [Double], pullback: (DoubleTangent) -> (DoubleTangent, DoubleTangent))
{
  (
    elementwiseProduct(a, b),
    { g in
      let gd = dense(g, count: a.count)
      var ga = [Double](repeating: 0, count: a.count)
      var gb = [Double](repeating: 0, count: a.count)
      for i in 0..<a.count {
        ga[i] = gd[i] * b[i]
        gb[i] = gd[i] * a[i]
      }
      return (DoubleTangent(ga), DoubleTangent(gb))
    }
  )
}

/// `a * c` with a constant (non-differentiated) `c`. Backward: `g * c`.
@differentiable(reverse,wrt: a)
func multiplyByConstant(_ a: [Double], _ c: [Double]) -> [Double] {
  precondition(a.count == c.count, "multiplyByConstant: count mismatch")
  var out = [Double](repeating: 0, count: a.count)
  for i in 0..<a.count { out[i] = a[i] * c[i] }
  return out
}

@derivative(of: multiplyByConstant, wrt: a)
func multiplyByConstantVJP(_ a: [Double], _ c: [Double])
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  (
    multiplyByConstant(a, c),
    { g in
      let gd = dense(g, count: a.count)
      var ga = [Double](repeating: 0, count: a.count)
      for i in 0..<a.count { ga[i] = gd[i] * c[i] }
      return DoubleTangent(ga)
    }
  )
}

/// `a * s` with a scalar constant `s`. Backward: `g * s`.
@differentiable(reverse,wrt: a)
func scaled(_ a: [Double], by s: Double) -> [Double] {
  var out = [Double](repeating: 0, count: a.count)
  for i in 0..<a.count { out[i] = a[i] * s }
  return out
}

@derivative(of: scaled, wrt: a)
func scaledVJP(_ a: [Double], by s: Double)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  (
    scaled(a, by: s),
    { g in
      let gd = dense(g, count: a.count)
      var ga = [Double](repeating: 0, count: a.count)
      for i in 0..<a.count { ga[i] = gd[i] * s }
      return DoubleTangent(ga)
    }
  )
}

/// `a + b` element-wise (aten::add). Backward: `(g, g)`.
@differentiable(reverse,wrt: (a, b))
func elementwiseSum(_ a: [Double], _ b: [Double]) -> [Double] {
  precondition(a.count == b.count, "elementwiseSum: count mismatch")
  var out = [Double](repeating: 0, count: a.count)
  for i in 0..<a.count { out[i] = a[i] + b[i] }
  return out
}

@derivative(of: elementwiseSum, wrt: (a, b))
func elementwiseSumVJP(_ a: [Double], _ b: [Double])
  -> (value: [Double], pullback: (DoubleTangent) -> (DoubleTangent, DoubleTangent))
{
  (
    elementwiseSum(a, b),
    { g in
      let gd = dense(g, count: a.count)
      return (DoubleTangent(gd), DoubleTangent(gd))
    }
  )
}

/// `a + c` with a constant `c` (e.g. an additive attention mask). Backward: `g`.
@differentiable(reverse,wrt: a)
func addingConstant(_ a: [Double], _ c: [Double]) -> [Double] {
  precondition(a.count == c.count, "addingConstant: count mismatch")
  var out = [Double](repeating: 0, count: a.count)
  for i in 0..<a.count { out[i] = a[i] + c[i] }
  return out
}

@derivative(of: addingConstant, wrt: a)
func addingConstantVJP(_ a: [Double], _ c: [Double])
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  (addingConstant(a, c), { g in DoubleTangent(dense(g, count: a.count)) })
}

/// `1 - a` (aten::rsub). Backward: `-g`.
@differentiable(reverse,wrt: a)
func oneMinus(_ a: [Double]) -> [Double] {
  var out = [Double](repeating: 0, count: a.count)
  for i in 0..<a.count { out[i] = 1 - a[i] }
  return out
}

@derivative(of: oneMinus, wrt: a)
func oneMinusVJP(_ a: [Double]) -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent) {
  (
    oneMinus(a),
    { g in
      let gd = dense(g, count: a.count)
      var ga = [Double](repeating: 0, count: a.count)
      for i in 0..<a.count { ga[i] = -gd[i] }
      return DoubleTangent(ga)
    }
  )
}

/// Scalar sigmoid as ATen's CPU kernel computes it: `1 / (1 + exp(-x))`.
@inline(__always)
func scalarSigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// `sigmoid(a)` element-wise. Backward (aten::sigmoid_backward): `g * (1 - y) * y`.
@differentiable(reverse,wrt: a)
func sigmoid(_ a: [Double]) -> [Double] {
  var out = [Double](repeating: 0, count: a.count)
  for i in 0..<a.count { out[i] = scalarSigmoid(a[i]) }
  return out
}

@derivative(of: sigmoid, wrt: a)
func sigmoidVJP(_ a: [Double]) -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent) {
  let y = sigmoid(a)
  return (
    y,
    { g in
      let gd = dense(g, count: a.count)
      var ga = [Double](repeating: 0, count: a.count)
      for i in 0..<a.count { ga[i] = gd[i] * (1 - y[i]) * y[i] }
      return DoubleTangent(ga)
    }
  )
}

/// `x ** e` for a scalar exponent, with ATen's `pow_tensor_scalar` special cases.
func scalarPow(_ x: Double, _ e: Double) -> Double {
  switch e {
  case 0: return 1
  case 1: return x
  case 2: return x * x
  case 3: return x * x * x
  case 0.5: return x.squareRoot()
  case -0.5: return 1 / x.squareRoot()
  case -1: return 1 / x
  case -2: return 1 / (x * x)
  default: return Foundation.pow(x, e)
  }
}

/// `a ** e` element-wise. Backward (FunctionsManual `pow_backward`):
/// `e == 0 ? 0 : g * (e * a ** (e - 1))` — so `0 ** (e - 1)` is `inf` for `e < 1`.
@differentiable(reverse,wrt: a)
func power(_ a: [Double], _ e: Double) -> [Double] {
  var out = [Double](repeating: 0, count: a.count)
  for i in 0..<a.count { out[i] = scalarPow(a[i], e) }
  return out
}

@derivative(of: power, wrt: a)
func powerVJP(_ a: [Double], _ e: Double)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  (
    power(a, e),
    { g in
      var ga = [Double](repeating: 0, count: a.count)
      if e == 0 { return DoubleTangent(ga) }
      let gd = dense(g, count: a.count)
      for i in 0..<a.count { ga[i] = gd[i] * (e * scalarPow(a[i], e - 1)) }
      return DoubleTangent(ga)
    }
  )
}
#endif
