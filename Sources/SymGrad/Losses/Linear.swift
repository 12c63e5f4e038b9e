/// `linear(input, weight, bias=None)`: `y = x W^T + b`.
///
/// `input` is N x in (or in), `weight` out x in, `bias` out. Differentiate with respect
/// to the symbols of any argument (the forum example differentiates the weights).
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
  guard weight.rank == 2 else { throw LossError("weight must be 2-D (out_features, in_features), got shape \(weight.shape)", argument: "weight") }
  let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
  guard input.rank >= 1, input.shape.last == inFeatures else {
    throw LossError("mat1 and mat2 shapes cannot be multiplied (input \(input.shape), weight^T [\(inFeatures), \(outFeatures)])", argument: "weight")
  }
  if let b = bias, b.shape != [outFeatures] {
    throw LossError("bias must have shape [\(outFeatures)], got \(b.shape)", argument: "bias")
  }
  let rows = input.asRows.rows
  var out: [Expr] = []
  for n in 0..<rows {
    let x = input.row(n)
    for o in 0..<outFeatures {
      let w = weight.row(o)
      var terms = zip(x, w).map { $0 * $1 }
      if let b = bias { terms.append(b.elements[o]) }
      out.append(.sum(terms))
    }
  }
  return Tensor(shape: input.rank == 1 ? [outFeatures] : [rows, outFeatures], elements: out)
}
