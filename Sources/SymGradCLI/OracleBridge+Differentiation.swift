#if canImport(_Differentiation) && !SYMGRAD_SIMULATE_NO_DIFFERENTIATION
import Foundation
import SymGrad
import SymGradOracle
import _Differentiation

/// The bridge where `_Differentiation` exists (swift.org toolchains): the loss call runs on
/// the autograd oracle.
extension OracleBridge {
  static let isAvailable = true

  /// A differentiable function of one flat vector, and the symbolic entries of that vector.
  struct Program {
    var inputs: [Expr]
    var function: @differentiable(reverse) ([Double]) -> [Double]
    /// Checks PyTorch makes before running (the oracle traps on them): a reason, or nil.
    var validate: ([Double]) -> String? = { _ in nil }
  }

  /// The oracle's value and Jacobian of `tree` with respect to `variables` at `point`.
  static func evaluate(_ tree: CallTree, variables: [String], at point: [String: Double]) throws
    -> (value: [Double], jacobian: [[Double]])
  {
    let program = try compile(tree)
    let x = try program.inputs.map { e -> Double in
      if let r = e.rationalValue { return r.toDouble() }
      if let c = e.constantValue { return c.doubleValue }
      guard let name = e.symbolName else {
        throw NotApplicable(description: "the oracle needs inputs that are symbols or numbers, got \(e)")
      }
      guard let v = point[name] else { throw NotApplicable(description: "no value for \(name)") }
      return v
    }
    if let reason = program.validate(x) { throw NotApplicable(description: reason) }
    let (value, full) = oracleJacobian(at: x, of: program.function)
    // Columns of the requested symbols: the sum over the positions where each appears
    // (positions by name and the result's symbols as a set: linear in the tensor's size,
    // so a 64 x 1000 input under `check --semantics pytorch` is not quadratic).
    let others = Set(tree.result.flattened.flatMap(\.freeSymbols))
    var positionsByName: [String: [Int]] = [:]
    for (k, e) in program.inputs.enumerated() {
      if let name = e.symbolName { positionsByName[name, default: []].append(k) }
    }
    var jacobian = Array(repeating: [Double](), count: value.count)
    for name in variables {
      let positions = positionsByName[name] ?? []
      if positions.isEmpty && others.contains(name) {
        throw NotApplicable(description: "the oracle differentiates only the loss input, not '\(name)'")
      }
      for i in value.indices { jacobian[i].append(positions.reduce(0.0) { $0 + full[i][$1] }) }
    }
    return (value, jacobian)
  }

  static func compile(_ tree: CallTree) throws -> Program {
    let a = tree.positional
    // The oracle's kernels index rows and lanes: tensors of no elements are SymGrad's own
    // business (their shapes are checked against PyTorch's records).
    for v in a.map(\.value) + tree.keywords.values where v.shape?.contains(0) == true {
      throw NotApplicable(description: "\(tree.name): the oracle does not run tensors of no elements")
    }
    func tensor(_ i: Int) throws -> Expr.Tensor {
      guard i < a.count, let t = Expr.Tensor(a[i].value) else {
        throw NotApplicable(description: "\(tree.name): argument \(i + 1) is not a tensor")
      }
      return t
    }
    func numbers(_ v: Expr.Value?) throws -> [Double]? {
      guard let v else { return nil }
      return try v.flattened.map { e in
        guard let r = e.rationalValue else {
          throw NotApplicable(description: "\(tree.name): weights and targets must be numbers")
        }
        return r.toDouble()
      }
    }
    func int(_ name: String, _ d: Int) -> Int {
      tree.keywords[name]?.rationalValue?.numerator.asInt ?? d
    }
    func double(_ name: String, _ d: Double) -> Double {
      tree.keywords[name]?.rationalValue?.toDouble() ?? d
    }
    func reduction(_ d: OracleReduction) throws -> OracleReduction {
      guard let v = tree.keywords["reduction"] else { return d }
      guard case .string(let s) = v, let r = OracleReduction(rawValue: s) else {
        throw NotApplicable(description: "bad reduction")
      }
      return r
    }
    /// `reduction` given by position (argument 3) or keyword, for the elementwise losses.
    func positionalReduction() throws -> OracleReduction {
      if a.count > 2, case .string(let r) = a[2].value, let rr = OracleReduction(rawValue: r) { return rr }
      return try reduction(.mean)
    }
    /// An elementwise loss's differentiable input (function, inputs, shape) and its
    /// numeric target of the same element count.
    func elementwiseTarget() throws -> (
      function: @differentiable(reverse) ([Double]) -> [Double], inputs: [Expr], target: [Double], shape: [Int]
    ) {
      let (p, shape) = try source()
      let y = try numbers(a.count > 1 ? a[1].value : nil) ?? []
      guard y.count == shape.reduce(1, *) else { throw NotApplicable(description: "\(tree.name): target shape") }
      return (p.function, p.inputs, y, shape)
    }
    /// The differentiable input of a loss: a plain tensor, or a `linear` call.
    func source() throws -> (program: Program, shape: [Int]) {
      if case .call(let inner) = a.first {
        guard
          ["linear", "sigmoid", "softmax", "log_softmax", "softmin", "matmul", "transpose", "reshape", "where"]
            .contains(
              inner.name)
        else {
          throw NotApplicable(
            description:
              "the oracle composes only linear, matmul, transpose, sigmoid, softmax and where into a loss, not \(inner.name)"
          )
        }
        let p = try compile(inner)
        return (p, Expr.Tensor(inner.result)!.shape)
      }
      let t = try tensor(0)
      return (Program(inputs: t.elements, function: { $0 }), t.shape)
    }

    /// Argument `i` as a program: a nested call the oracle runs, or a plain tensor.
    func operand(_ i: Int) throws -> (program: Program, shape: [Int]) {
      if i < a.count, case .call(let inner) = a[i] {
        return (try compile(inner), Expr.Tensor(inner.result)!.shape)
      }
      let t = try tensor(i)
      return (Program(inputs: t.elements, function: { $0 }), t.shape)
    }

    if tree.item != nil && tree.name != "multi_head_attention_forward" {
      throw NotApplicable(
        description: "\(tree.name)(...)[\(tree.item!)]: the oracle runs items only of multi_head_attention_forward")
    }
    switch tree.name {
    case "multi_head_attention_forward":
      return try compileMultiheadAttention(tree)
    case "matmul":
      let (p, sp) = try operand(0)
      let (q, sq) = try operand(1)
      guard let plan = MatmulPlan(sp, sq) else { throw NotApplicable(description: "matmul: shapes PyTorch refuses") }
      let (f, g) = (p.function, q.function)
      let (np, nq) = (p.inputs.count, q.inputs.count)
      return Program(inputs: p.inputs + q.inputs) { v in
        SymGradOracle.matmul(f(slice(v, 0, np)), g(slice(v, np, nq)), plan: plan)
      }
    case "reshape":
      // Row-major order is kept: the same numbers, in another shape.
      return try operand(0).program
    case "transpose":
      let (p, shape) = try operand(0)
      let r = max(shape.count, 1)
      let d0 = a.count > 1 ? (a[1].value.rationalValue?.numerator.asInt ?? 0) : int("dim0", shape.count == 2 ? 0 : -99)
      let d1 = a.count > 2 ? (a[2].value.rationalValue?.numerator.asInt ?? 0) : int("dim1", shape.count == 2 ? 1 : -99)
      guard (-r..<r).contains(d0), (-r..<r).contains(d1) else {
        throw NotApplicable(description: "transpose: dimensions out of range")
      }
      let f = p.function
      if shape.count < 2 { return p }
      let (x, y) = ((d0 + r) % r, (d1 + r) % r)
      return Program(inputs: p.inputs) { v in SymGradOracle.transpose(f(v), shape: shape, dim0: x, dim1: y) }
    case "linear":
      let x = try tensor(0)
      let w = try tensor(1)
      let b = a.count > 2 ? try tensor(2) : (tree.keywords["bias"].flatMap(Expr.Tensor.init))
      guard w.rank == 1 || w.rank == 2, x.rank >= 1 else {
        throw NotApplicable(description: "linear: unexpected shapes")
      }
      // A 1-D weight (in) is one output feature whose axis PyTorch drops: the same numbers.
      let inF = w.shape.last!
      let outF = w.rank == 1 ? 1 : w.shape[0]
      let rows = x.count / inF
      let nx = x.count
      let nw = w.count
      if let b {
        guard b.count == outF else {
          throw NotApplicable(description: "linear: the oracle takes a bias of out_features entries, not broadcast")
        }
        return Program(inputs: x.elements + w.elements + b.elements) { v in
          SymGradOracle.linear(
            slice(v, 0, nx), rows: rows, inFeatures: inF, weight: slice(v, nx, nw), outFeatures: outF,
            bias: slice(v, nx + nw, outF))
        }
      }
      return Program(inputs: x.elements + w.elements) { v in
        SymGradOracle.linear(
          slice(v, 0, nx), rows: rows, inFeatures: inF, weight: slice(v, nx, nw), outFeatures: outF, bias: nil)
      }
    case "sigmoid":
      let (p, _) = try source()
      let f = p.function
      return Program(inputs: p.inputs) { v in f(v).differentiableMap { 1 / (1 + oracleExp(-$0)) } }
    case "relu", "relu6", "leaky_relu", "hardtanh", "elu", "selu", "celu", "silu", "gelu", "softsign", "mish",
      "logsigmoid", "hardswish", "hardsigmoid", "erf", "erfc", "softplus", "clamp", "exp", "log", "sin", "cos", "tanh",
      "log1p", "expm1", "abs", "sign", "sqrt":
      let (p, _) = try source()
      let f = p.function
      func parameter(_ i: Int, _ name: String, _ d: Double) -> Double {
        if i < a.count, case .scalar(let e) = a[i].value, let r = e.rationalValue { return r.toDouble() }
        return double(name, d)
      }
      // PyTorch's selu constants (torch.nn.functional.selu), stated here independently.
      let seluAlpha = 1.6732632423543772848170429916717
      let seluScale = 1.0507009873554804934193349852946
      let kind: OracleActivation
      switch tree.name {
      case "relu": kind = .relu
      case "relu6": kind = .hardtanh(min: 0, max: 6)
      case "leaky_relu": kind = .leakyRelu(negativeSlope: parameter(1, "negative_slope", 0.01))
      case "hardtanh": kind = .hardtanh(min: parameter(1, "min_val", -1), max: parameter(2, "max_val", 1))
      case "elu": kind = .elu(alpha: parameter(1, "alpha", 1), scale: 1, inputScale: 1)
      case "selu": kind = .elu(alpha: seluAlpha, scale: seluScale, inputScale: 1)
      case "celu":
        let alpha = parameter(1, "alpha", 1)
        kind = .elu(alpha: alpha, scale: 1, inputScale: 1 / alpha)
      case "silu": kind = .silu
      case "gelu": kind = tree.keywords["approximate"] == .string("tanh") ? .geluTanh : .gelu
      case "softsign": kind = .softsign
      case "mish": kind = .mish
      case "logsigmoid": kind = .logsigmoid
      case "hardsigmoid": kind = .hardsigmoid
      case "exp": kind = .exp
      case "log": kind = .log
      case "sin": kind = .sin
      case "cos": kind = .cos
      case "tanh": kind = .tanh
      case "log1p": kind = .log1p
      case "expm1": kind = .expm1
      case "abs": kind = .abs
      case "sign": kind = .sign
      case "sqrt": kind = .sqrt
      case "erf": kind = .erf
      case "erfc": kind = .erfc
      case "clamp": kind = .clamp(min: parameter(1, "min", -.infinity), max: parameter(2, "max", .infinity))
      case "softplus":
        // PyTorch's F.softplus (threshold 20 by default), whatever SymGrad's plain softplus is.
        kind = .softplus(beta: parameter(1, "beta", 1), threshold: parameter(2, "threshold", 20))
      default: kind = .hardswish
      }
      return Program(inputs: p.inputs) { v in SymGradOracle.activation(f(v), kind) }
    case "softmax", "log_softmax", "softmin":
      let (p, shape) = try source()
      // Without dim, PyTorch's implicit choice (stated here independently of SymGrad's
      // implementation): dimension 0 for 0-, 1- and 3-D inputs, else 1.
      let implicit = [0, 1, 3].contains(shape.count) ? 0 : 1
      let dim = a.count > 1 ? (a[1].value.rationalValue?.numerator.asInt ?? -1) : int("dim", implicit)
      let r = max(shape.count, 1)
      guard (-r..<r).contains(dim) else { throw NotApplicable(description: "\(tree.name): dim out of range") }
      // Along another dimension: swap it with the last, take the rows, swap back (a swap
      // is its own inverse).
      let d = (dim + r) % r
      let last = r - 1
      var swapped = shape
      if d != last { swapped.swapAt(d, last) }
      let (rows, cols) = rowsColumns(swapped)
      let f = p.function
      // One closure per case: Swift's differentiation of closures with branches on captured
      // values crashed the compiler (swift 6.x, "Global is external").
      let rowwise: @differentiable(reverse) ([Double]) -> [Double]
      switch tree.name {
      case "log_softmax": rowwise = { x in SymGradOracle.logSoftmax(x, rows: rows, columns: cols) }
      // softmin(x) = softmax(-x) (PyTorch's definition), composed here.
      case "softmin": rowwise = { x in SymGradOracle.softmax(negated(x), rows: rows, columns: cols) }
      default: rowwise = { x in SymGradOracle.softmax(x, rows: rows, columns: cols) }
      }
      if d == last { return Program(inputs: p.inputs) { v in rowwise(f(v)) } }
      return Program(inputs: p.inputs) { v in
        SymGradOracle.transpose(
          rowwise(SymGradOracle.transpose(f(v), shape: shape, dim0: d, dim1: last)), shape: swapped, dim0: d,
          dim1: last)
      }
    case "kl_div":
      let (f, inputs, t, shape) = try elementwiseTarget()
      var red = "mean"
      if case .string(let r)? = tree.keywords["reduction"] { red = r }
      let logTarget = tree.keywords["log_target"] == .boolean(true)
      let batch = shape.first ?? 1
      return Program(inputs: inputs) { v in
        SymGradOracle.klDiv(f(v), target: t, reduction: red, batchSize: batch, logTarget: logTarget)
      }
    case "poisson_nll_loss":
      let (f, inputs, y, _) = try elementwiseTarget()
      let logInput = tree.keywords["log_input"] != .boolean(false)
      let full = tree.keywords["full"] == .boolean(true)
      let eps = double("eps", 1e-8)
      let red = try reduction(.mean)
      return Program(inputs: inputs) { v in
        SymGradOracle.poissonNLLLoss(f(v), target: y, logInput: logInput, full: full, eps: eps, reduction: red)
      }
    case "soft_margin_loss":
      let (f, inputs, y, _) = try elementwiseTarget()
      let red = try positionalReduction()
      return Program(inputs: inputs) { v in SymGradOracle.softMarginLoss(f(v), target: y, reduction: red) }
    case "huber_loss":
      let (f, inputs, y, _) = try elementwiseTarget()
      let red = try positionalReduction()
      var delta = double("delta", 1)
      if a.count > 3, case .scalar(let d) = a[3].value, let r = d.rationalValue { delta = r.toDouble() }
      guard delta > 0 else { throw NotApplicable(description: "huber_loss: delta must be > 0") }
      return Program(inputs: inputs) { v in SymGradOracle.huberLoss(f(v), target: y, reduction: red, delta: delta) }
    case "smooth_l1_loss":
      let (f, inputs, y, _) = try elementwiseTarget()
      let red = try reduction(.mean)
      let beta = double("beta", 1)
      guard beta >= 0 else { throw NotApplicable(description: "smooth_l1_loss: beta must be >= 0") }
      return Program(inputs: inputs) { v in SymGradOracle.smoothL1Loss(f(v), target: y, reduction: red, beta: beta) }
    case "mse_loss", "l1_loss":
      let (f, inputs, y, _) = try elementwiseTarget()
      let red = try positionalReduction()
      if tree.name == "mse_loss" {
        return Program(inputs: inputs) { v in SymGradOracle.mseLoss(f(v), target: y, reduction: red) }
      }
      return Program(inputs: inputs) { v in SymGradOracle.l1Loss(f(v), target: y, reduction: red) }
    case "nll_loss", "cross_entropy":
      let (p, shape) = try source()
      // PyTorch's classes are dimension 1: an (N, C, d1, ..., dK) input is the oracle's
      // (N d1 ... dK) x C matrix of positions, by a permutation of the flat entries.
      let order = classesLastOrder(shape)
      let (rows, cols) = shape.count >= 3 ? (shape.reduce(1, *) / shape[1], shape[1]) : rowsColumns(shape)
      let targetTensor = try tensor(1)
      let weight = try numbers(tree.keywords["weight"])
      let ignore = int("ignore_index", -100)
      let red = try reduction(.mean)
      let target: OracleTarget
      if targetTensor.shape == shape && !shape.isEmpty {
        let probabilities = try numbers(.list(targetTensor.elements.map(Expr.Value.scalar)))!
        target = .probabilities(order.map { $0.map { probabilities[$0] } } ?? probabilities)
      } else {
        target = .classIndices(targetTensor.elements.map { $0.rationalValue?.numerator.asInt ?? 0 })
      }
      let g = p.function
      var f = g
      if let order { f = { v in permuted(g(v), order) } }
      if tree.name == "nll_loss" {
        guard case .classIndices(let t) = target else {
          throw NotApplicable(description: "nll_loss needs class indices")
        }
        return Program(inputs: p.inputs) { v in
          SymGradOracle.nllLoss(
            f(v), rows: rows, columns: cols, target: t, weight: weight, ignoreIndex: ignore, reduction: red)
        }
      }
      let smoothing = double("label_smoothing", 0)
      return Program(inputs: p.inputs) { v in
        SymGradOracle.crossEntropy(
          f(v), rows: rows, columns: cols, target: target, weight: weight, ignoreIndex: ignore,
          labelSmoothing: smoothing, reduction: red)
      }
    case "binary_cross_entropy", "binary_cross_entropy_with_logits", "sigmoid_focal_loss":
      let (p, shape) = try source()
      let y = try numbers(a.count > 1 ? a[1].value : nil) ?? []
      let red = try reduction(tree.name == "sigmoid_focal_loss" ? .none : .mean)
      let weight = try numbers(tree.keywords["weight"])
      let f = p.function
      switch tree.name {
      case "binary_cross_entropy":
        if case .boolean(false) = tree.keywords["clamp"] {
          throw NotApplicable(description: "the oracle has only PyTorch's clamped BCE")
        }
        guard y.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
          throw NotApplicable(description: "PyTorch rejects BCE targets outside [0, 1]")
        }
        var program = Program(inputs: p.inputs) { v in
          SymGradOracle.binaryCrossEntropy(f(v), target: y, weight: weight, reduction: red)
        }
        // Inputs come through `f`: check them as PyTorch would (NaN included).
        program.validate = { x in
          let inputs = f(x)
          return inputs.allSatisfy({ $0 >= 0 && $0 <= 1 })
            ? nil : "PyTorch rejects BCE inputs outside [0, 1] (all elements of input should be between 0 and 1)"
        }
        return program
      case "binary_cross_entropy_with_logits":
        let pw = try numbers(tree.keywords["pos_weight"])
        let cols = shape.last ?? 1
        return Program(inputs: p.inputs) { v in
          SymGradOracle.binaryCrossEntropyWithLogits(
            f(v), target: y, columns: cols, weight: weight, posWeight: pw, reduction: red)
        }
      default:
        let alpha = double("alpha", 0.25)
        let gamma = double("gamma", 2)
        return Program(inputs: p.inputs) { v in
          SymGradOracle.sigmoidFocalLoss(f(v), target: y, alpha: alpha, gamma: gamma, reduction: red)
        }
      }
    case "scaled_dot_product_attention", "attention_weights":
      // The query is the differentiated tensor; key, value and the mask are numbers. A
      // boolean attn_mask attends where True (SDPA). Batched and multi-head inputs: each
      // matrix of the batch is one head of the oracle's attention, the batch dimensions
      // broadcast as PyTorch documents them (written here, not taken from SymGrad).
      // attention_weights(q, k, attn_mask, ...) has no value: its weights are the attention
      // of the S x S identity as the value (softmax(scores) @ I).
      let weightsOnly = tree.name == "attention_weights"
      let q = try tensor(0)
      let k = try tensor(1)
      guard q.rank >= 2, k.rank >= 2 else {
        throw NotApplicable(description: "\(tree.name): the oracle takes inputs (..., L, E)")
      }
      let keys = k.shape[k.rank - 2]
      let v =
        weightsOnly
        ? Expr.Tensor(
          shape: [keys, keys], elements: (0..<(keys * keys)).map { $0 / keys == $0 % keys ? Expr.one : .zero })
        : try tensor(2)
      guard v.rank >= 2 else {
        throw NotApplicable(description: "scaled_dot_product_attention: the oracle takes inputs (..., L, E)")
      }
      let maskPosition = weightsOnly ? 2 : 3
      for name in ["key_padding_mask", "attention_mask"] where tree.keywords[name] != nil {
        throw NotApplicable(description: "scaled_dot_product_attention: the oracle has no \(name)")
      }
      if !weightsOnly, let p = tree.keywords["dropout_p"] ?? (a.count > 4 ? a[4].value : nil), p.rationalValue != 0 {
        throw NotApplicable(description: "scaled_dot_product_attention: dropout is random")
      }
      let (l, e) = (q.shape[q.rank - 2], q.shape[q.rank - 1])
      let (sLen, ev) = (v.shape[v.rank - 2], v.shape[v.rank - 1])
      guard k.shape[k.rank - 1] == e, k.shape[k.rank - 2] == sLen else {
        throw NotApplicable(description: "scaled_dot_product_attention: shapes PyTorch refuses")
      }
      let qb = Array(q.shape.dropLast(2))
      let kb = Array(k.shape.dropLast(2))
      let vb = Array(v.shape.dropLast(2))
      let gqa =
        tree.keywords["enable_gqa"].map { if case .boolean(true) = $0 { return true } else { return false } }
        ?? false
      // Grouped-query attention: query head h reads key/value head h / (Hq / H).
      let group = gqa && !qb.isEmpty && !kb.isEmpty && kb.last! > 0 ? qb.last! / kb.last! : 1
      let rank = max(qb.count, kb.count, vb.count)
      func padded(_ b: [Int], heads: Bool) -> [Int] {
        var out = [Int](repeating: 1, count: rank - b.count) + b
        if heads && group > 1 { out[rank - 1] *= group }
        return out
      }
      let (pq, pk, pv) = (padded(qb, heads: false), padded(kb, heads: true), padded(vb, heads: true))
      var batch: [Int] = []
      for d in 0..<rank {
        let sizes = [pq[d], pk[d], pv[d]]
        let size = sizes.max()!
        guard sizes.allSatisfy({ $0 == size || $0 == 1 }) else {
          throw NotApplicable(description: "scaled_dot_product_attention: batch dimensions PyTorch refuses")
        }
        batch.append(size)
      }
      /// The matrix of an operand (its own batch shape) for a batch index.
      func matrix(_ index: [Int], _ own: [Int], grouped: Bool) -> Int {
        let p = [Int](repeating: 1, count: rank - own.count) + own
        var n = 0
        for d in 0..<rank {
          var i = p[d] == 1 ? 0 : index[d]
          if grouped && group > 1 && d == rank - 1 { i = index[d] / group }
          n = n * p[d] + i
        }
        return n
      }
      let key = try numbers(.list(k.elements.map(Expr.Value.scalar)))!
      let value = try numbers(.list(v.elements.map(Expr.Value.scalar)))!
      let maskValue = tree.keywords["attn_mask"] ?? (a.count > maskPosition ? a[maskPosition].value : nil)
      let maskFlat = try maskValue.map { try additiveMask($0) }
      // The mask's shape (its entries may be booleans, which Value.shape does not count).
      func listShape(_ v: Expr.Value) -> [Int] {
        if case .list(let items) = v { return [items.count] + (items.first.map(listShape) ?? []) }
        return []
      }
      let maskShape = maskValue.map(listShape) ?? []
      if let maskFlat, maskFlat.count != maskShape.reduce(1, *) {
        throw NotApplicable(description: "scaled_dot_product_attention: attn_mask is ragged")
      }
      let causal: Bool
      switch tree.keywords["is_causal"] {
      case nil, .boolean(false)?: causal = false
      case .boolean(true)?: causal = true
      default: throw NotApplicable(description: "scaled_dot_product_attention: is_causal must be True or False")
      }
      if causal && maskFlat != nil { throw NotApplicable(description: "PyTorch rejects attn_mask with is_causal=True") }
      let scale = tree.keywords["scale"].flatMap { $0.rationalValue?.toDouble() }
      // Per batch matrix: the query's offset, the key, value and mask numbers.
      let total = batch.reduce(1, *)
      var blocks: [AttentionBlock] = []
      let fullShape = batch + [l, sLen]
      guard maskShape.count <= fullShape.count else {
        throw NotApplicable(description: "scaled_dot_product_attention: attn_mask has too many dimensions")
      }
      let mp = [Int](repeating: 1, count: fullShape.count - maskShape.count) + maskShape
      for (d, size) in mp.enumerated() where size != 1 && size != fullShape[d] {
        throw NotApplicable(description: "scaled_dot_product_attention: attn_mask does not broadcast")
      }
      for flat in 0..<total {
        var index = [Int](repeating: 0, count: rank)
        var rest = flat
        for d in stride(from: rank - 1, through: 0, by: -1) {
          index[d] = rest % batch[d]
          rest /= batch[d]
        }
        let km = matrix(index, kb, grouped: true)
        let vm = matrix(index, vb, grouped: true)
        var mask: [Double]?
        if let maskFlat {
          var m: [Double] = []
          for i in 0..<l {
            for j in 0..<sLen {
              let full = index + [i, j]
              var offset = 0
              for (d, size) in mp.enumerated() { offset = offset * size + (size == 1 ? 0 : full[d]) }
              m.append(maskFlat[offset])
            }
          }
          mask = m
        }
        blocks.append(
          AttentionBlock(
            queryOffset: matrix(index, qb, grouped: false) * l * e,
            key: Array(key[(km * sLen * e)..<((km + 1) * sLen * e)]),
            value: Array(value[(vm * sLen * ev)..<((vm + 1) * sLen * ev)]), mask: mask))
      }
      return Program(inputs: q.elements) { x in
        SymGradOracle.scaledDotProductAttention(
          query: x, blocks: blocks, l: l, s: sLen, e: e, ev: ev, isCausal: causal, scale: scale)
      }
    case "sum", "mean", "amax", "amin", "logsumexp":
      let (p, shape) = try operand(0)
      let r = max(shape.count, 1)
      var dims: [Int] = []
      if let dimValue = tree.keywords["dim"] ?? (a.count > 1 ? a[1].value : nil) {
        var items = [dimValue]
        if case .list(let listed) = dimValue { items = listed }
        for item in items {
          guard let q = item.rationalValue, q.isInteger, let k = q.numerator.asInt, (-r..<r).contains(k) else {
            throw NotApplicable(description: "\(tree.name): dims must be integers in range")
          }
          dims.append((k + r) % r)
        }
      }
      guard shape.allSatisfy({ $0 > 0 }) else { throw NotApplicable(description: "\(tree.name): an empty tensor") }
      let kind: DimensionReduction =
        ["sum": .sum, "mean": .mean, "amax": .amax, "amin": .amin, "logsumexp": .logsumexp][tree.name]!
      let lanes = shape.isEmpty ? [1] : shape
      let f = p.function
      return Program(inputs: p.inputs) { v in SymGradOracle.reduceAlong(f(v), shape: lanes, dims: dims, kind: kind) }
    case "maximum", "minimum":
      guard a.count == 2, tree.keywords.isEmpty else {
        throw NotApplicable(description: "\(tree.name): the oracle takes input and other by position")
      }
      let (p, sp) = try operand(0)
      let (q, sq) = try operand(1)
      let rank = max(sp.count, sq.count)
      let (pa, pb) = (
        Array(repeating: 1, count: rank - sp.count) + sp, Array(repeating: 1, count: rank - sq.count) + sq
      )
      guard zip(pa, pb).allSatisfy({ $0 == $1 || $0 == 1 || $1 == 1 }) else {
        throw NotApplicable(description: "\(tree.name): shapes that do not broadcast")
      }
      let (f, g, np, nq) = (p.function, q.function, p.inputs.count, q.inputs.count)
      let largest = tree.name == "maximum"
      return Program(inputs: p.inputs + q.inputs) { v in
        SymGradOracle.elementwiseExtremum(
          f(slice(v, 0, np)), shapeA: sp, g(slice(v, np, nq)), shapeB: sq, largest: largest)
      }
    case "max", "min":
      // torch.max/min(input, dim, keepdim): SymGrad's [values, indices].
      let dimValue = tree.keywords["dim"] ?? (a.count > 1 ? a[1].value : nil)
      guard a.count <= 3, let d = dimValue?.rationalValue?.numerator.asInt, dimValue?.rationalValue?.isInteger == true
      else {
        throw NotApplicable(description: "\(tree.name): the oracle runs the reduction along a dim only")
      }
      let (p, shape) = try operand(0)
      let r = max(shape.count, 1)
      guard (-r..<r).contains(d), shape.allSatisfy({ $0 > 0 }) else {
        throw NotApplicable(description: "\(tree.name): dim out of range or an empty tensor")
      }
      let f = p.function
      let largest = tree.name == "max"
      let lanes = shape.isEmpty ? [1] : shape
      let dim = (d + r) % r
      return Program(inputs: p.inputs) { v in
        SymGradOracle.extremumAlongDimension(f(v), shape: lanes, dim: dim, largest: largest)
      }
    case "where":
      // A literal bool condition (PyTorch's OpInfo samples, masks); a comparison would
      // have to be evaluated with SymGrad's expressions, which the oracle must not use.
      guard a.count == 3, tree.keywords.isEmpty else {
        throw NotApplicable(description: "where: the oracle takes condition, input and other by position")
      }
      var condition: [Bool] = []
      func collect(_ v: Expr.Value) throws {
        switch v {
        case .boolean(let b): condition.append(b)
        case .list(let items): for item in items { try collect(item) }
        default: throw NotApplicable(description: "where: the oracle takes a condition of literal True/False only")
        }
      }
      try collect(a[0].value)
      // A scalar input or other (a mask's -inf) stands for every element.
      let (x, y) = (try tensor(1), try tensor(2))
      let shape = x.shape.isEmpty ? y.shape : x.shape
      let xs = x.shape.isEmpty ? Array(repeating: x.elements[0], count: y.elements.count) : x.elements
      let ys = y.shape.isEmpty ? Array(repeating: y.elements[0], count: xs.count) : y.elements
      guard y.shape.isEmpty || y.shape == shape, condition.count == xs.count || condition.count == 1 else {
        throw NotApplicable(description: "where: the oracle takes input and other of one shape, and a condition of it")
      }
      let n = xs.count
      let c = condition
      return Program(inputs: xs + ys) { v in
        SymGradOracle.select(slice(v, 0, n), slice(v, n, n), condition: c)
      }
    case "margin_ranking_loss", "hinge_embedding_loss", "multilabel_soft_margin_loss", "cosine_embedding_loss",
      "multi_margin_loss", "multilabel_margin_loss", "triplet_margin_loss", "pairwise_distance", "cosine_similarity",
      "normalize", "gaussian_nll_loss", "layer_norm":
      return try marginLoss(tree)
    default:
      throw NotApplicable(description: "the oracle has no '\(tree.name)'")
    }
  }

  /// The margin and embedding losses: every tensor argument (symbols or numbers) is a
  /// stretch of the oracle's flat input, so any of them may be differentiated.
  static func marginLoss(_ tree: CallTree) throws -> Program {
    let a = tree.positional
    func tensor(_ i: Int) throws -> Expr.Tensor {
      guard i < a.count, let t = Expr.Tensor(a[i].value) else {
        throw NotApplicable(description: "\(tree.name): argument \(i + 1) is not a tensor")
      }
      return t
    }
    func numbers(_ t: Expr.Tensor) throws -> [Double] {
      try t.elements.map { e in
        guard let r = e.rationalValue else { throw NotApplicable(description: "\(tree.name): targets must be numbers") }
        return r.toDouble()
      }
    }
    /// A number argument by position or keyword: a rational or `+-inf` (a norm's `p`).
    func keyword(_ name: String, _ position: Int?, _ d: Double) -> Double {
      func number(_ e: Expr) -> Double? {
        if let r = e.rationalValue { return r.toDouble() }
        if let c = e.constantValue, c == .infinity || c == .negativeInfinity { return c.doubleValue }
        return nil
      }
      if let position, position < a.count, case .scalar(let e) = a[position].value, let v = number(e) { return v }
      if case .scalar(let e)? = tree.keywords[name], let v = number(e) { return v }
      return d
    }
    func weight() throws -> [Double]? {
      guard let w = tree.keywords["weight"] else { return nil }
      guard let t = Expr.Tensor(w) else { throw NotApplicable(description: "\(tree.name): weight") }
      return try numbers(t)
    }
    var reduction = OracleReduction.mean
    if case .string(let s)? = tree.keywords["reduction"] {
      guard let r = OracleReduction(rawValue: s) else { throw NotApplicable(description: "bad reduction") }
      reduction = r
    }
    let first = try tensor(0)
    let columns = first.shape.last ?? 1
    /// Argument `i`'s elements, paired one to one with the first's: the oracle does not
    /// broadcast (SymGrad does), so other shapes are not applicable rather than misaligned.
    func paired(_ i: Int) throws -> [Expr] {
      let t = try tensor(i)
      guard t.shape == first.shape else {
        throw NotApplicable(
          description: "\(tree.name): the oracle pairs tensors of equal shapes, got \(first.shape) and \(t.shape)")
      }
      return t.elements
    }
    let kind: OracleMarginLoss
    var inputs = first.elements
    switch tree.name {
    case "margin_ranking_loss":
      inputs += try paired(1)
      kind = .marginRanking(target: try numbers(try tensor(2)), margin: keyword("margin", 3, 0))
    case "hinge_embedding_loss":
      kind = .hingeEmbedding(target: try numbers(try tensor(1)), margin: keyword("margin", 2, 1))
    case "multilabel_soft_margin_loss":
      let target = try numbers(try tensor(1))
      let w = try weight()
      // The oracle pairs a weight per class or per element, the target of the input's shape.
      guard target.count == first.count, w == nil || w!.count == columns || w!.count == first.count else {
        throw NotApplicable(
          description:
            "\(tree.name): the oracle pairs a target of the input's shape and a weight per class or per element")
      }
      kind = .multilabelSoftMargin(target: target, weight: w, columns: columns)
    case "cosine_embedding_loss":
      inputs += try paired(1)
      kind = .cosineEmbedding(target: try numbers(try tensor(2)), margin: keyword("margin", 3, 0), columns: columns)
    case "multi_margin_loss":
      kind = .multiMargin(
        target: try numbers(try tensor(1)).map { Int($0) }, p: Int(keyword("p", 2, 1)), margin: keyword("margin", 3, 1),
        weight: try weight(), columns: columns)
    case "multilabel_margin_loss":
      kind = .multilabelMargin(target: try numbers(try tensor(1)).map { Int($0) }, columns: columns)
    case "triplet_margin_loss":
      inputs += try paired(1) + paired(2)
      let swap = tree.keywords["swap"] == .boolean(true)
      kind = .tripletMargin(
        margin: keyword("margin", 3, 1), p: keyword("p", 4, 2), eps: keyword("eps", 5, 1e-6), swap: swap,
        columns: columns)
    case "cosine_similarity", "normalize":
      let dim = tree.keywords["dim"]?.rationalValue?.numerator.asInt ?? (a.count > 2 ? -99 : 1)
      // A 0-d tensor is its own lane for dim 0 or -1, as in PyTorch.
      guard dim == first.rank - 1 || dim == -1 || (first.rank == 0 && dim == 0) else {
        throw NotApplicable(description: "\(tree.name): the oracle works along the last dimension only")
      }
      reduction = .none
      if tree.name == "normalize" {
        kind = .normalize(p: keyword("p", 1, 2), eps: keyword("eps", 3, 1e-12), columns: columns)
      } else {
        inputs += try paired(1)
        kind = .cosineSimilarity(eps: keyword("eps", 3, 1e-8), columns: columns)
      }
    case "layer_norm":
      guard a.count >= 2 else { throw NotApplicable(description: "layer_norm: normalized_shape") }
      let dims: [Int]
      switch a[1].value {
      case .list(let items): dims = items.compactMap { $0.rationalValue?.numerator.asInt }
      default: dims = [a[1].value.rationalValue?.numerator.asInt ?? 0]
      }
      let group = dims.reduce(1, *)
      let weight = a.count > 2 ? Expr.Tensor(a[2].value) : tree.keywords["weight"].flatMap(Expr.Tensor.init)
      let bias = a.count > 3 ? Expr.Tensor(a[3].value) : tree.keywords["bias"].flatMap(Expr.Tensor.init)
      inputs += (weight?.elements ?? []) + (bias?.elements ?? [])
      reduction = .none
      kind = .layerNorm(
        group: group, eps: tree.keywords["eps"]?.rationalValue?.toDouble() ?? 1e-5, weight: weight != nil,
        bias: bias != nil)
    case "gaussian_nll_loss":
      // The oracle's loss pairs input and target element by element, with var per element
      // or per row (the last dimension 1, or dropped): torch 2.15's other broadcasts are
      // refused, not run on misaligned elements.
      let target = try tensor(1)
      let variance = try tensor(2)
      let rowShapes = [Array(first.shape.dropLast()) + [1], Array(first.shape.dropLast())]
      guard target.shape == first.shape,
        variance.shape == first.shape || (first.rank >= 1 && rowShapes.contains(variance.shape))
      else {
        throw NotApplicable(
          description:
            "gaussian_nll_loss: the oracle takes a target of the input's shape and var per element or per row")
      }
      inputs += target.elements + variance.elements
      let full = tree.keywords["full"] == .boolean(true) || (a.count > 3 && a[3].value == .boolean(true))
      kind = .gaussianNLL(
        full: full, eps: tree.keywords["eps"]?.rationalValue?.toDouble() ?? 1e-6,
        perRow: variance.count != first.count, columns: columns)
    default:
      inputs += try paired(1)
      kind = .pairwiseDistance(p: keyword("p", 2, 2), eps: keyword("eps", 3, 1e-6), columns: columns)
      reduction = .none
    }
    let r = reduction
    return Program(inputs: inputs) { v in SymGradOracle.marginLoss(v, kind, reduction: r) }
  }

  /// An attention mask as PyTorch adds it to the scores, row-major: numbers (`-inf`
  /// included) as they are, booleans as 0 (True: attend) or `-inf` (False).
  static func additiveMask(_ v: Expr.Value) throws -> [Double] {
    switch v {
    case .list(let items): return try items.flatMap(additiveMask)
    case .empty: return []
    case .boolean(let b): return [b ? 0 : -.infinity]
    case .scalar(let x):
      if let r = x.rationalValue { return [r.toDouble()] }
      if let c = x.constantValue, !c.doubleValue.isNaN { return [c.doubleValue] }
      throw NotApplicable(description: "scaled_dot_product_attention: attn_mask must hold numbers or booleans")
    case .string:
      throw NotApplicable(description: "scaled_dot_product_attention: attn_mask must hold numbers or booleans")
    }
  }

  /// For an (N, C, d1, ..., dK) shape (K >= 1), the flat indices of its entries in the
  /// order of the (N d1 ... dK) x C matrix of positions (row n D + s, column c); nil for
  /// smaller ranks.
  static func classesLastOrder(_ shape: [Int]) -> [Int]? {
    guard shape.count >= 3 else { return nil }
    let n = shape[0]
    let c = shape[1]
    let d = shape.dropFirst(2).reduce(1, *)
    var order: [Int] = []
    for b in 0..<n { for s in 0..<d { for k in 0..<c { order.append(b * c * d + k * d + s) } } }
    return order
  }

  static func rowsColumns(_ shape: [Int]) -> (Int, Int) {
    switch shape.count {
    case 0: return (1, 1)
    case 1: return (1, shape[0])
    default: return (shape.dropLast().reduce(1, *), shape.last!)
    }
  }
}

/// `-x` entrywise (softmin's argument).
@differentiable(reverse)
func negated(_ x: [Double]) -> [Double] {
  x.differentiableMap { -$0 }
}

/// The entries of `x` in `order` (a layout change; the oracle's code is untouched).
@differentiable(reverse,wrt: x)
func permuted(_ x: [Double], _ order: [Int]) -> [Double] {
  var out: [Double] = []
  for i in withoutDerivative(at: order) { out.append(x[i]) }
  return out
}

/// `exp` for the oracle-side sigmoid (Foundation's, differentiable through `_Differentiation`).
@differentiable(reverse)
func oracleExp(_ x: Double) -> Double { Foundation.exp(x) }

@derivative(of: oracleExp)
func expVJP(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
  let y = Foundation.exp(x)
  return (y, { $0 * y })
}

/// `v[start ..< start + count]` as a differentiable operation (the pullback scatters the
/// upstream gradient back into a zero vector).
@differentiable(reverse,wrt: v)
func slice(_ v: [Double], _ start: Int, _ count: Int) -> [Double] {
  Array(v[start..<(start + count)])
}

@derivative(of: slice, wrt: v)
func sliceVJP(_ v: [Double], _ start: Int, _ count: Int)
  -> (value: [Double], pullback: (Array<Double>.TangentVector) -> Array<Double>.TangentVector)
{
  let n = v.count
  return (
    Array(v[start..<(start + count)]),
    { g in
      var out = [Double](repeating: 0, count: n)
      for (k, x) in g.base.enumerated() where k < count { out[start + k] = x }
      return Array<Double>.TangentVector(out)
    }
  )
}
#endif
