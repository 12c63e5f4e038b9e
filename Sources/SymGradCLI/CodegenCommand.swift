import Foundation
import SymGrad

/// `symgrad codegen EXPR --wrt NAME[,NAME...] --lang swift|python|numpy|torch|c [--name NAME] [-o FILE]`.
///
/// A contract: one function named NAME (default `symgrad_fn`) whose parameters are the
/// `--wrt` variables in order, then EXPR's other symbols sorted by name, returning the
/// value and the gradient (a list EXPR: the values and the Jacobian's rows); see
/// `CodeGenerator` for each language's signature.
enum CodegenCommand {
  static let help = """
    symgrad codegen EXPR --wrt NAME[,NAME...] --lang swift|python|numpy|torch|c
                    [--name NAME] [-o FILE] [--tensor NAME=D1xD2...]

    Writes one function computing EXPR's value and gradient with respect to the --wrt
    variables (a list or matrix EXPR: its values, flattened row-major, and the Jacobian's
    rows), in IEEE double precision:
      parameters  the --wrt variables in order, then EXPR's other symbols sorted by name;
                  a tensor (--tensor) is one parameter holding its entries: Swift
                  [Double] and C const double * flat row-major, Python nested lists,
                  NumPy and PyTorch arrays of its shape
      returns     python, numpy, torch: (value, gradient); swift: a tuple
                  (value: Double, gradient: [Double]); c: out-parameters
                  double *value, double *gradient. A list EXPR: (values, jacobian).
                  The gradient lists the variables' entries in --wrt order.
    Shared subexpressions are computed once, and numerically stable forms replace the
    naive formula: a max-shifted log-sum-exp and softmax, softplus, log1p, expm1, a
    two-sided sigmoid. The code is IEEE arithmetic, not certified: at an infinite input it
    gives IEEE's result (NaN for a fully masked softmax row, as PyTorch does), where
    'symgrad eval' gives the limit. Symbols whose names are not identifiers are renamed
    (X[0][1] becomes X_0_1; a keyword gets a trailing _).

    Options:
      --wrt NAME,...        the variables (a tensor's name: all its elements)
      --lang LANG           swift, python (the math module only), numpy, torch or c
      --name NAME           the function's name (default symgrad_fn)
      -o FILE               write to FILE instead of standard output
      --tensor NAME=D1xD2x...  declare NAME as a tensor of symbols (repeatable)

    Example:
      symgrad codegen 'cross_entropy([[a, b, c]], [1])' --wrt a,b,c --lang numpy
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--help"], values: ["--wrt", "--lang", "--name", "-o", "-f", "--tensor"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    guard let langText = o.values["--lang"] else {
      throw UsageError("missing --lang (one of \(CodeLanguage.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    guard let language = CodeLanguage(rawValue: langText.lowercased()) else {
      throw UsageError(
        "--lang: unknown language '\(langText)' (one of \(CodeLanguage.allCases.map(\.rawValue).joined(separator: ", ")))"
      )
    }
    let name = o.values["--name"] ?? CodeGenerator.defaultName
    let text = try o.expressionText()
    let inputs = try Inputs(o)
    let value = try Shared.parse(text, warnings: output, bindings: inputs.bindings)
    let wrt = try inputs.variables(o, of: value)
    let variables = try wrt.map { v -> CodeGenerator.Parameter in
      guard let shape = v.shape else { return .scalar(v.name) }
      return try CodeGenerator.Parameter.tensor(v.name, shape: shape)
    }
    let tensors = try inputs.tensors.keys.sorted().map {
      try CodeGenerator.Parameter.tensor($0, shape: inputs.tensors[$0]!.shape)
    }
    let generator: CodeGenerator
    switch value {
    case .scalar(let f):
      generator = try CodeGenerator(f, withRespectTo: variables, tensors: tensors)
    case .list:
      guard value.shape != nil else { throw CommandFailure("symgrad: EXPR is a ragged list") }
      generator = try CodeGenerator(list: value.flattened, withRespectTo: variables, tensors: tensors)
    default:
      throw CommandFailure("symgrad: cannot generate code for \(value)")
    }
    let code: String
    do {
      code = try generator.code(in: language, name: name, source: text)
    } catch let e as CodeGenerationError {
      throw UsageError("--name: \(e)")
    }
    try Shared.write(code, to: o.values["-o"], output: output)
    return CommandLineTool.Status.success
  }
}
