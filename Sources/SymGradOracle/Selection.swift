#if canImport(_Differentiation)
import _Differentiation

/// `torch.where(condition, input, other)` for a condition of literal booleans (aten::where):
/// `input[i]` where `condition[i]`, else `other[i]`. Backward (derivatives.yaml):
/// `where(condition, g, 0)` to input and `where(condition, 0, g)` to other. A condition of
/// one element applies to every element.
@differentiable(reverse,wrt: (input, other))
public func select(_ input: [Double], _ other: [Double], condition: [Bool]) -> [Double] {
  precondition(input.count == other.count, "select: count mismatch")
  precondition(condition.count == input.count || condition.count == 1, "select: condition count mismatch")
  var out = [Double](repeating: 0, count: input.count)
  for i in 0..<input.count { out[i] = condition[condition.count == 1 ? 0 : i] ? input[i] : other[i] }
  return out
}

@derivative(of: select, wrt: (input, other))
@usableFromInline
func selectVJP(_ input: [Double], _ other: [Double], condition: [Bool])
  -> (value: [Double], pullback: (DoubleTangent) -> (DoubleTangent, DoubleTangent))
{
  (
    select(input, other, condition: condition),
    { g in
      let gd = dense(g, count: input.count)
      var gi = [Double](repeating: 0, count: input.count)
      var go = [Double](repeating: 0, count: input.count)
      for i in 0..<input.count {
        if condition[condition.count == 1 ? 0 : i] { gi[i] = gd[i] } else { go[i] = gd[i] }
      }
      return (DoubleTangent(gi), DoubleTangent(go))
    }
  )
}

/// `torch.max(input, dim)` (`largest`) or `torch.min(input, dim)` (aten::max.dim) of a
/// row-major tensor of `shape`: for every lane along `dim`, in row-major order of the other
/// dimensions, the extremum and the index of its first occurrence; a NaN is the extremum
/// (the first one), as ATen's kernels compare. Returns the values, then the indices as
/// numbers (`keepdim` changes only the shape). Backward (derivatives.yaml,
/// `value_selecting_reduction_backward`): each value's gradient goes to the input entry at
/// its index; the indices have none.
@differentiable(reverse,wrt: x)
public func extremumAlongDimension(_ x: [Double], shape: [Int], dim: Int, largest: Bool) -> [Double] {
  let picked = extremumIndices(x, shape: shape, dim: dim, largest: largest)
  return picked.flat.map { x[$0] } + picked.index.map(Double.init)
}

/// For every lane of `extremumAlongDimension`: the flat index of its extremum and the
/// extremum's position in the lane.
func extremumIndices(_ x: [Double], shape: [Int], dim: Int, largest: Bool) -> (flat: [Int], index: [Int]) {
  let outer = shape[..<dim].reduce(1, *)
  let n = shape[dim]
  let inner = shape[(dim + 1)...].reduce(1, *)
  var flat: [Int] = []
  var index: [Int] = []
  for o in 0..<outer {
    for i in 0..<inner {
      var best = 0
      for k in 1..<max(n, 1) {
        let (candidate, current) = (x[o * n * inner + k * inner + i], x[o * n * inner + best * inner + i])
        if current.isNaN { break }
        if candidate.isNaN || (largest ? candidate > current : candidate < current) { best = k }
      }
      flat.append(o * n * inner + best * inner + i)
      index.append(best)
    }
  }
  return (flat, index)
}

@derivative(of: extremumAlongDimension, wrt: x)
@usableFromInline
func extremumAlongDimensionVJP(_ x: [Double], shape: [Int], dim: Int, largest: Bool)
  -> (value: [Double], pullback: (DoubleTangent) -> DoubleTangent)
{
  let picked = extremumIndices(x, shape: shape, dim: dim, largest: largest)
  return (
    picked.flat.map { x[$0] } + picked.index.map(Double.init),
    { g in
      let gd = dense(g, count: 2 * picked.flat.count)
      var gx = [Double](repeating: 0, count: x.count)
      for (k, j) in picked.flat.enumerated() { gx[j] += gd[k] }
      return DoubleTangent(gx)
    }
  )
}
#endif
