import SymGrad

/// `symgrad diff EXPR --wrt NAME[,NAME...] [--at ...] [--latex] [--json]`.
///
/// One name: the derivative. Several: the gradient. EXPR a list or matrix (flattened
/// row-major): the Jacobian, one row per output.
enum DiffCommand {
  static let help = """
    symgrad diff EXPR --wrt NAME[,NAME...] [--at NAME=VALUE,...] [--tensor NAME=D1xD2...]
                 [--latex] [--json] [--no-result] [--share] [--format text|sympy]

    Differentiates EXPR symbolically: with one name, the derivative; with several, the
    gradient; when EXPR is a list or a matrix (flattened row-major), the Jacobian with one
    row per output. With --at, also its numeric value. The gradient with respect to a
    tensor has the tensor's shape (with several names: one entry per name).

    Options:
      --wrt NAME,...        the variables (a tensor's name: all its elements)
      --at NAME=VALUE,...   a point (decimals, inf, -inf, nan)
      --latex               print LaTeX
      --json                one JSON object: "expression", "result", and "value"
      --no-result           leave the derived formulas out (text: only the value lines;
                            JSON: no "result"), for large tensors
      --share               print shared subexpressions once: definitions "S = ...",
                            then entries that use them (JSON: "definitions", a list of
                            {"name", "expression"}, and "result" in terms of them)
    \(TextFormat.help)

    \(Inputs.help)

    Example:
      symgrad diff 'log(exp(a) + exp(b)) - a' --wrt a,b --at a=1,b=2
    A batch from NumPy (np.savez('point.npz', X=logits, T=targets)):
      symgrad diff 'cross_entropy(X, T)' --tensor X=64x1000 --at @point.npz --wrt X --json --no-result
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(
      arguments, flags: ["--json", "--latex", "--help", "--no-result", "--share"],
      values: ["--at", "--wrt", "-f", "--tensor", "--format"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    let format = try TextFormat(o)
    let text = try o.expressionText()
    let inputs = try Inputs(o)
    let point = inputs.point
    let bindings = inputs.bindings
    let value = try Shared.parse(text, warnings: output, bindings: bindings)
    let wrt = try inputs.variables(o, of: value)
    let names = wrt.flatMap { $0.symbols.map { $0.symbolName! } }
    if let point { try Shared.checkDomains(text, at: point, bindings: bindings) }
    let variables = wrt.flatMap(\.symbols)
    let result: Expr.Value
    switch value {
    case .scalar(let f) where wrt.count == 1 && wrt[0].shape == nil:
      result = .scalar(f.derivative(withRespectTo: variables[0]))
    case .scalar(let f):
      // One sweep for all variables; a tensor's entries take its shape.
      var g = f.gradient(withRespectTo: variables)[...]
      let parts = wrt.map { v -> Expr.Value in
        defer { g = g.dropFirst(v.symbols.count) }
        guard let shape = v.shape else { return .scalar(g.first!) }
        return Expr.Tensor(shape: shape, elements: Array(g.prefix(v.symbols.count))).value
      }
      result = wrt.count == 1 ? parts[0] : .list(parts)
    case .list:
      guard value.shape != nil else { throw CommandFailure("symgrad: EXPR is a ragged list") }
      let rows = value.flattened.jacobian(withRespectTo: variables)
      result = .list(rows.map { .list($0.map(Expr.Value.scalar)) })
    default:
      throw CommandFailure("symgrad: cannot differentiate \(value)")
    }
    let numbers = try point.map { try Shared.numbers(result, at: $0) }
    let formulas = !o.flags.contains("--no-result")
    let shared = formulas && o.flags.contains("--share") ? Shared.sharing(result) : nil
    let shown = shared?.result ?? result
    if o.flags.contains("--json") {
      output.out(
        Shared.json(
          expression: format.print(value), result: formulas ? shown : nil,
          latex: shared == nil && formulas && o.flags.contains("--latex") ? latex(result) : nil,
          numbers: numbers, definitions: shared?.definitions, format: format))
      return CommandLineTool.Status.success
    }
    for (name, definition) in shared?.definitions ?? [] { output.out("\(name) = \(format.print(definition))") }
    if !formulas {
      // Only the values.
    } else if shared == nil && o.flags.contains("--latex") {
      output.out(latex(result))
    } else if format == .sympy {
      // One text sympy reads: a gradient or Jacobian as a (nested) list, in --wrt order.
      output.out(format.print(shown))
    } else if case .scalar = value, wrt.count > 1 || wrt.first?.shape != nil {
      // A gradient: one line per variable.
      for (name, entry) in zip(names, shown.flattened) { output.out("d/d\(name) = \(entry)") }
    } else {
      output.out(shown.description)
    }
    Shared.valueLines(numbers, output: output)
    return CommandLineTool.Status.success
  }

  /// LaTeX of a scalar, a gradient (column vector) or a Jacobian (matrix), as pmatrix.
  static func latex(_ v: Expr.Value) -> String {
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
