import Foundation
import _Differentiation

/// Mean squared error, as ATen's `mse_loss` (float64): `l_i = (x_i - y_i)^2`, reduced.
/// Backward (`mse_loss_backward`): `gx_i = 2 (x_i - y_i) g` (`/ numel` for mean).
@differentiable(reverse, wrt: input)
public func mseLoss(_ input: [Double], target: [Double], reduction: OracleReduction = .mean) -> [Double] {
  precondition(target.count == input.count, "mseLoss: target.count must equal input.count")
  var loss = [Double](repeating: 0, count: input.count)
  for i in 0..<input.count {
    let d = input[i] - target[i]
    loss[i] = d * d
  }
  return reduceLossValue(loss, reduction)
}

@derivative(of: mseLoss, wrt: input)
@usableFromInline
func mseLossVJP(_ input: [Double], target: [Double], reduction: OracleReduction)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let value = mseLoss(input, target: target, reduction: reduction)
  let n = input.count
  return (value, { g in
    let gd = dense(g, count: value.count)
    var gx = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let gi = reduction == .none ? gd[i] : (reduction == .mean ? gd[0] / Double(n) : gd[0])
      gx[i] = 2 * (input[i] - target[i]) * gi
    }
    return DoubleTangent(gx)
  })
}

/// Mean absolute error, as ATen's `l1_loss`: `l_i = |x_i - y_i|`, reduced.
/// Backward: `gx_i = sign(x_i - y_i) g` (0 where `x_i == y_i`; `/ numel` for mean).
@differentiable(reverse, wrt: input)
public func l1Loss(_ input: [Double], target: [Double], reduction: OracleReduction = .mean) -> [Double] {
  precondition(target.count == input.count, "l1Loss: target.count must equal input.count")
  var loss = [Double](repeating: 0, count: input.count)
  for i in 0..<input.count { loss[i] = Swift.abs(input[i] - target[i]) }
  return reduceLossValue(loss, reduction)
}

@derivative(of: l1Loss, wrt: input)
@usableFromInline
func l1LossVJP(_ input: [Double], target: [Double], reduction: OracleReduction)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let value = l1Loss(input, target: target, reduction: reduction)
  let n = input.count
  return (value, { g in
    let gd = dense(g, count: value.count)
    var gx = [Double](repeating: 0, count: n)
    for i in 0..<n {
      let gi = reduction == .none ? gd[i] : (reduction == .mean ? gd[0] / Double(n) : gd[0])
      let d = input[i] - target[i]
      gx[i] = (d > 0 ? 1 : (d < 0 ? -1 : 0)) * gi
    }
    return DoubleTangent(gx)
  })
}

/// The reduction of unreduced values, without a derivative of its own (the callers'
/// pullbacks apply it).
func reduceLossValue(_ x: [Double], _ reduction: OracleReduction) -> [Double] {
  switch reduction {
  case .none: return x
  case .sum: return [plainSum(x)]
  case .mean: return [plainSum(x) / Double(x.count)]
  }
}
