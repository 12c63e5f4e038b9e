import Foundation
import Testing

@testable import SymGradCLI

/// `symgrad check` must say DISAGREE (and exit 1) when a reference disagrees: a PyTorch
/// record of a different formula, or recorded at a different point, or a comparison
/// outside the tolerance. Driven in process, as `CommandLineTests` does, with fixture
/// directories written for the test (`--fixtures DIR`).
@Suite struct CheckerNegativeTests {
  struct Run {
    let status: Int32
    let out: String
    let err: String
  }

  func run(_ args: [String]) -> Run {
    let o = Output()
    let status = CommandLineTool.run(args, output: o)
    return Run(status: status, out: o.standardOutput, err: o.standardError)
  }

  /// A float64 record of the committed fixtures, as its JSON object.
  static func recordJSON(_ id: String) throws -> [String: Any] {
    let data = try Data(contentsOf: Fixtures.directory.appendingPathComponent("cross_entropy.json"))
    let top = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let cases = try #require(top["cases"] as? [[String: Any]])
    return try #require(cases.first { $0["id"] as? String == id })
  }

  /// A fresh directory holding one fixture file with `cases`.
  static func fixtureDirectory(_ cases: [[String: Any]]) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-checker-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let data = try JSONSerialization.data(withJSONObject: ["generator": "CheckerNegativeTests", "cases": cases])
    try data.write(to: dir.appendingPathComponent("cases.json"))
    return dir
  }

  /// The record used throughout: `cross_entropy([[x0, x1], [x2, x3]], [0, 0],
  /// reduction="sum")` at random logits (one output row, four columns).
  static let id = "cross_entropy/index/noweight/noignore/ls0.0/sum/2x2/0"

  func arguments(_ record: [String: Any], fixtures: URL, point: [String: Double]? = nil) -> [String] {
    let wrt = record["wrt"] as? [String] ?? []
    let at = point ?? (record["at"] as? [String: Double] ?? [:])
    let atText = wrt.map { "\($0)=\(at[$0]!)" }.joined(separator: ",")
    return [
      "check", record["expr"] as? String ?? "", "--wrt", wrt.joined(separator: ","), "--at", atText,
      "--fixtures", fixtures.path,
    ]
  }

  /// The positive control: the record as committed agrees (exit 0), and the PyTorch
  /// record is among the references consulted; so a DISAGREE below comes from the change.
  @Test func theCommittedRecordAgrees() throws {
    let record = try Self.recordJSON(Self.id)
    let dir = try Self.fixtureDirectory([record])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = run(arguments(record, fixtures: dir))
    #expect(r.status == 0, "\(r.out)\(r.err)")
    #expect(r.out.contains("vs PyTorch record \(Self.id)"))
    #expect(r.out.contains("verdict: all references agree"))
    #expect(!r.out.contains("DISAGREE"))
  }

  /// A wrong formula: the record's values are those of the committed record, but it is
  /// filed under a formula with different targets (`[1, 0]` for `[0, 0]`): the symbolic
  /// Jacobian of the stated formula must disagree with it, entry by entry.
  @Test(.needsOracle) func aWrongFormulaDisagrees() throws {
    var record = try Self.recordJSON(Self.id)
    let expr = try #require(record["expr"] as? String)
    #expect(expr == "cross_entropy([[x0, x1], [x2, x3]], [0, 0], reduction=\"sum\")")
    record["expr"] = expr.replacingOccurrences(of: "[0, 0]", with: "[1, 0]")
    #expect(record["expr"] as? String != expr)
    let dir = try Self.fixtureDirectory([record])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = run(arguments(record, fixtures: dir))
    #expect(r.status == 1)
    #expect(r.out.contains("vs PyTorch record \(Self.id)"))
    #expect(r.out.contains("DISAGREE ("))
    #expect(r.out.contains("verdict: DISAGREEMENT"))
    // The other references agree with the symbolic Jacobian of the stated formula.
    #expect(r.out.contains("vs autograd oracle") && r.out.contains("vs central finite differences"))
    let lines = r.out.split(separator: "\n")
    #expect(lines.filter { $0.contains(": agree") }.count == 2)
    // The disagreeing entries are named ("row 0, x0: symbolic ... vs ...").
    #expect(lines.contains { $0.hasPrefix("    row 0, x") && $0.contains("symbolic") })
  }

  /// A wrong point: the committed values, filed at a point where one logit is moved by
  /// 0.25: the symbolic Jacobian at the stated point disagrees with them.
  @Test func aWrongPointDisagrees() throws {
    var record = try Self.recordJSON(Self.id)
    var at = try #require(record["at"] as? [String: Double])
    at["x1"] = at["x1"]! + 0.25
    record["at"] = at
    let dir = try Self.fixtureDirectory([record])
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = run(arguments(record, fixtures: dir, point: at))
    #expect(r.status == 1)
    #expect(r.out.contains("vs PyTorch record \(Self.id)"))
    #expect(r.out.contains("DISAGREE ("))
    #expect(r.out.contains("verdict: DISAGREEMENT"))
    // The same with --json: "agrees" false, the PyTorch comparison names its entries.
    let j = run(arguments(record, fixtures: dir, point: at) + ["--json"])
    #expect(j.status == 1)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(j.out.utf8)) as? [String: Any])
    #expect(json["agrees"] as? Bool == false)
    let comparisons = json["comparisons"] as? [[String: Any]] ?? []
    let torch = try #require(comparisons.first { ($0["reference"] as? String)?.hasPrefix("PyTorch record") == true })
    #expect(torch["agrees"] as? Bool == false)
    #expect(!(torch["disagreements"] as? [String] ?? []).isEmpty)
  }

  /// One entry off by a little more than the tolerance (float64: 1e-9 relative plus 1e-12)
  /// disagrees, naming that entry only; one off by a little less agrees.
  @Test func oneEntryJustOutsideTheToleranceDisagrees() throws {
    let base = try Self.recordJSON(Self.id)
    var jac = try #require(base["jacobian"] as? [[Double]])
    let b = jac[0][2]
    for (factor, agrees) in [(3.0, false), (0.3, true)] {
      var record = base
      jac[0][2] = b + factor * (1e-12 + 1e-9 * Swift.abs(b))
      record["jacobian"] = jac
      let dir = try Self.fixtureDirectory([record])
      defer { try? FileManager.default.removeItem(at: dir) }
      let r = run(arguments(record, fixtures: dir))
      #expect(r.status == (agrees ? 0 : 1), "factor \(factor): \(r.out)")
      #expect(r.out.contains("DISAGREE (1 entries)") == !agrees, "factor \(factor): \(r.out)")
      let wrt = try #require(base["wrt"] as? [String])
      #expect(r.out.contains("    row 0, \(wrt[2]): symbolic") == !agrees)
    }
  }

  /// A NaN or an infinity where the symbolic value is finite is a disagreement (never
  /// skipped as "not comparable").
  @Test func nonFiniteRecordedEntriesDisagree() throws {
    let base = try Self.recordJSON(Self.id)
    for bad in ["nan", "inf", "-inf"] {
      var record = base
      var jac = try #require(base["jacobian"] as? [[Any]])
      jac[0][0] = bad
      record["jacobian"] = jac
      let dir = try Self.fixtureDirectory([record])
      defer { try? FileManager.default.removeItem(at: dir) }
      let r = run(arguments(record, fixtures: dir))
      #expect(r.status == 1, "\(bad): \(r.out)")
      #expect(r.out.contains("DISAGREE (1 entries)"), "\(bad): \(r.out)")
    }
  }

  /// The comparison itself: shapes, tolerance edges, NaN and infinities.
  @Test func comparisonDecidesEachEntry() {
    let c = Checker()
    let tol = (rtol: 1e-9, atol: 1e-12)
    #expect(c.compare("r", [[1, 2]], [[1, 2]], ["a", "b"], tol).agrees)
    #expect(c.compare("r", [[1, 2 + 1.5e-9]], [[1, 2]], ["a", "b"], tol).agrees)
    let off = c.compare("r", [[1, 2 + 3e-9]], [[1, 2]], ["a", "b"], tol)
    #expect(off.disagreements == ["row 0, b: symbolic \(2 + 3e-9) vs 2.0"])
    #expect(!c.compare("r", [[1e-12 * 3]], [[0]], ["a"], tol).agrees)  // atol, not relative to 0
    #expect(c.compare("r", [[1e-12 / 2]], [[0]], ["a"], tol).agrees)
    #expect(!c.compare("r", [[1, 2]], [[1, 2, 3]], ["a", "b"], tol).agrees)  // shape
    #expect(!c.compare("r", [[1], [2]], [[1]], ["a"], tol).agrees)
    #expect(!c.compare("r", [[.nan]], [[0]], ["a"], tol).agrees)
    #expect(!c.compare("r", [[0]], [[.nan]], ["a"], tol).agrees)
    #expect(c.compare("r", [[.nan]], [[.nan]], ["a"], tol).agrees)
    #expect(!c.compare("r", [[.infinity]], [[-.infinity]], ["a"], tol).agrees)
    #expect(!c.compare("r", [[.infinity]], [[1e308]], ["a"], tol).agrees)
    #expect(c.compare("r", [[-.infinity]], [[-.infinity]], ["a"], tol).agrees)
    let errors = c.compare("r", [[1.5, -2]], [[1, -2]], ["a", "b"], tol)
    #expect(errors.maxAbsoluteError == 0.5 && errors.maxRelativeError == 0.5)
  }

  /// Attention goes through the oracle bridge: consulted and agreeing at an ordinary
  /// point with a -inf mask entry, and a wrong fixture for it still disagrees.
  @Test(.needsOracle) func attentionIsCheckedByTheOracle() throws {
    let expr =
      "scaled_dot_product_attention([[q0, q1], [q2, q3]], [[0.5, -1], [1.5, 0.25], [-0.75, 2]], "
      + "[[1, 0.5], [-2, 1], [0.25, 3]], attn_mask=[[0.0, -inf, 0.0], [0.0, 0.0, 0.0]])"
    let r = run(["check", expr, "--wrt", "q0,q1,q2,q3", "--at", "q0=0.3,q1=-1.2,q2=0.8,q3=0.1", "--json"])
    #expect(r.status == 0, "\(r.out)\(r.err)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    let comparisons = json["comparisons"] as? [[String: Any]] ?? []
    let oracle = try #require(comparisons.first { $0["reference"] as? String == "autograd oracle" })
    #expect(oracle["agrees"] as? Bool == true)
    // A mask that drops a different key is a different function: the oracle of the
    // stated expression agrees with its symbolic Jacobian, so the check still passes,
    // and the two Jacobians differ (the mask matters).
    let other = run([
      "check", expr.replacingOccurrences(of: "[[0.0, -inf, 0.0]", with: "[[-inf, 0.0, 0.0]"),
      "--wrt", "q0,q1,q2,q3", "--at", "q0=0.3,q1=-1.2,q2=0.8,q3=0.1", "--json",
    ])
    #expect(other.status == 0)
    let j2 = try #require(try JSONSerialization.jsonObject(with: Data(other.out.utf8)) as? [String: Any])
    #expect((json["value"] as? [[Double]]) != (j2["value"] as? [[Double]]))
  }

  /// No reference at all (not a loss call, no record, a non-finite point) is a failure,
  /// not a pass: exit 1 and "nothing was verified".
  @Test func nothingConsultedFails() {
    let r = run(["check", "exp(x)/(exp(x) + exp(y))", "--wrt", "x,y", "--at", "x=-inf,y=1"])
    #expect(r.status == 1)
    #expect(r.out.contains("verdict: no reference could be consulted, nothing was verified"))
  }
}
