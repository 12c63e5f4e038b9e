import SymGrad

/// `symgrad diff EXPR --wrt NAME[,NAME...] [--at ...] [--latex] [--json]`.
///
/// One name: the derivative. Several: the gradient. EXPR a list or matrix (flattened
/// row-major): the Jacobian, one row per output.
enum DiffCommand {
  static let help = """
    symgrad diff EXPR --wrt NAME[,NAME...] [--at NAME=VALUE,...] [--latex] [--json]

    Differentiates EXPR symbolically: with one name, the derivative; with several, the
    gradient; when EXPR is a list or a matrix (flattened row-major), the Jacobian with one
    row per output. With --at, also its numeric value.

    Options:
      --wrt NAME,...        the variables
      --at NAME=VALUE,...   a point (decimals, inf, -inf, nan)
      --latex               print LaTeX
      --json                one JSON object: "expression", "result", and "value"

    Example:
      symgrad diff 'log(exp(a) + exp(b)) - a' --wrt a,b --at a=1,b=2
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--json", "--latex", "--help"], values: ["--at", "--wrt", "-f"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    let text = try o.expressionText()
    let point = try o.point()
    let value = try Shared.parse(text, warnings: output)
    let names = try o.variables(of: value)
    if let point { try Shared.checkDomains(text, at: point) }
    let variables = names.map(Expr.symbol)
    let result: Value
    switch value {
    case .scalar(let f):
      result = names.count == 1
        ? .scalar(f.derivative(withRespectTo: variables[0]))
        : .list(gradient(of: f, withRespectTo: variables).map(Value.scalar))
    case .list:
      guard value.shape != nil else { throw CommandFailure("symgrad: EXPR is a ragged list") }
      let rows = jacobian(of: value.flattened, withRespectTo: variables)
      result = .list(rows.map { .list($0.map(Value.scalar)) })
    default:
      throw CommandFailure("symgrad: cannot differentiate \(value)")
    }
    let numbers = try point.map { try Shared.numbers(result, at: $0) }
    if o.flags.contains("--json") {
      output.out(Shared.json(expression: value.description, result: result, latex: o.flags.contains("--latex") ? latex(result) : nil, numbers: numbers))
      return CommandLineTool.Status.success
    }
    if o.flags.contains("--latex") {
      output.out(latex(result))
    } else if case .list(let entries) = result, case .scalar = value {
      for (name, entry) in zip(names, entries) { output.out("d/d\(name) = \(entry)") }
    } else {
      output.out(result.description)
    }
    Shared.valueLines(numbers, output: output)
    return CommandLineTool.Status.success
  }

  /// LaTeX of a scalar, a gradient (column vector) or a Jacobian (matrix), as pmatrix.
  static func latex(_ v: Value) -> String {
    switch v {
    case .scalar(let e): return e.latex
    case .list(let rows):
      let lines = rows.map { row -> String in
        if case .list(let cells) = row { return cells.map(latex).joined(separator: " & ") }
        return latex(row)
      }
      return "\\begin{pmatrix} " + lines.joined(separator: " \\\\ ") + " \\end{pmatrix}"
    default: return v.description
    }
  }
}
