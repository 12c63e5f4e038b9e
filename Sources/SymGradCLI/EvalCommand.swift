import SymGrad

/// `symgrad eval EXPR [--at NAME=VALUE,...] [--json]`: parse, canonicalize, evaluate.
enum EvalCommand {
  static let help = """
    symgrad eval EXPR [--at NAME=VALUE,...] [--tensor NAME=D1xD2...] [--json] [--format text|sympy]

    Parses EXPR, prints it in canonical form and, with --at (or when EXPR has no
    symbols), its numeric value. Lists and matrices are evaluated entry by entry.

    Options:
      --at NAME=VALUE,...   values for the symbols (decimals, inf, -inf, nan)
      --json                one JSON object: "expression", "result", and "value"
    \(TextFormat.help)

    \(Inputs.help)

    Example:
      symgrad eval 'log(exp(a) + exp(b))' --at a=1,b=2
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--json", "--help"], values: ["--at", "-f", "--tensor", "--format"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    let format = try TextFormat(o)
    let text = try o.expressionText()
    let inputs = try Inputs(o)
    let point = inputs.point
    let value = try Shared.parse(text, warnings: output, bindings: inputs.bindings)
    if let point { try Shared.checkDomains(text, at: point, bindings: inputs.bindings) }
    let hasSymbols = value.flattened.contains { !$0.freeSymbols.isEmpty }
    // Strings and booleans have no numeric value to print; a tensor of scalars has one,
    // an empty tensor too (no entries: nothing uncertain).
    let numeric = value.shape != nil
    let numbers = try numeric && (point != nil || !hasSymbols) ? Shared.numbers(value, at: point ?? [:]) : nil
    if o.flags.contains("--json") {
      output.out(
        Shared.json(expression: format.print(value), result: value, latex: nil, numbers: numbers, format: format))
    } else {
      output.out(format.print(value))
      Shared.valueLines(numbers, output: output)
    }
    return CommandLineTool.Status.success
  }
}
