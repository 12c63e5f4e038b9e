extension Expr.Tensor {
  /// The lanes along dimension `dim` (negative counts from the end): for every position of
  /// the other dimensions, in row-major order, the flat indices of the entries along `dim`.
  /// Throws PyTorch's "Dimension out of range" for a bad `dim`.
  func lanes(along dim: Int) throws -> (dimension: Int, lanes: [[Int]]) {
    guard rank >= 1 else { throw LossError("a scalar has no dimension \(dim)", argument: "dim") }
    let d = dim < 0 ? dim + rank : dim
    guard d >= 0 && d < rank else {
      throw LossError(
        "Dimension out of range (expected to be in range of [\(-rank), \(rank - 1)], but got \(dim))", argument: "dim")
    }
    let n = shape[d]
    let inner = shape[(d + 1)...].reduce(1, *)
    let outer = shape[..<d].reduce(1, *)
    var out: [[Int]] = []
    for o in 0..<outer {
      for i in 0..<inner { out.append((0..<n).map { o * n * inner + $0 * inner + i }) }
    }
    return (d, out)
  }
}
