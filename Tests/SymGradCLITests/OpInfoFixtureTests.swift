import Foundation
import SymGrad
import SymGradTestSupport
import Testing

@testable import SymGradCLI

/// PyTorch's own OpInfo samples (`Tests/Fixtures/pytorch-opinfo/opinfo.json`, written by
/// `Scripts/record_pytorch_opinfo.py`) for the functions SymGrad implements: each sample
/// translated to an expression, with PyTorch's float64 output and autograd Jacobian.
@Suite struct OpInfoFixtureTests {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/pytorch-opinfo")

  static let records: [PyTorchRecord] = (try? PyTorchRecord.load(directory: directory)) ?? []

  /// One function's entry of the file's "summary".
  struct Counts: Sendable {
    let samples: Int
    let translated: Int
    let untranslated: [String: Int]
  }

  /// The file's "summary": function -> counts (nil entries: malformed).
  static let summary: [String: Counts?] = {
    guard let data = try? Data(contentsOf: directory.appendingPathComponent("opinfo.json")),
      let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let summary = top["summary"] as? [String: [String: Any]]
    else { return [:] }
    return summary.mapValues { s in
      guard let samples = s["samples"] as? Int, let translated = s["translated"] as? Int,
        let untranslated = s["untranslated"] as? [String: Int]
      else { return nil }
      return Counts(samples: samples, translated: translated, untranslated: untranslated)
    }
  }()

  /// Records where SymGrad's value differs from PyTorch's, with the reason (see
  /// /work/notes/opinfo-report.md). `knownDisagreementsStillDisagree` asserts each one still
  /// differs: when SymGrad changes so that one agrees, remove it here.
  static let knownDisagreements: [String: String] = {
    var known = [
      "opinfo/nn.functional.hardsigmoid/default/0":
        "PyTorch's float64 backward multiplies by float32(1/6) = 0.1666666716337204 on (-3, 3); SymGrad 1/6 (README, Divergences from PyTorch)"
    ]
    // Inputs of size 1e3 (samples 6-9) and 1e6 (11-14): IEEE evaluation of SymGrad's
    // log(exp(a) + ...) overflows to inf (README: IEEE results differ where they overflow);
    // the Jacobian agrees (IEEE gives inf/inf = NaN, and the fallback takes the exact value)
    // and the printed, certified outputs agree (certifiedValuesMatchPyTorch checks them).
    for sample in [6, 7, 8, 9, 11, 12, 13, 14] {
      known["opinfo/logsumexp/default/\(sample)"] =
        "IEEE overflow of exp at inputs ~1e\(sample < 10 ? 3 : 6): output inf; the certified value is PyTorch's"
    }
    return known
  }()

  /// The SymGrad function a record calls (the name before the first parenthesis).
  static func function(of r: PyTorchRecord) -> String {
    String(r.expression.prefix { $0 != "(" })
  }

  /// Every entry (output i, Jacobian [i][j]) where SymGrad and PyTorch differ: 1e-10
  /// relative, 1e-12 absolute; PyTorch's NaN must be SymGrad's NaN or an evaluation that
  /// reports the value undefined (log or sqrt outside the real domain).
  static func mismatches(_ r: PyTorchRecord) throws -> [String] {
    let result = try Expr.Value(parsing: r.expression)
    if result.shape != r.outputShape { return ["shape \(result.shape ?? []), PyTorch \(r.outputShape)"] }
    let outputs = result.flattened
    var found: [String] = []
    if outputs.count != r.output.count {
      return ["\(outputs.count) outputs, PyTorch \(r.output.count)"]
    }
    let jac = outputs.jacobian(withRespectTo: r.wrt.map(Expr.symbol))
    var ev = LimitAwareEvaluator(values: r.at)
    func value(_ e: Expr) -> Double {
      (try? ev.value(of: e)) ?? .nan
    }
    func check(_ s: Double, _ t: Double, _ place: String) {
      if !isApprox(s, t, rtol: 1e-10, atol: 1e-12) { found.append("\(place): SymGrad \(s), PyTorch \(t)") }
    }
    for i in outputs.indices { check(value(outputs[i]), r.output[i], "output[\(i)]") }
    if jac.count != r.jacobian.count { return found + ["Jacobian rows \(jac.count), PyTorch \(r.jacobian.count)"] }
    for i in jac.indices {
      guard jac[i].count == r.jacobian[i].count else {
        found.append("Jacobian row \(i): \(jac[i].count) columns, PyTorch \(r.jacobian[i].count)")
        continue
      }
      for j in jac[i].indices { check(value(jac[i][j]), r.jacobian[i][j], "[\(i)][\(j)]") }
    }
    return found
  }

  /// The same comparison for the numbers SymGrad prints (`CompiledFunction.certifiedValues`,
  /// as `symgrad eval` and `symgrad diff` do): faithful roundings of the exact values, or
  /// limits, instead of IEEE evaluation of the symbolic expressions.
  static func certifiedMismatches(_ r: PyTorchRecord) throws -> [String] {
    let value = try Expr.Value(parsing: r.expression)
    if value.shape != r.outputShape { return ["shape \(value.shape ?? []), PyTorch \(r.outputShape)"] }
    let outputs = value.flattened
    guard outputs.count == r.output.count else { return ["\(outputs.count) outputs, PyTorch \(r.output.count)"] }
    let jac = outputs.jacobian(withRespectTo: r.wrt.map(Expr.symbol))
    guard jac.count == r.jacobian.count, zip(jac, r.jacobian).allSatisfy({ $0.count == $1.count }) else {
      return ["Jacobian shape differs from PyTorch's"]
    }
    let values: [Double]
    do {
      values = try CompiledFunction.certifiedValues(of: outputs + jac.flatMap { $0 }, at: r.at).map(\.value)
    } catch {
      return ["certified evaluation throws: \(error)"]
    }
    let expected = r.output + r.jacobian.flatMap { $0 }
    let width = r.wrt.count
    return zip(values, expected).enumerated().compactMap { k, pair in
      if isApprox(pair.0, pair.1, rtol: 1e-10, atol: 1e-12) { return nil }
      let place =
        k < outputs.count ? "output[\(k)]" : "[\((k - outputs.count) / width)][\((k - outputs.count) % width)]"
      return "\(place): SymGrad \(pair.0), PyTorch \(pair.1)"
    }
  }

  /// Records whose certified values (what the CLI prints) differ from PyTorch's, with the
  /// reason. Asserted to still differ, like `knownDisagreements`.
  static let knownCertifiedDisagreements: [String: String] = [
    "opinfo/nn.functional.hardsigmoid/default/0":
      "PyTorch's float64 backward multiplies by float32(1/6) = 0.1666666716337204 on (-3, 3); SymGrad 1/6 (README, Divergences from PyTorch)"
  ]

  @Test(arguments: records.filter { knownCertifiedDisagreements[$0.id] == nil })
  func certifiedValuesMatchPyTorch(_ r: PyTorchRecord) throws {
    let found = try Self.certifiedMismatches(r)
    #expect(found.isEmpty, "\(r.id) (\(r.expression.prefix(120))): \(found.prefix(6).joined(separator: "; "))")
  }

  @Test(arguments: records.filter { knownCertifiedDisagreements[$0.id] != nil })
  func knownCertifiedDisagreementsStillDisagree(_ r: PyTorchRecord) throws {
    let found = try Self.certifiedMismatches(r)
    #expect(
      !found.isEmpty,
      "\(r.id) agrees now (listed: \(Self.knownCertifiedDisagreements[r.id] ?? "")): remove it from knownCertifiedDisagreements"
    )
  }

  /// The autograd oracle agrees with PyTorch on every OpInfo record it runs (1e-8 relative:
  /// BLAS against sequential sums); the records it does not run (shapes or options its
  /// bridge does not read) are counted, not failed: the oracle is a second opinion, and
  /// PyTorch's own values are checked against SymGrad above. 412 of the 680 run.
  @Test(.needsOracle) func oracleAgreesWhereItRuns() throws {
    var ran = 0
    for r in Self.records where !r.jacobian.isEmpty {
      guard let tree = try CallTree.parse(r.expression),
        let oracle = try? OracleBridge.evaluate(tree, variables: r.wrt, at: r.at)
      else { continue }
      ran += 1
      var bad: [String] = []
      for i in r.output.indices where !isApprox(oracle.value[i], r.output[i], rtol: 1e-8, atol: 1e-12) {
        bad.append("output[\(i)]: oracle \(oracle.value[i]), PyTorch \(r.output[i])")
      }
      for i in r.jacobian.indices {
        for j in r.jacobian[i].indices where !isApprox(oracle.jacobian[i][j], r.jacobian[i][j], rtol: 1e-8, atol: 1e-12)
        {
          bad.append("[\(i)][\(j)]: oracle \(oracle.jacobian[i][j]), PyTorch \(r.jacobian[i][j])")
        }
      }
      #expect(bad.isEmpty, "\(r.id) (\(r.expression.prefix(100))): \(bad.prefix(4).joined(separator: "; "))")
    }
    #expect(ran >= 400, "the oracle ran \(ran) OpInfo records (412 when this was written)")
  }

  @Test func fixturesArePresent() {
    #expect(Self.records.count > 300)
    // A Jacobian has a row per output element: none only for an empty output (a sample of
    // 0-element tensors, written zeros(...)); those records check the shape.
    #expect(Self.records.allSatisfy { $0.dtype == "float64" && ($0.jacobian.isEmpty == $0.output.isEmpty) })
    let empty = Self.records.filter { $0.expression.contains("zeros(") }
    #expect(empty.count >= 30, "the 0-element samples are recorded")
    #expect(empty.contains { $0.output.isEmpty } && empty.contains { !$0.output.isEmpty && !$0.wrt.isEmpty })
    #expect(Set(Self.records.map(\.id)).count == Self.records.count, "duplicate ids")
  }

  @Test(arguments: records.filter { knownDisagreements[$0.id] == nil })
  func symbolicMatchesPyTorch(_ r: PyTorchRecord) throws {
    let found = try Self.mismatches(r)
    #expect(
      found.isEmpty,
      "\(r.id) (\(r.expression.prefix(120))): \(found.count) entries: \(found.prefix(6).joined(separator: "; "))")
  }

  @Test(arguments: records.filter { knownDisagreements[$0.id] != nil })
  func knownDisagreementsStillDisagree(_ r: PyTorchRecord) throws {
    let found = try Self.mismatches(r)
    #expect(
      !found.isEmpty,
      "\(r.id) agrees now (listed: \(Self.knownDisagreements[r.id] ?? "")): remove it from knownDisagreements")
  }

  @Test func knownDisagreementsNameRecords() {
    let ids = Set(Self.records.map(\.id))
    for id in Self.knownDisagreements.keys { #expect(ids.contains(id), "\(id) is not a record") }
    for id in Self.knownCertifiedDisagreements.keys { #expect(ids.contains(id), "\(id) is not a record") }
  }

  /// The summary counts what the file holds: per function, the recorded cases are the
  /// translated samples, and every sample is translated or counted with a reason.
  @Test func summaryMatchesRecords() throws {
    let summary = Self.summary
    #expect(summary.count > 40)
    var recorded: [String: Int] = [:]
    for r in Self.records { recorded[Self.function(of: r), default: 0] += 1 }
    #expect(Set(recorded.keys).isSubset(of: Set(summary.keys)), "records of functions missing in the summary")
    for (function, counts) in summary {
      let s = try #require(counts, "\(function): malformed summary entry")
      #expect(
        s.translated == recorded[function, default: 0],
        "\(function): summary \(s.translated), records \(recorded[function, default: 0])")
      #expect(s.samples == s.translated + s.untranslated.values.reduce(0, +), "\(function): counts do not add up")
    }
    #expect(summary.values.compactMap { $0?.translated }.reduce(0, +) == Self.records.count)
  }

  /// Each record's id names its OpInfo and sample (`opinfo/<op>/<variant>/<index>`), and its
  /// symbols are x0, x1, ... in order, each with a point.
  @Test func recordsAreWellFormed() {
    for r in Self.records {
      let parts = r.id.split(separator: "/")
      #expect(parts.count == 4 && parts[0] == "opinfo" && Int(parts[3]) != nil, "\(r.id)")
      #expect(r.wrt == r.wrt.indices.map { "x\($0)" }, "\(r.id)")
      #expect(Set(r.at.keys) == Set(r.wrt), "\(r.id)")
      #expect(r.output.count == r.outputShape.reduce(1, *), "\(r.id)")
      #expect(r.jacobian.allSatisfy { $0.count == r.wrt.count }, "\(r.id)")
    }
  }
}
