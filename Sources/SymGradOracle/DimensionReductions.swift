#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// The reductions along dimensions of `torch.sum`, `torch.mean`, `torch.amax`,
/// `torch.amin` and `torch.logsumexp` (aten::sum.dim_IntList, mean.dim, amax, amin,
/// logsumexp).
public enum DimensionReduction: Sendable {
  case sum, mean, amax, amin, logsumexp
}

/// For every position of the dimensions not in `dims` (row-major), the flat indices of the
/// entries over `dims` of a row-major tensor of `shape`. Empty `dims`: every dimension.
func reductionLanes(shape: [Int], dims: [Int]) -> [[Int]] {
  let reduced = dims.isEmpty ? Set(shape.indices) : Set(dims)
  var strides = [Int](repeating: 1, count: shape.count)
  var step = 1
  for d in shape.indices.reversed() {
    strides[d] = step
    step *= shape[d]
  }
  func offsets(_ ds: [Int]) -> [Int] {
    var out = [0]
    for d in ds { out = out.flatMap { base in (0..<shape[d]).map { base + $0 * strides[d] } } }
    return out
  }
  let inner = offsets(shape.indices.filter { reduced.contains($0) })
  return offsets(shape.indices.filter { !reduced.contains($0) }).map { base in inner.map { base + $0 } }
}

/// `kind` of a row-major tensor of `shape` over `dims` (every dimension when empty), one
/// value per position of the other dimensions (`keepdim` changes only the shape). Backward
/// (derivatives.yaml): sum and mean spread the gradient (mean divided by the lane's size);
/// amax and amin give it to the entries equal to the result, split evenly among them
/// (`grad * (x == result) / count`), -inf ties included; logsumexp `grad * exp(x - result)`.
@differentiable(reverse,wrt: x)
public func reduceAlong(_ x: [Double], shape: [Int], dims: [Int], kind: DimensionReduction) -> [Double] {
  reduce(x, lanes: reductionLanes(shape: shape, dims: dims), kind: kind)
}

/// `kind` of the entries of `x` in each lane.
func reduce(_ x: [Double], lanes: [[Int]], kind: DimensionReduction) -> [Double] {
  lanes.map { lane in
    switch kind {
    case .sum: return lane.reduce(0) { $0 + x[$1] }
    case .mean: return lane.reduce(0) { $0 + x[$1] } / Double(lane.count)
    case .amax: return lane.dropFirst().reduce(x[lane[0]]) { Swift.max($0, x[$1]) }
    case .amin: return lane.dropFirst().reduce(x[lane[0]]) { Swift.min($0, x[$1]) }
    case .logsumexp:
      // ATen: shifted by the lane's maximum, 0 when that is infinite.
      let m = lane.dropFirst().reduce(x[lane[0]]) { Swift.max($0, x[$1]) }
      let shift = m.isInfinite ? 0 : m
      return Foundation.log(lane.reduce(0) { $0 + Foundation.exp(x[$1] - shift) }) + shift
    }
  }
}

@derivative(of: reduceAlong, wrt: x)
@usableFromInline
func reduceAlongVJP(_ x: [Double], shape: [Int], dims: [Int], kind: DimensionReduction)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let lanes = reductionLanes(shape: shape, dims: dims)
  let y = reduce(x, lanes: lanes, kind: kind)
  return (
    y,
    { g in
      let gd = dense(g, count: y.count)
      var gx = [Double](repeating: 0, count: x.count)
      for (k, lane) in lanes.enumerated() {
        switch kind {
        case .sum: for i in lane { gx[i] += gd[k] }
        case .mean: for i in lane { gx[i] += gd[k] / Double(lane.count) }
        case .logsumexp: for i in lane { gx[i] += gd[k] * Foundation.exp(x[i] - y[k]) }
        case .amax, .amin:
          let attaining = lane.filter { x[$0] == y[k] }
          for i in attaining { gx[i] += gd[k] / Double(attaining.count) }
        }
      }
      return DoubleTangent(gx)
    }
  )
}

/// `torch.maximum(a, b)` (`largest`) or `torch.minimum` of row-major tensors of shapes
/// `shapeA` and `shapeB`, broadcast together (NumPy's rules; the shapes must broadcast).
/// Backward (derivatives.yaml): the gradient goes to the larger (smaller) side, half to each
/// where they are equal, summed over the broadcast dimensions.
@differentiable(reverse,wrt: (a, b))
public func elementwiseExtremum(_ a: [Double], shapeA: [Int], _ b: [Double], shapeB: [Int], largest: Bool)
  -> [Double]
{
  broadcastPairs(shapeA, shapeB).map { i, j in largest ? Swift.max(a[i], b[j]) : Swift.min(a[i], b[j]) }
}

/// For every entry of the broadcast shape (row-major), the flat indices into `a` and `b`.
func broadcastPairs(_ shapeA: [Int], _ shapeB: [Int]) -> [(Int, Int)] {
  let rank = Swift.max(shapeA.count, shapeB.count)
  let pa = [Int](repeating: 1, count: rank - shapeA.count) + shapeA
  let pb = [Int](repeating: 1, count: rank - shapeB.count) + shapeB
  let out = zip(pa, pb).map { Swift.max($0, $1) }
  precondition(zip(zip(pa, pb), out).allSatisfy { ($0.0 == $1 || $0.0 == 1) && ($0.1 == $1 || $0.1 == 1) })
  var pairs: [(Int, Int)] = []
  let total = out.reduce(1, *)
  for flat in 0..<total {
    var rest = flat
    var (i, j, sa, sb) = (0, 0, 1, 1)
    for d in (0..<rank).reversed() {
      let index = rest % out[d]
      rest /= out[d]
      if pa[d] != 1 { i += index * sa }
      if pb[d] != 1 { j += index * sb }
      sa *= pa[d]
      sb *= pb[d]
    }
    pairs.append((i, j))
  }
  return pairs
}

@derivative(of: elementwiseExtremum, wrt: (a, b))
@usableFromInline
func elementwiseExtremumVJP(_ a: [Double], shapeA: [Int], _ b: [Double], shapeB: [Int], largest: Bool)
  -> (value: [Double], pullback: (DoubleTangent) -> (DoubleTangent, DoubleTangent))
{
  let pairs = broadcastPairs(shapeA, shapeB)
  return (
    elementwiseExtremum(a, shapeA: shapeA, b, shapeB: shapeB, largest: largest),
    { g in
      let gd = dense(g, count: pairs.count)
      var ga = [Double](repeating: 0, count: a.count)
      var gb = [Double](repeating: 0, count: b.count)
      for (k, (i, j)) in pairs.enumerated() {
        if a[i] == b[j] {
          ga[i] += gd[k] / 2
          gb[j] += gd[k] / 2
        } else if (a[i] > b[j]) == largest {
          ga[i] += gd[k]
        } else {
          gb[j] += gd[k]
        }
      }
      return (DoubleTangent(ga), DoubleTangent(gb))
    }
  )
}
#endif
