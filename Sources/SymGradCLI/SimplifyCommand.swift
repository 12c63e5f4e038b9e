import SymGrad

/// `symgrad simplify EXPR [--latex] [--json]`.
enum SimplifyCommand {
  static let help = """
    symgrad simplify EXPR [--latex] [--json] [--format text|sympy]

    Prints EXPR after simplified(): exp/log rules for provably positive factors and
    rational-function normalization (common denominator, exact cancellation). Lists are
    simplified entry by entry. Two equal expressions give 0 for their difference.

    Example:
      symgrad simplify 'exp(a)/(exp(a) + exp(b)) + exp(b)/(exp(a) + exp(b))'

    Options:
      --latex               print LaTeX
      --json                one JSON object: "expression" and "result"
    \(TextFormat.help)
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--json", "--latex", "--help"], values: ["-f", "--format"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    let format = try TextFormat(o)
    let value = try Shared.parse(try o.expressionText(), warnings: output)
    let result = value.map { $0.simplified() }
    if o.flags.contains("--json") {
      output.out(
        Shared.json(
          expression: format.print(value), result: result,
          latex: o.flags.contains("--latex") ? DiffCommand.latex(result) : nil, numbers: nil, format: format))
    } else {
      output.out(o.flags.contains("--latex") ? DiffCommand.latex(result) : format.print(result))
    }
    return CommandLineTool.Status.success
  }
}
