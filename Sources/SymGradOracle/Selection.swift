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
#endif
