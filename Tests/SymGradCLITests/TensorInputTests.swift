import Foundation
import SymGrad
import SymGradArrayFiles
import Testing

@testable import SymGradCLI

/// Tensors at the command line (issue 10's contract): `--tensor NAME=D1xD2`, `--at @FILE`
/// (.json, .npz, .npy) and `NAME=@FILE`, `--wrt @FILE` and tensor names, gradients shaped
/// like their tensor, `--no-result`, and the recorded PyTorch batch.
@Suite struct TensorInputTests {
  func run(_ args: String...) -> (status: Int32, out: String, err: String) {
    let o = Output()
    let s = CommandLineTool.run(args, output: o)
    return (s, o.standardOutput, o.standardError)
  }

  func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  /// A file in a fresh temporary directory holding `contents`.
  func file(_ name: String, _ contents: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-tensors-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try contents.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/tensors")

  @Test func declaredTensorIsUsableByNameAndTheGradientHasItsShape() throws {
    let r = run("diff", "sum(X*X*[1, 2])", "--tensor", "X=2x2", "--wrt", "X", "--json")
    #expect(r.status == 0, "\(r.err)")
    let j = try json(r.out)
    let result = try #require(j["result"] as? [[String]])
    #expect(result == [["2*X[0][0]", "4*X[0][1]"], ["2*X[1][0]", "4*X[1][1]"]])
    // Elements are the language's element symbols: X[1][0] in text is that element.
    let e = run("diff", "sum(X) + X[1][0]**2", "--tensor", "X=2x2", "--wrt", "X[1][0]")
    #expect(e.status == 0 && e.out.hasPrefix("2*X[1][0] + 1"), "\(e.out) \(e.err)")
  }

  /// Logits and targets from a JSON point file: X (in --wrt) is symbols at the file's
  /// values, T (not in --wrt) is data; the value is softmax minus one-hot over N, computed
  /// here independently, and a -inf logit's entry is exactly 0.
  @Test func jsonPointFileGivesSymbolsAndData() throws {
    let path = try file("point.json", #"{"X": [[1, 2, "-inf"], [0.5, -1, 2]], "T": [1, 0]}"#)
    let r = run("diff", "cross_entropy(X, T)", "--at", "@" + path, "--wrt", "X", "--json")
    #expect(r.status == 0, "\(r.err)")
    let j = try json(r.out)
    let value = try #require(j["value"] as? [[Double]])
    let rows: [[Double]] = [[1, 2, -.infinity], [0.5, -1, 2]]
    for (n, row) in rows.enumerated() {
      let s = row.map { Foundation.exp($0) }.reduce(0, +)
      for c in 0..<3 {
        let expected = (Foundation.exp(row[c]) / s - (c == [1, 0][n] ? 1 : 0)) / 2
        #expect(Swift.abs(value[n][c] - expected) <= 1e-15, "[\(n)][\(c)]: \(value[n][c]) vs \(expected)")
      }
    }
    #expect(value[0][2] == 0)
    #expect(j["certified"] as? Bool == true)
    #expect((j["expression"] as? String)?.contains("X[0][1]") == true)
    // In --wrt, T is symbols, and class indices must be integers: an error at T.
    let t = run("diff", "cross_entropy(X, T)", "--at", "@" + path, "--wrt", "T")
    #expect(t.status != 0 && t.err.contains("class indices must be integers, got T[0]"), "\(t.err)")
  }

  @Test func wrtNamesFromAFileAndNoResult() throws {
    let names = try file("names.txt", "b\na, c\n")
    let r = run("diff", "a*b*c", "--wrt", "@" + names, "--at", "a=1,b=2,c=3", "--no-result", "--json")
    #expect(r.status == 0, "\(r.err)")
    let j = try json(r.out)
    #expect(j["result"] == nil)
    #expect(j["value"] as? [Double] == [3, 6, 2])
    let text = run("diff", "a*b*c", "--wrt", "@" + names, "--at", "a=1,b=2,c=3", "--no-result")
    #expect(text.out == "= [3.0, 6.0, 2.0]\n", "\(text.out)")
  }

  @Test(arguments: [
    (["--tensor", "X=2by3"], "is not a shape"),
    (["--tensor", "1X=2x3"], "is not a name"),
    (["--tensor", "X=2x3", "--tensor", "X=3"], "declared twice"),
    (["--tensor", "X=100000x100000"], "more than"),
    // The resource limit: 2^18 elements (a 10^7-element tensor took 30 s to make and
    // print, 2^20 of them 3.8 s).
    (["--tensor", "X=513x512"], "has more than 262144 elements"),
    (["--tensor", "X=3x3", "--at", "@FIXTURE"], "has shape 64x1000, but --tensor declares 3x3"),
    (["--at", "@/nonexistent/p.npz"], "cannot read '/nonexistent/p.npz'"),
    (["--at", "X=@FIXTURE"], "holds 4 arrays"),
  ])
  func badInputsAreClearErrors(extra: [String], message: String) {
    let fixture = Self.fixtures.appendingPathComponent("cross_entropy_64x1000.npz").path
    let args =
      ["diff", "cross_entropy(X, T)", "--wrt", "X"]
      + extra.map { $0.replacingOccurrences(of: "FIXTURE", with: fixture) }
    let o = Output()
    let status = CommandLineTool.run(args, output: o)
    #expect(status == 1 || status == 64)
    #expect(o.standardError.contains(message), "\(o.standardError)")
  }

  /// A truncated archive is an error naming the file, exit 1, never a crash.
  @Test func truncatedArchiveIsAnError() throws {
    let bytes = try Data(contentsOf: Self.fixtures.appendingPathComponent("cross_entropy_masked_16x1000.npz"))
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "symgrad-truncated-\(UUID().uuidString).npz")
    try bytes.prefix(bytes.count / 2).write(to: url)
    let r = run("diff", "cross_entropy(X, T)", "--at", "@" + url.path, "--wrt", "X")
    #expect(r.status == 1 && r.err.contains("cannot read"), "\(r.err)")
  }

  /// Issue 10's batch: `diff 'cross_entropy(X, T)' --tensor X=64x1000 --at @point.npz --wrt X
  /// --json` (with --no-result: the formulas alone are about 1 GB) equals PyTorch's
  /// recorded gradient within PyTorch's float64 rounding (a few ulps: 1e-13 relative).
  @Test func batchMatchesPyTorch() throws {
    let fixture = Self.fixtures.appendingPathComponent("cross_entropy_64x1000.npz")
    let arrays = try ArrayFiles.read(contentsOf: fixture)
    let expected = try #require(arrays.first { $0.name == "dX" }?.value)
    #expect(expected.shape == [64, 1000])
    let r = run(
      "diff", "cross_entropy(X, T)", "--tensor", "X=64x1000", "--at", "@" + fixture.path, "--wrt", "X",
      "--json", "--no-result")
    #expect(r.status == 0, "\(r.err)")
    let j = try json(r.out)
    let value = try #require(j["value"] as? [[Double]])
    #expect(value.count == 64 && value.allSatisfy { $0.count == 1000 })
    #expect(j["certified"] as? Bool == true)
    var worst = 0.0
    for (got, want) in zip(value.flatMap { $0 }, expected.values) {
      worst = Swift.max(worst, Swift.abs(got - want) / Swift.max(Swift.abs(want), 1e-300))
    }
    #expect(worst <= 1e-13, "largest relative difference from PyTorch: \(worst)")
  }

  /// The recorded PyTorch batch with 10% of the logits at -inf (Scripts/
  /// record_tensor_fixtures.py): SymGrad's certified gradient equals PyTorch's within
  /// PyTorch's own rounding (its float64 kernel is not correctly rounded: a few ulps,
  /// so 1e-13 relative plus 1e-300 absolute), and the masked entries are exactly 0 in both.
  @Test func maskedBatchMatchesPyTorch() throws {
    let fixture = Self.fixtures.appendingPathComponent("cross_entropy_masked_16x1000.npz")
    let arrays = try ArrayFiles.read(contentsOf: fixture)
    let expected = try #require(arrays.first { $0.name == "dX" }?.value)
    let r = run("diff", "cross_entropy(X, T)", "--at", "@" + fixture.path, "--wrt", "X", "--json", "--no-result")
    #expect(r.status == 0, "\(r.err)")
    let j = try json(r.out)
    let value = try #require(j["value"] as? [[Double]])
    #expect(value.count == 16 && value.allSatisfy { $0.count == 1000 })
    #expect(j["certified"] as? Bool == true)
    let flat = value.flatMap { $0 }
    var zeros = 0
    for (i, (got, want)) in zip(flat, expected.values).enumerated() {
      #expect(Swift.abs(got - want) <= 1e-13 * Swift.abs(want) + 1e-300, "entry \(i): \(got) vs PyTorch \(want)")
      if want == 0 {
        zeros += 1
        #expect(got == 0)
      }
    }
    #expect(zeros > 1000, "only \(zeros) masked entries")
  }
}

/// `diff --share`: shared subexpressions printed once, entries in terms of them.
@Suite struct SharedOutputTests {
  func run(_ args: String...) -> (status: Int32, out: String, err: String) {
    let o = Output()
    let s = CommandLineTool.run(args, output: o)
    return (s, o.standardOutput, o.standardError)
  }

  @Test func rowSumsAreDefinedOnce() {
    let r = run("diff", "cross_entropy([[a, b, c], [d, e, f]], [2, 0])", "--wrt", "a,b,c,d,e,f", "--share")
    #expect(r.status == 0, "\(r.err)")
    #expect(
      r.out.hasPrefix(
        """
        S = exp(a) + exp(b) + exp(c)
        T = exp(d) + exp(e) + exp(f)
        d/da = exp(a)/(2*S)

        """), "\(r.out)")
  }

  /// Expanding the definitions (each in terms of the earlier ones) into the shared entries gives back exactly the
  /// unshared result, entry by entry, for a batch with masked and ignored rows.
  @Test func definitionsExpandToTheUnsharedResult() throws {
    let args = [
      "diff", "cross_entropy(X, [1, -100, 0, 2], weight=[1, 2, 3])", "--tensor", "X=4x3", "--wrt", "X", "--json",
    ]
    let plain = Output()
    let shared = Output()
    #expect(CommandLineTool.run(args, output: plain) == 0)
    #expect(CommandLineTool.run(args + ["--share"], output: shared) == 0)
    let p = try #require(try JSONSerialization.jsonObject(with: Data(plain.standardOutput.utf8)) as? [String: Any])
    let s = try #require(try JSONSerialization.jsonObject(with: Data(shared.standardOutput.utf8)) as? [String: Any])
    let definitions = try #require(s["definitions"] as? [[String: String]])
    #expect(definitions.count == 3, "\(definitions)")  // rows 0, 2, 3 (row 1 is ignored)
    let expected = try #require(p["result"] as? [[String]]).flatMap { $0 }
    let entries = try #require(s["result"] as? [[String]]).flatMap { $0 }
    var names: [Expr: Expr] = [:]
    for d in definitions {
      let definition = try Expr(parsing: try #require(d["expression"])).substituting(names)
      names[.symbol(try #require(d["name"]))] = definition
    }
    for (e, x) in zip(entries, expected) {
      #expect(try Expr(parsing: e).substituting(names) == (try Expr(parsing: x)), "\(e) vs \(x)")
    }
    #expect(s["value"] == nil && p["value"] == nil)
  }
}
