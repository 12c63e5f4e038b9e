#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// Mean squared error, as ATen's `mse_loss` (float64): `l_i = (x_i - y_i)^2`, reduced.
/// Backward (`mse_loss_backward`): `gx_i = 2 (x_i - y_i) g` (`/ numel` for mean).
@differentiable(reverse,wrt: input)
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
  return (
    value,
    elementwisePullback(count: input.count, reduction) { i in
      2 * (input[i] - target[i])
    }
  )
}

/// Mean absolute error, as ATen's `l1_loss`: `l_i = |x_i - y_i|`, reduced.
/// Backward: `gx_i = sign(x_i - y_i) g` (0 where `x_i == y_i`; `/ numel` for mean).
@differentiable(reverse,wrt: input)
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
  return (
    value,
    elementwisePullback(count: input.count, reduction) { i in
      let d = input[i] - target[i]
      return (d > 0 ? 1 : (d < 0 ? -1 : 0))
    }
  )
}

/// Huber loss, as ATen's `huber_loss` (float64), `d_i = x_i - y_i`:
/// `l_i = d_i^2 / 2` where `|d_i| < delta`, else `delta (|d_i| - delta / 2)`, reduced.
/// Backward (`huber_loss_backward`): `gx_i = g * (d_i < -delta ? -delta : (d_i > delta ? delta : d_i))`
/// (`/ numel` for mean). Precondition (PyTorch raises): `delta > 0`.
@differentiable(reverse,wrt: input)
public func huberLoss(_ input: [Double], target: [Double], reduction: OracleReduction = .mean, delta: Double = 1)
  -> [Double]
{
  precondition(target.count == input.count, "huberLoss: target.count must equal input.count")
  precondition(delta > 0, "huberLoss: delta must be > 0")
  var loss = [Double](repeating: 0, count: input.count)
  for i in 0..<input.count {
    let d = input[i] - target[i]
    let a = Swift.abs(d)
    loss[i] = a < delta ? 0.5 * d * d : delta * (a - 0.5 * delta)
  }
  return reduceLossValue(loss, reduction)
}

@derivative(of: huberLoss, wrt: input)
@usableFromInline
func huberLossVJP(_ input: [Double], target: [Double], reduction: OracleReduction, delta: Double)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let value = huberLoss(input, target: target, reduction: reduction, delta: delta)
  return (
    value,
    elementwisePullback(count: input.count, reduction) { i in
      let d = input[i] - target[i]
      return (d < -delta ? -delta : (d > delta ? delta : d))
    }
  )
}

/// Smooth L1 loss, as ATen's `smooth_l1_loss` (float64), `d_i = x_i - y_i`:
/// `l_i = d_i^2 / (2 beta)` where `|d_i| < beta`, else `|d_i| - beta / 2`, reduced; `beta = 0`
/// is `l1Loss` (ATen dispatches to it). Backward (`smooth_l1_loss_backward`):
/// `gx_i = g * (d_i < -beta ? -1 : (d_i > beta ? 1 : d_i / beta))` (`/ numel` for mean).
/// Precondition (PyTorch raises): `beta >= 0`.
@differentiable(reverse,wrt: input)
public func smoothL1Loss(_ input: [Double], target: [Double], reduction: OracleReduction = .mean, beta: Double = 1)
  -> [Double]
{
  precondition(target.count == input.count, "smoothL1Loss: target.count must equal input.count")
  precondition(beta >= 0, "smoothL1Loss: beta must be >= 0")
  if beta == 0 { return l1Loss(input, target: target, reduction: reduction) }
  var loss = [Double](repeating: 0, count: input.count)
  for i in 0..<input.count {
    let d = input[i] - target[i]
    let a = Swift.abs(d)
    loss[i] = a < beta ? 0.5 * d * d / beta : a - 0.5 * beta
  }
  return reduceLossValue(loss, reduction)
}

@derivative(of: smoothL1Loss, wrt: input)
@usableFromInline
func smoothL1LossVJP(_ input: [Double], target: [Double], reduction: OracleReduction, beta: Double)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  if beta == 0 { return l1LossVJP(input, target: target, reduction: reduction) }
  let value = smoothL1Loss(input, target: target, reduction: reduction, beta: beta)
  return (
    value,
    elementwisePullback(count: input.count, reduction) { i in
      let d = input[i] - target[i]
      return (d < -beta ? -1 : (d > beta ? 1 : d / beta))
    }
  )
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

/// KL divergence, as ATen's `kl_div` (float64): `l_i = xlogy(t_i, t_i) - t_i x_i`
/// (`xlogy(0, 0) = 0`), or with `logTarget` `exp(t_i) (t_i - x_i)`; reduction `none`,
/// `sum`, `mean` (numel) or `batchmean` (`sum / batchSize`).
/// Backward: `gx_i = -t_i g` (or `-exp(t_i) g`), divided as the reduction.
@differentiable(reverse,wrt: input)
public func klDiv(
  _ input: [Double], target: [Double], reduction: String = "mean", batchSize: Int = 1,
  logTarget: Bool = false
) -> [Double] {
  precondition(target.count == input.count, "klDiv: target.count must equal input.count")
  var loss = [Double](repeating: 0, count: input.count)
  for i in 0..<input.count {
    let t = target[i]
    let x = input[i]
    if logTarget {
      loss[i] = Foundation.exp(t) * (t - x)
    } else {
      loss[i] = (t == 0 ? 0 : t * Foundation.log(t)) - t * x
    }
  }
  switch reduction {
  case "none": return loss
  case "sum": return [plainSum(loss)]
  case "batchmean": return [plainSum(loss) / Double(batchSize)]
  default: return [plainSum(loss) / Double(loss.count)]
  }
}

@derivative(of: klDiv, wrt: input)
@usableFromInline
func klDivVJP(_ input: [Double], target: [Double], reduction: String, batchSize: Int, logTarget: Bool)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let value = klDiv(input, target: target, reduction: reduction, batchSize: batchSize, logTarget: logTarget)
  let n = input.count
  return (
    value,
    { g in
      let gd = dense(g, count: value.count)
      var gx = [Double](repeating: 0, count: n)
      for i in 0..<n {
        let gi: Double
        switch reduction {
        case "none": gi = gd[i]
        case "sum": gi = gd[0]
        case "batchmean": gi = gd[0] / Double(batchSize)
        default: gi = gd[0] / Double(n)
        }
        gx[i] = -(logTarget ? Foundation.exp(target[i]) : target[i]) * gi
      }
      return DoubleTangent(gx)
    }
  )
}

/// Soft margin loss, as ATen's `soft_margin_loss`: `l_i = log1p(exp(-y_i x_i))`, reduced.
/// Backward: `gx_i = -y_i exp(-y_i x_i) / (1 + exp(-y_i x_i)) g` (`/ numel` for mean).
@differentiable(reverse,wrt: input)
public func softMarginLoss(_ input: [Double], target: [Double], reduction: OracleReduction = .mean) -> [Double] {
  precondition(target.count == input.count, "softMarginLoss: target.count must equal input.count")
  var loss = [Double](repeating: 0, count: input.count)
  for i in 0..<input.count { loss[i] = Foundation.log1p(Foundation.exp(-target[i] * input[i])) }
  return reduceLossValue(loss, reduction)
}

@derivative(of: softMarginLoss, wrt: input)
@usableFromInline
func softMarginLossVJP(_ input: [Double], target: [Double], reduction: OracleReduction)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let value = softMarginLoss(input, target: target, reduction: reduction)
  return (
    value,
    elementwisePullback(count: input.count, reduction) { i in
      let z = Foundation.exp(-target[i] * input[i])
      return -target[i] * z / (1 + z)
    }
  )
}

/// Poisson negative log-likelihood, as ATen's `poisson_nll_loss`: `exp(x) - y x`
/// (`logInput`) or `x - y log(x + eps)`; `full` adds `y log y - y + log(2 pi y)/2` where
/// `y > 1`. Backward: `exp(x) - y`, or `1 - y/(x + eps)` (`/ numel` for mean).
@differentiable(reverse,wrt: input)
public func poissonNLLLoss(
  _ input: [Double], target: [Double], logInput: Bool = true, full: Bool = false,
  eps: Double = 1e-8, reduction: OracleReduction = .mean
) -> [Double] {
  precondition(target.count == input.count, "poissonNLLLoss: target.count must equal input.count")
  var loss = [Double](repeating: 0, count: input.count)
  for i in 0..<input.count {
    let x = input[i]
    let y = target[i]
    var l = logInput ? Foundation.exp(x) - y * x : x - y * Foundation.log(x + eps)
    if full && y > 1 { l += y * Foundation.log(y) - y + 0.5 * Foundation.log(2 * Double.pi * y) }
    loss[i] = l
  }
  return reduceLossValue(loss, reduction)
}

@derivative(of: poissonNLLLoss, wrt: input)
@usableFromInline
func poissonNLLLossVJP(
  _ input: [Double], target: [Double], logInput: Bool, full: Bool, eps: Double,
  reduction: OracleReduction
) -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent) {
  let value = poissonNLLLoss(input, target: target, logInput: logInput, full: full, eps: eps, reduction: reduction)
  return (
    value,
    elementwisePullback(count: input.count, reduction) { i in
      let d = logInput ? Foundation.exp(input[i]) - target[i] : 1 - target[i] / (input[i] + eps)
      return d
    }
  )
}
#endif
