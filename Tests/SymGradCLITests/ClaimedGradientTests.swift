import Foundation
import SymGrad
import SymGradArrayFiles
import Testing

@testable import SymGradCLI

/// `symgrad check EXPR --wrt X --at @inputs --claimed @grads` (a contract): PyTorch's own
/// gradients (`Tests/Fixtures/tensors`, recorded by `Scripts/record_tensor_fixtures.py`:
/// X, T and dX = X.grad of `cross_entropy(X, T)`) are the claimed arrays, as a user's
/// `np.savez` would hand them over; a changed element is caught and named by its index.
@Suite struct ClaimedGradientTests {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/tensors")

  func run(_ args: [String]) -> (status: Int32, out: String, err: String) {
    let o = Output()
    let status = CommandLineTool.run(args, output: o)
    return (status, o.standardOutput, o.standardError)
  }

  /// The first `rows` rows of a fixture's X, T and dX, written as JSON files (inputs and
  /// claimed gradient), with `change` applied to the claimed values.
  func files(_ fixture: String, rows: Int, change: (inout [[Double]]) -> Void = { _ in }) throws -> (
    inputs: String, claimed: String
  ) {
    let arrays = try ArrayFiles.read(contentsOf: Self.fixtures.appendingPathComponent(fixture))
    func array(_ name: String) -> ArrayValue { arrays.first { $0.name == name }!.value }
    let x = array("X")
    let t = array("T")
    let dx = array("dX")
    let columns = x.shape[1]
    func rowsOf(_ a: ArrayValue) -> [[Double]] {
      (0..<rows).map { r in Array(a.values[(r * columns)..<((r + 1) * columns)]) }
    }
    func text(_ v: Double) -> String { v.isInfinite ? (v > 0 ? "\"inf\"" : "\"-inf\"") : "\(v)" }
    func matrix(_ m: [[Double]]) -> String {
      "[" + m.map { "[" + $0.map(text).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
    }
    var claimed = rowsOf(dx)
    change(&claimed)
    let targets = t.values.prefix(rows).map { String(Int($0)) }.joined(separator: ", ")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-claimed-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let inputs = dir.appendingPathComponent("inputs.json")
    let grads = dir.appendingPathComponent("grads.json")
    try "{\"X\": \(matrix(rowsOf(x))), \"T\": [\(targets)]}".write(to: inputs, atomically: true, encoding: .utf8)
    try "{\"X\": \(matrix(claimed))}".write(to: grads, atomically: true, encoding: .utf8)
    return (inputs.path, grads.path)
  }

  /// PyTorch's gradient of the 64-row mean over the first 4 rows is the gradient of
  /// `cross_entropy(X, T, reduction="sum")/64` over those rows: it agrees, element by
  /// element, within torch.allclose's default tolerance (and in fact to 1e-15).
  @Test func pytorchsGradientAgrees() throws {
    let (inputs, claimed) = try files("cross_entropy_64x1000.npz", rows: 4)
    let r = run([
      "check", "cross_entropy(X, T, reduction=\"sum\")/64", "--wrt", "X", "--at", "@" + inputs,
      "--claimed", "@" + claimed, "--json",
    ])
    #expect(r.status == 0, "\(r.out) \(r.err)")
    let j = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
    let tensors = try #require(j?["tensors"] as? [[String: Any]])
    #expect(tensors.count == 1 && tensors[0]["name"] as? String == "X" && tensors[0]["entries"] as? Int == 4000)
    #expect((tensors[0]["max_abs_error"] as? Double ?? 1) < 1e-15, "\(tensors[0])")
    #expect(j?["agrees"] as? Bool == true)
  }

  /// One element changed by 1e-4 (of a gradient near 1e-6): named by its index, exit 1;
  /// a masked row (-inf logits, gradient 0 by the limit) agrees with PyTorch's zeros.
  @Test func aChangedElementIsNamedAndMaskedEntriesAgree() throws {
    let (inputs, claimed) = try files("cross_entropy_64x1000.npz", rows: 2) { $0[1][17] += 1e-4 }
    let r = run([
      "check", "cross_entropy(X, T, reduction=\"sum\")/64", "--wrt", "X", "--at", "@" + inputs,
      "--claimed", "@" + claimed,
    ])
    #expect(r.status == 1)
    #expect(r.out.contains("X (2x1000, 2000 entries)") && r.out.contains("DISAGREE (1 entries)"), "\(r.out)")
    #expect(r.out.contains("    X[1][17]: claimed "), "\(r.out)")
    #expect(r.out.hasSuffix("verdict: DISAGREEMENT\n"))
    let masked = try files("cross_entropy_masked_16x1000.npz", rows: 1)
    let m = run([
      "check", "cross_entropy(X, T, reduction=\"sum\")/16", "--wrt", "X", "--at", "@" + masked.inputs,
      "--claimed", "@" + masked.claimed,
    ])
    #expect(m.status == 0, "\(m.out) \(m.err)")
    #expect(m.out.contains("verdict: the claimed gradient agrees"))
  }

  @Test(arguments: [
    (["--claimed", "@CLAIMED", "--wrt", "Y"], "not a symbol"),
    (["--claimed", "@/nonexistent/g.npz", "--wrt", "X"], "cannot read '/nonexistent/g.npz'"),
    (["--claimed", "@INPUTS", "--wrt", "X", "--rtol", "-1"], "--rtol must be a number >= 0"),
    (["--rtol", "1e-3", "--wrt", "X"], "--rtol goes with --claimed FILE"),
  ])
  func badUsesAreClearErrors(extra: [String], message: String) throws {
    let (inputs, claimed) = try files("cross_entropy_64x1000.npz", rows: 1)
    let args =
      ["check", "cross_entropy(X, T)", "--at", "@" + inputs]
      + extra.map {
        $0.replacingOccurrences(of: "CLAIMED", with: claimed).replacingOccurrences(of: "INPUTS", with: inputs)
      }
    let r = run(args)
    #expect(r.status == 1 || r.status == 64)
    #expect(r.err.contains(message), "\(r.err)")
  }

  /// A claimed file without the --wrt name, or with another shape, says what it has.
  @Test func missingOrMisshapedArraysAreNamed() throws {
    let (inputs, _) = try files("cross_entropy_64x1000.npz", rows: 2)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-claimed-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let other = dir.appendingPathComponent("g.json")
    try #"{"dX": [1, 2], "X": [[1, 2]]}"#.write(to: other, atomically: true, encoding: .utf8)
    let r = run(["check", "cross_entropy(X, T)", "--wrt", "X", "--at", "@" + inputs, "--claimed", "@" + other.path])
    #expect(r.status == 1 && r.err.contains("array 'X' has shape 1x2, but X has shape 2x1000"), "\(r.err)")
    try #"{"dX": [1, 2]}"#.write(to: other, atomically: true, encoding: .utf8)
    let s = run(["check", "cross_entropy(X, T)", "--wrt", "X", "--at", "@" + inputs, "--claimed", "@" + other.path])
    #expect(s.status == 1 && s.err.contains("has no array named 'X' (it has: dX)"), "\(s.err)")
  }
}
