extension Expr.Tensor {
  /// The dimension `dim` (negative counts from the end) as an index, or PyTorch's
  /// "Dimension out of range".
  func dimension(_ dim: Int) throws -> Int {
    let d = dim < 0 ? dim + rank : dim
    guard d >= 0 && d < rank else {
      throw LossError(
        "Dimension out of range (expected to be in range of [\(-rank), \(rank - 1)], but got \(dim))", argument: "dim")
    }
    return d
  }

  /// For every position of the dimensions not in `reduce`, in row-major order, the flat
  /// indices of the entries over the dimensions in `reduce` (row-major too).
  private func laneIndices(reducing reduce: Set<Int>) -> [[Int]] {
    var strides = [Int](repeating: 1, count: rank)
    for d in stride(from: rank - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * shape[d + 1] }
    /// Flat offsets of every combination of `ds`' indices, row-major.
    func offsets(_ ds: [Int]) -> [Int] {
      ds.reduce([0]) { acc, d in acc.flatMap { base in (0..<shape[d]).map { base + $0 * strides[d] } } }
    }
    let inner = offsets((0..<rank).filter { reduce.contains($0) })
    return offsets((0..<rank).filter { !reduce.contains($0) }).map { base in inner.map { base + $0 } }
  }

  /// The lanes along dimension `dim` (negative counts from the end): for every position of
  /// the other dimensions, in row-major order, the flat indices of the entries along `dim`.
  /// Throws PyTorch's "Dimension out of range" for a bad `dim`.
  func lanes(along dim: Int) throws -> (dimension: Int, lanes: [[Int]]) {
    guard rank >= 1 else { throw LossError("a scalar has no dimension \(dim)", argument: "dim") }
    let d = try dimension(dim)
    return (d, laneIndices(reducing: [d]))
  }

  /// `f` of every lane over the dimensions `dims` (nil or empty: all of them, as PyTorch's
  /// `dim=[]`), the reduced dimensions removed (or kept with size 1 by `keepdim`). A 0-d
  /// tensor accepts `dim` 0 and -1 and is its own lane, as in PyTorch. Throws PyTorch's
  /// errors for a dimension out of range or given twice.
  func reduced(over dims: [Int]?, keepdim: Bool, _ f: ([Expr]) -> Expr) throws -> Expr.Tensor {
    if rank == 0 {
      for d in dims ?? [] where d != 0 && d != -1 {
        throw LossError("Dimension out of range (expected to be in range of [-1, 0], but got \(d))", argument: "dim")
      }
      return Expr.Tensor(scalar: f(elements))
    }
    var reduce = Set<Int>()
    for d in dims ?? [] {
      guard reduce.insert(try dimension(d)).inserted else {
        throw LossError("dim \(try dimension(d)) appears multiple times in the list of dims", argument: "dim")
      }
    }
    if reduce.isEmpty { reduce = Set(0..<rank) }
    let out = laneIndices(reducing: reduce).map { lane in f(lane.map { elements[$0] }) }
    let outShape =
      keepdim
      ? (0..<rank).map { reduce.contains($0) ? 1 : shape[$0] }
      : (0..<rank).filter { !reduce.contains($0) }.map {
        shape[$0]
      }
    return Expr.Tensor(shape: outShape, elements: out)
  }
}

extension Expr {
  /// The largest (`largest`) or smallest entry of `xs` with PyTorch's reduction gradient:
  /// split evenly among the entries that attain it (`torch.max(x)`, `amax`, `amin`), as
  /// `sum_i x_i [x_i = m] / #{i : x_i = m}` with `m` the binary fold and `[x_i = m]` =
  /// `1 - sign(m - x_i)` (derivative 0, as every indicator here).
  static func evenExtremum(_ xs: [Expr], largest: Bool) -> Expr {
    guard xs.count > 1 else { return xs[0] }
    let m = xs.dropFirst().reduce(xs[0]) { largest ? max($0, $1) : min($0, $1) }
    let attains = xs.map { 1 - sign(largest ? m - $0 : $0 - m) }
    return .sum(zip(xs, attains).map { $0 * $1 }) / .sum(attains)
  }
}

extension Expr.Tensor {
  /// PyTorch's checks before an extremum over `dims` (ATen's check of reductions without an
  /// identity), with its messages: an input with no elements needs `dims`, none of them of
  /// size 0 (the extremum of no entries does not exist).
  func checkExtremumDimensions(_ dims: [Int]?) throws {
    guard count == 0 else { return }
    guard let dims, !dims.isEmpty else {
      throw LossError(
        "Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.",
        argument: "dim")
    }
    for d in dims where shape[try dimension(d)] == 0 {
      throw LossError("Expected reduction dim \(try dimension(d)) to have non-zero size.", argument: "dim")
    }
  }

  /// `torch.max(input, dim, keepdim)` (`largest`) or `torch.min`: the extremum along `dim`
  /// and the index of its **first** occurrence, as PyTorch returns them. The value is
  /// `sum_j x_j s_j` with `s_j` = [x_j beats every entry before it strictly and every entry
  /// after it or ties], written with the running extrema from both ends (indicators,
  /// derivative 0), so the gradient goes wholly to the first
  /// extremal entry, as PyTorch's backward scatters it to the returned index (`amax` splits
  /// ties evenly instead). The index is `sum_j j s_j`. A 0-d input is its own value, index 0.
  func valuesAndIndices(along dim: Int, keepdim: Bool, largest: Bool) throws -> (values: Self, indices: Self) {
    if rank == 0 {
      guard dim == 0 || dim == -1 else {
        throw LossError("Dimension out of range (expected to be in range of [-1, 0], but got \(dim))", argument: "dim")
      }
      return (self, Self(scalar: .zero))
    }
    try checkExtremumDimensions([dim])
    let (d, lanes) = try lanes(along: dim)
    var values: [Expr] = []
    var indices: [Expr] = []
    for lane in lanes {
      let xs = lane.map { elements[$0] }
      // [x_j beats every entry before it] = [x_j > max(x_0, ..., x_{j-1})], and likewise
      // after it with >=: the running extrema from both ends are shared, so a lane of n
      // entries costs O(n) nodes, not n^2 comparisons.
      func fold(_ a: Expr, _ b: Expr) -> Expr { largest ? SymGrad.max(a, b) : SymGrad.min(a, b) }
      var before: [Expr?] = [nil]
      for j in xs.indices.dropFirst() { before.append(before[j - 1].map { fold($0, xs[j - 1]) } ?? xs[j - 1]) }
      var after = [Expr?](repeating: nil, count: xs.count)
      for j in xs.indices.dropLast().reversed() { after[j] = after[j + 1].map { fold($0, xs[j + 1]) } ?? xs[j + 1] }
      let first = xs.indices.map { j in
        var factors: [Expr] = []
        if let p = before[j] { factors.append(.indicatorPositive(largest ? xs[j] - p : p - xs[j])) }
        if let q = after[j] { factors.append(.indicatorNonNegative(largest ? xs[j] - q : q - xs[j])) }
        return Expr.product(factors)
      }
      values.append(.sum(zip(xs, first).map { $0 * $1 }))
      indices.append(.sum(first.indices.map { .number($0) * first[$0] }))
    }
    var outShape = shape
    if keepdim { outShape[d] = 1 } else { outShape.remove(at: d) }
    return (Self(shape: outShape, elements: values), Self(shape: outShape, elements: indices))
  }
}
