#if canImport(_Differentiation)
import Foundation
import _Differentiation

/// How `torch.matmul` pairs two row-major operands (PyTorch's documented rules, written
/// here independently): a 1-D first operand is a row (1 prepended), a 1-D second a column
/// (1 appended), the dimensions before the last two broadcast; `blocks` lists, for each
/// output matrix, the offsets of its two operand matrices.
public struct MatmulPlan: Sendable {
  public let m: Int, k: Int, n: Int
  public let blocks: [(a: Int, b: Int)]
  /// The output's shape (the promoted 1s removed again).
  public let shape: [Int]

  /// Nil when PyTorch refuses the shapes.
  public init?(_ shapeA: [Int], _ shapeB: [Int]) {
    guard !shapeA.isEmpty, !shapeB.isEmpty else { return nil }
    let left = shapeA.count == 1 ? [1] + shapeA : shapeA
    let right = shapeB.count == 1 ? shapeB + [1] : shapeB
    m = left[left.count - 2]
    k = left[left.count - 1]
    n = right[right.count - 1]
    guard right[right.count - 2] == k else { return nil }
    let ba = Array(left.dropLast(2))
    let bb = Array(right.dropLast(2))
    let rank = max(ba.count, bb.count)
    let pa = [Int](repeating: 1, count: rank - ba.count) + ba
    let pb = [Int](repeating: 1, count: rank - bb.count) + bb
    var batch: [Int] = []
    for (x, y) in zip(pa, pb) {
      guard x == y || x == 1 || y == 1 else { return nil }
      batch.append(max(x, y))
    }
    var blocks: [(Int, Int)] = []
    let total = batch.reduce(1, *)
    for flat in 0..<total {
      // The batch index, then each operand's matrix number (a size-1 dimension repeats).
      var rest = flat
      var index = [Int](repeating: 0, count: rank)
      for d in stride(from: rank - 1, through: 0, by: -1) {
        index[d] = rest % batch[d]
        rest /= batch[d]
      }
      var ia = 0
      var ib = 0
      for d in 0..<rank {
        ia = ia * pa[d] + (pa[d] == 1 ? 0 : index[d])
        ib = ib * pb[d] + (pb[d] == 1 ? 0 : index[d])
      }
      blocks.append((ia * m * k, ib * k * n))
    }
    self.blocks = blocks
    var out = batch + [m, n]
    if shapeB.count == 1 { out.removeLast() }
    if shapeA.count == 1 { out.remove(at: out.count - (shapeB.count == 1 ? 1 : 2)) }
    shape = out
  }
}

/// `torch.matmul(a, b)` for row-major operands laid out by `plan`. Backward: each output
/// block's `g` gives `g b^T` to its `a` block and `a^T g` to its `b` block, summed over the
/// blocks that share an operand matrix (broadcast batch dimensions).
@differentiable(reverse,wrt: (a, b))
public func matmul(_ a: [Double], _ b: [Double], plan: MatmulPlan) -> [Double] {
  matmulForward(a, b, plan)
}

func matmulForward(_ a: [Double], _ b: [Double], _ p: MatmulPlan) -> [Double] {
  var out: [Double] = []
  out.reserveCapacity(p.blocks.count * p.m * p.n)
  for (oa, ob) in p.blocks {
    for i in 0..<p.m {
      for j in 0..<p.n {
        var s = 0.0
        for q in 0..<p.k { s += a[oa + i * p.k + q] * b[ob + q * p.n + j] }
        out.append(s)
      }
    }
  }
  return out
}

@derivative(of: matmul, wrt: (a, b))
@usableFromInline
func matmulPlanVJP(_ a: [Double], _ b: [Double], plan p: MatmulPlan)
  -> (value: [Double], pullback: (DoubleTangent) -> (DoubleTangent, DoubleTangent))
{
  (
    matmulForward(a, b, p),
    { g in
      let gd = dense(g, count: p.blocks.count * p.m * p.n)
      var ga = [Double](repeating: 0, count: a.count)
      var gb = [Double](repeating: 0, count: b.count)
      for (block, (oa, ob)) in p.blocks.enumerated() {
        let og = block * p.m * p.n
        for i in 0..<p.m {
          for j in 0..<p.n {
            let gij = gd[og + i * p.n + j]
            for q in 0..<p.k {
              ga[oa + i * p.k + q] += gij * b[ob + q * p.n + j]
              gb[ob + q * p.n + j] += a[oa + i * p.k + q] * gij
            }
          }
        }
      }
      return (DoubleTangent(ga), DoubleTangent(gb))
    }
  )
}

/// `torch.transpose(x, dim0, dim1)` of a row-major tensor of `shape` (dimensions already
/// non-negative): a permutation of the entries; its backward is the inverse permutation.
@differentiable(reverse,wrt: x)
public func transpose(_ x: [Double], shape: [Int], dim0: Int, dim1: Int) -> [Double] {
  let order = transposeOrder(shape, dim0, dim1)
  return order.map { x[$0] }
}

/// For each output entry, the input entry it is (row-major).
func transposeOrder(_ shape: [Int], _ d0: Int, _ d1: Int) -> [Int] {
  var strides = [Int](repeating: 1, count: shape.count)
  for d in stride(from: shape.count - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
  var outShape = shape
  outShape.swapAt(d0, d1)
  var swapped = strides
  swapped.swapAt(d0, d1)
  let count = shape.reduce(1, *)
  var order: [Int] = []
  order.reserveCapacity(count)
  for flat in 0..<count {
    var rest = flat
    var source = 0
    for d in stride(from: outShape.count - 1, through: 0, by: -1) {
      source += (rest % outShape[d]) * swapped[d]
      rest /= outShape[d]
    }
    order.append(source)
  }
  return order
}

@derivative(of: transpose, wrt: x)
@usableFromInline
func transposeVJP(_ x: [Double], shape: [Int], dim0: Int, dim1: Int)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let order = transposeOrder(shape, dim0, dim1)
  return (
    order.map { x[$0] },
    { g in
      let gd = dense(g, count: order.count)
      var gx = [Double](repeating: 0, count: x.count)
      for (i, source) in order.enumerated() { gx[source] += gd[i] }
      return DoubleTangent(gx)
    }
  )
}
#endif
