/// Calculus and small linear-algebra helpers of the expression language, used by
/// `Proofs/` and handy at the command line: `grad(f, [a, b])`, `jacobian([f, g], [a, b])`,
/// `hessian(f, [a, b])`, `diag(v)`, `outer(u, v)`, `eye(n)`, `one_hot(k, n)`,
/// `transpose(M)`, `simplify(x)`.
enum CalculusFunctions {
  static let all: [LanguageFunction] = [
    LanguageFunction(
      name: "grad", summary: "grad(f, X): the gradient of a scalar, shaped like X (a list or tensor of symbols)"
    ) { a in
      try a.expect(positional: 2...2)
      let f = try a.scalar(0)
      let vars = try a.symbols(1)
      let g = f.gradient(withRespectTo: vars)
      // The gradient has the variables' shape (as PyTorch's .grad has its tensor's).
      if let shape = a.positional[1].value.shape, shape.count > 1 {
        return Expr.Tensor(shape: shape, elements: g).value
      }
      return .list(g.map(Expr.Value.scalar))
    },
    LanguageFunction(
      name: "symbols", summary: "symbols(\"X\", [d1, d2, ...]): a tensor of element symbols X[i][j]... (row-major)"
    ) { a in
      try a.expect(positional: 2...2)
      guard case .string(let name) = a.positional[0].value, Lexer.isIdentifier(name), !name.contains(".") else {
        throw a.error("argument 1 must be a name in quotes, as symbols(\"X\", [2, 3])", at: a.positional[0].column)
      }
      let dims: [Expr.Value]
      switch a.positional[1].value {
      case .list(let items): dims = items
      case .scalar: dims = [a.positional[1].value]
      default: throw a.error("argument 2 must be a shape such as [2, 3]", at: a.positional[1].column)
      }
      var shape: [Int] = []
      for d in dims {
        guard let r = d.rationalValue, r.isInteger, let n = Int(exactly: r.toDouble()), n >= 0 else {
          throw a.error("argument 2 must be a list of non-negative integers", at: a.positional[1].column)
        }
        shape.append(n)
      }
      do {
        return try Expr.Tensor.symbols(name, shape: shape).value
      } catch {
        throw a.error("\(error)", at: a.positional[1].column)
      }
    },
    LanguageFunction(name: "jacobian", summary: "jacobian(outputs, [x, y, ...]): rows per flattened output") { a in
      try a.expect(positional: 2...2)
      let outs = a.positional[0].value.flattened
      let vars = try a.symbols(1)
      return .list(outs.jacobian(withRespectTo: vars).map { .list($0.map(Expr.Value.scalar)) })
    },
    LanguageFunction(name: "hessian", summary: "hessian(f, [x, y, ...]): the matrix of second derivatives") { a in
      try a.expect(positional: 2...2)
      let f = try a.scalar(0)
      let vars = try a.symbols(1)
      return .list(f.hessian(withRespectTo: vars).map { .list($0.map(Expr.Value.scalar)) })
    },
    LanguageFunction(name: "diag", summary: "diag(v): the diagonal matrix of a vector") { a in
      try a.expect(positional: 1...1)
      let v = a.positional[0].value.flattened
      return .list(v.indices.map { i in .list(v.indices.map { j in .scalar(i == j ? v[i] : .zero) }) })
    },
    LanguageFunction(name: "outer", summary: "outer(u, v): the matrix u_i v_j") { a in
      try a.expect(positional: 2...2)
      let u = a.positional[0].value.flattened
      let v = a.positional[1].value.flattened
      return .list(u.map { x in .list(v.map { .scalar(x * $0) }) })
    },
    LanguageFunction(name: "eye", summary: "eye(n): the identity matrix (n <= 512)") { a in
      try a.expect(positional: 1...1)
      let n = try a.size(0)
      let entries = (0..<n).flatMap { i in (0..<n).map { j in i == j ? Expr.one : .zero } }
      return Expr.Tensor(shape: [n, n], elements: entries).value
    },
    LanguageFunction(
      name: "zeros",
      summary:
        "zeros(*size, dtype=None, device=None, requires_grad=False): torch.zeros, a tensor of zeros of the given sizes (zeros(2, 3) or zeros([2, 3])); sizes may be 0, as zeros(1, 0, 3), an empty tensor"
    ) { a in try filled(a, .zero) },
    LanguageFunction(
      name: "ones",
      summary:
        "ones(*size, dtype=None, device=None, requires_grad=False): torch.ones, a tensor of ones of the given sizes (ones(2, 3) or ones([2, 3]))"
    ) { a in try filled(a, .one) },
    LanguageFunction(
      name: "one_hot",
      summary:
        "one_hot(k, n): the vector with 1 at k; for a list of class indices, one such row each (F.one_hot: a dimension of size n appended)"
    ) { a in
      try a.expect(positional: 2...2)
      let n = try a.size(1, "n", matrix: false)
      if case .list = a.positional[0].value {
        // F.one_hot(tensor, n): every class index in [0, n), at any depth.
        func rows(_ v: Expr.Value) throws -> Expr.Value {
          switch v {
          case .list(let items): return .list(try items.map(rows))
          case .scalar(let e):
            guard let r = e.rationalValue, r.isInteger, let k = Int(r.description), k >= 0, k < n else {
              throw a.error("class indices are integers in [0, \(n)), got \(e)", at: a.positional[0].column)
            }
            return .list((0..<n).map { .scalar($0 == k ? .one : .zero) })
          default: throw a.error("class indices are integers", at: a.positional[0].column)
          }
        }
        return try rows(a.positional[0].value)
      }
      let k = try a.size(0, "k", matrix: false)
      guard k < n else { throw a.error("index \(k) is out of range for \(n) classes") }
      return .list((0..<n).map { .scalar($0 == k ? .one : .zero) })
    },
    LanguageFunction(
      name: "transpose",
      summary:
        "transpose(input, dim0, dim1): torch.transpose, the two dimensions swapped; transpose(M) of a matrix swaps its two"
    ) { a in
      try a.expect(positional: 1...3, keywords: ["dim0", "dim1"], names: ["input", "dim0", "dim1"])
      guard let t = Expr.Tensor(a.positional[0].value) else { throw a.error("transpose needs a tensor") }
      let d0 = try a.int(1, "dim0")
      let d1 = try a.int(2, "dim1")
      guard let d0, let d1 else {
        guard d0 == nil && d1 == nil, t.rank == 2 else {
          throw a.error("transpose(input, dim0, dim1) needs both dimensions (transpose(M) only for a matrix)")
        }
        return t.transposedT.value
      }
      do { return try t.transposed(d0, d1).value } catch { throw a.error("\(error)") }
    },
    LanguageFunction(
      name: "reshape",
      summary:
        "reshape(input, shape): torch.reshape, the entries in row-major order in a new shape (one size may be -1, inferred; the sizes may also follow input one by one, as x.reshape(2, 3))"
    ) { a in try reshaped(a) },
    LanguageFunction(
      name: "view",
      summary:
        "view(input, *shape): Tensor.view (written x.view(2, 3)): reshape's entries in a new shape; SymGrad's tensors have no strides, so every view PyTorch allows is this"
    ) { a in try reshaped(a) },
    LanguageFunction(
      name: "matmul",
      summary:
        "matmul(input, other): torch.matmul (also written input @ other): dot, matrix-vector, matrix or batched products, batch dimensions broadcast"
    ) { a in
      try a.expect(positional: 2...2)
      guard let x = Expr.Tensor(a.positional[0].value), let y = Expr.Tensor(a.positional[1].value) else {
        throw a.error("matmul needs two tensors")
      }
      do { return try Expr.Tensor.matmul(x, y).value } catch { throw a.error("\(error)") }
    },
    LanguageFunction(name: "simplify", summary: "simplify(x): simplified() entry by entry") { a in
      try a.expect(positional: 1...1)
      return a.positional[0].value.map { $0.simplified() }
    },
  ]
}

extension CalculusFunctions {
  /// `reshape(input, shape)` / `view`: the sizes as one list, or one by one after the input
  /// (the method forms `x.reshape(2, 3)`, `x.view(-1)`).
  static func reshaped(_ a: CallArguments) throws -> Expr.Value {
    try a.expect(positional: 2...9, keywords: [], names: ["input", "shape"])
    guard let t = Expr.Tensor(a.positional[0].value) else { throw a.error("\(a.function) needs a tensor") }
    let shape = try a.sizes(from: 1) { "shape must be a list of integers (or integers one by one), got \($0)" }
    do { return try t.reshaped(shape).value } catch { throw a.error("\(error)", at: a.positional[1].column) }
  }

  /// `torch.zeros`/`torch.ones`: the sizes as separate integers or one list, each between 0
  /// and `maximumVectorSize`, at most `maximumMatrixSize`^2 entries in all; `dtype` as in
  /// softmax (float64 or float32: the entries are exact either way); `device` (a string:
  /// the numbers are the same on every device) and `requires_grad` (True or False: a
  /// literal has nothing to differentiate; symbols are the inputs) are accepted as
  /// PyTorch code writes them.
  static func filled(_ a: CallArguments, _ entry: Expr) throws -> Expr.Value {
    try a.expect(positional: 1...8, keywords: ["dtype", "device", "requires_grad"])
    try a.checkDtype()
    if let (v, c) = a.keyword("device") {
      guard case .string = v else { throw a.error("device must be a string such as \"cpu\", got \(v)", at: c) }
    }
    _ = try a.bool("requires_grad")
    let limit = CallArguments.maximumVectorSize
    let shape = try a.sizes(from: 0, in: 0...limit) { "sizes must be integers between 0 and \(limit), got \($0)" }
    let count = shape.reduce(1, *)
    let most = CallArguments.maximumMatrixSize * CallArguments.maximumMatrixSize
    guard count <= most else {
      throw a.error("\(count) entries: SymGrad builds literal tensors of at most \(most) entries; use symbols")
    }
    return Expr.Tensor(shape: shape, elements: Array(repeating: entry, count: count)).value
  }
}

extension CallArguments {
  /// The sizes given from positional `start` on, as torch takes them: one list
  /// (`zeros([2, 3])`, `reshape(x, [2, 3])`) or one integer each (`zeros(2, 3)`,
  /// `x.view(2, 3)`); each an integer in `range`, else `message(value)` at its column.
  func sizes(from start: Int, in range: ClosedRange<Int>? = nil, _ message: (Expr.Value) -> String) throws -> [Int] {
    var sizes: [(value: Expr.Value, column: Int)] = positional.dropFirst(start).map { ($0.value, $0.column) }
    if sizes.count == 1, case .list(let items) = sizes[0].value { sizes = items.map { ($0, positional[start].column) } }
    return try sizes.map { v, column in
      guard case .scalar(let e) = v, let r = e.rationalValue, r.isInteger, let n = r.numerator.asInt,
        range?.contains(n) ?? true
      else { throw error(message(v), at: column) }
      return n
    }
  }

  /// Positional `i` as a list of symbols (the variables of a derivative).
  func symbols(_ i: Int) throws -> [Expr] {
    let (v, c) = positional[i]
    let flat = v.flattened
    guard !flat.isEmpty, flat.allSatisfy({ $0.symbolName != nil }) else {
      throw error("argument \(i + 1) must be a list of symbols", at: c)
    }
    return flat
  }
}
