#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// PyTorch's margin and embedding losses as ATen composes them (float64), differentiated by
/// Swift's autograd through the same composition, as PyTorch's autograd differentiates its
/// composite: each hinge is `z > 0 ? z : 0`, whose derivative at `z == 0` is the else
/// branch's 0 (torch 2.15 returns 0 at every one of these kinks, recorded).
///
/// Every tensor argument of a loss (differentiable or not) is one stretch of the flat
/// vector `v`, in argument order; `rows` x `columns` is the (N, C) or (N, D) layout of the
/// input tensors (`rows` = 1 for a 1-D input).
public enum OracleMarginLoss: Sendable {
  /// `margin_ranking_loss(x1, x2, y, margin)`: `max(0, -y (x1 - x2) + margin)`; `v = x1 ++ x2`.
  case marginRanking(target: [Double], margin: Double)
  /// `hinge_embedding_loss(x, y, margin)`: `x` where `y != -1` plus `max(0, margin - x)`
  /// where `y != 1`; `v = x`.
  case hingeEmbedding(target: [Double], margin: Double)
  /// `multilabel_soft_margin_loss(x, y, weight)`: per row the class mean of
  /// `-w (y log sigmoid(x) + (1 - y) log sigmoid(-x))`; `v = x`.
  case multilabelSoftMargin(target: [Double], weight: [Double]?, columns: Int)
  /// `cosine_embedding_loss(x1, x2, y, margin)`: per row `1 - cos` (y = 1),
  /// `max(0, cos - margin)` (y = -1), else 0, with `cos = x1.x2 / sqrt((|x1|^2 + eps)
  /// (|x2|^2 + eps))`, `eps = Float(1e-12)` (ATen's float constant); `v = x1 ++ x2`.
  case cosineEmbedding(target: [Double], margin: Double, columns: Int)
  /// `multi_margin_loss(x, y, p, margin, weight)`: per row `sum_{i != y} w_y max(0,
  /// margin - x_y + x_i)^p / C`; `v = x`.
  case multiMargin(target: [Int], p: Int, margin: Double, weight: [Double]?, columns: Int)
  /// `multilabel_margin_loss(x, y)`: per row `sum_{j in J} sum_{i not in J} max(0, 1 -
  /// (x_j - x_i)) / C`, `J` the labels before the first -1; `v = x`.
  case multilabelMargin(target: [Int], columns: Int)
  /// `triplet_margin_loss(a, p, n, margin, p_norm, eps, swap)`: per row
  /// `max(0, margin + d(a, p) - d(a, n))`, `d(u, w) = ||u - w + eps||_p`, and with `swap`
  /// `d(a, n)` replaced by `min(d(a, n), d(p, n))` (a tie splits evenly, as
  /// `torch.minimum`); `v = a ++ p ++ n`.
  case tripletMargin(margin: Double, p: Double, eps: Double, swap: Bool, columns: Int)
  /// `pairwise_distance(x1, x2, p, eps)`: per row `||x1 - x2 + eps||_p`; `v = x1 ++ x2`;
  /// never reduced.
  case pairwiseDistance(p: Double, eps: Double, columns: Int)
  /// `cosine_similarity(x1, x2, dim=-1, eps)`: per row `sum_k x1_k/max(|x1|, eps) *
  /// x2_k/max(|x2|, eps)`, the clamped norm a constant (ATen clamps under no_grad);
  /// `v = x1 ++ x2`; never reduced.
  case cosineSimilarity(eps: Double, columns: Int)
  /// `normalize(x, p, dim=-1, eps)`: `x / max(||x||_p, eps)` per row, the clamped norm a
  /// constant; `v = x`; never reduced.
  case normalize(p: Double, eps: Double, columns: Int)
  /// `gaussian_nll_loss(x, y, var, full, eps)`: `(log(vc) + (x - y)^2/vc)/2` (+ `log(2 pi)/2`)
  /// with `vc = max(var, eps)` computed under no_grad in place, so the backward treats `vc`
  /// as `var` itself (derivative 1), as ATen's does; `var` one per element, or one per row
  /// of `columns` (`perRow`); `v = x ++ y ++ var`.
  case gaussianNLL(full: Bool, eps: Double, perRow: Bool, columns: Int)
  /// `layer_norm(x, normalized_shape, weight, bias, eps)` over groups of `group` entries:
  /// `(x - mean) / sqrt(var + eps) * w + b`, biased variance; `v = x ++ w ++ b` (`w`, `b`
  /// present per the flags, `group` entries each); never reduced.
  case layerNorm(group: Int, eps: Double, weight: Bool, bias: Bool)
}

/// The unreduced losses of `kind` (one per element or per row), then `reduction`.
@differentiable(reverse,wrt: v)
public func marginLoss(_ v: [Double], _ kind: OracleMarginLoss, reduction: OracleReduction) -> [Double] {
  reduceLoss(unreducedMarginLoss(v, kind), reduction)
}

@differentiable(reverse,wrt: v)
func unreducedMarginLoss(_ v: [Double], _ kind: OracleMarginLoss) -> [Double] {
  var out: [Double] = []
  switch kind {
  case .marginRanking(let y, let margin):
    let n = withoutDerivative(at: y.count)
    for i in withoutDerivative(at: 0..<n) { out.append(hinge(-y[i] * (v[i] - v[n + i]) + margin)) }
  case .hingeEmbedding(let y, let margin):
    for i in withoutDerivative(at: 0..<y.count) {
      var l = 0.0
      if y[i] != -1 { l += v[i] }
      if y[i] != 1 { l += hinge(margin - v[i]) }
      out.append(l)
    }
  case .multilabelSoftMargin(let y, let weight, let c):
    for r in withoutDerivative(at: 0..<(y.count / c)) {
      var s = 0.0
      for k in withoutDerivative(at: 0..<c) {
        let x = v[r * c + k]
        // -(y log sigmoid(x) + (1 - y) log sigmoid(-x)) = y softplus(-x) + (1 - y) softplus(x)
        let l = y[r * c + k] * oracleSoftplus(-x) + (1 - y[r * c + k]) * oracleSoftplus(x)
        // A weight per class (C entries) or per element (the target's count).
        s += (weight.map { $0.count == y.count ? $0[r * c + k] : $0[k] } ?? 1) * l
      }
      out.append(s / Double(c))
    }
  case .cosineEmbedding(let y, let margin, let c):
    let eps = Double(Float(1e-12))
    let half = withoutDerivative(at: v.count / 2)
    for r in withoutDerivative(at: 0..<y.count) {
      var dot = 0.0
      var m1 = eps
      var m2 = eps
      for k in withoutDerivative(at: 0..<c) {
        let a = v[r * c + k]
        let b = v[half + r * c + k]
        dot += a * b
        m1 += a * a
        m2 += b * b
      }
      let cosine = dot / (m1 * m2).squareRoot()
      out.append(y[r] == 1 ? 1 - cosine : (y[r] == -1 ? hinge(cosine - margin) : 0))
    }
  case .multiMargin(let target, let p, let margin, let weight, let c):
    for r in withoutDerivative(at: 0..<target.count) {
      let t = target[r]
      var s = 0.0
      for i in withoutDerivative(at: 0..<c) where i != t {
        let h = hinge(margin - v[r * c + t] + v[r * c + i])
        s += p == 1 ? h : h * h
      }
      out.append((weight?[t] ?? 1) * s / Double(c))
    }
  case .multilabelMargin(let target, let c):
    for r in withoutDerivative(at: 0..<(target.count / c)) {
      var labels: [Int] = []
      for k in target[(r * c)..<((r + 1) * c)] {
        if k < 0 { break }
        labels.append(k)
      }
      var s = 0.0
      for j in labels {
        for i in withoutDerivative(at: 0..<c) where !labels.contains(i) {
          s += hinge(1 - (v[r * c + j] - v[r * c + i]))
        }
      }
      out.append(s / Double(c))
    }
  case .tripletMargin(let margin, let p, let eps, let swap, let c):
    let third = withoutDerivative(at: v.count / 3)
    for r in withoutDerivative(at: 0..<(third / c)) {
      let dPos = distance(v, r * c, third + r * c, c, p, eps)
      var dNeg = distance(v, r * c, 2 * third + r * c, c, p, eps)
      if swap { dNeg = evenMinimum(dNeg, distance(v, third + r * c, 2 * third + r * c, c, p, eps)) }
      out.append(hinge(margin + dPos - dNeg))
    }
  case .pairwiseDistance(let p, let eps, let c):
    let half = withoutDerivative(at: v.count / 2)
    for r in withoutDerivative(at: 0..<(half / c)) { out.append(distance(v, r * c, half + r * c, c, p, eps)) }
  case .cosineSimilarity(let eps, let c):
    let half = withoutDerivative(at: v.count / 2)
    for r in withoutDerivative(at: 0..<(half / c)) {
      let n1 = clampedNorm(norm(v, r * c, c, 2), eps)
      let n2 = clampedNorm(norm(v, half + r * c, c, 2), eps)
      var s = 0.0
      for k in withoutDerivative(at: 0..<c) { s += (v[r * c + k] / n1) * (v[half + r * c + k] / n2) }
      out.append(s)
    }
  case .normalize(let p, let eps, let c):
    for r in withoutDerivative(at: 0..<(v.count / c)) {
      let n = clampedNorm(norm(v, r * c, c, p), eps)
      for k in withoutDerivative(at: 0..<c) { out.append(v[r * c + k] / n) }
    }
  case .layerNorm(let group, let eps, let hasWeight, let hasBias):
    let extra = withoutDerivative(at: (hasWeight ? group : 0) + (hasBias ? group : 0))
    let n = withoutDerivative(at: v.count - extra)
    for gIndex in withoutDerivative(at: 0..<(n / group)) {
      var mean = 0.0
      for k in withoutDerivative(at: 0..<group) { mean += v[gIndex * group + k] }
      mean = mean / Double(group)
      var variance = 0.0
      for k in withoutDerivative(at: 0..<group) {
        let d = v[gIndex * group + k] - mean
        variance += d * d
      }
      let rstd = 1 / (variance / Double(group) + eps).squareRoot()
      for k in withoutDerivative(at: 0..<group) {
        var y = (v[gIndex * group + k] - mean) * rstd
        if hasWeight { y = y * v[n + k] }
        if hasBias { y = y + v[n + (hasWeight ? group : 0) + k] }
        out.append(y)
      }
    }
  case .gaussianNLL(let full, let eps, let perRow, let c):
    let n = withoutDerivative(at: perRow ? v.count * c / (2 * c + 1) : v.count / 3)
    for i in withoutDerivative(at: 0..<n) {
      let variance = v[2 * n + (perRow ? i / c : i)]
      let vc = variance + withoutDerivative(at: Swift.max(variance, eps) - variance)
      let d = v[i] - v[n + i]
      var l = (oracleLog(vc) + d * d / vc) / 2
      if full { l += Foundation.log(2 * Double.pi) / 2 }
      out.append(l)
    }
  }
  return out
}

/// `max(0, z)` with derivative 0 at `z == 0`.
@differentiable(reverse)
func hinge(_ z: Double) -> Double { z > 0 ? z : 0 }

/// `||v[a ..< a + c] - v[b ..< b + c] + eps||_p` (`pNorm`).
@differentiable(reverse,wrt: v)
func distance(_ v: [Double], _ a: Int, _ b: Int, _ c: Int, _ p: Double, _ eps: Double) -> Double {
  var d: [Double] = []
  for k in withoutDerivative(at: 0..<c) { d.append(v[a + k] - v[b + k] + eps) }
  return pNorm(d, p)
}

/// `||v[a ..< a + c]||_p` (`pNorm`).
@differentiable(reverse,wrt: v)
func norm(_ v: [Double], _ a: Int, _ c: Int, _ p: Double) -> Double {
  var d: [Double] = []
  for k in withoutDerivative(at: 0..<c) { d.append(v[a + k]) }
  return pNorm(d, p)
}

/// `||d||_p` as `torch.linalg.vector_norm(d, ord=p)`: `sqrt` of squares for 2, `|.|` sums
/// for 1 (`|0|`'s derivative 0, as `torch.abs`), the count of nonzero entries for 0
/// (derivative 0), the largest / smallest `|d_k|` for `inf` / `-inf` (`extremeMagnitude`),
/// else `(sum |d|^p)^(1/p)` (negative `p` too: `pow` gives `inf` for `|0|^p` and then 0).
@differentiable(reverse,wrt: d)
func pNorm(_ d: [Double], _ p: Double) -> Double {
  if p == 0 { return nonzeroCount(d) }
  if p.isInfinite { return extremeMagnitude(d, largest: p > 0) }
  if p < 0 { return negativeOrderNorm(d, p) }
  var s = 0.0
  for k in withoutDerivative(at: 0..<d.count) { s += p == 2 ? d[k] * d[k] : oraclePower(oracleAbs(d[k]), p) }
  if p == 2 { return s.squareRoot() }
  if p == 1 { return s }
  return oraclePower(s, 1 / p)
}

/// `(sum |d_k|^p)^(1/p)` for `p < 0`: 0 when an entry is 0 (`|0|^p = inf`). Backward as
/// ATen's `norm_backward`: `d_k |d_k|^(p-2) g / n^(p-1)`, filled with 0 where the norm is 0.
@differentiable(reverse,wrt: d)
func negativeOrderNorm(_ d: [Double], _ p: Double) -> Double {
  Foundation.pow(d.reduce(0) { $0 + Foundation.pow(Swift.abs($1), p) }, 1 / p)
}

@derivative(of: negativeOrderNorm, wrt: d)
func negativeOrderNormVJP(_ d: [Double], _ p: Double) -> (value: Double, pullback: (Double) -> DoubleTangent) {
  let n = negativeOrderNorm(d, p)
  return (
    n,
    { g in
      DoubleTangent(
        n == 0
          ? d.map { _ in 0 } : d.map { x in x * Foundation.pow(Swift.abs(x), p - 2) * g / Foundation.pow(n, p - 1) })
    }
  )
}

/// The number of nonzero entries (`ord=0`); its gradient is 0 (a full-size zero tangent:
/// an empty one would not reach the entries' pullbacks).
@differentiable(reverse,wrt: d)
func nonzeroCount(_ d: [Double]) -> Double { Double(d.filter { $0 != 0 }.count) }

@derivative(of: nonzeroCount, wrt: d)
func nonzeroCountVJP(_ d: [Double]) -> (value: Double, pullback: (Double) -> DoubleTangent) {
  (nonzeroCount(d), { _ in DoubleTangent([Double](repeating: 0, count: d.count)) })
}

/// The largest (or smallest) `|d_k|`; backward as PyTorch's infinity-norm backward: the
/// gradient times `sign(d_k)`, split evenly among the entries whose `|d_k|` attains it.
@differentiable(reverse,wrt: d)
func extremeMagnitude(_ d: [Double], largest: Bool) -> Double {
  let m = d.map { Swift.abs($0) }
  return largest ? m.max() ?? 0 : m.min() ?? 0
}

@derivative(of: extremeMagnitude, wrt: d)
func extremeMagnitudeVJP(_ d: [Double], largest: Bool) -> (value: Double, pullback: (Double) -> DoubleTangent) {
  let value = extremeMagnitude(d, largest: largest)
  let ties = d.filter { Swift.abs($0) == value }.count
  return (
    value,
    { g in
      DoubleTangent(
        d.map { x in Swift.abs(x) == value ? g * (x > 0 ? 1 : (x < 0 ? -1 : 0)) / Double(ties) : 0 })
    }
  )
}

/// `max(n, eps)` with the clamped value a constant (no derivative below `eps`).
@differentiable(reverse)
func clampedNorm(_ n: Double, _ eps: Double) -> Double { n > eps ? n : withoutDerivative(at: eps) }

/// `log(x)`, derivative `1/x`.
@differentiable(reverse)
func oracleLog(_ x: Double) -> Double { Foundation.log(x) }

@derivative(of: oracleLog)
func oracleLogVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
  (Foundation.log(x), { g in g / x })
}

/// `torch.minimum` of two numbers: a tie splits the derivative evenly.
@differentiable(reverse)
func evenMinimum(_ a: Double, _ b: Double) -> Double { Swift.min(a, b) }

@derivative(of: evenMinimum)
func evenMinimumVJP(_ a: Double, _ b: Double) -> (value: Double, pullback: (Double) -> (Double, Double)) {
  (Swift.min(a, b), { g in a == b ? (g / 2, g / 2) : (a < b ? (g, 0) : (0, g)) })
}

/// `|x|` with derivative `sign(x)` (0 at 0).
@differentiable(reverse)
func oracleAbs(_ x: Double) -> Double { Swift.abs(x) }

@derivative(of: oracleAbs)
func oracleAbsVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
  (Swift.abs(x), { g in g * (x > 0 ? 1 : (x < 0 ? -1 : 0)) })
}

/// `x^p` for `x >= 0` (`pow`), derivative `p x^(p-1)`.
@differentiable(reverse,wrt: x)
func oraclePower(_ x: Double, _ p: Double) -> Double { Foundation.pow(x, p) }

@derivative(of: oraclePower, wrt: x)
func oraclePowerVJP(_ x: Double, _ p: Double) -> (value: Double, pullback: (Double) -> Double) {
  (Foundation.pow(x, p), { g in g * p * Foundation.pow(x, p - 1) })
}

/// `log(1 + exp(x))` without overflow, derivative `sigmoid(x)`.
@differentiable(reverse)
func oracleSoftplus(_ x: Double) -> Double { Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }

@derivative(of: oracleSoftplus)
func oracleSoftplusVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
  let s = x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
  return (oracleSoftplus(x), { g in g * s })
}
#endif
