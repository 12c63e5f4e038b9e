#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// Checks NLL-style class-index targets: each is `ignoreIndex` or in `0..<columns`.
func checkClassTargets(_ target: [Int], rows: Int, columns: Int, ignoreIndex: Int, _ name: String) {
  precondition(target.count == rows, "\(name): target.count must equal rows")
  for t in target where t != ignoreIndex {
    precondition(t >= 0 && t < columns, "\(name): target \(t) out of bounds for \(columns) classes")
  }
}

/// Negative log-likelihood loss over class indices, as ATen's `nll_loss` (2-D input).
///
/// ```
/// l_n = -w[y_n] * x[n, y_n]          (l_n = 0 when y_n == ignore_index)
/// none: l;  sum: sum_n l_n
/// mean: sum_n l_n / sum_{n not ignored} w[y_n]      (w = 1 without weights)
/// backward: gx[n, y_n] = -w[y_n] * g_n (none) or w[y_n] * -(g / total_weight) (mean), 0 elsewhere
/// ```
/// - Ignored rows never read the input, so a NaN/`-inf` ignored row gives a finite loss
///   and a zero gradient here.
/// - `mean` with every row ignored (or total weight 0) is NaN (0/0); its gradient is 0,
///   because no row receives the (infinite) scaled upstream gradient.
/// - `x[n, y_n] = -inf` gives an infinite loss and the finite gradient above.
///
/// Preconditions (PyTorch raises instead): `logProbabilities.count == rows * columns`,
/// `target.count == rows`, every target is `ignoreIndex` or in `0..<columns`,
/// `weight?.count == columns`.
@differentiable(reverse,wrt: logProbabilities)
public func nllLoss(
  _ logProbabilities: [Double], rows: Int, columns: Int, target: [Int],
  weight: [Double]? = nil, ignoreIndex: Int = -100, reduction: OracleReduction = .mean
) -> [Double] {
  nllForward(
    logProbabilities, rows: rows, columns: columns, target: target, weight: weight,
    ignoreIndex: ignoreIndex, reduction: reduction
  ).loss
}

func nllForward(
  _ x: [Double], rows: Int, columns: Int, target: [Int], weight: [Double]?,
  ignoreIndex: Int, reduction: OracleReduction
) -> (loss: [Double], totalWeight: Double) {
  precondition(x.count == rows * columns, "nllLoss: input.count must be rows * columns")
  checkClassTargets(target, rows: rows, columns: columns, ignoreIndex: ignoreIndex, "nllLoss")
  if let w = weight { precondition(w.count == columns, "nllLoss: weight.count must equal columns") }
  if reduction == .none {
    var out = [Double](repeating: 0, count: rows)
    for n in 0..<rows {
      let t = target[n]
      if t == ignoreIndex {
        out[n] = 0
        continue
      }
      let w = weight?[t] ?? 1
      out[n] = -x[n * columns + t] * w
    }
    return (out, 0)
  }
  var total = 0.0
  var acc = 0.0
  for n in 0..<rows {
    let t = target[n]
    if t == ignoreIndex { continue }
    let w = weight?[t] ?? 1
    total += w
    acc -= x[n * columns + t] * w
  }
  if reduction == .mean { acc /= total }
  return ([acc], total)
}

@derivative(of: nllLoss, wrt: logProbabilities)
@usableFromInline
func nllLossVJP(
  _ logProbabilities: [Double], rows: Int, columns: Int, target: [Int],
  weight: [Double]?, ignoreIndex: Int, reduction: OracleReduction
) -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent) {
  let (loss, total) = nllForward(
    logProbabilities, rows: rows, columns: columns, target: target,
    weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
  return (
    loss,
    { g in
      var gx = [Double](repeating: 0, count: rows * columns)
      if reduction == .none {
        let gd = dense(g, count: rows)
        for n in 0..<rows {
          let t = target[n]
          if t == ignoreIndex { continue }
          let w = weight?[t] ?? 1
          gx[n * columns + t] = -w * gd[n]
        }
      } else {
        let g0 = dense(g, count: 1)[0]
        let grad = -(reduction == .mean ? g0 / total : g0)
        for n in 0..<rows {
          let t = target[n]
          if t == ignoreIndex { continue }
          gx[n * columns + t] = weight.map { $0[t] * grad } ?? grad
        }
      }
      return DoubleTangent(gx)
    }
  )
}
#endif
