import SymGrad

/// `symgrad hessian EXPR --wrt NAME,... [--at ...] [--latex] [--json]`.
enum HessianCommand {
  static let help = """
    symgrad hessian EXPR --wrt NAME[,NAME...] [--at NAME=VALUE,...] [--tensor NAME=D1xD2...] [--latex] [--json]
                    [--format text|sympy]

    The Hessian of a scalar EXPR: entry (i, j) is the second derivative with respect to the
    i-th and j-th names (exactly symmetric; a tensor's name stands for its elements,
    row-major). With --at, its value (limits at +-inf).

    \(TextFormat.help)

    \(Inputs.help)

    Example:
      symgrad hessian 'log(exp(a) + exp(b))' --wrt a,b --at a=0,b=0
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(
      arguments, flags: ["--json", "--latex", "--help"], values: ["--at", "--wrt", "-f", "--tensor", "--format"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    let format = try TextFormat(o)
    let text = try o.expressionText()
    let inputs = try Inputs(o)
    let point = inputs.point
    let value = try Shared.parse(text, warnings: output, bindings: inputs.bindings)
    let variables = try inputs.variables(o, of: value).flatMap(\.symbols)
    guard case .scalar(let f) = value else { throw CommandFailure("symgrad: the Hessian needs a scalar EXPR") }
    let h = f.hessian(withRespectTo: variables)
    let result = Expr.Value.list(h.map { .list($0.map(Expr.Value.scalar)) })
    let numbers = try point.map { try Shared.numbers(result, at: $0) }
    if o.flags.contains("--json") {
      output.out(
        Shared.json(
          expression: format.print(f), result: result,
          latex: o.flags.contains("--latex") ? DiffCommand.latex(result) : nil, numbers: numbers, format: format))
    } else {
      output.out(o.flags.contains("--latex") ? DiffCommand.latex(result) : format.print(result))
      Shared.valueLines(numbers, output: output)
    }
    return CommandLineTool.Status.success
  }
}
