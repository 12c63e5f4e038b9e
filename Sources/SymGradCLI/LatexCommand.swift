import Foundation
import SymGrad

/// `symgrad latex EXPR [--wrt NAME,...] [--plain] [--standalone] [--title TEXT] [-o FILE]`:
/// paper-ready LaTeX for an expression or its derivative.
///
/// Each result is an equation with its left-hand side in an `align*` environment: `L = ...`
/// for a scalar EXPR, `y = (...)` for a list; with one name and a scalar EXPR
/// `\frac{\partial L}{\partial x} = ...`; with several names the gradient
/// `\nabla_{(a,\, b)} L = (column)`; with a list EXPR the Jacobian
/// `\frac{\partial (y_1, ...)}{\partial (a,\, b)} = (matrix)` (rows = flattened outputs,
/// columns = names). Large or repeated subexpressions are named S, T, ... and defined as
/// further equations ("where"), unless `--plain`. Masks are resolved first
/// (`Expr.resolvingMasks()`): an entry holding `+-inf` constants prints as its limit when
/// that is decided for all finite values of the symbols (a causal mask's `e^{-inf + s}`
/// terms vanish), else as written. `--standalone` writes a complete document that pdflatex
/// compiles, with a heading only when `--title` gives one. `-o FILE` writes the file
/// instead of standard output.
enum LatexCommand {
  static let help = """
    symgrad latex EXPR [--wrt NAME[,NAME...]] [--plain] [--standalone] [--title TEXT] [-o FILE]

    Paper-ready LaTeX for EXPR, or with --wrt for its derivative, gradient (column pmatrix)
    or, when EXPR is a list, its Jacobian (pmatrix): equations with left-hand sides
    (L = ..., \\frac{\\partial L}{\\partial x} = ..., \\nabla_{(a,\\, b)} L = ...) in an
    align* environment (needs amsmath). Large or repeated subexpressions are named (S, T, ...)
    and defined as further equations, unless --plain. Masked terms (+-inf constants) are
    replaced by their limit where it holds for all finite values of the other symbols.
    --standalone writes a complete document that pdflatex compiles (amsmath and amssymb
    only), headed by --title TEXT if given. -o FILE writes to FILE.

    Example:
      symgrad latex 'softmax([x0, x1, x2])' --wrt x0,x1,x2

    Example (a complete document):
      symgrad latex 'cross_entropy([[a, b, c]], [1])' --wrt a,b,c --standalone -o /tmp/symgrad-grad.tex
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(
      arguments, flags: ["--standalone", "--plain", "--help"], values: ["--wrt", "-o", "-f", "--title"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    if o.values["--title"] != nil && !o.flags.contains("--standalone") {
      throw UsageError("--title needs --standalone (it heads the document)")
    }
    let text = try o.expressionText()
    let value = try Shared.parse(text, warnings: output)
    let named = !o.flags.contains("--plain")
    let width = LatexDocument.lineLength
    let body: String
    if o.values["--wrt"] != nil {
      let names = try o.variables(of: value)
      let vars = names.map(Expr.symbol)
      switch value {
      case .scalar(let f):
        if vars.count == 1 {
          let d = f.derivative(withRespectTo: vars[0]).resolvingMasks()
          body = LatexDocument.equation(
            LatexDocument.derivativeLHS(withRespectTo: names[0]), scalar: d, named: named, lineLength: width)
        } else {
          let g = Expr.resolvingMasks(f.gradient(withRespectTo: vars)).map { [$0] }
          body = LatexDocument.equation(
            LatexDocument.gradientLHS(withRespectTo: names), rows: g, named: named, lineLength: width)
        }
      case .list:
        guard value.shape != nil else { throw CommandFailure("symgrad: EXPR is a ragged list") }
        let outputs = value.flattened
        let rows = outputs.jacobian(withRespectTo: vars)
        var resolved = Expr.resolvingMasks(rows.flatMap { $0 })[...]
        let j = rows.map { row in
          defer { resolved = resolved.dropFirst(row.count) }
          return Array(resolved.prefix(row.count))
        }
        body = LatexDocument.equation(
          LatexDocument.jacobianLHS(outputs: outputs.count, withRespectTo: names), rows: j, named: named,
          lineLength: width
        ) { i, k in LatexDocument.jacobianEntryLHS(output: i + 1, withRespectTo: names[k]) }
      default:
        throw CommandFailure("symgrad: cannot differentiate \(value)")
      }
    } else {
      switch value {
      case .scalar(let e):
        body = LatexDocument.equation("L", scalar: e.resolvingMasks(), named: named, lineLength: width)
      case .list:
        guard let shape = value.shape else { throw CommandFailure("symgrad: EXPR is a ragged list") }
        let flat = Expr.resolvingMasks(value.flattened)
        let columns = shape.count >= 2 ? shape.dropFirst().reduce(1, *) : 1
        let rows =
          columns == 0 ? [] : stride(from: 0, to: flat.count, by: columns).map { Array(flat[$0..<($0 + columns)]) }
        body = LatexDocument.equation("y", rows: rows, named: named, lineLength: width) { i, k in
          columns == 1 ? "y_{\(i + 1)}" : "y_{\(i + 1)\\,\(k + 1)}"
        }
      default: throw CommandFailure("symgrad: nothing to print for \(value)")
      }
    }
    let result =
      o.flags.contains("--standalone")
      ? LatexDocument.standalone(title: o.values["--title"], paragraphs: [], rawBlocks: [body]) : body
    try Shared.write(result, to: o.values["-o"], output: output)
    return CommandLineTool.Status.success
  }
}
