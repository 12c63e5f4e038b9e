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
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--json", "--help"], values: ["--at", "--wrt", "--fixtures", "-f"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
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
      output.out("symbolic Jacobian at the point: \(Shared.plain(.array(report.symbolic.map { .array($0.map(JSON.number)) })))")
      for c in report.comparisons {
        let verdict = c.agrees ? "agree" : "DISAGREE (\(c.disagreements.count) entries)"
        output.out("vs \(c.reference): max abs error \(c.maxAbsoluteError), max rel error \(c.maxRelativeError) [\(c.tolerance)]: \(verdict)")
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

  static func json(_ r: Checker.Report) -> JSON {
    let value = JSON.array(r.symbolic.map { .array($0.map(JSON.number)) })
    let ieee = JSON.array(r.ieee.map { .array($0.map(JSON.number)) })
    return .object([
      ("expression", .string(r.expression)),
      ("wrt", .array(r.variables.map(JSON.string))),
      ("value", value),
    ] + (ieee != value ? [("ieee", ieee)] : []) + [
      ("comparisons", .array(r.comparisons.map { c in
        .object([
          ("reference", .string(c.reference)), ("agrees", .bool(c.agrees)),
          ("max_abs_error", .number(c.maxAbsoluteError)), ("max_rel_error", .number(c.maxRelativeError)),
          ("tolerance", .string(c.tolerance)), ("disagreements", .array(c.disagreements.map(JSON.string))),
        ])
      })),
      ("skipped", .array(r.skipped.map { .object([("reference", .string($0.reference)), ("reason", .string($0.reason))]) })),
      ("agrees", .bool(r.agrees)),
    ])
  }
}
