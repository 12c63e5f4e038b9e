#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// `a (m x k) * b^T` where `b` is `n x k`, row-major. Backward: `ga = g b`, `gb = g^T a`.
@differentiable(reverse,wrt: (a, b))
func matmulTransposed(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
  precondition(a.count == m * k && b.count == n * k, "matmulTransposed: shape mismatch")
  var out = [Double](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var s = 0.0
      for p in 0..<k { s += a[i * k + p] * b[j * k + p] }
      out[i * n + j] = s
    }
  }
  return out
}

@derivative(of: matmulTransposed, wrt: (a, b))
func matmulTransposedVJP(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int)
  -> (value: [Double], pullback: (DoubleTangent) -> (DoubleTangent, DoubleTangent))
{
  (
    matmulTransposed(a, b, m: m, k: k, n: n),
    { g in
      let gd = dense(g, count: m * n)
      return (
        DoubleTangent(matmulPlain(gd, b, m: m, k: n, n: k)),
        DoubleTangent(matmulTransposedLeft(gd, a, m: m, n: n, k: k))
      )
    }
  )
}

/// `a (m x k) * b (k x n)`, row-major, plain (not differentiated).
func matmulPlain(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
  var out = [Double](repeating: 0, count: m * n)
  for i in 0..<m {
    for j in 0..<n {
      var s = 0.0
      for p in 0..<k { s += a[i * k + p] * b[p * n + j] }
      out[i * n + j] = s
    }
  }
  return out
}

/// `g^T a` where `g` is `m x n` and `a` is `m x k`: an `n x k` result.
func matmulTransposedLeft(_ g: [Double], _ a: [Double], m: Int, n: Int, k: Int) -> [Double] {
  var out = [Double](repeating: 0, count: n * k)
  for j in 0..<n {
    for p in 0..<k {
      var s = 0.0
      for i in 0..<m { s += g[i * n + j] * a[i * k + p] }
      out[j * k + p] = s
    }
  }
  return out
}

/// `a (m x k) * b (k x n)`. Backward: `ga = g b^T`, `gb = a^T g`.
@differentiable(reverse,wrt: (a, b))
func matmul(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
  precondition(a.count == m * k && b.count == k * n, "matmul: shape mismatch")
  return matmulPlain(a, b, m: m, k: k, n: n)
}

@derivative(of: matmul, wrt: (a, b))
func matmulVJP(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int)
  -> (value: [Double], pullback: (DoubleTangent) -> (DoubleTangent, DoubleTangent))
{
  (
    matmul(a, b, m: m, k: k, n: n),
    { g in
      let gd = dense(g, count: m * n)
      // ga (m x k) = g (m x n) * b^T: b (k x n) is exactly the "n x k" operand matmulTransposed expects.
      return (
        DoubleTangent(matmulTransposed(gd, b, m: m, k: n, n: k)),
        DoubleTangent(matmulTransposedLeft(a, gd, m: m, n: k, k: n))
      )
    }
  )
}

/// Adds a per-column bias to a `rows x columns` matrix. Backward: `(g, g.sum(0))`.
@differentiable(reverse,wrt: (x, bias))
func addingRowBias(_ x: [Double], _ bias: [Double], rows: Int, columns: Int) -> [Double] {
  precondition(x.count == rows * columns && bias.count == columns, "addingRowBias: shape mismatch")
  var out = x
  for r in 0..<rows { for c in 0..<columns { out[r * columns + c] = x[r * columns + c] + bias[c] } }
  return out
}

@derivative(of: addingRowBias, wrt: (x, bias))
func addingRowBiasVJP(_ x: [Double], _ bias: [Double], rows: Int, columns: Int)
  -> (value: [Double], pullback: (DoubleTangent) -> (DoubleTangent, DoubleTangent))
{
  (
    addingRowBias(x, bias, rows: rows, columns: columns),
    { g in
      let gd = dense(g, count: rows * columns)
      var gb = [Double](repeating: 0, count: columns)
      for r in 0..<rows { for c in 0..<columns { gb[c] += gd[r * columns + c] } }
      return (DoubleTangent(gd), DoubleTangent(gb))
    }
  )
}

/// A fully connected layer, `torch.nn.functional.linear`: `x W^T + b`.
///
/// ```
/// y[n, o] = sum_k x[n, k] * W[o, k] + b[o]      (x: rows x inFeatures, W: outFeatures x inFeatures)
/// backward: gx = g W,  gW = g^T x,  gb = g.sum(0)
/// ```
/// Differentiable with respect to `input` and `weight` (this overload treats `bias` as a
/// constant; use `linear(_:rows:inFeatures:weight:outFeatures:bias:)` with a non-optional bias
/// to differentiate the bias too). Infinities and NaN propagate through the products and
/// sums as in IEEE arithmetic (e.g. `0 * inf = NaN`); no special casing, like BLAS.
///
/// Preconditions: `input.count == rows * inFeatures`, `weight.count == outFeatures * inFeatures`,
/// `bias?.count == outFeatures`.
@differentiable(reverse,wrt: (input, weight))
public func linear(
  _ input: [Double], rows: Int, inFeatures: Int, weight: [Double], outFeatures: Int,
  bias: [Double]? = nil
) -> [Double] {
  precondition(input.count == rows * inFeatures, "linear: input.count must be rows * inFeatures")
  precondition(weight.count == outFeatures * inFeatures, "linear: weight.count must be outFeatures * inFeatures")
  let product = matmulTransposed(input, weight, m: rows, k: inFeatures, n: outFeatures)
  if let b = bias {
    precondition(b.count == outFeatures, "linear: bias.count must equal outFeatures")
    return addingConstant(product, rowBroadcast(b, rows: rows))
  }
  return product
}

/// A fully connected layer `x W^T + b`, differentiable with respect to `input`, `weight` and `bias`.
///
/// ```
/// y[n, o] = sum_k x[n, k] * W[o, k] + b[o]
/// backward: gx = g W,  gW = g^T x,  gb = g.sum(0)
/// ```
/// Same preconditions and IEEE propagation of infinities/NaN as the optional-bias overload.
@differentiable(reverse,wrt: (input, weight, bias))
public func linear(
  _ input: [Double], rows: Int, inFeatures: Int, weight: [Double], outFeatures: Int,
  bias: [Double]
) -> [Double] {
  precondition(input.count == rows * inFeatures, "linear: input.count must be rows * inFeatures")
  precondition(weight.count == outFeatures * inFeatures, "linear: weight.count must be outFeatures * inFeatures")
  precondition(bias.count == outFeatures, "linear: bias.count must equal outFeatures")
  let product = matmulTransposed(input, weight, m: rows, k: inFeatures, n: outFeatures)
  return addingRowBias(product, bias, rows: rows, columns: outFeatures)
}

/// Repeats a length-`columns` vector `rows` times (a constant broadcast).
func rowBroadcast(_ v: [Double], rows: Int) -> [Double] {
  var out: [Double] = []
  out.reserveCapacity(v.count * rows)
  for _ in 0..<rows { out.append(contentsOf: v) }
  return out
}
#endif
