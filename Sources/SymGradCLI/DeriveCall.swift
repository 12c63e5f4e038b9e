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
    var current = ""
    let balanced = Self.scan(Array(inside)) { _, ch, depth in
      if ch == "," && depth == 0 {
        pieces.append(current)
        current = ""
      } else {
        current.append(ch)
      }
      return true
    }
    guard balanced else { throw CommandFailure("symgrad: derive: unbalanced brackets or quotes in '\(text)'") }
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

extension CallText {
  /// Walks `chars` from `start`, calling `visit(index, character, depth)` for each (inside
  /// quotes the depth does not change; `depth` counts the brackets `([{` open after the
  /// character) until `visit` returns false. Returns whether the brackets and quotes
  /// walked are balanced (true when `visit` stopped the walk).
  static func scan(_ chars: [Character], from start: Int = 0, _ visit: (Int, Character, Int) -> Bool) -> Bool {
    var depth = 0
    var quote: Character?
    for k in start..<chars.count {
      let ch = chars[k]
      if let q = quote {
        if ch == q { quote = nil }
      } else if ch == "\"" || ch == "'" {
        quote = ch
      } else if "([{".contains(ch) {
        depth += 1
      } else if ")]}".contains(ch) {
        depth -= 1
      }
      if !visit(k, ch, depth) { return true }
    }
    return depth == 0 && quote == nil
  }
}

/// What each argument of a `derive` loss call is (target, weights), the options, and the
/// index-notation loss they select; the input is already translated (`DeriveExpression`).
/// Every keyword is either understood or an error: an option ignored in the index form
/// would print a wrong general formula.
struct Roles {
  static let supported: [String: Set<String>] = [
    "cross_entropy": ["weight", "ignore_index", "reduction", "label_smoothing"],
    "nll_loss": ["weight", "ignore_index", "reduction"],
    "mse_loss": ["reduction"],
    "binary_cross_entropy_with_logits": ["weight", "pos_weight", "reduction"],
    "kl_div": ["reduction", "log_target"],
    "sigmoid_focal_loss": ["alpha", "gamma", "reduction"],
    "binary_cross_entropy": ["weight", "reduction", "clamp"],
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
  /// A real target given as an expression of the input's shape (`one_hot(t, C)`).
  let targetTensor: IndexedTensor?

  /// The roles of `call`'s arguments; `input` is its first argument in index notation
  /// (shape `(N, C)`), `inputName` its text when that is a tensor name.
  init(
    _ function: String, _ call: CallText, _ shapes: [String: [IndexSize]], input: IndexedTensor, inputName: String?,
    target: IndexedTensor? = nil
  ) throws {
    self.function = function
    guard let allowed = Self.supported[function] else {
      throw CommandFailure(
        "symgrad: derive has no index form of \(function) yet (it has: \(DeriveExpression.functions.joined(separator: ", ")))"
      )
    }
    let takesWeightPositionally = function == "cross_entropy" || function == "nll_loss"
    let counts = takesWeightPositionally ? 2...3 : 2...2
    guard counts.contains(call.positional.count) else {
      let what = "the input and the target\(takesWeightPositionally ? " (and the weight)" : "")"
      throw CommandFailure(
        "symgrad: derive: \(function) takes \(what) positionally, got \(call.positional.count) arguments")
    }
    if function == "sigmoid_focal_loss" { reduction = .none }
    if target == nil { names.target = try Self.tensorName(call.positional[1], "target") }
    guard input.indices.count == 2 else {
      throw UsageError(
        "derive: \(function)'s input has two dimensions (N, C); '\(call.positional[0])' has shape (\(input.shape.map(\.description).joined(separator: ", ")))"
      )
    }
    let inputShape = input.shape
    names.input = inputName ?? ""
    names.rows = inputShape[0]
    names.classes = inputShape[1]
    names.rowIndex = input.indices[0].name
    names.classIndex = input.indices[1].name
    let targetShape = target?.shape ?? shapes[names.target]
    if let target {
      guard function != "nll_loss", target.shape == inputShape else {
        throw UsageError(
          "derive: \(function)'s target '\(call.positional[1])' is a tensor name\(function == "nll_loss" ? "" : " or an expression of the input's shape")"
        )
      }
      names.target = ""
    }
    targetTensor = target
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
    default:
      guard targetShape == nil || targetShape == inputShape else {
        throw UsageError("\(names.target): \(function)'s target has the input's shape (\(names.rows),\(names.classes))")
      }
    }
    var keywords = call.keywords
    if call.positional.count == 3 { keywords.append(("weight", call.positional[2])) }
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
        let name = try Self.tensorName(value, key)
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
      case "alpha", "gamma":
        guard let e = try? Expr(parsing: value) else {
          throw CommandFailure("symgrad: derive: \(key) must be a number or a symbol, got '\(value)'")
        }
        if key == "alpha" { alpha = e } else { gamma = e }
      default: break
      }
    }
  }

  static func tensorName(_ text: String, _ role: String) throws -> String {
    guard ExpressionLanguage.isSymbolName(text) else {
      throw CommandFailure("symgrad: derive: the \(role) must be a tensor name, got '\(text)'")
    }
    return text
  }

  /// The loss these roles select, of the input entries `input`, in the algebra `a`.
  func loss(_ a: IndexedAlgebra, input: @escaping IndexedLosses.Input) -> IndexedLosses.Loss {
    var names = self.names
    if let t = targetTensor { names.targetEntry = { i, j in a.entry(of: t, at: [i, j]) } }
    let options = IndexedLosses.ClassOptions(
      weight: weight, ignoreIndex: ignoreIndex != nil, labelSmoothing: labelSmoothing, reduction: reduction,
      probabilities: !classIndices)
    switch function {
    case "cross_entropy": return IndexedLosses.crossEntropy(a, options, names, logits: input)
    case "nll_loss": return IndexedLosses.nllLoss(a, options, names, input: input)
    case "mse_loss": return IndexedLosses.mseLoss(a, reduction: reduction, names, input: input)
    case "binary_cross_entropy_with_logits":
      return IndexedLosses.binaryCrossEntropyWithLogits(
        a, weight: weight, posWeight: posWeight, reduction: reduction, names, input: input)
    case "binary_cross_entropy":
      return IndexedLosses.binaryCrossEntropy(
        a, weight: weight, reduction: reduction, clampLog: clampLog, names, input: input)
    case "sigmoid_focal_loss":
      return IndexedLosses.sigmoidFocalLoss(a, alpha: alpha, gamma: gamma, reduction: reduction, names, input: input)
    default:
      return IndexedLosses.klDiv(
        a, logTarget: logTarget, reduction: reduction, batchMean: batchMean, names, input: input)
    }
  }
}
