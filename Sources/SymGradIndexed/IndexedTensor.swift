import SymGrad

/// A tensor in index notation: its entry, an expression free in one index variable per
/// dimension (`X[n, c]` for a tensor of shape `(N, C)`; a scalar has none).
public struct IndexedTensor {
  public var entry: Expr
  /// One variable per dimension, in order; their sizes are the shape.
  public var indices: [IndexVariable]

  public init(_ entry: Expr, _ indices: [IndexVariable]) {
    self.entry = entry
    self.indices = indices
  }

  public static func scalar(_ e: Expr) -> IndexedTensor { IndexedTensor(e, []) }

  public var shape: [IndexSize] { indices.map(\.size) }
}

/// The functions of tensors that are not elementwise, in index notation, with PyTorch's
/// semantics. A reduced dimension kept (`keepdim`) has size 1 and the variable
/// `IndexedAlgebra.keptIndex` (its only value is 1; entries never mention it).
extension IndexedAlgebra {
  /// The variable of a dimension of size 1 kept by a reduction.
  public static let keptIndex = IndexVariable("_kept", .fixed(1))

  /// `t` with its index variables replaced by `variables`, position by position (same
  /// sizes, or a size-1 dimension, whose variable is replaced by the index 1). Renaming
  /// goes through fresh variables, so a permutation of the variables is safe.
  public func renamed(_ t: IndexedTensor, to variables: [IndexVariable]) -> IndexedTensor {
    precondition(variables.count == t.indices.count, "renamed: one variable per dimension")
    var entry = t.entry
    var temporaries: [(IndexVariable, IndexVariable)] = []
    for (old, new) in zip(t.indices, variables) where old != new {
      if old.size == .fixed(1) && new.size != .fixed(1) {
        entry = substituting(old, with: .value(1), in: entry)
        continue
      }
      let temporary = fresh(old.size)
      entry = substituting(old, with: .variable(temporary), in: entry)
      temporaries.append((temporary, new))
    }
    for (temporary, new) in temporaries { entry = substituting(temporary, with: .variable(new), in: entry) }
    return IndexedTensor(entry, variables)
  }

  /// The entry of `t` at `terms`, one per dimension (variables, gathers, indices), all
  /// substituted at once.
  public func entry(of t: IndexedTensor, at terms: [IndexTerm]) -> Expr {
    precondition(terms.count == t.indices.count, "entry: one index per dimension")
    let temporaries = t.indices.map { fresh($0.size) }
    var entry = renamed(t, to: temporaries).entry
    for (temporary, term) in zip(temporaries, terms) { entry = substituting(temporary, with: term, in: entry) }
    return entry
  }

  /// The sum (or, with `mean`, the mean) of `t` over the dimensions `dims` (all when nil),
  /// as `torch.sum` / `torch.mean`: a kept dimension has size 1.
  public func summed(_ t: IndexedTensor, dims: [Int]? = nil, keepdim: Bool = false, mean: Bool = false)
    -> IndexedTensor
  {
    let positions = Set(dims ?? Array(t.indices.indices))
    var entry = t.entry
    var count = Expr.one
    for p in positions.sorted() {
      entry = sum(t.indices[p], entry)
      count = count * t.indices[p].size.expr
    }
    if mean { entry = entry / count }
    return IndexedTensor(entry, reducedIndices(t, positions, keepdim))
  }

  /// `torch.logsumexp(t, dim, keepdim)`: `log sum_k exp(t[..., k, ...])`.
  public func logSumExp(_ t: IndexedTensor, dim: Int, keepdim: Bool = false) -> IndexedTensor {
    IndexedTensor(log(sum(t.indices[dim], exp(t.entry))), reducedIndices(t, [dim], keepdim))
  }

  /// `softmax(t, dim)` (or `log_softmax`): `exp(t[.., c, ..]) / sum_k exp(t[.., k, ..])`,
  /// free in every index of `t`.
  public func softmax(_ t: IndexedTensor, dim: Int, log logarithm: Bool = false) -> IndexedTensor {
    let k = fresh(t.indices[dim].size)
    let inner = substituting(t.indices[dim], with: .variable(k), in: t.entry)
    let normalizer = sum(k, exp(inner))
    return IndexedTensor(logarithm ? t.entry - log(normalizer) : exp(t.entry) / normalizer, t.indices)
  }

  /// `linear(input, weight, bias)`: `y[.., c] = sum_d input[.., d] weight[c, d] + bias[c]`,
  /// for an input of shape `(..., D)`, a weight `(C, D)` and a bias `(C)`; `classes` is the
  /// output's last variable. Nil when the shapes do not fit.
  public func linear(_ input: IndexedTensor, _ weight: IndexedTensor, _ bias: IndexedTensor?, classes: IndexVariable)
    -> IndexedTensor?
  {
    guard let features = input.indices.last, weight.indices.count == 2, weight.shape[1] == features.size,
      weight.shape[0] == classes.size, bias.map({ $0.shape == [classes.size] }) ?? true
    else { return nil }
    let d = fresh(features.size)
    let x = renamed(input, to: input.indices.dropLast() + [d])
    let w = renamed(weight, to: [classes, d])
    var entry = sum(d, x.entry * w.entry)
    if let b = bias { entry = entry + renamed(b, to: [classes]).entry }
    return IndexedTensor(entry, Array(input.indices.dropLast()) + [classes])
  }

  /// PyTorch's broadcast shape of `a` and `b` (aligned on the right; sizes equal, or 1),
  /// nil when they do not broadcast.
  public static func broadcastShape(_ a: [IndexSize], _ b: [IndexSize]) -> [IndexSize]? {
    let rank = Swift.max(a.count, b.count)
    var out: [IndexSize] = []
    for p in 0..<rank {
      let x = p >= rank - a.count ? a[p - (rank - a.count)] : .fixed(1)
      let y = p >= rank - b.count ? b[p - (rank - b.count)] : .fixed(1)
      if x == y || y == .fixed(1) {
        out.append(x)
      } else if x == .fixed(1) {
        out.append(y)
      } else {
        return nil
      }
    }
    return out
  }

  /// The shape of `torch.matmul(a, b)` for operands of shapes `a` and `b` (nil when the
  /// inner sizes differ, the batch dimensions do not broadcast, or an operand is a scalar):
  /// two vectors give a scalar; a vector on the left loses its row, on the right its column;
  /// batch dimensions (all but the last two) broadcast, aligned on the right.
  public static func matmulShape(_ a: [IndexSize], _ b: [IndexSize]) -> [IndexSize]? {
    guard !a.isEmpty, !b.isEmpty else { return nil }
    let inner = b.count == 1 ? b[0] : b[b.count - 2]
    guard a.last! == inner else { return nil }
    let batchA = a.count > 2 ? Array(a.dropLast(2)) : []
    let batchB = b.count > 2 ? Array(b.dropLast(2)) : []
    guard let batch = broadcastShape(batchA, batchB) else { return nil }
    return batch + (a.count >= 2 ? [a[a.count - 2]] : []) + (b.count >= 2 ? [b.last!] : [])
  }

  /// `torch.matmul(a, b)`: `sum_d a[..., i, d] b[..., d, j]` over the shared dimension, in
  /// each of PyTorch's cases (`matmulShape`); `output` holds the result's variables, one
  /// per dimension of `matmulShape(a.shape, b.shape)`. Nil when the shapes do not fit.
  public func matmul(_ a: IndexedTensor, _ b: IndexedTensor, output: [IndexVariable]) -> IndexedTensor? {
    guard let shape = Self.matmulShape(a.shape, b.shape), shape == output.map(\.size) else { return nil }
    let d = fresh(a.shape.last!)
    let batchCount = output.count - (a.indices.count >= 2 ? 1 : 0) - (b.indices.count >= 2 ? 1 : 0)
    let batch = output.prefix(batchCount)
    var x = [d]
    if a.indices.count >= 2 { x = Array(batch.suffix(a.indices.count - 2)) + [output[batchCount], d] }
    var y = [d]
    if b.indices.count >= 2 { y = Array(batch.suffix(b.indices.count - 2)) + [d, output.last!] }
    let entry = sum(d, renamed(a, to: x).entry * renamed(b, to: y).entry)
    return IndexedTensor(entry, output)
  }

  private func reducedIndices(_ t: IndexedTensor, _ positions: Set<Int>, _ keepdim: Bool) -> [IndexVariable] {
    t.indices.enumerated().compactMap { p, v in
      positions.contains(p) ? (keepdim ? Self.keptIndex : nil) : v
    }
  }
}
