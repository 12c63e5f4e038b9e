/// `linear(input, weight, bias=None)`: `y = x W^T + b`, as `F.linear`.
///
/// `input` has shape `(*, in)`; `weight` is `(out, in)` and then `bias` is `(out)`, `(1)` or
/// 0-D (broadcast over the outputs, as PyTorch adds it) and the result `(*, out)`; or
/// `weight` is 1-D `(in)`, the result has shape `(*)` (`x @ w + b`) and `bias` is 0-D, with
/// PyTorch's refusals: a `(1)` bias, and any bias with a 2-D input (its `addmm` path:
/// "mat2 must be a matrix"). A bias of 2 or more dimensions, which PyTorch broadcasts on some
/// of its paths only, is refused. Differentiate with respect to the symbols of any argument
/// (the forum example differentiates the weights).
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
    if vectorWeight {
      guard input.rank != 2 else {
        throw LossError(
          "addmm: mat2 must be a matrix, got 1-D tensor (PyTorch refuses a bias with a 1-D weight and a 2-D input)",
          argument: "bias")
      }
      guard b.rank == 0 else {
        throw LossError(
          "addmm: mat2 must be a matrix, got 1-D tensor (with a 1-D weight PyTorch takes only a 0-D bias, got shape \(b.shape))",
          argument: "bias")
      }
    } else {
      guard b.shape == [outFeatures] || b.shape == [1] || b.rank == 0 else {
        throw LossError(
          "bias must have shape [\(outFeatures)], [1] or [] (broadcast over the outputs), got \(b.shape)",
          argument: "bias")
      }
    }
  }
  let rows = input.asRows.rows
  var out: [Expr] = []
  for n in 0..<rows {
    let x = input.row(n)
    for o in 0..<outFeatures {
      let w = vectorWeight ? weight.elements[...] : weight.row(o)
      var terms = zip(x, w).map { $0 * $1 }
      if let b = bias { terms.append(b.count == 1 ? b.elements[0] : b.elements[o]) }
      out.append(.sum(terms))
    }
  }
  let batch = Array(input.shape.dropLast())
  return Expr.Tensor(shape: vectorWeight ? batch : batch + [outFeatures], elements: out)
}
