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
  var fixedRows: Int?
  var fixedClasses: Int?

  init(_ function: String, _ call: CallText, _ shapes: [String: [IndexSize]]) throws {
    self.function = function
    guard let allowed = Self.supported[function] else {
      throw CommandFailure(
        "symgrad: derive has no index form of \(function) yet (it has: \(Self.supported.keys.sorted().joined(separator: ", ")))"
      )
    }
    let takesWeightPositionally = function == "cross_entropy" || function == "nll_loss"
    guard call.positional.count >= 2, call.positional.count <= (takesWeightPositionally ? 3 : 2) else {
      throw CommandFailure(
        "symgrad: derive: \(function) takes the input and the target\(takesWeightPositionally ? " (and the weight)" : "") positionally, got \(call.positional.count) arguments"
      )
    }
    func tensorName(_ text: String, _ role: String) throws -> String {
      guard ExpressionLanguage.isSymbolName(text) else {
        throw CommandFailure("symgrad: derive: the \(role) must be a tensor name, got '\(text)'")
      }
      return text
    }
    names.input = try tensorName(call.positional[0], "input")
    names.target = try tensorName(call.positional[1], "target")
    guard let inputShape = shapes[names.input], inputShape.count == 2 else {
      throw UsageError("derive needs the input's shape as two sizes: --shape \(names.input)=N,C")
    }
    names.rows = inputShape[0]
    names.classes = inputShape[1]
    if case .fixed(let n) = names.rows { fixedRows = n }
    if case .fixed(let c) = names.classes { fixedClasses = c }
    if case .symbolic(let a) = names.rows, case .symbolic(let b) = names.classes, a == b {
      throw UsageError("--shape \(names.input)=\(a),\(b): the two sizes need different names")
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
        guard let e = try? Expr(parsing: value), e.isSymbolFree else {
          throw CommandFailure("symgrad: derive: label_smoothing must be a number, got '\(value)'")
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
      default: break
      }
    }
  }

  /// The index-notation derivation these roles select.
  func derivation() throws -> IndexedDerivation {
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
    default: return IndexedLosses.klDiv(logTarget: logTarget, reduction: reduction, batchMean: batchMean, names)
    }
  }

  /// The sizes verification instantiates at: N and C from 1 to 4, fixed sizes as given.
  func verificationSizes() -> [(Int, Int)] {
    var out: [(Int, Int)] = []
    for (n, c) in IndexedDerivation.verificationSizes {
      let pair = (fixedRows ?? n, fixedClasses ?? c)
      if !out.contains(where: { $0 == pair }) { out.append(pair) }
    }
    return out
  }

  /// The explicit loss of `text` at `rows` x `classes`: the input and real targets as
  /// tensors of symbols, class-index targets from `targets` (default `n mod C`), weights
  /// as symbols per class.
  func explicit(_ text: String, rows: Int, classes: Int, targets: [Int]?, output: Output?) throws -> Expr.Tensor {
    var bindings: [String: Expr.Value] = [
      names.input: try Expr.Tensor.symbols(names.input, shape: [rows, classes]).value
    ]
    if classIndices {
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
