import SymGrad

/// `symgrad limit EXPR --as NAME --to POINT [--json]`: a one-variable limit.
enum LimitCommand {
  static let help = """
    symgrad limit EXPR --as NAME --to POINT [--json]

    The limit of EXPR as NAME approaches POINT: inf, -inf, a number (both sides), or a
    number followed by + or - (from the right or the left). Other symbols stay symbolic.
    The result is exact when it is finite: inf, -inf, or undefined with the reason.

    Example:
      symgrad limit 'log(exp(x) + exp(2)) - x' --as x --to inf
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--json", "--help"], values: ["--as", "--to", "-f"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    let text = try o.expressionText()
    guard let name = o.values["--as"] else { throw UsageError("limit needs --as NAME") }
    guard let to = o.values["--to"] else { throw UsageError("limit needs --to POINT (inf, -inf, or a number)") }
    let point: LimitPoint
    switch to.lowercased() {
    case "inf", "+inf", "oo": point = .infinity
    case "-inf", "-oo": point = .negativeInfinity
    default:
      var raw = to
      var side = LimitPoint.Side.both
      if raw.hasSuffix("+") {
        side = .right
        raw.removeLast()
      } else if raw.hasSuffix("-") && raw.count > 1 {
        side = .left
        raw.removeLast()
      }
      guard let c = try? Expr(parsing: raw), c.freeSymbols.isEmpty else {
        throw UsageError("--to: '\(to)' is not inf, -inf or a number")
      }
      point = .value(c, from: side)
    }
    guard case .scalar(let e) = try Shared.parse(text, warnings: output) else {
      throw CommandFailure("symgrad: limit needs a scalar expression")
    }
    let result = e.limit(as: .symbol(name), approaches: point)
    if o.flags.contains("--json") {
      let value = result.certifiedValue
      var fields: [(String, JSON)] = [
        ("expression", .string(e.description)), ("result", .string(result.expression.description)),
        ("value", .number(value.value)),
      ]
      if case .undefined(let why) = result { fields.append(("reason", Shared.reasonJSON(why))) }
      if case .finite(let v) = result, v.freeSymbols.isEmpty { fields.append(("certified", .bool(value.certified))) }
      output.out(JSON.object(fields).serialized())
    } else {
      output.out(result.description)
      if case .finite(let v) = result, v.freeSymbols.isEmpty, v.rationalValue == nil {
        output.out("= " + Shared.plain(result.certifiedValue))
      }
    }
    if case .undefined(let why) = result {
      output.err(
        why.isProved ? "symgrad: the limit is undefined: \(why)" : "symgrad: the limit was not decided: \(why)")
    }
    if case .undefined = result { return CommandLineTool.Status.failure }
    return CommandLineTool.Status.success
  }
}
