import Foundation
import SymGrad

/// Helpers shared by the subcommands.
enum Shared {
  /// Parses EXPR, turning a parse error into a failure that shows a caret; warnings
  /// (PyTorch's `UserWarning`s) go to standard error as `symgrad: warning: ...`.
  static func parse(_ text: String, warnings output: Output? = nil, bindings: [String: Expr.Value] = [:]) throws
    -> Expr.Value
  {
    do {
      let (value, warnings) = try ExpressionLanguage.valueAndWarnings(parsing: text, bindings: bindings)
      for w in warnings { output?.err("symgrad: warning: \(w)") }
      return value
    } catch let e as ParseError {
      throw CommandFailure(e.rendered(source: text))
    }
  }

  /// PyTorch's evaluation-time checks that the symbolic form cannot make at construction:
  /// `binary_cross_entropy` inputs must lie in [0, 1] (NaN included) at the point. Calls
  /// are found at the top of EXPR and in nested call arguments.
  static func checkDomains(_ text: String, at point: [String: Double], bindings: [String: Expr.Value] = [:]) throws {
    // Only binary_cross_entropy is checked, and a call to it names it in the text (any
    // alias contains the name): other texts need no second interpretation.
    guard text.contains("binary_cross_entropy"), let tree = try? CallTree.parse(text, bindings: bindings) else {
      return
    }
    func visit(_ t: CallTree) throws {
      if t.name == "binary_cross_entropy", let input = t.positional.first?.value {
        for (i, e) in input.flattened.enumerated() {
          let v = e.limitValue(at: point).doubleValue
          if !(v >= 0 && v <= 1) {
            throw CommandFailure(
              "symgrad: binary_cross_entropy: all elements of input should be between 0 and 1 (input entry \(i) is \(plain(.number(v))) at the point)"
            )
          }
        }
      }
      for a in t.positional { if case .call(let c) = a { try visit(c) } }
    }
    try visit(tree)
  }

  /// `--share`: the large or repeated subexpressions of `v`'s entries named once
  /// (`SubexpressionNaming`: S, T, U, V, W, S_1, ..., never a symbol of the entries), the
  /// definitions in dependency order and the entries in terms of them, keeping the shape.
  static func sharing(_ v: Expr.Value) -> (definitions: [(name: String, definition: Expr)], result: Expr.Value) {
    let naming = SubexpressionNaming(v.flattened)
    var cursor = 0
    let result = v.map { _ in
      defer { cursor += 1 }
      return naming.entries[cursor]
    }
    return (naming.definitions.map { ($0.name.symbolName!, $0.definition) }, result)
  }

  /// An empty tensor as JSON arrays, as PyTorch's `tolist()` writes it: nested up to its
  /// first size 0 (`(1, 0, 3)` is `[[]]`).
  static func emptyArrays(_ shape: [Int]) -> JSON {
    guard let d = shape.first, d > 0 else { return .array([]) }
    return .array(Array(repeating: emptyArrays(Array(shape.dropFirst())), count: d))
  }

  /// A value's scalars as JSON texts, keeping the list shape.
  static func textJSON(_ v: Expr.Value, format: TextFormat = .text) -> JSON {
    var printed: [Expr: String] = [:]
    func text(_ v: Expr.Value) -> JSON {
      switch v {
      case .scalar(let e):
        if let t = printed[e] { return .string(t) }
        let t = format.print(e)
        printed[e] = t
        return .string(t)
      case .list(let items): return .array(items.map(text))
      case .string(let s): return .string(s)
      case .boolean(let b): return .bool(b)
      case .empty(let shape): return emptyArrays(shape)
      }
    }
    return text(v)
  }

  /// The numbers of a value's scalars at a point: certified values (see
  /// `CompiledFunction.certifiedValues(of:at:)`), IEEE values, both keeping the list shape, and the
  /// entries that could not be certified with the reasons.
  struct Numbers {
    var value: JSON
    var ieee: JSON
    /// (entry index path as text such as "[1][0]" or "" for a scalar, reason).
    var uncertified: [(entry: String, reason: String)]
    /// Entries whose value is undefined (NaN, certain), with the reason.
    var undefined: [(entry: String, reason: String)] = []
  }

  /// Certified values and IEEE values of a value's scalars at `point`.
  static func numbers(_ v: Expr.Value, at point: [String: Double]) throws -> Numbers {
    let scalars = v.flattened
    var evaluator = Evaluator(values: point)
    let certified: [CertifiedValue]
    do {
      certified = try CompiledFunction.certifiedValues(of: scalars, at: point)
    } catch let error as EvaluationError {
      throw CommandFailure("symgrad: cannot evaluate: \(error)")
    }
    // IEEE arithmetic may fail where the exact value exists (a NaN argument to log): NaN then.
    let ieee = scalars.map { (try? evaluator.value(of: $0)) ?? .nan }
    var cursor = 0
    var uncertified: [(String, String)] = []
    var undefinedReasons: [(String, String)] = []
    // The entry's index path, as text only for the entries that are reported.
    var path: [Int] = []
    func pathText() -> String { path.map { "[\($0)]" }.joined() }
    func rebuild(_ v: Expr.Value, _ numbers: [Double], record: Bool) -> JSON {
      switch v {
      case .scalar:
        defer { cursor += 1 }
        if record, !certified[cursor].certified { uncertified.append((pathText(), certified[cursor].reason ?? "")) }
        if record, certified[cursor].certified, certified[cursor].value.isNaN, let why = certified[cursor].reason {
          undefinedReasons.append((pathText(), why))
        }
        return .number(numbers[cursor])
      case .list(let items):
        return .array(
          items.enumerated().map { index, item in
            path.append(index)
            defer { path.removeLast() }
            return rebuild(item, numbers, record: record)
          })
      case .string, .boolean: return .null
      case .empty(let shape): return emptyArrays(shape)
      }
    }
    let valueJSON = rebuild(v, certified.map(\.value), record: true)
    cursor = 0
    return Numbers(
      value: valueJSON, ieee: rebuild(v, ieee, record: false), uncertified: uncertified,
      undefined: undefinedReasons)
  }

  /// The `--json` object of eval/diff/hessian/simplify (a contract): "expression",
  /// "result", "latex" when asked, "value" with --at, "ieee" when IEEE differs,
  /// "certified" (whether every number is certified) and, when not, "uncertified": a
  /// list of {"entry", "reason"}.
  /// With `--no-result`, "expression" and "result" are left out (nil).
  static func json(
    expression: String?, result: Expr.Value?, latex: String?, numbers: Numbers?,
    definitions: [(name: String, definition: Expr)]? = nil, format: TextFormat = .text
  ) -> String {
    var fields: [(String, JSON)] = []
    if let expression { fields.append(("expression", .string(expression))) }
    if let definitions {
      fields.append(
        (
          "definitions",
          .array(
            definitions.map {
              .object([("name", .string($0.name)), ("expression", .string(format.print($0.definition)))])
            })
        ))
    }
    if let result { fields.append(("result", textJSON(result, format: format))) }
    if let l = latex { fields.append(("latex", .string(l))) }
    if let n = numbers {
      fields.append(("value", n.value))
      if n.ieee != n.value { fields.append(("ieee", n.ieee)) }
      fields.append(("certified", .bool(n.uncertified.isEmpty)))
      if !n.uncertified.isEmpty {
        fields.append(
          (
            "uncertified",
            .array(n.uncertified.map { .object([("entry", .string($0.entry)), ("reason", .string($0.reason))]) })
          ))
      }
    }
    return JSON.object(fields).serialized()
  }

  /// Writes `text` to `path` ("wrote PATH" on standard output), or prints it when `path`
  /// is nil (the `-o FILE` option of latex and codegen).
  static func write(_ text: String, to path: String?, output: Output) throws {
    guard let path else {
      output.out(text)
      return
    }
    do {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
      throw CommandFailure("symgrad: cannot write '\(path)': \(error.localizedDescription)")
    }
    output.out("wrote \(path)")
  }

  /// The value lines of the text output: "= ...", the IEEE result when it differs, and
  /// a line per entry that is not certified.
  static func valueLines(_ numbers: Numbers?, output: Output) {
    guard let n = numbers else { return }
    output.out("= " + plain(n.value))
    if n.ieee != n.value { output.out("  (IEEE arithmetic gives " + plain(n.ieee) + ")") }
    for u in n.uncertified {
      output.out("  (not certified" + (u.entry.isEmpty ? "" : " at \(u.entry)") + ": \(u.reason))")
    }
    for u in n.undefined {
      output.out("  (undefined" + (u.entry.isEmpty ? "" : " at \(u.entry)") + ": \(u.reason))")
    }
  }

  /// A certified value as text: the number, with "(not certified: ...)" when it is not.
  static func plain(_ v: CertifiedValue) -> String {
    plain(.number(v.value)) + (v.certified ? "" : "  (not certified: \(v.reason ?? ""))")
  }

  /// The JSON of a typed reason: {"code": ..., "message": ...} (a contract).
  static func reasonJSON(_ r: UndefinedReason) -> JSON {
    .object([("code", .string(r.code)), ("message", .string(r.message))])
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
