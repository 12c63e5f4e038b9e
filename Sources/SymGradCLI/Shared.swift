import SymGrad

/// Helpers shared by the subcommands.
enum Shared {
  /// Parses EXPR, turning a parse error into a failure that shows a caret.
  static func parse(_ text: String) throws -> Value {
    do {
      return try Value(parsing: text)
    } catch let e as ParseError {
      throw CommandFailure(e.rendered(source: text))
    }
  }

  /// A value's scalars as JSON texts, keeping the list shape.
  static func textJSON(_ v: Value) -> JSON {
    switch v {
    case .scalar(let e): return .string(e.description)
    case .list(let items): return .array(items.map(textJSON))
    case .string(let s): return .string(s)
    case .boolean(let b): return .bool(b)
    }
  }

  /// Numeric values of a value's scalars at `point`, keeping the list shape.
  static func numbers(_ v: Value, at point: [String: Double], evaluator: inout Evaluator) throws -> JSON {
    switch v {
    case .scalar(let e):
      do {
        return .number(try evaluator.value(of: e))
      } catch let error as EvaluationError {
        throw CommandFailure("symgrad: cannot evaluate: \(error)")
      }
    case .list(let items): return .array(try items.map { try numbers($0, at: point, evaluator: &evaluator) })
    case .string, .boolean: return .null
    }
  }

  static func numbers(_ v: Value, at point: [String: Double]) throws -> JSON {
    var evaluator = Evaluator(values: point)
    return try numbers(v, at: point, evaluator: &evaluator)
  }

  /// Plain text of a JSON number tree: `[1.5, inf]`.
  static func plain(_ j: JSON) -> String {
    switch j {
    case .number(let d): return d.isNaN ? "nan" : (d.isInfinite ? (d > 0 ? "inf" : "-inf") : "\(d)")
    case .array(let xs): return "[" + xs.map(plain).joined(separator: ", ") + "]"
    case .string(let s): return s
    default: return j.serialized()
    }
  }
}
