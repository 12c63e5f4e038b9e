import Foundation
import SymGrad
import SymGradIndexed

/// `derive`'s EXPR in index notation. EXPR combines, with PyTorch's semantics:
/// - named tensors (shapes from `--shape`; a name without a shape is a scalar symbol);
/// - arithmetic (`+ - * / **`) and elementwise functions of the registry (`exp`, `tanh`,
///   `softplus`, `relu`, ...), broadcasting as PyTorch does (shapes aligned on the right;
///   equal sizes, or 1);
/// - `linear(A, W[, b])`, `softmax` / `log_softmax` / `logsumexp` along a `dim`, `sum` /
///   `mean` (all entries or one `dim`, `keepdim`);
/// - the losses of `Roles`, whose input is any such expression of shape `(N, C)`.
///
/// Calls of those functions are translated into index notation here (each a term of the
/// algebra); the arithmetic around them is read by the core's parser, with each call and
/// each tensor a symbol, and the entries substituted afterwards. Index variables are
/// named after their sizes (`n` for `N`; a size repeated in one shape gets `c2`, ...).
struct DeriveExpression {
  /// The functions translated here (the others of the registry are elementwise or refused).
  static let functions =
    (Roles.supported.keys.sorted()) + [
      "linear", "log_softmax", "logsumexp", "matmul", "mean", "one_hot", "softmax", "sum", "transpose",
    ]

  let algebra = IndexedAlgebra()
  let shapes: [String: [IndexSize]]
  /// The index variable's name of each size.
  private var indexNames: [IndexSize: String] = [:]
  /// Every name of the text (tensors and scalars), so that index names stay apart.
  private let identifiers: Set<String>
  /// The symbolic sizes in play, in order of appearance.
  private(set) var sizes: [IndexSize] = []
  /// Real tensors whose entries appear, in order of appearance, with their shapes.
  private(set) var tensors: [(name: String, shape: [IndexSize])] = []
  /// The class-index target, when a loss has one, and its rows.
  private(set) var classTarget: (data: DataTensor, rows: IndexSize)?
  private(set) var ignoreIndex: Int?
  private(set) var positive: Set<String> = []
  private(set) var probability: Set<String> = []
  /// The weights of linear layers (the default tensor to differentiate by).
  private(set) var linearWeights: [String] = []
  /// The registered names of the calls translated, outermost first.
  private(set) var calls: [String] = []
  private var placeholders = 0

  init(_ text: String, shapes: [String: [IndexSize]]) {
    self.shapes = shapes
    var names = Set<String>()
    var current = ""
    for ch in text + " " {
      if ch.isLetter || ch.isNumber || ch == "_" {
        current.append(ch)
      } else {
        if let first = current.first, !first.isNumber { names.insert(current) }
        current = ""
      }
    }
    identifiers = names
  }

  // MARK: Index variables

  /// The variables of a tensor of shape `shape`, one per dimension.
  mutating func variables(for shape: [IndexSize]) -> [IndexVariable] {
    var seen: [IndexSize: Int] = [:]
    return shape.map { size in
      seen[size, default: 0] += 1
      let base = indexName(size)
      return IndexVariable(seen[size]! == 1 ? base : base + "\(seen[size]!)", size)
    }
  }

  private mutating func indexName(_ size: IndexSize) -> String {
    if size == .fixed(1) { return IndexedAlgebra.keptIndex.name }
    if let known = indexNames[size] { return known }
    if case .symbolic = size, !sizes.contains(size) { sizes.append(size) }
    let taken = identifiers.union(indexNames.values).union(["m", "j", "k", "l", "p", "q", "r", "u"])
    var candidates: [String] = []
    if case .symbolic(let name) = size { candidates.append(name.lowercased()) }
    candidates += ["n", "c", "d", "e", "f", "g", "h", "a", "b"]
    let name =
      candidates.first { !taken.contains($0) && ExpressionLanguage.isSymbolName($0) }
      ?? (1...).lazy.map { "i\($0)" }.first { !taken.contains($0) }!
    indexNames[size] = name
    return name
  }

  // MARK: Translation

  /// `text` in index notation.
  mutating func tensor(_ text: String) throws -> IndexedTensor {
    let text = try DeriveOperators.rewritingOperators(text)
    var rest = ""
    var operands: [String: IndexedTensor] = [:]
    let chars = Array(text)
    var i = 0
    /// A tensor or a call's result followed by `[`: indexing has no index form here (the
    /// entries would be read as symbols of their own; the verification caught that).
    func refuseIndexing(after name: String) throws {
      var j = i
      while j < chars.count, chars[j] == " " { j += 1 }
      if j < chars.count, chars[j] == "[" {
        throw CommandFailure(
          "symgrad: derive: indexing ('\(name)[...]') has no index form yet: derive takes whole tensors (eval and diff read indexing at explicit sizes)"
        )
      }
    }
    while i < chars.count {
      let ch = chars[i]
      if ch == "\"" || ch == "'" {
        // A string outside a call: the core's parser reports it.
        rest.append(ch)
        i += 1
        continue
      }
      if ch.isNumber {
        // A number, with its exponent (`1e-4`).
        while i < chars.count, chars[i].isNumber || chars[i] == "." {
          rest.append(chars[i])
          i += 1
        }
        if i < chars.count, chars[i] == "e" || chars[i] == "E" {
          rest.append(chars[i])
          i += 1
          if i < chars.count, chars[i] == "+" || chars[i] == "-" {
            rest.append(chars[i])
            i += 1
          }
          while i < chars.count, chars[i].isNumber {
            rest.append(chars[i])
            i += 1
          }
        }
        continue
      }
      if ch == "." {
        throw CommandFailure(
          "symgrad: derive: .T and .mT apply to a tensor's name or to a call here; write transpose(..., 0, 1) for other expressions"
        )
      }
      guard ch.isLetter || ch == "_" else {
        rest.append(ch)
        i += 1
        continue
      }
      var name = ""
      while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" || chars[i] == "." {
        name.append(chars[i])
        i += 1
      }
      var j = i
      while j < chars.count, chars[j] == " " { j += 1 }
      guard j < chars.count, chars[j] == "(" else {
        if let dot = name.lastIndex(of: "."), let shape = shapes[String(name[..<dot])] {
          // A tensor's transpose: `X.T` or `X.mT`.
          let placeholder = "_derive\(placeholders)_"
          placeholders += 1
          operands[placeholder] = try transposed(
            named(String(name[..<dot]), shape), attribute: String(name[name.index(after: dot)...]))
          try refuseIndexing(after: name)
          rest += placeholder
          continue
        }
        if name.contains(".") {
          throw CommandFailure(
            "symgrad: derive: '\(name)': only .T and .mT of a tensor named with --shape (or of a call) have an index form"
          )
        }
        if let shape = shapes[name] {
          try refuseIndexing(after: name)
          if operands[name] == nil { operands[name] = named(name, shape) }
        } else if shapes.values.contains(where: { $0.contains(.symbolic(name)) }) {
          // A size in the expression is that number (both sides bind it).
          _ = indexName(.symbolic(name))
        }
        rest += name
        continue
      }
      let close = try Self.closingParenthesis(chars, from: j, in: text)
      guard let function = FunctionRegistry.resolve(name) else {
        let near = FunctionRegistry.suggestions(for: name)
        throw CommandFailure(
          "symgrad: unknown function '\(name)'"
            + (near.isEmpty ? "" : " (did you mean \(near.joined(separator: ", "))?)"))
      }
      if Self.functions.contains(function.name) {
        let placeholder = "_derive\(placeholders)_"
        placeholders += 1
        var value = try self.call(function.name, CallText(name + String(chars[j...close])))
        i = close + 1
        // A call's transpose: `f(...).T` or `f(...).mT`.
        for attribute in [".mT", ".T"] where String(chars[i...].prefix(attribute.count)) == attribute {
          let after = i + attribute.count
          if after < chars.count, chars[after].isLetter || chars[after].isNumber || chars[after] == "_" { continue }
          value = try transposed(value, attribute: String(attribute.dropFirst()))
          i = after
          break
        }
        try refuseIndexing(after: name + "(...)")
        operands[placeholder] = value
        rest += placeholder
        continue
      }
      guard let entry = FunctionRegistry.entries.first(where: { $0.name == function.name }),
        entry.family == .elementary || entry.family == .activations, !["max", "min"].contains(function.name)
      else {
        throw CommandFailure(
          "symgrad: derive has no index form of \(function.name) yet (it has: \(Self.functions.joined(separator: ", ")), and elementwise functions)"
        )
      }
      rest += name
    }
    return try combined(rest, operands, source: text)
  }

  /// The tensor `name` of `shape` (`X[n, c]`), recorded as one the expression uses.
  private mutating func named(_ name: String, _ shape: [IndexSize]) -> IndexedTensor {
    let v = variables(for: shape)
    record(name, shape)
    return IndexedTensor(algebra.element(name, v.map { .variable($0) }), v)
  }

  /// `t.T` (a matrix's transpose; a vector or scalar unchanged; PyTorch deprecates it on
  /// more dimensions: refused) or `t.mT` (the last two dimensions swapped).
  private func transposed(_ t: IndexedTensor, attribute: String) throws -> IndexedTensor {
    var indices = t.indices
    switch attribute {
    case "T":
      guard indices.count <= 2 else {
        throw CommandFailure(
          "symgrad: derive: .T of a \(indices.count)-D tensor (PyTorch deprecates it); use .mT or transpose(x, d0, d1)")
      }
      indices.reverse()
    case "mT":
      guard indices.count >= 2 else {
        throw CommandFailure("symgrad: derive: .mT needs at least 2 dimensions, got \(indices.count)")
      }
      indices.swapAt(indices.count - 1, indices.count - 2)
    default:
      throw CommandFailure("symgrad: derive: the attribute .\(attribute) has no index form (only .T and .mT)")
    }
    return IndexedTensor(t.entry, indices)
  }

  /// The index of the parenthesis closing the one at `open`.
  private static func closingParenthesis(_ chars: [Character], from open: Int, in text: String) throws -> Int {
    var close: Int?
    _ = CallText.scan(chars, from: open) { k, ch, depth in
      if depth == 0 && ")]}".contains(ch) { close = k }
      return close == nil
    }
    guard let close else { throw CommandFailure("symgrad: derive: unbalanced brackets or quotes in '\(text)'") }
    return close
  }

  /// The arithmetic `text` (calls and tensors replaced by the symbols of `operands`) with
  /// the operands' entries substituted, broadcast as PyTorch does.
  private mutating func combined(_ text: String, _ operands: [String: IndexedTensor], source: String) throws
    -> IndexedTensor
  {
    let e: Expr
    do {
      e = try Expr(parsing: text)
    } catch {
      throw CommandFailure("symgrad: derive: cannot read '\(source)': \(error)")
    }
    let ordered = operands.sorted { $0.key < $1.key }
    var shape: [IndexSize] = []
    for (_, t) in ordered {
      guard let s = Self.broadcast(shape, t.shape) else {
        throw UsageError(
          "derive: in '\(source)' the shapes (\(shape.map(\.description).joined(separator: ", "))) and (\(t.shape.map(\.description).joined(separator: ", "))) do not broadcast"
        )
      }
      shape = s
    }
    let result = variables(for: shape)
    var replacements: [String: Expr] = [:]
    for (name, t) in ordered {
      let aligned = Array(result.suffix(t.indices.count))
      replacements[name] = algebra.renamed(t, to: aligned).entry
    }
    return IndexedTensor(e.substituting(replacements), result)
  }

  /// PyTorch's broadcast shape of `a` and `b` (aligned on the right; sizes equal, or 1).
  static func broadcast(_ a: [IndexSize], _ b: [IndexSize]) -> [IndexSize]? { IndexedAlgebra.broadcastShape(a, b) }

  private mutating func record(_ name: String, _ shape: [IndexSize]) {
    if !tensors.contains(where: { $0.name == name }) { tensors.append((name, shape)) }
  }

  /// One call of `functions`, translated.
  private mutating func call(_ function: String, _ call: CallText) throws -> IndexedTensor {
    calls.append(function)
    guard let first = call.positional.first else {
      throw CommandFailure("symgrad: derive: \(function) needs its input")
    }
    if function == "one_hot" { return try oneHot(call) }
    let input = try tensor(first)
    func keyword(_ key: String, position: Int?) -> String? {
      if let p = position, p < call.positional.count { return call.positional[p] }
      return call.keywords.first { $0.name == key }?.text
    }
    func dimension(_ text: String?, rank: Int, implicit: Int?) throws -> Int {
      guard let text else {
        guard let d = implicit else { throw CommandFailure("symgrad: derive: \(function) needs dim") }
        return d
      }
      guard let d = Int(text), d >= -rank, d < rank else {
        throw CommandFailure(
          "symgrad: derive: \(function)'s dim must be an integer in [-\(rank), \(rank - 1)], got '\(text)'")
      }
      return d < 0 ? d + rank : d
    }
    func only(_ allowed: Set<String>, positional: Int) throws {
      for k in call.keywords where !allowed.contains(k.name) {
        throw CommandFailure(
          "symgrad: derive: \(function)'s option \(k.name) has no index form yet (understood: \(allowed.sorted().joined(separator: ", ")))"
        )
      }
      guard call.positional.count <= positional else {
        throw CommandFailure("symgrad: derive: \(function) takes at most \(positional) arguments positionally")
      }
    }
    func flag(_ key: String) throws -> Bool {
      switch call.keywords.first(where: { $0.name == key })?.text {
      case nil, "False": return false
      case "True": return true
      case let other?: throw CommandFailure("symgrad: derive: \(key) must be True or False, got '\(other)'")
      }
    }
    let rank = input.indices.count
    switch function {
    case "softmax", "log_softmax":
      try only(["dim"], positional: 2)
      // PyTorch's implicit dim: 0 for 0-, 1- and 3-D inputs, else 1.
      let d = try dimension(keyword("dim", position: 1), rank: rank, implicit: [0, 1, 3].contains(rank) ? 0 : 1)
      guard rank > 0 else { return .scalar(function == "softmax" ? .one : .zero) }
      return algebra.softmax(input, dim: d, log: function == "log_softmax")
    case "logsumexp":
      try only(["dim", "keepdim"], positional: 3)
      guard rank > 0 else { return input }
      let d = try dimension(keyword("dim", position: 1), rank: rank, implicit: nil)
      return algebra.logSumExp(input, dim: d, keepdim: try flag("keepdim"))
    case "sum", "mean":
      try only(["dim", "keepdim"], positional: 2)
      let dims = try keyword("dim", position: 1).map { [try dimension($0, rank: rank, implicit: nil)] }
      return algebra.summed(input, dims: dims, keepdim: try flag("keepdim"), mean: function == "mean")
    case "matmul":
      try only([], positional: 2)
      guard call.positional.count == 2 else { throw CommandFailure("symgrad: derive: matmul needs two tensors") }
      let other = try tensor(call.positional[1])
      guard let shape = IndexedAlgebra.matmulShape(input.shape, other.shape),
        let product = algebra.matmul(input, other, output: variables(for: shape))
      else {
        throw UsageError(
          "derive: matmul of (\(input.shape.map(\.description).joined(separator: ", "))) and (\(other.shape.map(\.description).joined(separator: ", "))): the inner sizes must be equal and the batch dimensions broadcast"
        )
      }
      return product
    case "transpose":
      try only([], positional: 3)
      guard call.positional.count == 3 else {
        throw CommandFailure("symgrad: derive: transpose takes the input and two dimensions")
      }
      let d0 = try dimension(call.positional[1], rank: rank, implicit: nil)
      let d1 = try dimension(call.positional[2], rank: rank, implicit: nil)
      var indices = input.indices
      indices.swapAt(d0, d1)
      return IndexedTensor(input.entry, indices)
    case "linear":
      try only(["bias"], positional: 3)
      guard call.positional.count >= 2 else { throw CommandFailure("symgrad: derive: linear needs its weight") }
      let weight = try tensor(call.positional[1])
      if shapes[call.positional[1]] != nil { linearWeights.append(call.positional[1]) }
      let biasText = keyword("bias", position: 2)
      guard weight.indices.count == 2, let features = input.indices.last else {
        throw UsageError("derive: linear's input is (..., D) and its weight (C, D)")
      }
      // A bias named without a shape has the one linear fixes: (C).
      let bias = try biasText.flatMap { b -> IndexedTensor? in
        if b == "None" { return nil }
        guard shapes[b] == nil, ExpressionLanguage.isSymbolName(b) else { return try tensor(b) }
        return named(b, [weight.shape[0]])
      }
      let outputShape = Array(input.shape.dropLast()) + [weight.shape[0]]
      let classes = variables(for: outputShape).last!
      let renamedInput = algebra.renamed(input, to: Array(variables(for: outputShape).dropLast()) + [features])
      guard let y = algebra.linear(renamedInput, weight, bias, classes: classes) else {
        throw UsageError(
          "derive: linear's input is (..., D), its weight (C, D) and its bias (C); got (\(input.shape.map(\.description).joined(separator: ", "))), (\(weight.shape.map(\.description).joined(separator: ", ")))"
            + (bias.map { ", (" + $0.shape.map(\.description).joined(separator: ", ") + ")" } ?? ""))
      }
      return y
    default:
      let inputName = shapes[first] != nil ? first : nil
      // A target that is not a tensor name is an expression (`one_hot(t, C)`).
      var target: IndexedTensor?
      if call.positional.count > 1, !ExpressionLanguage.isSymbolName(call.positional[1]) {
        target = try tensor(call.positional[1])
      }
      let roles = try Roles(function, call, shapes, input: input, inputName: inputName, target: target)
      let loss = roles.loss(algebra) { [algebra] i, j in algebra.entry(of: input, at: [i, j]) }
      if let data = loss.target {
        if let known = classTarget, known.data != data {
          throw CommandFailure(
            "symgrad: derive: one class-index target per expression (\(known.data.name), \(data.name))")
        }
        classTarget = (data, roles.names.rows)
        if let i = roles.ignoreIndex {
          if let known = ignoreIndex, known != i {
            throw CommandFailure("symgrad: derive: one ignore_index per expression")
          }
          ignoreIndex = i
        }
      } else if target == nil {
        record(roles.names.target, input.shape)
      }
      if roles.weight { record(roles.names.weight, [roles.names.classes]) }
      if roles.posWeight { record(roles.names.posWeight, [roles.names.classes]) }
      positive.formUnion(loss.positive)
      probability.formUnion(loss.probability)
      return loss.value
    }
  }

  /// `one_hot(t, C)`: `Y[n, c] = delta(c, t[n])` for class indices `t` of shape (N)
  /// (`--shape t=N`) and `C` classes (a size or a number).
  private mutating func oneHot(_ call: CallText) throws -> IndexedTensor {
    guard call.positional.count == 2, call.keywords.isEmpty else {
      throw CommandFailure("symgrad: derive: one_hot takes the class indices and the number of classes")
    }
    let name = try Roles.tensorName(call.positional[0], "one_hot's input")
    guard let rows = shapes[name], rows.count == 1 else {
      throw UsageError("derive: one_hot's class indices need their shape: --shape \(name)=N")
    }
    let text = call.positional[1]
    let classes: IndexSize
    if let k = Int(text), k >= 1 {
      classes = .fixed(k)
    } else if ExpressionLanguage.isSymbolName(text) {
      classes = .symbolic(text)
    } else {
      throw CommandFailure(
        "symgrad: derive: one_hot's number of classes is a size or a positive integer, got '\(text)'")
    }
    let data = DataTensor(name, range: classes, mayBeIgnored: false)
    if let known = classTarget, known.data != data {
      throw CommandFailure("symgrad: derive: one class-index target per expression (\(known.data.name), \(name))")
    }
    classTarget = (data, rows[0])
    let v = variables(for: [rows[0], classes])
    return IndexedTensor(algebra.delta(.variable(v[1]), .gather(data, [.variable(v[0])])), v)
  }

  // MARK: Derivation and the explicit side

  /// The derivation of the translated expression `value` by the entries of `wrt` (nil:
  /// a linear layer's weight, else the first tensor of the text).
  mutating func derivation(_ value: IndexedTensor, wrt: String?) throws -> IndexedDerivation {
    let candidates = tensors.map(\.name)
    guard let name = wrt ?? linearWeights.first ?? candidates.first else {
      throw UsageError("derive needs a tensor to differentiate by: give its shape with --shape NAME=N,C")
    }
    guard let shape = tensors.first(where: { $0.name == name })?.shape else {
      throw UsageError(
        "--wrt \(name): derive differentiates by a tensor of the expression (\(candidates.joined(separator: ", ")))")
    }
    let indices = IndexedDerivation.entryIndices(variables(for: shape), apartFrom: value.indices)
    for s in shape { _ = indexName(s) }
    return IndexedDerivation(
      algebra: algebra, loss: value.entry, lossIndices: value.indices, input: name, inputIndices: indices,
      sizes: sizes, target: classTarget?.data, targetRows: classTarget?.rows, positiveTensors: positive,
      probabilityTensors: probability)
  }

  /// The explicit value of `text` at the values `sizes` of the symbolic sizes: every real
  /// tensor a tensor of symbols, the class-index target `targets` (default `n mod C`).
  func explicit(_ text: String, _ sizes: [String: Int], targets: [Int]?, output: Output?) throws -> Expr.Tensor {
    func value(_ s: IndexSize) -> Int {
      switch s {
      case .fixed(let k): return k
      case .symbolic(let name): return sizes[name] ?? 2
      }
    }
    var bindings: [String: Expr.Value] = [:]
    for case .symbolic(let size) in self.sizes { bindings[size] = .scalar(.number(value(.symbolic(size)))) }
    for (name, shape) in tensors {
      bindings[name] = try Expr.Tensor.symbols(name, shape: shape.map(value)).value
    }
    if let (data, rows) = classTarget {
      let (n, c) = (value(rows), value(data.range))
      bindings[data.name] = .list((targets ?? (0..<n).map { $0 % c }).map { .scalar(.number($0)) })
    }
    let result = try Shared.parse(text, warnings: output, bindings: bindings)
    guard let tensor = Expr.Tensor(result) else { throw CommandFailure("symgrad: derive: \(text) is not a tensor") }
    return tensor
  }
}
