#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// NaN-propagating maximum of one row, like ATen's vectorised `maximum` reduction.
@inline(__always)
func rowMaximum(_ x: [Double], from start: Int, count: Int) -> Double {
  var m = -Double.infinity
  for c in 0..<count {
    let v = x[start + c]
    if v.isNaN { return .nan }
    if v > m { m = v }
  }
  return m
}

/// Softmax along the last dimension of a `rows x columns` row-major matrix, as PyTorch's CPU kernel.
///
/// ```
/// m = max_j x_j
/// y_i = exp(x_i - m) * (1 / sum_j exp(x_j - m))
/// backward: gx = (g - sum(g * y)) * y
/// ```
/// - A `-inf` entry gives probability 0 and gradient 0 there (when the row has a finite entry).
/// - An all `-inf` row gives NaN (`-inf - -inf`), forward and backward, like PyTorch (#25110).
/// - Any `+inf` entry makes the whole row NaN (`inf - inf`), like PyTorch; NaN propagates.
///
/// Precondition: `x.count == rows * columns`.
@differentiable(reverse,wrt: x)
public func softmax(_ x: [Double], rows: Int, columns: Int) -> [Double] {
  precondition(rows >= 0 && columns >= 0 && x.count == rows * columns, "softmax: x.count must be rows * columns")
  var y = [Double](repeating: 0, count: x.count)
  for r in 0..<rows {
    let base = r * columns
    let m = rowMaximum(x, from: base, count: columns)
    var s = 0.0
    for c in 0..<columns {
      let e = exp(x[base + c] - m)
      y[base + c] = e
      s += e
    }
    let inv = 1 / s
    for c in 0..<columns { y[base + c] *= inv }
  }
  return y
}

@derivative(of: softmax, wrt: x)
@usableFromInline
func softmaxVJP(_ x: [Double], rows: Int, columns: Int)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let y = softmax(x, rows: rows, columns: columns)
  return (y, { g in DoubleTangent(softmaxBackward(dense(g, count: y.count), y, rows: rows, columns: columns)) })
}

/// ATen `_softmax_backward_data` (last dim): `gx = (g - sum(g * y)) * y`.
func softmaxBackward(_ g: [Double], _ y: [Double], rows: Int, columns: Int) -> [Double] {
  var gx = [Double](repeating: 0, count: y.count)
  for r in 0..<rows {
    let base = r * columns
    var dot = 0.0
    for c in 0..<columns { dot += g[base + c] * y[base + c] }
    for c in 0..<columns { gx[base + c] = (g[base + c] - dot) * y[base + c] }
  }
  return gx
}

/// Log-softmax along the last dimension of a `rows x columns` row-major matrix, as PyTorch's CPU kernel.
///
/// ```
/// m = max_j x_j
/// z_i = (x_i - m) - log(sum_j exp(x_j - m))
/// backward: gx = g - exp(z) * sum(g)
/// ```
/// - A `-inf` entry gives `-inf` there and gradient `g_j` (the upstream value itself).
/// - An all `-inf` row is NaN forward and backward; any `+inf` entry makes the row NaN.
///
/// Precondition: `x.count == rows * columns`.
@differentiable(reverse,wrt: x)
public func logSoftmax(_ x: [Double], rows: Int, columns: Int) -> [Double] {
  precondition(rows >= 0 && columns >= 0 && x.count == rows * columns, "logSoftmax: x.count must be rows * columns")
  var z = [Double](repeating: 0, count: x.count)
  for r in 0..<rows {
    let base = r * columns
    let m = rowMaximum(x, from: base, count: columns)
    var s = 0.0
    for c in 0..<columns { s += exp(x[base + c] - m) }
    let logSum = log(s)
    // Same association as ATen: (x - max) - log_sum, never x - (max + log_sum).
    for c in 0..<columns { z[base + c] = x[base + c] - m - logSum }
  }
  return z
}

@derivative(of: logSoftmax, wrt: x)
@usableFromInline
func logSoftmaxVJP(_ x: [Double], rows: Int, columns: Int)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let z = logSoftmax(x, rows: rows, columns: columns)
  return (
    z,
    { g in
      let gd = dense(g, count: z.count)
      var gx = [Double](repeating: 0, count: z.count)
      for r in 0..<rows {
        let base = r * columns
        var s = 0.0
        for c in 0..<columns { s += gd[base + c] }
        for c in 0..<columns { gx[base + c] = gd[base + c] - exp(z[base + c]) * s }
      }
      return DoubleTangent(gx)
    }
  )
}
#endif
