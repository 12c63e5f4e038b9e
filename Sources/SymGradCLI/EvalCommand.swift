import SymGrad

/// `symgrad eval EXPR [--at NAME=VALUE,...] [--json]`: parse, canonicalize, evaluate.
enum EvalCommand {
  static let help = """
    symgrad eval EXPR [--at NAME=VALUE,...] [--json]

    Parses EXPR, prints it in canonical form and, with --at (or when EXPR has no
    symbols), its numeric value. Lists and matrices are evaluated entry by entry.

    Options:
      --at NAME=VALUE,...   values for the symbols (decimals, inf, -inf, nan)
      --json                one JSON object: "expression", "result", and "value"

    Example:
      symgrad eval 'log(exp(a) + exp(b))' --at a=1,b=2
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--json", "--help"], values: ["--at", "-f"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    let text = try o.expressionText()
    let point = try o.point()
    let value = try Shared.parse(text)
    let hasSymbols = value.flattened.contains { !$0.freeSymbols.isEmpty }
    let numbers = try (point != nil || !hasSymbols) ? Shared.numbers(value, at: point ?? [:]) : nil
    if o.flags.contains("--json") {
      var fields: [(String, JSON)] = [("expression", .string(value.description)), ("result", Shared.textJSON(value))]
      if let n = numbers {
        fields.append(("value", n.value))
        if n.ieee != n.value { fields.append(("ieee", n.ieee)) }
      }
      output.out(JSON.object(fields).serialized())
    } else {
      output.out(value.description)
      if let n = numbers {
      output.out("= " + Shared.plain(n.value))
      if n.ieee != n.value { output.out("  (IEEE arithmetic gives " + Shared.plain(n.ieee) + ")") }
    }
    }
    return CommandLineTool.Status.success
  }
}
