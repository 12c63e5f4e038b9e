extension Expr {
  /// A dense tensor of expressions in row-major order: the inputs and outputs of the losses.
  ///
  /// Any rank: the losses take a scalar, a vector of C entries, an N x C matrix, or an
  /// (N, C, d1, ..., dK) tensor with the classes in dimension 1, as PyTorch does.
  public struct Tensor: Sendable, Equatable {
    public let shape: [Int]
    public let elements: [Expr]

    /// A tensor of `shape` with `elements` in row-major order (their count must match).
    public init(shape: [Int], elements: [Expr]) {
      precondition(shape.reduce(1, *) == elements.count, "shape \(shape) needs \(shape.reduce(1, *)) elements")
      self.shape = shape
      self.elements = elements
    }

    public init(scalar: Expr) { self.init(shape: [], elements: [scalar]) }
    public init(vector: [Expr]) { self.init(shape: [vector.count], elements: vector) }
    public init(matrix rows: [[Expr]]) {
      self.init(shape: [rows.count, rows.first?.count ?? 0], elements: rows.flatMap { $0 })
    }

    public var rank: Int { shape.count }
    public var count: Int { elements.count }

    /// The tensor as an N x C matrix: a vector becomes one row (PyTorch's unbatched input).
    var asRows: (rows: Int, columns: Int) {
      switch rank {
      case 0: return (1, 1)
      case 1: return (1, shape[0])
      default: return (shape.dropLast().reduce(1, *), shape.last!)
      }
    }

    /// Row `r` of the matrix view.
    func row(_ r: Int) -> ArraySlice<Expr> {
      let c = asRows.columns
      return elements[(r * c)..<((r + 1) * c)]
    }

    /// PyTorch's losses put the classes in dimension 1: an (N, C, d1, ..., dK) tensor (K >= 1)
    /// as the (N d1 ... dK) x C matrix whose row `n D + s` (D = d1 ... dK, s the row-major
    /// position in d1 ... dK) holds the C class entries at batch n, position s. Tensors of
    /// rank 2 or less are returned as they are.
    var classesLast: Tensor {
      guard rank >= 3 else { return self }
      let n = shape[0]
      let c = shape[1]
      let d = shape.dropFirst(2).reduce(1, *)
      var out: [Expr] = []
      out.reserveCapacity(count)
      for b in 0..<n {
        for s in 0..<d {
          for k in 0..<c { out.append(elements[b * c * d + k * d + s]) }
        }
      }
      return Tensor(shape: [n * d, c], elements: out)
    }

    /// The shape without the class dimension (dimension 1): (N, d1, ..., dK) for an
    /// (N, C, d1, ..., dK) tensor; the per-position shape of a loss with `reduction="none"`.
    var shapeWithoutClasses: [Int] {
      guard rank >= 2 else { return [] }
      return [shape[0]] + shape.dropFirst(2)
    }

    /// Applies `f` to every element.
    public func map(_ f: (Expr) -> Expr) -> Tensor { Tensor(shape: shape, elements: elements.map(f)) }

    /// The same elements as a `Value` (nested lists), for the expression language; a tensor
    /// with a size 0 before its last dimension, which nested lists cannot hold, is `.empty`.
    public var value: Value {
      if shape.dropLast().contains(0) { return .empty(shape: shape) }
      func build(_ dims: ArraySlice<Int>, _ offset: Int) -> Value {
        guard let d = dims.first else { return .scalar(elements[offset]) }
        let stride = dims.dropFirst().reduce(1, *)
        return .list((0..<d).map { build(dims.dropFirst(), offset + $0 * stride) })
      }
      return build(shape[...], 0)
    }
  }
}

extension Expr.Tensor {
  /// A tensor from a value of the expression language (a scalar or a rectangular list).
  public init?(_ value: Expr.Value) {
    guard let shape = value.shape else { return nil }
    self.init(shape: shape, elements: value.flattened)
  }

  /// Sum of all elements.
  public var sum: Expr { .sum(elements) }
  /// Mean of all elements (`undefined` for an empty tensor, as 0/0).
  public var mean: Expr { .sum(elements) / .number(count) }
}
