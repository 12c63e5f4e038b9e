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

  /// PyTorch's evaluation-time checks that the symbolic form cannot make at construction:
  /// `binary_cross_entropy` inputs must lie in [0, 1] (NaN included) at the point. Calls
  /// are found at the top of EXPR and in nested call arguments.
  static func checkDomains(_ text: String, at point: [String: Double]) throws {
    guard let tree = try? CallTree.parse(text) else { return }
    func visit(_ t: CallTree) throws {
      if t.name == "binary_cross_entropy", let input = t.positional.first?.value {
        for (i, e) in input.flattened.enumerated() {
          let v = e.limitValue(at: point).doubleValue
          if !(v >= 0 && v <= 1) {
            throw CommandFailure("symgrad: binary_cross_entropy: all elements of input should be between 0 and 1 (input entry \(i) is \(plain(.number(v))) at the point)")
          }
        }
      }
      for a in t.positional { if case .call(let c) = a { try visit(c) } }
    }
    try visit(tree)
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

  /// Limit-aware values (see `Expr.limitValue(at:)`) and IEEE values of a value's
  /// scalars at `point`, keeping the list shape. Entries that need a limit (an infinite
  /// input, or NaN from IEEE arithmetic) share one limit engine.
  static func numbers(_ v: Value, at point: [String: Double]) throws -> (value: JSON, ieee: JSON) {
    var evaluator = Evaluator(values: point)
    let scalars = v.flattened
    var ieee: [Double] = []
    do {
      ieee = try scalars.map { try evaluator.value(of: $0) }
    } catch let error as EvaluationError {
      throw CommandFailure("symgrad: cannot evaluate: \(error)")
    }
    let needing = scalars.indices.filter { i in
      ieee[i].isNaN || scalars[i].freeSymbols.contains { point[$0]?.isInfinite ?? false }
    }
    var values = ieee
    let limits = Expr.limitValues(of: needing.map { scalars[$0] }, at: point)
    for (k, i) in needing.enumerated() { values[i] = limits[k].doubleValue }
    var cursor = 0
    func rebuild(_ v: Value, _ numbers: [Double]) -> JSON {
      switch v {
      case .scalar:
        defer { cursor += 1 }
        return .number(numbers[cursor])
      case .list(let items): return .array(items.map { rebuild($0, numbers) })
      case .string, .boolean: return .null
      }
    }
    let valueJSON = rebuild(v, values)
    cursor = 0
    return (valueJSON, rebuild(v, ieee))
  }

  /// The `--json` object of eval/diff/hessian/simplify (a contract): "expression",
  /// "result", "latex" when asked, "value" with --at, and "ieee" when IEEE differs.
  static func json(expression: String, result: Value, latex: String?, numbers: (value: JSON, ieee: JSON)?) -> String {
    var fields: [(String, JSON)] = [("expression", .string(expression)), ("result", textJSON(result))]
    if let l = latex { fields.append(("latex", .string(l))) }
    if let n = numbers {
      fields.append(("value", n.value))
      if n.ieee != n.value { fields.append(("ieee", n.ieee)) }
    }
    return JSON.object(fields).serialized()
  }

  /// The value lines of the text output: "= ..." and the IEEE result when it differs.
  static func valueLines(_ numbers: (value: JSON, ieee: JSON)?, output: Output) {
    guard let n = numbers else { return }
    output.out("= " + plain(n.value))
    if n.ieee != n.value { output.out("  (IEEE arithmetic gives " + plain(n.ieee) + ")") }
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
