import Foundation
import SymGrad

/// `symgrad latex EXPR [--wrt NAME,...] [--standalone] [-o FILE]`.
enum LatexCommand {
  static let help = """
    symgrad latex EXPR [--wrt NAME[,NAME...]] [--plain] [--standalone] [-o FILE]

    LaTeX for EXPR, or with --wrt for its derivative, gradient or Jacobian (pmatrix).
    Large or repeated subexpressions are named (S, T, ...) and defined below, unless
    --plain. --standalone writes a complete document that pdflatex compiles.

    Example:
      symgrad latex 'softmax([x0, x1, x2])' --wrt x0,x1,x2
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--standalone", "--plain", "--help"], values: ["--wrt", "-o", "-f"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    let text = try o.expressionText()
    let value = try Shared.parse(text)
    let named = !o.flags.contains("--plain")
    let body: String
    if o.values["--wrt"] != nil {
      let vars = try o.variables().map(Expr.symbol)
      switch value {
      case .scalar(let f):
        body = vars.count == 1
          ? LatexDocument.scalar(f.derivative(withRespectTo: vars[0]), named: named)
          : LatexDocument.matrix(gradient(of: f, withRespectTo: vars).map { [$0] }, named: named)
      case .list:
        body = LatexDocument.matrix(jacobian(of: value.flattened, withRespectTo: vars), named: named)
      default:
        throw CommandFailure("symgrad: cannot differentiate \(value)")
      }
    } else {
      switch value {
      case .scalar(let e): body = LatexDocument.scalar(e, named: named)
      case .list:
        guard let shape = value.shape else { throw CommandFailure("symgrad: EXPR is a ragged list") }
        let flat = value.flattened
        let columns = shape.count >= 2 ? shape.dropFirst().reduce(1, *) : 1
        body = LatexDocument.matrix(stride(from: 0, to: flat.count, by: columns).map { Array(flat[$0..<($0 + columns)]) }, named: named)
      default: throw CommandFailure("symgrad: nothing to print for \(value)")
      }
    }
    let result = o.flags.contains("--standalone")
      ? LatexDocument.standalone(title: "SymGrad", paragraphs: ["Expression: " + value.description], blocks: [body])
      : body
    if let path = o.values["-o"] {
      do {
        try result.write(toFile: path, atomically: true, encoding: .utf8)
      } catch {
        throw CommandFailure("symgrad: cannot write '\(path)': \(error.localizedDescription)")
      }
    } else {
      output.out(result)
    }
    return CommandLineTool.Status.success
  }
}
