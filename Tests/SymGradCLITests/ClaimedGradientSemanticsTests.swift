import Foundation
import SymGradArrayFiles
import Testing

@testable import SymGradCLI

/// `symgrad check --claimed --semantics pytorch` (a contract): PyTorch's own gradients at
/// the edge cases where they differ from the limit (`Tests/Fixtures/pytorch-edges`, recorded
/// from torch by `Scripts/record_pytorch_edges.py`: BCE at 0 and 1, an ignored row of -inf
/// logits, BCE-with-logits at -inf, an ordinary point) pass, and the entries where PyTorch
/// differs are named with both values; without the flag the same gradients disagree.
@Suite struct ClaimedGradientSemanticsTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/pytorch-edges")

  struct Case: Sendable, CustomStringConvertible {
    let name: String
    let expression: String
    /// The entries where PyTorch's result differs from the limit.
    let differing: [String]
    var description: String { name }
    var inputs: String { ClaimedGradientSemanticsTests.fixtures.appendingPathComponent("\(name)-inputs.npz").path }
    var grads: String { ClaimedGradientSemanticsTests.fixtures.appendingPathComponent("\(name)-grads.npz").path }
  }

  static let cases = [
    // x = 0, y = 1 and x = 1, y = 0: -+1/EPSILON (limit 0, and undefined at 1 where the
    // input leaves [0, 1]); x = 0, y = 0 and x = 1, y = 1: 0 (limits 1 and -1).
    Case(
      name: "bce_at_bounds", expression: "binary_cross_entropy(X, Y, reduction=\"sum\")",
      differing: ["X[0]", "X[2]", "X[4]", "X[5]"]),
    Case(
      name: "cross_entropy_ignored_masked_row", expression: "cross_entropy(X, T)",
      differing: ["X[1][0]", "X[1][1]", "X[1][2]"]),
    Case(
      name: "bce_with_logits_at_minus_inf",
      expression: "binary_cross_entropy_with_logits(X, Y, reduction=\"sum\")", differing: []),
    Case(name: "cross_entropy_plain", expression: "cross_entropy(X, T)", differing: []),
  ]

  func run(_ args: [String]) -> (status: Int32, out: String, err: String) {
    let o = Output()
    let status = CommandLineTool.run(args, output: o)
    return (status, o.standardOutput, o.standardError)
  }

  func check(_ c: Case, claimed: String? = nil, _ extra: [String]) -> (status: Int32, out: String, err: String) {
    run(["check", c.expression, "--wrt", "X", "--at", "@" + c.inputs, "--claimed", "@" + (claimed ?? c.grads)] + extra)
  }

  /// The fixture list and the recorded cases are the same (a new recording is not left out).
  @Test func everyRecordedCaseIsChecked() throws {
    let data = try Data(contentsOf: Self.fixtures.appendingPathComponent("cases.json"))
    let j = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let recorded = try #require(j["cases"] as? [[String: Any]])
    #expect(recorded.compactMap { $0["name"] as? String } == Self.cases.map(\.name))
    #expect(recorded.compactMap { $0["expression"] as? String } == Self.cases.map(\.expression))
  }

  /// PyTorch's gradient passes under `--semantics pytorch`, and exactly the expected entries
  /// are named, each with PyTorch's value equal to the recorded one (the same formulas in
  /// float64: equal, NaN as NaN).
  @Test(.needsOracle, arguments: cases)
  func pytorchsGradientPassesWithItsSemantics(_ c: Case) throws {
    let r = check(c, ["--semantics", "pytorch", "--json"])
    #expect(r.status == 0, "\(r.out) \(r.err)")
    let j = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    #expect(j["semantics"] as? String == "pytorch" && j["pytorch_unavailable"] == nil)
    let tensor = try #require((j["tensors"] as? [[String: Any]])?.first)
    let differs = try #require(tensor["pytorch_differs"] as? [[String: Any]])
    #expect(differs.compactMap { $0["index"] as? String } == c.differing)
    for d in differs {
      let claimed = try #require(d["claimed"])
      let pytorch = try #require(d["pytorch"])
      #expect("\(claimed)" == "\(pytorch)", "\(d)")
    }
  }

  /// Without the flag, the limit is the reference: the same gradients disagree exactly at
  /// the entries where PyTorch differs from it (and agree at the ordinary cases).
  @Test(arguments: cases)
  func theLimitIsTheDefaultReference(_ c: Case) throws {
    let r = check(c, ["--json"])
    #expect(r.status == (c.differing.isEmpty ? 0 : 1), "\(r.out) \(r.err)")
    let j = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    #expect(j["semantics"] as? String == "limit")
    let tensor = try #require((j["tensors"] as? [[String: Any]])?.first)
    #expect(tensor["pytorch_differs"] == nil)
    let disagreements = try #require(tensor["disagreements"] as? [[String: Any]])
    #expect(disagreements.compactMap { $0["index"] as? String } == c.differing)
  }

  /// A gradient that follows the limit where PyTorch does not is a disagreement under
  /// PyTorch's semantics, printed with PyTorch's value and the limit.
  @Test(.needsOracle) func theLimitIsWrongUnderPyTorchsSemantics() throws {
    let c = Self.cases[0]
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-semantics-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let grads = dir.appendingPathComponent("grads.json")
    // PyTorch's gradient with X[0] replaced by the limit, 0.
    let recorded = try #require(try ArrayFiles.read(contentsOf: URL(fileURLWithPath: c.grads)).first?.value.values)
    var values = recorded.map { $0.isNaN ? "\"nan\"" : $0.isInfinite ? ($0 > 0 ? "\"inf\"" : "\"-inf\"") : "\($0)" }
    values[0] = "0"
    try "{\"X\": [\(values.joined(separator: ", "))]}".write(to: grads, atomically: true, encoding: .utf8)
    let r = check(c, claimed: grads.path, ["--semantics", "pytorch"])
    #expect(r.status == 1, "\(r.out) \(r.err)")
    #expect(r.out.contains("DISAGREE (1 entries)"), "\(r.out)")
    #expect(r.out.contains("    X[0]: claimed 0.0, PyTorch -1000000003995.8029 (limit 0.0)"), "\(r.out)")
    #expect(r.out.contains("    X[4]: PyTorch 0.0, limit 1.0, claimed 0.0"), "\(r.out)")
    #expect(r.out.hasSuffix("verdict: DISAGREEMENT\n"))
  }

  /// When the oracle cannot run EXPR (not one loss call), the output says so and compares
  /// with the limit: PyTorch's NaN row then disagrees.
  @Test func pytorchsResultUnavailableIsSaidPlainly() throws {
    let c = Self.cases[1]
    let r = run([
      "check", "cross_entropy(X, T)/1", "--wrt", "X", "--at", "@" + c.inputs, "--claimed", "@" + c.grads,
      "--semantics", "pytorch",
    ])
    #expect(r.status == 1, "\(r.out) \(r.err)")
    #expect(
      r.out.contains("semantics: pytorch, but PyTorch's result is unavailable (EXPR is not one loss call"), "\(r.out)")
    #expect(r.out.contains("DISAGREE (3 entries)"), "\(r.out)")
  }

  /// A recorded masked batch (4 rows of 1000 logits, 10% at -inf) under PyTorch's semantics:
  /// PyTorch's gradient of the sum (its mean's times 16, exact) agrees, and no entry differs
  /// from the limit (masked logits: 0 in both).
  @Test(.needsOracle) func maskedBatchAgreesAndNothingDiffers() throws {
    let (inputs, claimed) = try ClaimedGradientTests().files("cross_entropy_masked_16x1000.npz", rows: 4) { rows in
      for r in rows.indices { rows[r] = rows[r].map { $0 * 16 } }
    }
    let r = run([
      "check", "cross_entropy(X, T, reduction=\"sum\")", "--wrt", "X", "--at", "@" + inputs, "--claimed",
      "@" + claimed, "--semantics", "pytorch", "--json",
    ])
    #expect(r.status == 0, "\(r.out.prefix(2000)) \(r.err)")
    let j = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    let tensor = try #require((j["tensors"] as? [[String: Any]])?.first)
    #expect(tensor["entries"] as? Int == 4000)
    #expect((tensor["pytorch_differs"] as? [Any])?.isEmpty == true)
  }

  @Test func badSemanticsAreUsageErrors() {
    let c = Self.cases[3]
    let unknown = check(c, ["--semantics", "torch"])
    #expect(unknown.status == 64)
    #expect(unknown.err.contains("--semantics must be one of limit, pytorch, got 'torch'"), "\(unknown.err)")
    let withoutClaimed = run([
      "check", "cross_entropy([[a, b]], [0])", "--wrt", "a", "--at", "a=1,b=2", "--semantics", "pytorch",
    ])
    #expect(withoutClaimed.status == 64)
    #expect(withoutClaimed.err.contains("--semantics goes with --claimed FILE"), "\(withoutClaimed.err)")
  }
}
