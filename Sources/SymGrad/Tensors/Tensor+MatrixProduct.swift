extension Expr.Tensor {
  /// Why a matrix product or a transpose cannot be formed (PyTorch refuses the same
  /// shapes), with PyTorch's wording where it has one.
  public struct ShapeError: Error, CustomStringConvertible {
    public let description: String
  }

  /// `torch.matmul(a, b)` (`a @ b`), PyTorch's rules:
  /// - 1-D and 1-D: the dot product, a 0-d tensor;
  /// - 2-D and 2-D: the matrix product;
  /// - a 1-D first argument is a row (a 1 prepended to its shape, removed from the result),
  ///   a 1-D second argument a column (a 1 appended, removed);
  /// - with more dimensions, a batch of matrix products: the dimensions before the last two
  ///   broadcast (aligned on the right; sizes equal, or 1).
  /// Each entry is `sum_k a[.., i, k] b[.., k, j]`, built canonically (exact, no
  /// reassociation beyond the sum's canonical order).
  public static func matmul(_ a: Expr.Tensor, _ b: Expr.Tensor) throws -> Expr.Tensor {
    guard a.rank >= 1, b.rank >= 1 else {
      throw ShapeError(
        description: "both arguments to matmul need to be at least 1D, but they are \(a.rank)D and \(b.rank)D")
    }
    let left = a.rank == 1 ? [1] + a.shape : a.shape
    let right = b.rank == 1 ? b.shape + [1] : b.shape
    let (m, k) = (left[left.count - 2], left[left.count - 1])
    let (k2, n) = (right[right.count - 2], right[right.count - 1])
    guard k == k2 else {
      throw ShapeError(
        description: a.rank == 1 && b.rank == 1
          ? "inconsistent tensor size: matmul of vectors of \(a.shape[0]) and \(b.shape[0]) elements"
          : "shapes cannot be multiplied (\(m)x\(k) and \(k2)x\(n)); matmul of shapes \(a.shape) and \(b.shape)")
    }
    let batchA = Array(left.dropLast(2))
    let batchB = Array(right.dropLast(2))
    let rank = max(batchA.count, batchB.count)
    var batch: [Int] = []
    for p in 0..<rank {
      let x = p - (rank - batchA.count) >= 0 ? batchA[p - (rank - batchA.count)] : 1
      let y = p - (rank - batchB.count) >= 0 ? batchB[p - (rank - batchB.count)] : 1
      guard x == y || x == 1 || y == 1 else {
        throw ShapeError(
          description: "the batch dimensions of shapes \(a.shape) and \(b.shape) cannot be broadcast together")
      }
      batch.append(max(x, y))
    }
    let batchCount = batch.reduce(1, *)
    /// The offset of a batch index (row-major over `batch`) in an operand's batch shape.
    func offset(_ index: Int, _ own: [Int]) -> Int {
      var rest = index
      var position = 0
      var step = 1
      for p in stride(from: rank - 1, through: 0, by: -1) {
        let i = rest % batch[p]
        rest /= batch[p]
        let q = p - (rank - own.count)
        guard q >= 0 else { continue }
        if own[q] != 1 { position += i * step }
        step *= own[q]
      }
      return position
    }
    var elements: [Expr] = []
    elements.reserveCapacity(batchCount * m * n)
    for index in 0..<batchCount {
      let oa = offset(index, batchA) * m * k
      let ob = offset(index, batchB) * k * n
      for i in 0..<m {
        for j in 0..<n {
          elements.append(.sum((0..<k).map { p in a.elements[oa + i * k + p] * b.elements[ob + p * n + j] }))
        }
      }
    }
    var shape = batch + [m, n]
    if b.rank == 1 { shape.removeLast() }
    if a.rank == 1 { shape.remove(at: shape.count - (b.rank == 1 ? 1 : 2)) }
    return Expr.Tensor(shape: shape, elements: elements)
  }

  /// `torch.transpose(t, dim0, dim1)`: the two dimensions swapped (negative dimensions count
  /// from the end; a 0-d or 1-d tensor accepts 0 and -1 and is unchanged).
  public func transposed(_ dim0: Int, _ dim1: Int) throws -> Expr.Tensor {
    let r = Swift.max(rank, 1)
    func normalized(_ d: Int) throws -> Int {
      guard d >= -r, d < r else {
        throw ShapeError(
          description: "dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(d))")
      }
      return d < 0 ? d + r : d
    }
    let (p, q) = (try normalized(dim0), try normalized(dim1))
    guard rank >= 2, p != q else { return self }
    var order = Array(0..<rank)
    order.swapAt(p, q)
    return permuted(order)
  }

  /// The tensor with its dimensions in the order `order` (`order[i]` is the old dimension
  /// that becomes dimension `i`), as `torch.permute`.
  public func permuted(_ order: [Int]) -> Expr.Tensor {
    let newShape = order.map { shape[$0] }
    var strides = [Int](repeating: 1, count: rank)
    for d in stride(from: rank - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
    var elements: [Expr] = []
    elements.reserveCapacity(count)
    var index = [Int](repeating: 0, count: rank)
    for _ in 0..<count {
      var source = 0
      for (i, d) in order.enumerated() { source += index[i] * strides[d] }
      elements.append(self.elements[source])
      Self.advance(&index, in: newShape)
    }
    return Expr.Tensor(shape: newShape, elements: elements)
  }

  /// Advances a row-major multi-index of `shape` by one (the last axis fastest; past the
  /// end it wraps to all zeros).
  static func advance(_ index: inout [Int], in shape: [Int]) {
    var axis = shape.count - 1
    while axis >= 0 {
      index[axis] += 1
      if index[axis] < shape[axis] { return }
      index[axis] = 0
      axis -= 1
    }
  }

  /// `torch.reshape(t, shape)`: the same entries in row-major order, in `shape`; one size
  /// may be -1 (inferred from the others). PyTorch's errors for a second -1, a negative
  /// size and a count that does not match.
  public func reshaped(_ shape: [Int]) throws -> Expr.Tensor {
    guard shape.filter({ $0 == -1 }).count <= 1 else {
      throw ShapeError(description: "only one dimension can be inferred")
    }
    if let bad = shape.first(where: { $0 < -1 }) { throw ShapeError(description: "invalid shape dimension \(bad)") }
    // Sizes past Int's range (fuzz seed 44 #697278: [3, 2**63 - 2]) hold more elements
    // than any input: the count PyTorch reports as invalid, never an overflow trap.
    var known = 1
    for d in shape where d != -1 {
      let (p, overflow) = known.multipliedReportingOverflow(by: d)
      if overflow { throw ShapeError(description: "shape '\(shape)' is invalid for input of size \(count)") }
      known = p
    }
    var out = shape
    if let i = shape.firstIndex(of: -1) {
      guard known > 0, count % known == 0 else {
        throw ShapeError(description: "shape '\(shape)' is invalid for input of size \(count)")
      }
      out[i] = count / known
    }
    guard out.reduce(1, *) == count else {
      throw ShapeError(description: "shape '\(shape)' is invalid for input of size \(count)")
    }
    return Expr.Tensor(shape: out, elements: elements)
  }

  /// `t.T`: every dimension reversed (PyTorch deprecates it for other than 2-D tensors but
  /// computes this).
  public var transposedT: Expr.Tensor { permuted(Array((0..<rank).reversed())) }

  /// `t.mT`: the last two dimensions swapped (a batch of matrices transposed); at least 2-D.
  public func transposedM() throws -> Expr.Tensor {
    guard rank >= 2 else {
      throw ShapeError(
        description: "tensor.mT is only supported on matrices or batches of matrices. Got \(rank)-D tensor.")
    }
    return try transposed(-2, -1)
  }
}
