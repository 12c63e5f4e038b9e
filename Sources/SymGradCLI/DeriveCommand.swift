import Foundation
import SymGrad
import SymGradIndexed

/// `symgrad derive EXPR --shape X=N,C [--shape t=N ...] [--wrt X] [--latex] [--json]`:
/// a loss and its gradient in index notation, for every size, checked by instantiation.
///
/// Contract (issue 11): `--shape` repeats, one per tensor name, sizes symbolic (`N`) or
/// numeric (`4`); a name whose shape the function fixes (class-index targets) may be left
/// out; shapes of names EXPR does not use are ignored. JSON keys: `function`, `loss`
/// (`text`, `latex`), `gradient` (`entry`, `text`, `latex`), `matrix` (`text`, `latex`,
/// `definitions`, or null), `verification` (`sizes`, `comparisons`, `symbolic`, `passed`,
/// `failures`).
enum DeriveCommand {
  static let help = """
    symgrad derive EXPR --shape X=N,C [--shape t=N ...] [--wrt X] [--latex] [--json]

    The loss EXPR on named tensors and its gradient by the entries of a tensor (--wrt;
    default: a linear layer's weight, else the first tensor of EXPR), in index notation
    that holds for every size: sums over index ranges, Kronecker deltas (delta(c, t[n]) is
    1 when c = t[n]), Iverson brackets [t[n] != ignore_index]. Sizes are symbols (N, C) or
    numbers; index variables are named after them (n for N; a size repeated in one shape
    gets n2). Text is sympy's (Sum, KroneckerDelta, X[n, c] with X an IndexedBase);
    --latex prints LaTeX. Where the gradient has a matrix form (P - Y)/N, (P - Y)^T A,
    diag(s) - s s^T, ... it is printed too: recognized from the index form, and only when
    proved equal to it.

    Every result is checked before it is printed: expanded at sizes N, C from 1 to 4 with
    random targets (ignored ones where ignore_index is given) and compared with the
    explicit engine's loss and gradient (symbolic difference and certified values at random
    points, one with a -inf logit). The sizes checked are printed; a disagreement is an
    error (exit 1).

    EXPR combines, with PyTorch's semantics:
      tensors named with --shape (a name without a shape is a scalar symbol; a class-index
      target, a weight per class and a linear layer's bias may be left out);
      + - * / ** and elementwise functions (exp, log, tanh, sigmoid, softplus, relu, gelu,
      ...), broadcast as PyTorch does (shapes aligned on the right; equal sizes, or 1);
      linear(A, W[, b]); softmax, log_softmax, logsumexp along dim; sum and mean (all
      entries, or dim with keepdim);
      the losses cross_entropy (class indices or probabilities; weight, ignore_index,
      label_smoothing, reduction), nll_loss, mse_loss, binary_cross_entropy (weight, clamp),
      binary_cross_entropy_with_logits (weight and pos_weight per class), kl_div
      (log_target, reduction incl. "batchmean"), sigmoid_focal_loss (alpha, gamma,
      reduction), each on an input of shape (N, C) that may be any such expression.
    Not yet: matrix products (@), indexing, transposes.

    Examples:
      symgrad derive 'cross_entropy(X, t)' --shape X=N,C
      symgrad derive 'cross_entropy(X, t, weight=w, ignore_index=-100, label_smoothing=0.1)' --shape X=N,C --shape w=C --latex
      symgrad derive 'cross_entropy(linear(A, W), t)' --shape A=N,D --shape W=C,D --wrt W
      symgrad derive 'cross_entropy(s*tanh(X/s), t) + z*mean(logsumexp(X, dim=1)**2)' --shape X=N,C
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--json", "--latex", "--help"], values: ["--shape", "--wrt", "-f"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    let text = try o.expressionText()
    let (function, derivation, report) = try Self.derivation(
      text, shapes: o.all("--shape"), wrt: o.values["--wrt"], output: output)
    let matrix = derivation.algebra.matrixForm(of: derivation)
    if o.flags.contains("--json") {
      let json = JSON.object([
        ("function", .string(function)),
        (
          "loss",
          .object([
            ("text", .string(derivation.lossText)), ("latex", .string(derivation.algebra.latex(derivation.loss))),
          ])
        ),
        (
          "gradient",
          .object([
            ("entry", .string(derivation.entryName)), ("text", .string(derivation.gradientText)),
            ("latex", .string(derivation.algebra.latex(derivation.gradient))),
          ])
        ),
        (
          "matrix",
          matrix.map { m in
            .object([
              ("text", .string(m.text)), ("latex", .string(m.latex)),
              ("definitions", .array(m.definitions.map { .string($0) })),
            ])
          } ?? .null
        ),
        (
          "verification",
          .object([
            ("sizes", .array(report.instances.map { .string($0) })),
            ("comparisons", .number(Double(report.comparisons))),
            ("symbolic", .number(Double(report.comparisons - report.numericOnly))), ("passed", .bool(report.passed)),
            ("failures", .array(report.failures.map { .string($0) })),
          ])
        ),
      ])
      output.out(json.serialized())
    } else if o.flags.contains("--latex") {
      output.out(derivation.lossLatexName + " = " + derivation.algebra.latex(derivation.loss))
      output.out(derivation.gradientLatexName + " = " + derivation.algebra.latex(derivation.gradient))
      if let m = matrix { output.out(([m.latex] + m.latexDefinitions).joined(separator: ", \\quad ")) }
    } else {
      output.out("\(derivation.lossName) = \(derivation.lossText)")
      output.out("d\(derivation.lossName)/d\(derivation.entryName) = \(derivation.gradientText)")
      if let m = matrix {
        output.out(
          "in matrix form: " + m.text
            + (m.definitions.isEmpty ? "" : "  where " + m.definitions.joined(separator: ", ")))
      }
    }
    if !o.flags.contains("--json") {
      output.out("checked against the explicit engine " + report.summary)
    }
    guard report.passed else {
      output.err(
        "symgrad: the index form disagrees with the explicit engine; do not use it:\n"
          + report.failures.prefix(5).joined(separator: "\n"))
      return CommandLineTool.Status.failure
    }
    return CommandLineTool.Status.success
  }

  /// The index-notation derivation of `text` (`DeriveExpression`) with the
  /// `--shape` values `shapes`, by the entries of `wrt` (nil: the input), and its
  /// verification by instantiation against the explicit engine, with the registered name
  /// of the function. Errors are the command's.
  static func derivation(_ text: String, shapes shapeTexts: [String], wrt: String?, output: Output? = nil) throws
    -> (function: String, derivation: IndexedDerivation, verification: IndexedVerification)
  {
    let shapes = try parseShapes(shapeTexts)
    var expression = DeriveExpression(text, shapes: shapes)
    let value = try expression.tensor(text)
    let derivation = try expression.derivation(value, wrt: wrt)
    // The registry reads the expression first (keywords, reductions, types), at small sizes.
    var small: [String: Int] = [:]
    for (size, k) in zip(derivation.sizes, [2, 3, 2, 2, 2, 2]) {
      if case .symbolic(let name) = size { small[name] = k }
    }
    _ = try expression.explicit(text, small, targets: nil, output: output)
    let report = derivation.verify(ignoreIndex: expression.ignoreIndex ?? -100) { [expression] instance in
      try expression.explicit(
        text, instance.sizes, targets: expression.classTarget.flatMap { instance.data[$0.data.name]?.values },
        output: nil)
    }
    return (expression.calls.first ?? "", derivation, report)
  }

  /// `--shape X=N,C` values: each tensor's sizes, symbolic or numeric.
  static func parseShapes(_ values: [String]) throws -> [String: [IndexSize]] {
    var shapes: [String: [IndexSize]] = [:]
    for v in values {
      let parts = v.split(separator: "=", maxSplits: 1).map(String.init)
      guard parts.count == 2, ExpressionLanguage.isSymbolName(parts[0]) else {
        throw UsageError("--shape '\(v)': expected NAME=SIZE,SIZE,... (e.g. X=N,C)")
      }
      guard shapes[parts[0]] == nil else { throw UsageError("--shape: \(parts[0]) is given twice") }
      shapes[parts[0]] = try parts[1].split(separator: ",", omittingEmptySubsequences: false).map { s in
        let size = s.trimmingCharacters(in: .whitespaces)
        if let n = Int(size), n >= 1 { return .fixed(n) }
        guard ExpressionLanguage.isSymbolName(size) else {
          throw UsageError("--shape '\(v)': '\(size)' is neither a positive integer nor a size name")
        }
        return .symbolic(size)
      }
    }
    return shapes
  }
}
