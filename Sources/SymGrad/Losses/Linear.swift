/// `linear(input, weight, bias=None)`: `y = x W^T + b`, as `F.linear`.
///
/// `input` has shape `(*, in)`; `weight` is `(out, in)` and then `bias` is `(out)` and the
/// result `(*, out)`, or `weight` is 1-D `(in)` and then `bias` is a scalar (0-D or one
/// number) and the result has shape `(*)` (`x @ w + b`). Differentiate with respect to the
/// symbols of any argument (the forum example differentiates the weights).
public func linear(_ input: Expr.Tensor, weight: Expr.Tensor, bias: Expr.Tensor? = nil) throws -> Expr.Tensor {
  guard weight.rank == 1 || weight.rank == 2 else {
    throw LossError(
      "weight must be 1-D (in_features) or 2-D (out_features, in_features), got shape \(weight.shape)",
      argument: "weight")
  }
  let vectorWeight = weight.rank == 1
  let (outFeatures, inFeatures) = vectorWeight ? (1, weight.shape[0]) : (weight.shape[0], weight.shape[1])
  guard input.rank >= 1, input.shape.last == inFeatures else {
    throw LossError(
      "mat1 and mat2 shapes cannot be multiplied (input \(input.shape), weight^T [\(inFeatures), \(outFeatures)])",
      argument: "weight")
  }
  if let b = bias {
    let ok = vectorWeight ? b.count == 1 && b.rank <= 1 : b.shape == [outFeatures]
    guard ok else {
      throw LossError(
        vectorWeight
          ? "bias must be a scalar for a 1-D weight, got shape \(b.shape)"
          : "bias must have shape [\(outFeatures)], got \(b.shape)", argument: "bias")
    }
  }
  let rows = input.asRows.rows
  var out: [Expr] = []
  for n in 0..<rows {
    let x = input.row(n)
    for o in 0..<outFeatures {
      let w = vectorWeight ? weight.elements[...] : weight.row(o)
      var terms = zip(x, w).map { $0 * $1 }
      if let b = bias { terms.append(b.elements[o]) }
      out.append(.sum(terms))
    }
  }
  let batch = Array(input.shape.dropLast())
  return Expr.Tensor(shape: vectorWeight ? batch : batch + [outFeatures], elements: out)
}
