import Foundation
import SymGrad
import SymGradTestSupport
import Testing

@testable import SymGradCLI

/// The command line end to end, in process: contracts (flags, JSON keys), exit codes,
/// errors with positions.
@Suite struct CommandLineTests {
  struct Run {
    let status: Int32
    let out: String
    let err: String
    var json: [String: Any] {
      (try? JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]) ?? [:]
    }
  }

  func run(_ args: String...) -> Run {
    let o = Output()
    let status = CommandLineTool.run(args, output: o)
    return Run(status: status, out: o.standardOutput, err: o.standardError)
  }

  func numbers(_ any: Any?) -> [Double] {
    (any as? [Any] ?? []).map { x in
      if let n = x as? NSNumber { return n.doubleValue }
      switch x as? String {
      case "inf": return .infinity
      case "-inf": return -.infinity
      default: return .nan
      }
    }
  }

  /// Issue 2's acceptance command.
  @Test func logSumExpGradient() {
    let r = run("diff", "log(exp(a) + exp(b)) - a", "--wrt", "a,b", "--at", "a=1,b=2", "--json")
    #expect(r.status == 0)
    let v = numbers(r.json["value"])
    #expect(v.count == 2)
    #expect(Swift.abs(v[0] - -0.7310585786300049) <= 1e-12 && Swift.abs(v[1] - 0.7310585786300049) <= 1e-12)
    #expect(r.json["expression"] as? String == "-a + log(exp(a) + exp(b))")
    #expect((r.json["result"] as? [String])?.count == 2)
  }

  /// Issue 3's acceptance command: PyTorch's gradient.
  @Test func crossEntropyGradient() {
    let r = run(
      "diff", "cross_entropy([[a, b], [c, d]], [0, 1], reduction=\"sum\")", "--wrt", "a,b,c,d",
      "--at", "a=0.5,b=2,c=1,d=2", "--json")
    let expected = [-0.8175744761936437, 0.8175744761936437, 0.2689414213699951, -0.2689414213699951]
    let v = numbers(r.json["value"])
    #expect(r.status == 0 && v.count == 4)
    for (a, b) in zip(v, expected) { #expect(Swift.abs(a - b) <= 1e-12) }
  }

  /// Issue 4's acceptance commands: limits at -inf, and "ieee" beside when it differs.
  @Test func limitsAtMinusInfinity() {
    let r = run(
      "diff", "cross_entropy([[a, b], [c, d]], [0, 1], reduction=\"sum\")", "--wrt", "a,b,c,d",
      "--at", "a=-inf,b=2,c=1,d=2", "--json")
    let v = numbers(r.json["value"])
    let expected = [-1, 1, 0.2689414213699951, -0.2689414213699951]
    #expect(v.count == 4)
    for (a, b) in zip(v, expected) { #expect(Swift.abs(a - b) <= 1e-12) }
    let bce = run("eval", "binary_cross_entropy_with_logits([z], [1.0], reduction=\"sum\")", "--at", "z=-inf", "--json")
    #expect(bce.json["value"] as? String == "inf")
    let diff = run("eval", "x - y", "--at", "x=inf,y=inf", "--json")
    #expect((diff.json["value"] as? NSNumber)?.doubleValue == 0)
    #expect(diff.json["ieee"] as? String == "nan")
  }

  @Test func jacobianOfAList() {
    let r = run(
      "diff", "[exp(x)/(exp(x) + exp(y)), exp(y)/(exp(x) + exp(y))]", "--wrt", "x,y", "--at", "x=0,y=0", "--json")
    let rows = r.json["value"] as? [[NSNumber]] ?? []
    #expect(rows.map { $0.map(\.doubleValue) } == [[0.25, -0.25], [-0.25, 0.25]])
  }

  @Test func usageErrorsExit64() {
    #expect(run("diff", "x").status == 64)  // missing --wrt
    #expect(run("eval", "x", "--bogus").status == 64)
    #expect(run("frobnicate").status == 64)
    #expect(run("eval", "x", "--at", "x=abc").status == 64)
    #expect(run("eval").status == 64)
    #expect(run("eval", "x", "--bogus").err.contains("unknown option '--bogus'"))
  }

  @Test func parseErrorsExit1WithACaret() {
    let r = run("eval", "x + * 2")
    #expect(r.status == 1)
    #expect(r.err.contains("x + * 2\n    ^"))
    #expect(r.err.contains("column 5"))
    let unknown = run("eval", "frob(x)")
    #expect(unknown.status == 1 && unknown.err.contains("unknown function 'frob'"))
  }

  @Test func lossArgumentErrorsAreClear() {
    let cases: [(String, String)] = [
      ("cross_entropy([[a, b]], [2])", "out of bounds"),
      ("cross_entropy([[a, b]], [0], label_smoothing=1.5)", "label_smoothing"),
      ("cross_entropy([[a, b]], [[0.5, 0.5]], ignore_index=0)", "ignore_index"),
      ("cross_entropy([[a, b], [c, d]], [0])", "Expected target size [2]"),
      ("binary_cross_entropy([1.5], [1.0])", "between 0 and 1"),
      ("binary_cross_entropy_with_logits([[a, b]], [1.0, 0.0, 1.0])", "must be the same"),
      ("cross_entropy([[a, b]], [0], reduction=\"avg\")", "reduction"),
      ("softmax([a, b], dim=2)", "Dimension out of range"),
    ]
    for (text, fragment) in cases {
      let r = run("eval", text)
      #expect(r.status == 1, "\(text)")
      #expect(r.err.contains(fragment), "\(text): \(r.err)")
    }
  }

  /// PyTorch's evaluation-time BCE check, and never a trap in the oracle (NaN inputs).
  @Test func bceInputOutsideTheUnitIntervalAtEvaluation() {
    for args in [
      ["eval", "binary_cross_entropy([x], [1.0])", "--at", "x=1.5"],
      ["diff", "binary_cross_entropy([x], [1.0])", "--wrt", "x", "--at", "x=nan"],
      ["check", "binary_cross_entropy([x], [1.0])", "--wrt", "x", "--at", "x=-0.25"],
    ] {
      let o = Output()
      #expect(CommandLineTool.run(args, output: o) == 1, "\(args)")
      #expect(o.standardError.contains("between 0 and 1"), "\(args): \(o.standardError)")
    }
    // Through the checker directly: the symbolic BCE carries its domain guard, so nothing
    // (oracle included) is run on inputs PyTorch rejects; the library says why.
    #expect(throws: SymGrad.EvaluationError.self) {
      try Checker().check("binary_cross_entropy([x], [1.0])", variables: ["x"], at: ["x": .nan])
    }
  }

  @Test func evaluationErrorsExit1() {
    let r = run("eval", "log(x)", "--at", "x=-1")
    #expect(r.status == 1 && r.err.contains("log"))
    let unbound = run("eval", "x + y", "--at", "x=1")
    #expect(unbound.status == 1 && unbound.err.contains("'y'"))
  }

  @Test func helpAndVersion() {
    #expect(run("--help").status == 0)
    #expect(run("--version").out.contains(CommandLineTool.version))
    for sub in ["eval", "diff", "check", "limit", "hessian", "simplify", "latex", "prove", "plot"] {
      let r = run(sub, "--help")
      #expect(r.status == 0 && r.out.contains("Example"), "\(sub)")
    }
  }

  /// The numbers on the line of `text` that starts with `= ` (the printed value).
  func printedValues(_ text: String) -> [Double] {
    guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("= ") }) else { return [] }
    return line.matches(of: /-?[0-9]+(\.[0-9]+)?(e-?[0-9]+)?/).compactMap { Double($0.output.0) }
  }

  /// Every subcommand's --help example runs successfully and prints what it should.
  /// Expected numbers are computed by hand or with mpmath (30 digits), not by SymGrad;
  /// printed values are faithfully rounded (within 1 ulp, < 2.3e-16 relative), so 1e-15
  /// relative is a tight tolerance that any wrong formula misses by far.
  @Test(.needsOracle) func helpExamplesRun() throws {
    let checks: [String: (Int32, String) -> Void] = [
      // log(e + e^2) = 2.31326168751822283404899549497 (mpmath).
      "eval": { status, out in
        #expect(status == 0)
        #expect(isApprox(self.printedValues(out), [2.31326168751822283404899549497], rtol: 1e-15), "\(out)")
      },
      // d/da = e/(e + e^2) - 1 = -0.731058578630004879..., d/db = e^2/(e + e^2).
      "diff": { status, out in
        #expect(status == 0)
        #expect(
          isApprox(
            self.printedValues(out), [-0.731058578630004879251159241822, 0.731058578630004879251159241822], rtol: 1e-15),
          "\(out)")
      },
      "check": { status, out in
        #expect(status == 0 && out.contains("verdict: all references agree"), "\(out)")
      },
      // log(e^x + e^2) - x = log(1 + e^(2 - x)) -> 0.
      "limit": { status, out in #expect(status == 0 && out == "0\n", "\(out)") },
      // At a = b = 0 the softmax is (1/2, 1/2): H = diag(p) - p p^T, exactly +-1/4.
      "hessian": { status, out in
        #expect(status == 0)
        #expect(self.printedValues(out) == [0.25, -0.25, -0.25, 0.25], "\(out)")
      },
      "simplify": { status, out in #expect(status == 0 && out == "1\n", "\(out)") },
      // A 3x3 pmatrix over the named denominator; the (0, 0) entry s0 - s0^2 written as
      // e^{x0}/S - e^{2 x0}/S^2.
      "latex": { status, out in
        #expect(status == 0)
        #expect(out.contains("\\begin{pmatrix}\n\\frac{e^{x_{0}}}{S} - \\frac{e^{2 x_{0}}}{S^{2}} & "), "\(out)")
        #expect(out.components(separatedBy: " & ").count == 7, "\(out)")
        #expect(out.contains("S &= e^{x_{0}} + e^{x_{1}} + e^{x_{2}}\n"), "\(out)")
      },
      // Every committed claim holds.
      "prove": { status, out in
        #expect(status == 0 && !out.contains("FAIL"), "\(out)")
        let counts = out.firstMatch(of: /([0-9]+) of ([0-9]+) claims hold/)
        #expect(counts != nil && counts?.output.1 == counts?.output.2 && counts?.output.1 != "0", "\(out)")
      },
      "plot": { status, out in
        #expect(status == 0 && out.contains("(3 x 3)"), "\(out)")
        let svg = (try? String(contentsOfFile: "/tmp/symgrad-softmax-jacobian.svg", encoding: .utf8)) ?? ""
        #expect(svg.contains("<svg") && svg.hasSuffix("</svg>\n"), "\(svg.prefix(200))")
      },
    ]
    for sub in ["eval", "diff", "check", "limit", "hessian", "simplify", "latex", "prove", "plot"] {
      let help = run(sub, "--help").out
      let lines = help.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      guard let i = lines.firstIndex(of: "Example:"), i + 1 < lines.count else {
        Issue.record("\(sub): no example")
        continue
      }
      let args = shellWords(String(lines[i + 1]))
      #expect(args.first == "symgrad")
      let o = Output()
      let status = CommandLineTool.run(Array(args.dropFirst()), output: o)
      let check = try #require(checks[sub], "\(sub): no expected output")
      check(status, o.standardOutput)
    }
  }

  /// Splits a command line with single-quoted words.
  func shellWords(_ s: String) -> [String] {
    var words: [String] = []
    var current = ""
    var quoted = false
    var any = false
    for c in s {
      if c == "'" {
        quoted.toggle()
        any = true
        continue
      }
      if c == " " && !quoted {
        if any || !current.isEmpty { words.append(current) }
        current = ""
        any = false
      } else {
        current.append(c)
      }
    }
    if any || !current.isEmpty { words.append(current) }
    return words
  }

  @Test(.needsOracle) func checkAgreesAndNamesDisagreements() {
    let ok = run(
      "check", "cross_entropy([[a, b], [c, d]], [0, 1], reduction=\"sum\")", "--wrt", "a,b,c,d",
      "--at", "a=0.5,b=2,c=1,d=2", "--json")
    #expect(ok.status == 0)
    #expect(ok.json["agrees"] as? Bool == true)
    let comparisons = ok.json["comparisons"] as? [[String: Any]] ?? []
    #expect(comparisons.contains { ($0["reference"] as? String) == "autograd oracle" })
  }

  @Test func walkthroughEndsWithAVerdict() {
    let r = run()
    #expect(r.status == 0)
    #expect(r.out.contains("verdict: the symbolic gradients agree"))
    #expect(r.out.contains("-0.1205588214608"))
  }

  @Test func limitCommand() {
    // log(e^x + e^2) - x = log(1 + e^(2 - x)), which tends to exactly 0.
    let r = run("limit", "log(exp(x) + exp(2)) - x", "--as", "x", "--to", "inf")
    #expect(r.status == 0 && r.out == "0\n", "\(r.out)")
    let json = run("limit", "log(exp(x) + exp(2)) - x", "--as", "x", "--to", "inf", "--json")
    #expect(json.json["result"] as? String == "0" && (json.json["value"] as? NSNumber)?.doubleValue == 0, "\(json.out)")
    let two = run("limit", "abs(x)/x", "--as", "x", "--to", "0")
    #expect(two.status == 1 && two.out.contains("differ"))
  }
}
