import Foundation
import SymGrad

/// `symgrad check EXPR --wrt NAME,... --at NAME=VALUE,... [--json] [--fixtures DIR]`.
enum CheckCommand {
  static let help = """
    symgrad check EXPR --wrt NAME[,NAME...] --at NAME=VALUE,... [--json] [--fixtures DIR]

    Evaluates the symbolic Jacobian of EXPR at the point and compares it with the autograd
    oracle (Swift _Differentiation, PyTorch's formulas), the recorded PyTorch value when a
    fixture holds this expression and point (Tests/Fixtures/pytorch, or --fixtures DIR),
    and central finite differences. Prints the max absolute and relative error of each and
    names every disagreement. Exit status 0 when all agree, 1 when one disagrees or when
    no reference could be consulted.

    Example:
      symgrad check 'cross_entropy([[a, b], [c, d]], [0, 1], reduction="sum")' --wrt a,b,c,d --at a=0.5,b=2,c=1,d=2

    A gradient computed elsewhere (a contract):
      symgrad check EXPR --wrt X --at @inputs.npz --claimed @grads.npz [--rtol R] [--atol A]
                    [--semantics limit|pytorch] [--json]
    compares the arrays of grads.npz (one per --wrt name, named like it: PyTorch's X.grad
    saved with np.savez('grads.npz', X=X.grad.numpy())) with the symbolic gradient of the
    scalar EXPR, certified at the inputs of inputs.npz (--at and --tensor as in diff),
    element by element: |claimed - symbolic| <= atol + rtol |symbolic| (torch.allclose's
    rule; defaults rtol 1e-5, atol 1e-8). Disagreements are named by index (X[3][17]);
    values SymGrad cannot certify are listed as undecided. Exit status 0 when every
    element agrees, 1 otherwise.
      symgrad check 'cross_entropy(X, T)' --wrt X --at @inputs.npz --claimed @grads.npz

    --semantics pytorch (default: limit) also computes PyTorch's own result with the
    autograd oracle (PyTorch's forward and backward formulas, float64; EXPR must be one
    loss call the oracle knows). Where it differs from the limit -- NaN for a row of
    -inf logits, BCE's backward clamp at 0 and 1 -- both are printed and the claimed
    value is compared with PyTorch's, so x.grad passes at the edge cases too.
      symgrad check 'binary_cross_entropy(X, Y, reduction="sum")' --wrt X --at @inputs.npz --claimed @grads.npz --semantics pytorch
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(
      arguments, flags: ["--json", "--help"],
      values: ["--at", "--wrt", "--fixtures", "-f", "--claimed", "--tensor", "--rtol", "--atol", "--semantics"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    if let claimed = o.values["--claimed"] { return try checkClaimed(o, file: claimed, output: output) }
    for name in ["--tensor", "--rtol", "--atol", "--semantics"] where o.values[name] != nil {
      throw UsageError("\(name) goes with --claimed FILE")
    }
    let text = try o.expressionText()
    let names = try o.variables(of: try Shared.parse(text, warnings: output))
    guard let point = try o.point() else { throw UsageError("check needs --at NAME=VALUE,...") }
    let directory = o.values["--fixtures"].map { URL(fileURLWithPath: $0) } ?? PyTorchRecord.defaultDirectory()
    try Shared.checkDomains(text, at: point)
    let records = try directory.map { try PyTorchRecord.load(directory: $0) } ?? []
    let report: Checker.Report
    do {
      report = try Checker(records: records).check(text, variables: names, at: point)
    } catch let e as ParseError {
      throw CommandFailure(e.rendered(source: text))
    } catch let e as EvaluationError {
      throw CommandFailure("symgrad: cannot evaluate: \(e)")
    }
    if o.flags.contains("--json") {
      output.out(json(report).serialized())
    } else {
      output.out("expression: \(report.expression)")
      output.out(
        "symbolic Jacobian at the point: \(Shared.plain(.array(report.symbolic.map { .array($0.map(JSON.number)) })))")
      for c in report.comparisons {
        let verdict = c.agrees ? "agree" : "DISAGREE (\(c.disagreements.count) entries)"
        output.out(
          "vs \(c.reference): max abs error \(c.maxAbsoluteError), max rel error \(c.maxRelativeError) [\(c.tolerance)]: \(verdict)"
        )
        for d in c.disagreements { output.out("    \(d)") }
      }
      for s in report.skipped { output.out("(\(s.reference) not consulted: \(s.reason))") }
      if report.comparisons.isEmpty {
        output.out("verdict: no reference could be consulted, nothing was verified")
      } else {
        output.out(report.agrees ? "verdict: all references agree" : "verdict: DISAGREEMENT")
      }
    }
    return report.agrees ? CommandLineTool.Status.success : CommandLineTool.Status.failure
  }

  /// `--claimed FILE`: a gradient computed elsewhere against the symbolic one.
  static func checkClaimed(_ o: Options, file: String, output: Output) throws -> Int32 {
    let path = file.hasPrefix("@") ? String(file.dropFirst()) : file
    func tolerance(_ name: String, _ fallback: Double) throws -> Double {
      guard let text = o.values[name] else { return fallback }
      guard let v = Double(text), v.isFinite, v >= 0 else {
        throw UsageError("\(name) must be a number >= 0, got '\(text)'")
      }
      return v
    }
    var comparer = ClaimedGradients(
      rtol: try tolerance("--rtol", ClaimedGradients.defaultRelativeTolerance),
      atol: try tolerance("--atol", ClaimedGradients.defaultAbsoluteTolerance))
    if let text = o.values["--semantics"] {
      guard let s = ClaimedGradients.Semantics(rawValue: text) else {
        let names = ClaimedGradients.Semantics.allCases.map(\.rawValue).joined(separator: ", ")
        throw UsageError("--semantics must be one of \(names), got '\(text)'")
      }
      comparer.semantics = s
    }
    let text = try o.expressionText()
    let inputs = try Inputs(o)
    guard let point = inputs.point else {
      throw UsageError("check --claimed needs --at (the inputs the gradient was computed at)")
    }
    let value = try Shared.parse(text, warnings: output, bindings: inputs.bindings)
    guard case .scalar(let f) = value else {
      throw CommandFailure("symgrad: check --claimed needs a scalar EXPR (a loss): its gradient is what x.grad holds")
    }
    let wrt = try inputs.variables(o, of: value)
    try Shared.checkDomains(text, at: point, bindings: inputs.bindings)
    let g = f.gradient(withRespectTo: wrt.flatMap(\.symbols))
    let symbolic: [CertifiedValue]
    do {
      symbolic = try CompiledFunction.certifiedValues(of: g, at: point)
    } catch let e as EvaluationError {
      throw CommandFailure("symgrad: cannot evaluate: \(e)")
    }
    var pytorch: [Double]?
    if comparer.semantics == .pytorch {
      do {
        pytorch = try pytorchGradient(text, bindings: inputs.bindings, wrt: wrt.flatMap(\.symbols), at: point)
      } catch let e as OracleBridge.NotApplicable {
        comparer.pytorchUnavailable = e.description
      }
    }
    let reports = try comparer.compare(
      wrt, symbolic: symbolic, pytorch: pytorch, claimed: try Inputs.read(path), file: path)
    if o.flags.contains("--json") {
      output.out(comparer.json(reports, expression: f.description, file: path).serialized())
    } else {
      for line in comparer.text(reports, expression: f.description, file: path) { output.out(line) }
    }
    return reports.allSatisfy(\.agrees) ? CommandLineTool.Status.success : CommandLineTool.Status.failure
  }

  /// PyTorch's gradient of the loss call `text` with respect to `wrt` at `point`, from the
  /// autograd oracle; `NotApplicable` when the oracle cannot run it.
  static func pytorchGradient(_ text: String, bindings: [String: Expr.Value], wrt: [Expr], at point: [String: Double])
    throws -> [Double]
  {
    guard let tree = try CallTree.parse(text, bindings: bindings) else {
      throw OracleBridge.NotApplicable(description: "EXPR is not one loss call, which the autograd oracle needs")
    }
    let result = try OracleBridge.evaluate(tree, variables: wrt.compactMap(\.symbolName), at: point)
    guard result.jacobian.count == 1 else {
      throw OracleBridge.NotApplicable(description: "the oracle's result is not a scalar loss")
    }
    return result.jacobian[0]
  }

  static func json(_ r: Checker.Report) -> JSON {
    let value = JSON.array(r.symbolic.map { .array($0.map(JSON.number)) })
    let ieee = JSON.array(r.ieee.map { .array($0.map(JSON.number)) })
    return .object(
      [
        ("expression", .string(r.expression)),
        ("wrt", .array(r.variables.map(JSON.string))),
        ("value", value),
      ] + (ieee != value ? [("ieee", ieee)] : []) + [
        (
          "comparisons",
          .array(
            r.comparisons.map { c in
              .object([
                ("reference", .string(c.reference)), ("agrees", .bool(c.agrees)),
                ("max_abs_error", .number(c.maxAbsoluteError)), ("max_rel_error", .number(c.maxRelativeError)),
                ("tolerance", .string(c.tolerance)), ("disagreements", .array(c.disagreements.map(JSON.string))),
              ])
            })
        ),
        (
          "skipped",
          .array(r.skipped.map { .object([("reference", .string($0.reference)), ("reason", .string($0.reason))]) })
        ),
        ("agrees", .bool(r.agrees)),
      ])
  }
}
