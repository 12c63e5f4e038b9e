import Foundation
import SymGrad
import SymGradOracle
import Testing
@testable import SymGradCLI

/// The committed PyTorch records against the symbolic derivatives and the autograd oracle.
@Suite struct PyTorchFixtureTests {
  /// Records whose PyTorch value is not the derivative of PyTorch's forward function (or
  /// is NaN where the limit is finite): documented in README "Divergences from PyTorch".
  /// The limit evaluation of the limits issue resolves what IEEE gives as NaN here.
  static let divergences: [String: String] = [
    "edge/binary_cross_entropy/x0_y1/sum/1": "BCE backward clamps x(1-x) at float32(1e-12): -1/1e-12, not d/dx of the clamped forward",
    "edge/binary_cross_entropy/x0_y0/sum/1": "BCE backward gives 0 at x = 0, y = 0; the derivative of the loss is (1-y)/(1-x) = 1",
    "edge/binary_cross_entropy/x1_y1/sum/1": "BCE backward gives 0 at x = 1, y = 1; the derivative is -y/x = -1",
    "edge/binary_cross_entropy/x1_y0/sum/1": "BCE backward clamps at float32(1e-12) at x = 1",
    "edge/binary_cross_entropy/x0_y0.5/sum/1": "BCE backward clamps at float32(1e-12) at x = 0",
    "edge/binary_cross_entropy/boundaries/weight/none/2x2": "BCE backward at x in {0, 1}",
    "edge/binary_cross_entropy/tiny_x/sum/1": "BCE backward clamps x(1-x) at 1e-12 for x = 1e-300; the clamped forward is flat there",
    "edge/sigmoid_focal_loss/saturated/x40_y1/gamma0.5/none/1": "PyTorch: 0**(gamma-1) * 0 = NaN; the gradient is 0",
    "edge/sigmoid_focal_loss/saturated/x-40_y0/gamma0.5/none/1": "PyTorch: 0**(gamma-1) * 0 = NaN; the gradient is 0",
    "attention/sdpa/fully_masked_row/float/L2S3E2/0": "fully masked row: PyTorch 0 (safe softmax); the same-rate limit is the unmasked softmax",
    "attention/sdpa/fully_masked_row/bool/L3S3E2/0": "fully masked row: PyTorch 0 (safe softmax); the same-rate limit is the unmasked softmax",
    "attention/sdpa/row_masked_finfo_min/L2S3E2/0": "s + finfo.min rounds to finfo.min in PyTorch (uniform weights); exactly, a common shift cancels",
  ]

  /// The documented divergence of a record, if any. Every `all_ignored` mean: the mean
  /// is 0/0, undefined, and so is its gradient (PyTorch: loss NaN, gradient 0).
  static func divergence(_ id: String) -> String? {
    divergences[id] ?? (id.contains("all_ignored") && id.contains("mean") ? "every row ignored: 0/0" : nil)
  }

  /// Records whose comparison needs a wider tolerance, with the reason.
  static let tolerances: [String: Double] = [
    // s - 1e9 in float64 carries an absolute error up to ulp(1e9) = 1.2e-7 in each
    // exponent, in PyTorch as in our double evaluation: ~1e-7 relative in the weights.
    "attention/sdpa/row_masked_minus_1e9/L2S3E2/0": 1e-6,
  ]

  /// Outputs and Jacobians where PyTorch is NaN but the limit exists (the reference
  /// table's last column), checked for their value in `EdgeCaseTableTests`.
  static func nanInPyTorch(_ x: Double) -> Bool { x.isNaN }

  static let supported: [PyTorchRecord] = Fixtures.records

  static var finite: [PyTorchRecord] {
    supported.filter { $0.at.values.allSatisfy(\.isFinite) && !$0.jacobian.isEmpty }
  }

  @Test func fixturesArePresent() {
    #expect(Fixtures.records.count > 400)
    #expect(Self.finite.count > 350)
  }

  /// The symbolic output and Jacobian at each record's (finite) point match PyTorch:
  /// float64 records to 1e-10 relative (1e-12 absolute for entries that cancel to ~0);
  /// float32 records to float32 precision (ulps of 1.2e-7 accumulated through
  /// log-sum-exp and the mean: 1e-5 relative, 1e-6 absolute).
  /// Every record (finite inputs and +-inf inputs alike) at its point, with the limit
  /// semantics: where PyTorch is finite we agree with it; where PyTorch is NaN our value
  /// is the limit, a number (the table of the README lists them).
  @Test(arguments: supported.filter { divergence($0.id) == nil && !$0.jacobian.isEmpty })
  func symbolicMatchesPyTorch(_ r: PyTorchRecord) throws {
    let value = try Value(parsing: r.expression)
    let outputs = value.flattened
    let jac = jacobian(of: outputs, withRespectTo: r.wrt.map(Expr.symbol))
    var ev = LimitAwareEvaluator(values: r.at)
    let (rtol, atol) = r.dtype == "float32" ? (1e-5, 1e-6) : (Self.tolerances[r.id] ?? 1e-10, 1e-12)
    #expect(outputs.count == r.output.count)
    func agree(_ s: Double, _ t: Double) -> Bool { t.isNaN ? !s.isNaN : close(s, t, rtol: rtol, atol: atol) }
    for i in outputs.indices {
      let s = try ev.value(of: outputs[i])
      #expect(agree(s, r.output[i]), "\(r.id) output[\(i)]: \(s) vs \(r.output[i])")
    }
    for i in jac.indices {
      for j in jac[i].indices {
        let s = try ev.value(of: jac[i][j])
        #expect(agree(s, r.jacobian[i][j]), "\(r.id) [\(i)][\(j)]: \(s) vs \(r.jacobian[i][j])")
      }
    }
  }

  /// Each documented divergence still holds: PyTorch's recorded gradient differs from the
  /// derivative of the function (so the documentation stays true).
  @Test(arguments: supported.filter { divergence($0.id) != nil })
  func documentedDivergencesHold(_ r: PyTorchRecord) throws {
    let value = try Value(parsing: r.expression)
    let jac = jacobian(of: value.flattened, withRespectTo: r.wrt.map(Expr.symbol))
    var ev = LimitAwareEvaluator(values: r.at)
    var differs = false
    for i in jac.indices {
      for j in jac[i].indices where !close(try ev.value(of: jac[i][j]), r.jacobian[i][j], rtol: 1e-6, atol: 1e-9) {
        differs = true
      }
    }
    #expect(differs, "\(r.id) no longer diverges: update the divergence table")
  }

  /// The oracle reproduces PyTorch on every record it can run: the same formulas in
  /// float64 (1e-9 relative: BLAS vs sequential sums), except where PyTorch's float32
  /// constant 1e-12 in the BCE backward shows (relative 4e-9).
  @Test(arguments: supported.filter { $0.dtype == "float64" && !$0.jacobian.isEmpty })
  func oracleMatchesPyTorch(_ r: PyTorchRecord) throws {
    guard let tree = try CallTree.parse(r.expression),
      let oracle = try? OracleBridge.evaluate(tree, variables: r.wrt, at: r.at)
    else { return }  // not a call the oracle runs (e.g. BCE of one softmax column)
    for i in r.jacobian.indices {
      for j in r.jacobian[i].indices {
        #expect(close(oracle.jacobian[i][j], r.jacobian[i][j], rtol: 1e-8, atol: 1e-12),
                "\(r.id) [\(i)][\(j)]: oracle \(oracle.jacobian[i][j]) vs torch \(r.jacobian[i][j])")
      }
    }
    for i in r.output.indices {
      #expect(close(oracle.value[i], r.output[i], rtol: 1e-9, atol: 1e-12), "\(r.id) output[\(i)]")
    }
  }

  /// The blog's printed float32 losses (8 significant digits), from our symbolic losses at
  /// the blog's float32 logits: within half a unit of the 8th digit plus float32 noise.
  @Test func blogPrintedLosses() throws {
    let printed: [(String, [Double])] = [
      ("blog/cross_entropy/class_targets/none/float32", [2.4427776, 1.4271057, 0.99968183, 0.06437338, 2.0198019]),
      ("blog/cross_entropy/hard_probs/none/float32", [2.4427776, 1.4271057, 0.99968183, 0.06437338, 2.0198019]),
      ("blog/cross_entropy/soft_probs/none/float32", [0.4737186, 1.0628904, 0.5669178, 0.39352775, 1.4264644]),
      ("blog/bce_with_logits/hard_probs/none/float32",
       [3.5669463, 0.26643512, 0.9737141, 1.0721908, 1.1070106, 0.6140938, 0.28206122, 0.18568796, 1.7221372, 0.8846513]),
      ("blog/bce_of_softmax/hard_probs/none/float32",
       [2.4427779, 2.4427776, 1.4271057, 1.4271059, 0.99968195, 0.9996819, 0.06437341, 0.06437336, 2.0198019, 2.0198016]),
      ("blog/bce_of_softmax/soft_probs/none/float32",
       [0.47371858, 0.47371864, 1.0628904, 1.0628906, 0.5669178, 0.56691784, 0.39352778, 0.3935278, 1.4264644, 1.4264642]),
    ]
    for (id, values) in printed {
      let r = try #require(Fixtures.records.first { $0.id == id })
      let outputs = try Value(parsing: r.expression).flattened
      for (e, p) in zip(outputs, values) {
        let v = try e.evaluate(at: r.at)
        #expect(close(v, p, rtol: 2e-6, atol: 1e-7), "\(id): \(v) vs printed \(p)")
      }
    }
  }

  /// The forum's printed gradient, to its 4 decimals (its weights are rounded to 4
  /// decimals too, so the last digit can differ by one: 1e-4).
  @Test func forumGradient() throws {
    let text = Walkthrough.layer
    let g = gradient(of: try Expr(parsing: text), withRespectTo: ["w00", "w01", "w10", "w11"].map(Expr.symbol))
    let values = try g.map { try $0.evaluate(at: Walkthrough.weights) }
    for (v, p) in zip(values, [-0.1206, 0.8855, 0.1206, -0.8855]) { #expect(Swift.abs(v - p) <= 1e-4) }
  }
}

extension PyTorchRecord: CustomTestStringConvertible {
  public var testDescription: String { id }
}
