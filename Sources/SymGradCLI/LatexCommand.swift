import Foundation
import SymGrad

/// `symgrad latex EXPR [--wrt NAME,...] [--plain] [--standalone] [-o FILE]`: LaTeX for an
/// expression or its derivative.
///
/// Without `--wrt` the expression itself (a list prints as a `pmatrix`, a matrix by rows);
/// with one name and a scalar EXPR the derivative; with several names the gradient as a
/// column `pmatrix`; with a list EXPR the Jacobian (rows = flattened outputs, columns =
/// names). Large or repeated subexpressions are named S, T, ... and defined in a `where`
/// block (see `SubexpressionNaming`), unless `--plain`. The output is a `gather*` display
/// (amsmath), or with `--standalone` a complete document that pdflatex compiles. `-o FILE`
/// writes the file instead of standard output.
enum LatexCommand {
  static let help = """
    symgrad latex EXPR [--wrt NAME[,NAME...]] [--plain] [--standalone] [-o FILE]

    LaTeX for EXPR, or with --wrt for its derivative, gradient (column pmatrix) or, when
    EXPR is a list, its Jacobian (pmatrix). Large or repeated subexpressions are named
    (S, T, ...) and defined in a 'where' block, unless --plain. The output is a gather*
    display (needs amsmath); --standalone writes a complete document that pdflatex
    compiles (amsmath and amssymb only). -o FILE writes to FILE.

    Example:
      symgrad latex 'softmax([x0, x1, x2])' --wrt x0,x1,x2

    Example (a complete document):
      symgrad latex 'cross_entropy([[a, b, c]], [1])' --wrt a,b,c --standalone -o /tmp/symgrad-grad.tex
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--standalone", "--plain", "--help"], values: ["--wrt", "-o", "-f"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    let text = try o.expressionText()
    let value = try Shared.parse(text, warnings: output)
    let named = !o.flags.contains("--plain")
    let body: String
    var what = "Expression"
    if o.values["--wrt"] != nil {
      let vars = try o.variables(of: value).map(Expr.symbol)
      switch value {
      case .scalar(let f):
        if vars.count == 1 {
          body = LatexDocument.scalar(f.derivative(withRespectTo: vars[0]), named: named, lineLength: LatexDocument.lineLength)
          what = "Derivative"
        } else {
          body = LatexDocument.gradient(gradient(of: f, withRespectTo: vars), named: named, lineLength: LatexDocument.lineLength)
          what = "Gradient"
        }
      case .list:
        guard value.shape != nil else { throw CommandFailure("symgrad: EXPR is a ragged list") }
        body = LatexDocument.matrix(jacobian(of: value.flattened, withRespectTo: vars), named: named, lineLength: LatexDocument.lineLength)
        what = "Jacobian"
      default:
        throw CommandFailure("symgrad: cannot differentiate \(value)")
      }
    } else {
      switch value {
      case .scalar(let e): body = LatexDocument.scalar(e, named: named, lineLength: LatexDocument.lineLength)
      case .list:
        guard let shape = value.shape else { throw CommandFailure("symgrad: EXPR is a ragged list") }
        let flat = value.flattened
        let columns = shape.count >= 2 ? shape.dropFirst().reduce(1, *) : 1
        let rows = columns == 0 ? [] : stride(from: 0, to: flat.count, by: columns).map { Array(flat[$0..<($0 + columns)]) }
        body = LatexDocument.matrix(rows, named: named, lineLength: LatexDocument.lineLength)
      default: throw CommandFailure("symgrad: nothing to print for \(value)")
      }
    }
    let result = o.flags.contains("--standalone")
      ? LatexDocument.standalone(title: "SymGrad", paragraphs: [what == "Expression" ? "Expression: \(text)" : "\(what) of \(text) with respect to \(o.values["--wrt"] ?? ""):"], blocks: [body])
      : LatexDocument.display(body)
    if let path = o.values["-o"] {
      do {
        try result.write(toFile: path, atomically: true, encoding: .utf8)
      } catch {
        throw CommandFailure("symgrad: cannot write '\(path)': \(error.localizedDescription)")
      }
      output.out("wrote \(path)")
    } else {
      output.out(result)
    }
    return CommandLineTool.Status.success
  }
}
