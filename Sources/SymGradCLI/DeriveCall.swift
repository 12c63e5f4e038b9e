import Foundation
import SymGrad
import SymGradIndexed

/// The text of a loss call on named tensors, split at its top-level commas:
/// `cross_entropy(X, t, weight=w, reduction="sum")`. What `derive` reads; the values are
/// interpreted by the registry (through the explicit engine) and by `DeriveRoles`.
struct CallText {
  let name: String
  let positional: [String]
  let keywords: [(name: String, text: String)]

  init(_ text: String) throws {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    guard let open = trimmed.firstIndex(of: "("), trimmed.hasSuffix(")") else {
      throw CommandFailure("symgrad: derive needs a loss call on named tensors, such as 'cross_entropy(X, t)'")
    }
    name = String(trimmed[..<open]).trimmingCharacters(in: .whitespaces)
    let inside = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
    var pieces: [String] = []
    var depth = 0
    var quote: Character?
    var current = ""
    for ch in inside {
      if let q = quote {
        if ch == q { quote = nil }
      } else if ch == "\"" || ch == "'" {
        quote = ch
      } else if "([{".contains(ch) {
        depth += 1
      } else if ")]}".contains(ch) {
        depth -= 1
      } else if ch == "," && depth == 0 {
        pieces.append(current)
        current = ""
        continue
      }
      current.append(ch)
    }
    guard depth == 0, quote == nil else {
      throw CommandFailure("symgrad: derive: unbalanced brackets or quotes in '\(text)'")
    }
    if !current.trimmingCharacters(in: .whitespaces).isEmpty || !pieces.isEmpty { pieces.append(current) }
    var positional: [String] = []
    var keywords: [(String, String)] = []
    for piece in pieces.map({ $0.trimmingCharacters(in: .whitespaces) }) {
      if let eq = piece.firstIndex(of: "="), piece[piece.index(after: eq)...].first != "=",
        ExpressionLanguage.isSymbolName(piece[..<eq].trimmingCharacters(in: .whitespaces))
      {
        keywords.append(
          (
            piece[..<eq].trimmingCharacters(in: .whitespaces),
            piece[piece.index(after: eq)...].trimmingCharacters(in: .whitespaces)
          ))
      } else {
        guard keywords.isEmpty else {
          throw CommandFailure("symgrad: derive: positional argument '\(piece)' follows keyword arguments")
        }
        positional.append(piece)
      }
    }
    self.positional = positional
    self.keywords = keywords
  }
}

/// What each argument of a `derive` call is (input, target, weights), the options, and
/// the index-notation derivation they select. Every keyword is either understood or an
/// error: an option ignored in the index form would print a wrong general formula.
struct Roles {
  static let supported: [String: Set<String>] = [
    "cross_entropy": ["weight", "ignore_index", "reduction", "label_smoothing"],
    "nll_loss": ["weight", "ignore_index", "reduction"],
    "mse_loss": ["reduction"],
    "binary_cross_entropy_with_logits": ["weight", "pos_weight", "reduction"],
    "kl_div": ["reduction", "log_target"],
    "sigmoid_focal_loss": ["alpha", "gamma", "reduction"],
    "binary_cross_entropy": ["weight", "reduction", "clamp"],
    "softmax": ["dim"],
    "log_softmax": ["dim"],
  ]

  let function: String
  var names = IndexedLosses.Names()
  var classIndices = false
  var weight = false
  var posWeight = false
  var ignoreIndex: Int?
  var labelSmoothing = Expr.zero
  var reduction = Reduction.mean
  var batchMean = false
  var logTarget = false
  var clampLog = true
  var alpha = Expr.number(Rational(numerator: 1, denominator: 4)!)
  var gamma = Expr.number(2)
  /// The linear layer whose output is the input (`cross_entropy(linear(A, W, b), t)`).
  var linear: IndexedLosses.LinearNames?
  /// An additive mask on softmax's input (`softmax(X + M, dim=1)`).
  var mask: String?

  init(_ function: String, _ call: CallText, _ shapes: [String: [IndexSize]]) throws {
    self.function = function
    guard let allowed = Self.supported[function] else {
      throw CommandFailure(
        "symgrad: derive has no index form of \(function) yet (it has: \(Self.supported.keys.sorted().joined(separator: ", ")))"
      )
    }
    let takesWeightPositionally = function == "cross_entropy" || function == "nll_loss"
    let softmaxLike = function == "softmax" || function == "log_softmax"
    let counts = softmaxLike ? 1...2 : takesWeightPositionally ? 2...3 : 2...2
    guard counts.contains(call.positional.count) else {
      let what =
        softmaxLike
        ? "the input (and dim)" : "the input and the target\(takesWeightPositionally ? " (and the weight)" : "")"
      throw CommandFailure(
        "symgrad: derive: \(function) takes \(what) positionally, got \(call.positional.count) arguments")
    }
    if function == "sigmoid_focal_loss" { reduction = .none }
    func tensorName(_ text: String, _ role: String) throws -> String {
      guard ExpressionLanguage.isSymbolName(text) else {
        throw CommandFailure("symgrad: derive: the \(role) must be a tensor name, got '\(text)'")
      }
      return text
    }
    if !softmaxLike { names.target = try tensorName(call.positional[1], "target") }
    let inputShape: [IndexSize]
    if call.positional[0].contains("(") {
      // A linear layer's output: linear(A, W) or linear(A, W, b), A (N, D), W (C, D), b (C).
      let inner = try CallText(call.positional[0])
      guard FunctionRegistry.resolve(inner.name)?.name == "linear", function == "cross_entropy",
        inner.keywords.isEmpty, (2...3).contains(inner.positional.count)
      else {
        throw CommandFailure(
          "symgrad: derive: the input is a tensor name or, for cross_entropy, linear(A, W) or linear(A, W, b); got '\(call.positional[0])'"
        )
      }
      var l = IndexedLosses.LinearNames()
      l.input = try tensorName(inner.positional[0], "linear layer's input")
      l.weight = try tensorName(inner.positional[1], "linear layer's weight")
      if inner.positional.count == 3 { l.bias = try tensorName(inner.positional[2], "linear layer's bias") }
      guard let a = shapes[l.input], a.count == 2, let w = shapes[l.weight], w.count == 2, w[1] == a[1] else {
        throw UsageError(
          "derive needs the linear layer's shapes: --shape \(l.input)=N,D --shape \(l.weight)=C,D (the same D)")
      }
      if let b = l.bias, let bs = shapes[b], bs != [w[0]] { throw UsageError("\(b): the bias has shape (\(w[0]))") }
      l.features = a[1]
      inputShape = [a[0], w[0]]
      linear = l
    } else {
      var input = call.positional[0]
      if softmaxLike, input.contains("+") {
        // Scores under an additive mask: softmax(X + M, dim=1), M of X's shape.
        let parts = input.split(separator: "+").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else {
          throw CommandFailure("symgrad: derive: \(function)'s input is X or X + M (a mask), got '\(input)'")
        }
        input = parts[0]
        mask = try tensorName(parts[1], "mask")
      }
      names.input = try tensorName(input, "input")
      if let m = mask, let ms = shapes[m], ms != shapes[names.input] {
        throw UsageError("\(m): the mask has the input's shape")
      }
      guard let shape = shapes[names.input], shape.count == 2 else {
        throw UsageError("derive needs the input's shape as two sizes: --shape \(names.input)=N,C")
      }
      inputShape = shape
    }
    names.rows = inputShape[0]
    names.classes = inputShape[1]
    let symbolic = ([names.rows, names.classes] + (linear.map { [$0.features] } ?? [])).compactMap { s -> String? in
      if case .symbolic(let name) = s { return name }
      return nil
    }
    guard Set(symbolic).count == symbolic.count else {
      throw UsageError("the sizes \(symbolic.joined(separator: ", ")) need different names")
    }
    let targetShape = shapes[names.target]
    let perClass = [names.classes]
    switch function {
    case "cross_entropy", "nll_loss":
      if targetShape == nil || targetShape == [names.rows] {
        classIndices = true
      } else if function == "cross_entropy" && targetShape == inputShape {
        classIndices = false
      } else {
        throw UsageError(
          "\(names.target): \(function)'s target is class indices (\(names.rows)) or probabilities (\(names.rows),\(names.classes))"
        )
      }
    case "softmax", "log_softmax": break
    default:
      guard targetShape == nil || targetShape == inputShape else {
        throw UsageError("\(names.target): \(function)'s target has the input's shape (\(names.rows),\(names.classes))")
      }
    }
    var keywords = call.keywords
    if call.positional.count == 3 { keywords.append(("weight", call.positional[2])) }
    if softmaxLike && call.positional.count == 2 { keywords.append(("dim", call.positional[1])) }
    var seen = Set<String>()
    for (key, value) in keywords {
      guard allowed.contains(key) else {
        throw CommandFailure(
          "symgrad: derive: \(function)'s option \(key) has no index form yet (understood: \(allowed.sorted().joined(separator: ", ")))"
        )
      }
      guard seen.insert(key).inserted else { throw CommandFailure("symgrad: derive: \(key) is given twice") }
      switch key {
      case "weight", "pos_weight":
        if value == "None" { continue }
        let name = try tensorName(value, key)
        guard shapes[name] == nil || shapes[name] == perClass else {
          throw UsageError("\(name): derive supports \(key) per class, shape (\(names.classes))")
        }
        if key == "weight" {
          weight = true
          names.weight = name
        } else {
          posWeight = true
          names.posWeight = name
        }
      case "ignore_index":
        guard let i = Int(value) else {
          throw CommandFailure("symgrad: derive: ignore_index must be an integer, got '\(value)'")
        }
        ignoreIndex = i
      case "label_smoothing":
        // A number, or a symbol for a result that holds for every smoothing.
        guard let e = try? Expr(parsing: value) else {
          throw CommandFailure("symgrad: derive: label_smoothing must be a number or a symbol, got '\(value)'")
        }
        labelSmoothing = e
      case "reduction":
        let bare = value.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
        if bare == "batchmean" && function == "kl_div" {
          batchMean = true
          reduction = .mean
        } else if let r = Reduction(rawValue: bare) {
          reduction = r
        }  // anything else: the registry's error, from the explicit call
      case "log_target":
        logTarget = value == "True"
      case "clamp":
        clampLog = value != "False"
      case "dim":
        guard value == "1" || value == "-1" else {
          throw CommandFailure("symgrad: derive: \(function) along dim 1 of the (N, C) input only, got dim=\(value)")
        }
      case "alpha", "gamma":
        guard let e = try? Expr(parsing: value) else {
          throw CommandFailure("symgrad: derive: \(key) must be a number or a symbol, got '\(value)'")
        }
        if key == "alpha" { alpha = e } else { gamma = e }
      default: break
      }
    }
  }

  /// The index-notation derivation these roles select, by the entries of `wrt` (nil: the
  /// input, or a linear layer's weight).
  func derivation(wrt: String?) throws -> IndexedDerivation {
    if let l = linear {
      let known = [l.input, l.weight] + (l.bias.map { [$0] } ?? [])
      if let wrt, !known.contains(wrt) {
        throw UsageError("--wrt \(wrt): derive differentiates by \(known.joined(separator: ", "))")
      }
      return IndexedLosses.crossEntropyOfLinear(
        .init(
          weight: weight, ignoreIndex: ignoreIndex != nil, labelSmoothing: labelSmoothing, reduction: reduction,
          probabilities: !classIndices), names, linear: l, wrt: wrt)
    }
    if let wrt, wrt != names.input {
      throw UsageError("derive differentiates by the input \(names.input), not \(wrt)")
    }
    switch function {
    case "cross_entropy":
      return IndexedLosses.crossEntropy(
        .init(
          weight: weight, ignoreIndex: ignoreIndex != nil, labelSmoothing: labelSmoothing, reduction: reduction,
          probabilities: !classIndices), names)
    case "nll_loss":
      return IndexedLosses.nllLoss(.init(weight: weight, ignoreIndex: ignoreIndex != nil, reduction: reduction), names)
    case "mse_loss": return IndexedLosses.mseLoss(reduction: reduction, names)
    case "binary_cross_entropy_with_logits":
      return IndexedLosses.binaryCrossEntropyWithLogits(
        weight: weight, posWeight: posWeight, reduction: reduction, names)
    case "binary_cross_entropy":
      return IndexedLosses.binaryCrossEntropy(weight: weight, reduction: reduction, clampLog: clampLog, names)
    case "sigmoid_focal_loss":
      return IndexedLosses.sigmoidFocalLoss(alpha: alpha, gamma: gamma, reduction: reduction, names)
    case "softmax", "log_softmax":
      return IndexedLosses.softmax(log: function == "log_softmax", names, mask: mask)
    default: return IndexedLosses.klDiv(logTarget: logTarget, reduction: reduction, batchMean: batchMean, names)
    }
  }

  /// The explicit loss of `text` at the values `sizes` of the symbolic sizes: the input
  /// (or the linear layer's tensors) and real targets as tensors of symbols, class-index
  /// targets from `targets` (default `n mod C`), weights as symbols per class.
  func explicit(_ text: String, _ sizes: [String: Int], targets: [Int]?, output: Output?) throws -> Expr.Tensor {
    func value(_ s: IndexSize) -> Int {
      switch s {
      case .fixed(let k): return k
      case .symbolic(let name): return sizes[name] ?? 2
      }
    }
    let (rows, classes) = (value(names.rows), value(names.classes))
    var bindings: [String: Expr.Value] = [:]
    if let l = linear {
      let d = value(l.features)
      bindings[l.input] = try Expr.Tensor.symbols(l.input, shape: [rows, d]).value
      bindings[l.weight] = try Expr.Tensor.symbols(l.weight, shape: [classes, d]).value
      if let b = l.bias { bindings[b] = try Expr.Tensor.symbols(b, shape: [classes]).value }
    } else {
      bindings[names.input] = try Expr.Tensor.symbols(names.input, shape: [rows, classes]).value
    }
    if function == "softmax" || function == "log_softmax" {
      if let m = mask { bindings[m] = try Expr.Tensor.symbols(m, shape: [rows, classes]).value }
    } else if classIndices {
      let t = targets ?? (0..<rows).map { $0 % classes }
      bindings[names.target] = .list(t.map { .scalar(.number($0)) })
    } else {
      bindings[names.target] = try Expr.Tensor.symbols(names.target, shape: [rows, classes]).value
    }
    if weight { bindings[names.weight] = try Expr.Tensor.symbols(names.weight, shape: [classes]).value }
    if posWeight { bindings[names.posWeight] = try Expr.Tensor.symbols(names.posWeight, shape: [classes]).value }
    let value = try Shared.parse(text, warnings: output, bindings: bindings)
    guard let tensor = Expr.Tensor(value) else { throw CommandFailure("symgrad: derive: \(text) is not a loss") }
    return tensor
  }
}
