import Foundation
import SymGrad
import SymGradOracle
import SymGradTestSupport
import Testing

@testable import SymGradCLI

/// The committed PyTorch records against the symbolic derivatives and the autograd oracle.
@Suite struct PyTorchFixtureTests {
  /// Records whose PyTorch value is not the derivative of PyTorch's forward function (or
  /// is NaN where the limit is finite): documented in README "Divergences from PyTorch".
  /// The limit evaluation of the limits issue resolves what IEEE gives as NaN here.
  static let divergences: [String: String] = [
    "edge/binary_cross_entropy/x0_y1/sum/1":
      "BCE backward clamps x(1-x) at float32(1e-12): -1/1e-12, not d/dx of the clamped forward",
    "edge/binary_cross_entropy/x0_y0/sum/1":
      "BCE backward gives 0 at x = 0, y = 0; the derivative of the loss is (1-y)/(1-x) = 1",
    "edge/binary_cross_entropy/x1_y1/sum/1": "BCE backward gives 0 at x = 1, y = 1; the derivative is -y/x = -1",
    "edge/binary_cross_entropy/x1_y0/sum/1": "BCE backward clamps at float32(1e-12) at x = 1",
    "edge/binary_cross_entropy/x0_y0.5/sum/1": "BCE backward clamps at float32(1e-12) at x = 0",
    "edge/binary_cross_entropy/boundaries/weight/none/2x2": "BCE backward at x in {0, 1}",
    "edge/binary_cross_entropy/tiny_x/sum/1":
      "BCE backward clamps x(1-x) at 1e-12 for x = 1e-300; the clamped forward is flat there",
    "edge/sigmoid_focal_loss/saturated/x40_y1/gamma0.5/none/1": "PyTorch: 0**(gamma-1) * 0 = NaN; the gradient is 0",
    "edge/sigmoid_focal_loss/saturated/x-40_y0/gamma0.5/none/1": "PyTorch: 0**(gamma-1) * 0 = NaN; the gradient is 0",
    "attention/sdpa/fully_masked_row/float/L2S3E2/0":
      "fully masked row: PyTorch 0 (safe softmax); the same-rate limit is the unmasked softmax",
    "attention/sdpa/fully_masked_row/bool/L3S3E2/0":
      "fully masked row: PyTorch 0 (safe softmax); the same-rate limit is the unmasked softmax",
    "attention/sdpa/row_masked_finfo_min/L2S3E2/0":
      "s + finfo.min rounds to finfo.min in PyTorch (uniform weights); exactly, a common shift cancels",
  ]

  /// The documented divergence of a record, if any. Every `all_ignored` mean: the mean
  /// is 0/0, undefined, and so is its gradient (PyTorch: loss NaN, gradient 0).
  static func divergence(_ id: String) -> String? {
    divergences[id] ?? (id.contains("all_ignored") && id.contains("mean") ? "every row ignored: 0/0" : nil)
  }

  /// Functions whose float64 backward multiplies by a float32 constant (ATen's
  /// `hardsigmoid_backward` writes `1.0f / 6.0f`): where PyTorch's Jacobian entry is that
  /// constant, SymGrad's must be the exact derivative (README "Divergences from PyTorch").
  static let float32BackwardConstants: [(prefix: String, pytorch: Double, exact: Double)] = [
    ("hardsigmoid/", Double(Float(1) / Float(6)), 1.0 / 6.0)
  ]

  /// Jacobian entries where PyTorch's backward differentiates at a value its forward
  /// clamped under `no_grad` (gaussian_nll_loss's `var` below `eps`): SymGrad gives the
  /// derivative of the clamped loss, 0 (README "Divergences from PyTorch"); PyTorch's is not 0.
  static let clampedGradientEntries: [String: Set<[Int]>] = ["gaussian_nll_loss/clamped_var": [[0, 0]]]

  /// Records whose comparison needs a wider tolerance, with the reason.
  static let tolerances: [String: Double] = [
    // s - 1e9 in float64 carries an absolute error up to ulp(1e9) = 1.2e-7 in each
    // exponent, in PyTorch as in our double evaluation: ~1e-7 relative in the weights.
    "attention/sdpa/row_masked_minus_1e9/L2S3E2/0": 1e-6
  ]

  /// Float32 records with an entry on which PyTorch's float32 loses more than 1e-5
  /// relative, with the absolute tolerance used for the record and how it was reached.
  static let float32Absolute: [String: Double] = [
    // Jacobian entry [20][22], -0.72383 (d output / d query through the projections, the
    // softmax and the out-projection): PyTorch's float32 backward gives -0.72382, 1.1e-5
    // (1.6e-5 relative) from the exact value. The tolerance is an estimate, not a computed
    // bound: some 20 roundings over terms of ~20 in magnitude, 20 * 6e-8 * 20 = 2.4e-5. A
    // first-order running-error bound of SymGrad's derivative formula was computed and is
    // 0.018, too loose to test anything (it cannot see that softmax's numerator and
    // denominator errors cancel). Every other float32 entry passes at 1e-5 relative.
    "linalg/mha/self_attention_output/float32": 2.4e-5
  ]

  static let supported: [PyTorchRecord] = Fixtures.records

  static var finite: [PyTorchRecord] {
    supported.filter { $0.at.values.allSatisfy(\.isFinite) && !$0.jacobian.isEmpty }
  }

  @Test func fixturesArePresent() {
    #expect(Fixtures.records.count > 400)
    #expect(Self.finite.count > 350)
  }

  /// The symbolic output and Jacobian at each record's point match PyTorch:
  /// float64 records to 1e-10 relative (1e-12 absolute for entries that cancel to ~0);
  /// float32 records to float32 precision (ulps of 1.2e-7 accumulated through
  /// log-sum-exp and the mean: 1e-5 relative, 1e-6 absolute).
  /// Where PyTorch recorded NaN, the value must be the one recorded independently with
  /// sympy under SymGrad's limit semantics (`Tests/Fixtures/pytorch/nan_limits.json`,
  /// `Scripts/record_nan_limits.py`): a number, +-inf, or undefined (NaN) with a reason.
  @Test(arguments: supported.filter { divergence($0.id) == nil && !$0.jacobian.isEmpty })
  func symbolicMatchesPyTorch(_ r: PyTorchRecord) throws {
    let value = try Expr.Value(parsing: r.expression)
    let outputs = value.flattened
    let jac = outputs.jacobian(withRespectTo: r.wrt.map(Expr.symbol))
    var ev = LimitAwareEvaluator(values: r.at)
    let (rtol, atol) =
      r.dtype == "float32" ? (1e-5, Self.float32Absolute[r.id] ?? 1e-6) : (Self.tolerances[r.id] ?? 1e-10, 1e-12)
    #expect(outputs.count == r.output.count)
    func check(_ s: Double, _ t: Double, _ entry: NaNLimits.Entry) {
      if t.isNaN {
        guard let limit = NaNLimits.expected[entry] else {
          Issue.record("\(entry): PyTorch is NaN and no limit is recorded: rerun Scripts/record_nan_limits.py")
          return
        }
        Self.expectLimit(s, limit, entry)
      } else {
        #expect(isApprox(s, t, rtol: rtol, atol: atol), "\(entry): \(s) vs PyTorch \(t)")
      }
    }
    for i in outputs.indices {
      check(try ev.value(of: outputs[i]), r.output[i], .init(id: r.id, index: [i]))
    }
    let constant = Self.float32BackwardConstants.first { r.id.hasPrefix($0.prefix) }
    for i in jac.indices {
      for j in jac[i].indices {
        let s = try ev.value(of: jac[i][j])
        if Self.clampedGradientEntries[r.id]?.contains([i, j]) == true {
          #expect(s == 0 && r.jacobian[i][j] != 0, "\(r.id) [\(i), \(j)]: SymGrad \(s), PyTorch \(r.jacobian[i][j])")
          continue
        }
        if let constant, r.jacobian[i][j] == constant.pytorch {
          #expect(s == constant.exact, "\(r.id) [\(i), \(j)]: \(s), not the exact \(constant.exact)")
          continue
        }
        check(s, r.jacobian[i][j], .init(id: r.id, index: [i, j]))
      }
    }
  }

  /// The float32-constant divergence is exercised: the hardsigmoid records hold PyTorch's
  /// float32(1/6), so the exemption above is taken.
  @Test func hardsigmoidBackwardConstantIsRecorded() {
    for c in Self.float32BackwardConstants {
      let entries = Fixtures.records.filter { $0.id.hasPrefix(c.prefix) }.flatMap { $0.jacobian.joined() }
      #expect(entries.contains(c.pytorch), "\(c.prefix): no recorded entry equals PyTorch's constant")
    }
  }

  /// Entries where SymGrad's value disagrees with the independently recorded limit/exact
  /// value (`nan_limits.json`), and why. `expectLimit` asserts that each still disagrees:
  /// when one is fixed, the test fails and the entry must be removed from this list.
  static let knownIssues: [NaNLimits.Entry: String] = {
    var issues: [NaNLimits.Entry: String] = [:]
    // A row masked with finfo(float64).min: s_j + min rounds, exp underflows, IEEE gives
    // 0/0; the exact value (the common shift cancels: softmax of the scores, as the README
    // states) exists, but SymGrad's fallback returns undefined.
    let finfo = "attention/sdpa/row_masked_finfo_min/L2S3E2/0"
    for index in [[2], [3], [2, 2], [2, 3], [3, 2], [3, 3]] {
      issues[.init(id: finfo, index: index)] = "fully finfo.min-masked row: exact value exists, SymGrad gives NaN"
    }
    // BCE's clamped loss at x = 1, y = 0 is constant on (1 - e^-100, 1]: its derivative in
    // the domain [0, 1] is 0 (the mirror of x = 0, y = 1, where SymGrad gives 0). SymGrad
    // approaches from above only, which leaves the domain, and gives NaN.
    issues[.init(id: "edge/binary_cross_entropy/x1_y0/sum/1", index: [0, 0])] =
      "derivative at x = 1 from inside [0, 1] is 0; SymGrad NaN"
    issues[.init(id: "edge/binary_cross_entropy/boundaries/weight/none/2x2", index: [3, 3])] =
      "the same at x = 1, y = 0, weight 4"
    // IEEE underflow/cancellation that gives a number, not NaN, so no exact fallback:
    // 1 - sigmoid(40) = 0 in double. The exact values are e^-60-sized (issue 8: the
    // fallback runs only on NaN; certified evaluation fixes it).
    issues[.init(id: "edge/sigmoid_focal_loss/saturated/x40_y1/gamma0.5/none/1", index: [0])] =
      "loss 2.19e-27 exactly; IEEE 0"
    issues[.init(id: "edge/sigmoid_focal_loss/saturated/x-40_y0/gamma0.5/none/1", index: [0])] =
      "loss 6.57e-27 exactly; IEEE 0"
    issues[.init(id: "edge/sigmoid_focal_loss/saturated/x-40_y0/gamma0.5/none/1", index: [0, 0])] =
      "gradient 9.85e-27 exactly; IEEE 0"
    // Cancellation in double: entries of size 5e-9 built from terms of size 1 keep ~8
    // digits (SymGrad 5.19840022e-9, exact 5.19840004e-9, PyTorch 5.19840050e-9).
    let bool = "attention/sdpa/fully_masked_row/bool/L3S3E2/0"
    issues[.init(id: bool, index: [5, 4])] = "cancellation in double: relative error 4e-8"
    issues[.init(id: bool, index: [5, 5])] = "cancellation in double: relative error 6e-8"
    return issues
  }()

  /// `s` is the recorded value `limit`. Finite recorded values are the exact values
  /// rounded to the nearest double (sympy, confirmed with 50-digit mpmath). SymGrad's
  /// values are short exp/log/rational expressions evaluated in double: 1e-10 relative
  /// (the bound used against PyTorch's float64 values, where a few cancelling terms
  /// lose digits). Absolute slack only for an exact 0 (1e-15: terms of size <= 1 that
  /// cancel in double leave a few ulps of 1); a nonzero value, however tiny (the focal
  /// loss's 1e-27), must be right relatively: the semantics is the exact value.
  static func expectLimit(_ s: Double, _ limit: Double?, _ entry: NaNLimits.Entry) {
    let agrees: Bool
    if let limit {
      agrees = isApprox(s, limit, rtol: 1e-10, atol: limit == 0 ? 1e-15 : 0)
    } else {
      agrees = s.isNaN
    }
    let expected = limit.map { "\($0)" } ?? "undefined"
    if let issue = knownIssues[entry] {
      #expect(!agrees, "\(entry) (known issue: \(issue)) now agrees (\(s)): remove it from knownIssues")
    } else {
      #expect(agrees, "\(entry): SymGrad \(s), recorded limit \(expected) (\(NaNLimits.reasons[entry] ?? ""))")
    }
  }

  /// Each documented divergence holds, with the values recorded independently: every
  /// output and Jacobian entry of the record is the recorded limit/exact value (so the
  /// README's "SymGrad" column is checked, not just "differs from PyTorch"), and PyTorch's
  /// recorded value differs from it in at least one entry (so the divergence is real).
  @Test(arguments: supported.filter { divergence($0.id) != nil })
  func documentedDivergencesHold(_ r: PyTorchRecord) throws {
    let value = try Expr.Value(parsing: r.expression)
    let outputs = value.flattened
    let jac = outputs.jacobian(withRespectTo: r.wrt.map(Expr.symbol))
    var ev = LimitAwareEvaluator(values: r.at)
    var pytorchDiffers = false
    func check(_ s: Double, _ torch: Double, _ entry: NaNLimits.Entry) {
      guard let limit = NaNLimits.expected[entry] else {
        Issue.record("\(entry): no recorded value for a divergence entry: rerun Scripts/record_nan_limits.py")
        return
      }
      Self.expectLimit(s, limit, entry)
      let same = limit.map { isApprox(torch, $0, rtol: 1e-6, atol: 1e-9) } ?? torch.isNaN
      if !same { pytorchDiffers = true }
    }
    #expect(outputs.count == r.output.count)
    for i in outputs.indices {
      check(try ev.value(of: outputs[i]), r.output[i], .init(id: r.id, index: [i]))
    }
    for i in jac.indices {
      for j in jac[i].indices {
        check(try ev.value(of: jac[i][j]), r.jacobian[i][j], .init(id: r.id, index: [i, j]))
      }
    }
    #expect(pytorchDiffers, "\(r.id): PyTorch agrees with the limit everywhere: update the divergence table")
  }

  /// The recorded file covers exactly what the tests need: every NaN of every PyTorch
  /// record, and every entry of every divergence record; nothing for unknown records.
  @Test func nanLimitsCoverEveryNaNAndDivergence() throws {
    #expect(NaNLimits.entries.count > 200)
    var needed = Set<NaNLimits.Entry>()
    for r in Fixtures.records {
      for (i, v) in r.output.enumerated() where v.isNaN || Self.divergence(r.id) != nil {
        needed.insert(.init(id: r.id, index: [i]))
      }
      for (i, row) in r.jacobian.enumerated() {
        for (j, v) in row.enumerated() where v.isNaN || Self.divergence(r.id) != nil {
          needed.insert(.init(id: r.id, index: [i, j]))
        }
      }
    }
    let recorded = Set(NaNLimits.entries.map(\.entry))
    #expect(
      needed.subtracting(recorded).isEmpty,
      "not recorded: \(needed.subtracting(recorded).sorted { $0.description < $1.description })")
    #expect(recorded.subtracting(needed).isEmpty, "recorded but not needed: \(recorded.subtracting(needed))")
    // The script's divergence list is the table above (and the all_ignored means).
    let scriptDivergences = Set(NaNLimits.entries.filter { $0.kind == "divergence" }.map(\.entry.id))
    let tableDivergences = Set(Fixtures.records.map(\.id).filter { Self.divergence($0) != nil })
    #expect(scriptDivergences == tableDivergences)
    // Every known issue names a recorded entry.
    for e in Self.knownIssues.keys { #expect(recorded.contains(e), "\(e)") }
    // 116 NaN entries in the torch 2.15 records (the count is part of the record).
    #expect(NaNLimits.entries.filter { $0.kind == "pytorch_nan" }.count == 116)
  }

  /// The README's example: `softmax([1 + m0, 2 + m1, 0.5 + m2])` with every `m = -inf`
  /// is `softmax([1, 2, 0.5])` (the -inf constants cancel at the same rate), as printed
  /// in the README, and IEEE arithmetic gives NaN there.
  @Test func readmeMaskedSoftmaxExample() throws {
    let readme = try String(
      contentsOf: Fixtures.directory.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
    let command = "$ swift run symgrad eval 'softmax([1 + m0, 2 + m1, 0.5 + m2])' --at m0=-inf,m1=-inf,m2=-inf"
    let lines = readme.components(separatedBy: "\n")
    let at = try #require(lines.firstIndex(of: command), "README no longer shows the example")
    let stated = try #require(lines[(at + 1)...].first { $0.hasPrefix("= [") })
    let printed = stated.dropFirst(3).dropLast().split(separator: ",").compactMap {
      Double($0.trimmingCharacters(in: .whitespaces))
    }
    #expect(printed.count == 3)
    #expect(lines[(at + 1)...].prefix(4).contains("  (IEEE arithmetic gives [nan, nan, nan])"))
    // Independently: softmax([1, 2, 0.5]) in double, each within 4 ulps of the printed
    // (shortest round-trip) value.
    let e = [1.0, 2.0, 0.5].map(Foundation.exp)
    let total = e.reduce(0, +)
    for (p, x) in zip(printed, e.map { $0 / total }) { #expect(Swift.abs(p - x) <= 4 * p.ulp, "\(p) vs \(x)") }
    // The command itself, in process: the stated values (4 ulps: the limit's exact form is
    // evaluated in double) and the IEEE NaN.
    let o = Output()
    let status = CommandLineTool.run(
      ["eval", "softmax([1 + m0, 2 + m1, 0.5 + m2])", "--at", "m0=-inf,m1=-inf,m2=-inf", "--json"], output: o)
    #expect(status == 0)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(o.standardOutput.utf8)) as? [String: Any])
    let values = (json["value"] as? [NSNumber] ?? []).map(\.doubleValue)
    #expect(values.count == 3)
    for (v, p) in zip(values, printed) { #expect(Swift.abs(v - p) <= 4 * p.ulp, "\(v) vs README \(p)") }
    #expect(json["ieee"] as? [String] == ["nan", "nan", "nan"])
    // A finite shift does not matter either (same rate: the masks cancel, not the scores).
    var ev = LimitAwareEvaluator(values: ["m0": -.infinity, "m1": -.infinity, "m2": -.infinity])
    let s = try Expr.Value(parsing: "softmax([1 + m0, 2 + m1, 0.5 + m2])").flattened
    for (x, p) in zip(s, printed) { #expect(Swift.abs(try ev.value(of: x) - p) <= 4 * p.ulp) }
  }

  /// Records the oracle does not run, by id prefix, each with the reason and a fragment
  /// of the bridge's `NotApplicable` message. Asserted both ways by `oracleMatchesPyTorch`:
  /// a record skipped without an entry here fails, and so does a record listed here that
  /// the oracle now runs (remove its entry).
  typealias Skip = (prefix: String, fragment: String, reason: String)

  static let oracleSkips: [Skip] = {
    var skips: [Skip] = [
      (
        "blog/bce_of_softmax_column", "the oracle needs inputs that are symbols or numbers",
        "BCE of one softmax column: the bridge reads the column as symbolic entries, not as torch.select of a softmax"
      ),
      ("cosine_similarity/dim0/", "the oracle works along the last dimension only", "cosine_similarity along dim 0"),
      ("normalize/p1_dim0/", "the oracle works along the last dimension only", "normalize along dim 0"),
      (
        "kernels/z_loss/", "not a call",
        "the z-loss is a sum of a loss call and a mean of logsumexp: the bridge runs one call"
      ),
      (
        "linalg/syntax/attention_by_key", "the oracle needs inputs that are symbols or numbers",
        "softmax of q @ x.T / 2: the operator form is evaluated before the call; the same scores are recorded with matmul and transpose calls"
      ),
      (
        "linalg/syntax/", "not a call",
        "the operator forms @, .T and .mT: the same products are recorded as matmul and transpose calls, which the oracle runs"
      ),
    ]
    skips += ["broadcast_target", "broadcast_input", "scalar_var", "middle_var"].map { name -> Skip in
      (
        "gaussian_nll_loss/\(name)/", "the oracle takes a target of the input's shape",
        "torch 2.15's broadcasting of target, input and var: the oracle's loss pairs elements one to one (the symbolic side is checked against PyTorch)"
      )
    }
    skips += [
      "log_or_zero", "square_at_or_above_one", "sqrt_or_linear", "product_below", "equal_pick", "ratio_where_different",
      "broadcast_column", "inside_interval", "outside_or",
    ].map { name -> Skip in
      (
        "where/\(name)/", "a condition of literal True/False only",
        "a comparison as condition: evaluating it would take SymGrad's expressions, which the oracle must not use (literal conditions run)"
      )
    }
    skips += [
      "pairwise_distance/broadcast_rows", "pairwise_distance/broadcast_by_x2", "triplet_margin_loss/broadcast/",
    ].map {
      prefix -> Skip in
      (
        prefix, "the oracle pairs tensors of equal shapes",
        "pairwise_distance's broadcasting (ATen's x1 - x2): the oracle pairs elements one to one (the symbolic side is checked against PyTorch)"
      )
    }
    skips += [
      (
        "kernels/soft_cap/", "the oracle needs inputs that are symbols or numbers",
        "soft-capped logits c*tanh(x/c) inside the loss: the bridge reads symbols, linear, sigmoid or softmax there"
      )
    ]
    return skips
  }()

  static func oracleSkip(_ id: String) -> (prefix: String, fragment: String, reason: String)? {
    oracleSkips.first { id.hasPrefix($0.prefix) }
  }

  /// The oracle reproduces PyTorch on every record it can run: the same formulas in
  /// float64 (1e-9 relative: BLAS vs sequential sums), except where PyTorch's float32
  /// constant 1e-12 in the BCE backward shows (relative 4e-9). NaN where PyTorch is NaN:
  /// the oracle computes as PyTorch does.
  @Test(.needsOracle, arguments: supported.filter { $0.dtype == "float64" && !$0.jacobian.isEmpty })
  func oracleMatchesPyTorch(_ r: PyTorchRecord) throws {
    let skip = Self.oracleSkip(r.id)
    let oracle: (value: [Double], jacobian: [[Double]])
    do {
      guard let tree = try CallTree.parse(r.expression) else {
        #expect(skip?.fragment == "not a call", "\(r.id): not a call the oracle bridge reads, and not in oracleSkips")
        return
      }
      oracle = try OracleBridge.evaluate(tree, variables: r.wrt, at: r.at)
    } catch let e as OracleBridge.NotApplicable {
      if let skip {
        #expect(e.description.contains(skip.fragment), "\(r.id): skipped for another reason: \(e.description)")
      } else {
        Issue.record("\(r.id): the oracle does not run it (\(e.description)) and it is not in oracleSkips")
      }
      return
    }
    #expect(skip == nil, "\(r.id): the oracle runs it now: remove '\(skip?.prefix ?? "")' from oracleSkips")
    for i in r.jacobian.indices {
      for j in r.jacobian[i].indices {
        #expect(
          isApprox(oracle.jacobian[i][j], r.jacobian[i][j], rtol: 1e-8, atol: 1e-12),
          "\(r.id) [\(i)][\(j)]: oracle \(oracle.jacobian[i][j]) vs torch \(r.jacobian[i][j])")
      }
    }
    for i in r.output.indices {
      #expect(isApprox(oracle.value[i], r.output[i], rtol: 1e-9, atol: 1e-12), "\(r.id) output[\(i)]")
    }
  }

  /// Registered functions the oracle has no counterpart of, and why: constructors and
  /// calculus (no PyTorch function to reproduce), and SymGrad's own helpers.
  static let withoutOracle: [String: String] = [
    "grad": "calculus inside expressions", "jacobian": "calculus inside expressions",
    "hessian": "calculus inside expressions", "simplify": "SymGrad's simplifier", "symbols": "a constructor",
    "zeros": "a constructor", "ones": "a constructor", "eye": "a constructor", "one_hot": "a constructor",
    "diag": "a constructor", "outer": "a constructor", "causal_mask": "a constructor",
    "generate_square_subsequent_mask": "a constructor (its masks are checked inside attention records)",
    "unit_interval": "SymGrad's domain helper", "view": "reshape's alias (reshape runs in the oracle)",
  ]

  /// Every registered function is run by the oracle on at least one PyTorch record (ours or
  /// an OpInfo sample; as the outermost call or inside one), except those in `withoutOracle`.
  @Test(.needsOracle) func oracleRunsEveryFunction() throws {
    var ran = Set<String>()
    func names(_ t: CallTree) -> [String] {
      [t.name]
        + t.positional.flatMap { a -> [String] in if case .call(let c) = a { return names(c) } else { return [] } }
    }
    for r in Fixtures.records + OpInfoFixtureTests.records where r.dtype == "float64" && !r.jacobian.isEmpty {
      guard let tree = try? CallTree.parse(r.expression),
        (try? OracleBridge.evaluate(tree, variables: r.wrt, at: r.at)) != nil
      else { continue }
      ran.formUnion(names(tree).map { FunctionRegistry.resolve($0)?.name ?? $0 })
    }
    let missing = FunctionRegistry.entries.map(\.name).filter { !ran.contains($0) && Self.withoutOracle[$0] == nil }
    #expect(missing.isEmpty, "registered functions no record runs through the oracle: \(missing.sorted())")
    let stale = Self.withoutOracle.keys.filter { ran.contains($0) }
    #expect(stale.isEmpty, "run by the oracle now, remove from withoutOracle: \(stale.sorted())")
  }

  /// Every allow-list entry still names records (no stale entries).
  @Test func oracleSkipsNameRecords() {
    for s in Self.oracleSkips {
      #expect(Fixtures.records.contains { $0.id.hasPrefix(s.prefix) && $0.dtype == "float64" }, "\(s.prefix)")
    }
  }

  /// The blog's printed float32 losses (8 significant digits), from our symbolic losses at
  /// the blog's float32 logits: within half a unit of the 8th digit plus float32 noise.
  @Test func blogPrintedLosses() throws {
    let printed: [(String, [Double])] = [
      ("blog/cross_entropy/class_targets/none/float32", [2.4427776, 1.4271057, 0.99968183, 0.06437338, 2.0198019]),
      ("blog/cross_entropy/hard_probs/none/float32", [2.4427776, 1.4271057, 0.99968183, 0.06437338, 2.0198019]),
      ("blog/cross_entropy/soft_probs/none/float32", [0.4737186, 1.0628904, 0.5669178, 0.39352775, 1.4264644]),
      (
        "blog/bce_with_logits/hard_probs/none/float32",
        [
          3.5669463, 0.26643512, 0.9737141, 1.0721908, 1.1070106, 0.6140938, 0.28206122, 0.18568796, 1.7221372,
          0.8846513,
        ]
      ),
      (
        "blog/bce_of_softmax/hard_probs/none/float32",
        [
          2.4427779, 2.4427776, 1.4271057, 1.4271059, 0.99968195, 0.9996819, 0.06437341, 0.06437336, 2.0198019,
          2.0198016,
        ]
      ),
      (
        "blog/bce_of_softmax/soft_probs/none/float32",
        [
          0.47371858, 0.47371864, 1.0628904, 1.0628906, 0.5669178, 0.56691784, 0.39352778, 0.3935278, 1.4264644,
          1.4264642,
        ]
      ),
    ]
    for (id, values) in printed {
      let r = try #require(Fixtures.records.first { $0.id == id })
      let outputs = try Expr.Value(parsing: r.expression).flattened
      for (e, p) in zip(outputs, values) {
        let v = try e.evaluate(at: r.at)
        #expect(isApprox(v, p, rtol: 2e-6, atol: 1e-7), "\(id): \(v) vs printed \(p)")
      }
    }
  }

  /// The forum's printed gradient, to its 4 decimals (its weights are rounded to 4
  /// decimals too, so the last digit can differ by one: 1e-4).
  @Test func forumGradient() throws {
    let text = Walkthrough.layer
    let g = try Expr(parsing: text).gradient(withRespectTo: ["w00", "w01", "w10", "w11"].map(Expr.symbol))
    let values = try g.map { try $0.evaluate(at: Walkthrough.weights) }
    for (v, p) in zip(values, [-0.1206, 0.8855, 0.1206, -0.8855]) { #expect(Swift.abs(v - p) <= 1e-4) }
  }
}

extension PyTorchRecord: CustomTestStringConvertible {
  public var testDescription: String { id }
}

/// `Tests/Fixtures/pytorch/nan_limits.json` (written by `Scripts/record_nan_limits.py`):
/// the value under SymGrad's semantics of every entry PyTorch recorded as NaN and of every
/// entry of the documented divergences, computed with sympy from each record's `call`.
enum NaNLimits {
  /// One output (`index` [i]) or Jacobian entry (`index` [i, j]) of a record.
  struct Entry: Hashable, Sendable, CustomStringConvertible {
    let id: String
    let index: [Int]
    var description: String {
      index.count == 1 ? "\(id) output[\(index[0])]" : "\(id) [\(index[0])][\(index[1])]"
    }
  }

  struct Recorded: Sendable {
    let entry: Entry
    let kind: String
    /// nil: undefined.
    let expected: Double?
    let reason: String
  }

  static let entries: [Recorded] = {
    let url = Fixtures.directory.appendingPathComponent("nan_limits.json")
    guard let data = try? Data(contentsOf: url),
      let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let list = top["entries"] as? [[String: Any]]
    else { return [] }
    return list.compactMap { e in
      guard let id = e["id"] as? String, let index = e["index"] as? [Int], let text = e["expected"] as? String,
        let kind = e["kind"] as? String, let which = e["entry"] as? String,
        index.count == (which == "output" ? 1 : 2)
      else { return nil }
      let value: Double?
      switch text {
      case "undefined": value = nil
      case "inf": value = .infinity
      case "-inf": value = -.infinity
      default:
        guard let d = Double(text) else { return nil }
        value = d
      }
      return Recorded(
        entry: Entry(id: id, index: index), kind: kind, expected: value, reason: e["reason"] as? String ?? "")
    }
  }()

  /// The recorded value of each entry (`.some(nil)`: undefined).
  static let expected: [Entry: Double?] = Dictionary(
    entries.map { ($0.entry, $0.expected) }, uniquingKeysWith: { a, _ in a })
  static let reasons: [Entry: String] = Dictionary(
    entries.map { ($0.entry, $0.reason) }, uniquingKeysWith: { a, _ in a })
}
