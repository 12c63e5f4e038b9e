#if canImport(_Differentiation)
import Foundation
import SymGradTestSupport
import Testing
import _Differentiation

@testable import SymGradOracle

/// The rows of the reference page's edge-case table (PyTorch column), one test per row.
@Suite struct EdgeCaseTests {
  let inf = Double.infinity

  // MARK: softmax / log_softmax

  @Test func softmaxRowWithSomeNegativeInfinity() {
    let x = [1, -inf, 2, 0.5]
    let (y, jac) = oracleJacobian(at: x) { softmax($0, rows: 1, columns: 4) }
    #expect(y[1] == 0)
    #expect(y.allSatisfy { $0.isFinite })
    // Zero gradient there: column 1 of the Jacobian (d y_i / d x_1) and row 1 (d y_1 / d x_j).
    #expect(jac.allSatisfy { $0[1] == 0 })
    #expect(jac[1].allSatisfy { $0 == 0 })
    #expect(jac.joined().allSatisfy { $0.isFinite })
  }

  @Test func logSoftmaxAtNegativeInfinityPassesUpstreamGradient() {
    let x = [1, -inf, 2, 0.5]
    let (z, pullback) = valueWithPullback(at: x) { logSoftmax($0, rows: 1, columns: 4) }
    #expect(z[1] == -inf)
    let g = [0.3, -0.7, 1.1, 0.25]
    let gx = pullback(Array<Double>.DifferentiableView(g)).base
    #expect(gx[1] == g[1])
    #expect(gx.allSatisfy { $0.isFinite })
  }

  @Test func allNegativeInfinityRowIsNaNForwardAndBackward() {
    let x = [-inf, -inf, -inf, 1, 2, 3]  // row 0 all -inf, row 1 finite
    let rowFunctions: [@differentiable(reverse) ([Double]) -> [Double]] = [
      { softmax($0, rows: 2, columns: 3) }, { logSoftmax($0, rows: 2, columns: 3) },
    ]
    for f in rowFunctions {
      let (y, jac) = oracleJacobian(at: x, of: f)
      #expect(allNaN(Array(y[0..<3])))
      #expect(y[3..<6].allSatisfy { $0.isFinite })
      for i in 0..<3 { #expect(allNaN(Array(jac[i][0..<3]))) }
      // d y_i / d x_j for the finite row. (Its columns for row 0 are NaN too: the backward of
      // the NaN row multiplies the zero upstream gradient by NaN outputs, as in PyTorch.)
      for i in 3..<6 { #expect(jac[i][3..<6].allSatisfy { $0.isFinite }) }
      for i in 3..<6 { #expect(allNaN(Array(jac[i][0..<3]))) }
    }
  }

  @Test func positiveInfinityMakesTheRowNaN() {
    let x = [1, inf, 2, 1, 2, 3]
    let rowFunctions: [@differentiable(reverse) ([Double]) -> [Double]] = [
      { softmax($0, rows: 2, columns: 3) }, { logSoftmax($0, rows: 2, columns: 3) },
    ]
    for f in rowFunctions {
      let (y, jac) = oracleJacobian(at: x, of: f)
      #expect(allNaN(Array(y[0..<3])))
      #expect(y[3..<6].allSatisfy { $0.isFinite })
      for i in 0..<3 { #expect(allNaN(Array(jac[i][0..<3]))) }
    }
  }

  // MARK: cross entropy / nll

  @Test func crossEntropyTargetLogitNegativeInfinity() {
    let (loss, jac) = oracleJacobian(at: [-inf, 2, 1, 2]) {
      crossEntropy($0, rows: 2, columns: 2, target: .classIndices([0, 1]), reduction: .sum)
    }
    #expect(loss == [inf])
    #expect(isApprox(jac[0], [-1, 1, 0.2689414213699951, -0.2689414213699951], rtol: 1e-15, atol: 1e-15))
  }

  @Test(arguments: OracleReduction.allCases)
  func crossEntropyNonTargetLogitNegativeInfinity(_ reduction: OracleReduction) {
    let (loss, jac) = oracleJacobian(at: [1, -inf, 0.5, 0.2, 0.3, 0.4]) {
      crossEntropy($0, rows: 2, columns: 3, target: .classIndices([0, 2]), reduction: reduction)
    }
    #expect(loss.allSatisfy { $0.isFinite })
    #expect(jac.allSatisfy { $0[1] == 0 && $0.allSatisfy { $0.isFinite } })
  }

  @Test func crossEntropyIgnoredAllNegativeInfinityRow() {
    let x = [-inf, -inf, -inf, 0.2, 0.3, 0.4]
    for smoothing in [0.0, 0.2] {
      let (loss, jac) = oracleJacobian(at: x) {
        crossEntropy($0, rows: 2, columns: 3, target: .classIndices([-100, 1]), labelSmoothing: smoothing)
      }
      #expect(loss[0].isFinite, "e=\(smoothing)")
      #expect(allNaN(Array(jac[0][0..<3])), "e=\(smoothing)")
      #expect(jac[0][3..<6].allSatisfy { $0.isFinite }, "e=\(smoothing)")
    }
  }

  @Test func crossEntropyLabelSmoothingNonTargetNegativeInfinity() {
    let e = 0.1
    let c = 3.0
    let n = 2.0
    let (loss, jac) = oracleJacobian(at: [1, -inf, 0.5, 0.2, 0.3, 0.4]) {
      crossEntropy($0, rows: 2, columns: 3, target: .classIndices([0, 2]), labelSmoothing: e)
    }
    #expect(loss == [inf])
    #expect(isApprox(jac[0][1], -e / (c * n), rtol: 1e-15, atol: 0), "\(jac[0][1])")
    #expect(jac[0].allSatisfy { $0.isFinite })
  }

  @Test func crossEntropyProbabilityZeroAtNegativeInfinity() {
    let (loss, jac) = oracleJacobian(at: [-inf, 1, 2, 0.1, 0.2, 0.3]) {
      crossEntropy($0, rows: 2, columns: 3, target: .probabilities([0, 0.5, 0.5, 0.2, 0.3, 0.5]))
    }
    #expect(loss[0].isNaN)
    #expect(jac[0].allSatisfy { $0.isFinite })
  }

  @Test func meanWithEveryRowIgnoredIsNaNWithZeroGradient() {
    let x = [0.1, -0.2, 0.3, 0.4, 0.5, -0.6]
    let target = [-100, -100]
    let (nll, nllJac) = oracleJacobian(at: x) {
      nllLoss($0, rows: 2, columns: 3, target: target, weight: [1, 2, 3])
    }
    #expect(nll[0].isNaN)
    #expect(nllJac[0].allSatisfy { $0 == 0 })
    for smoothing in [0.0, 0.3] {
      for weight in [nil, [1.0, 2, 3]] as [[Double]?] {
        let (ce, ceJac) = oracleJacobian(at: x) {
          crossEntropy(
            $0, rows: 2, columns: 3, target: .classIndices(target), weight: weight,
            labelSmoothing: smoothing)
        }
        #expect(ce[0].isNaN)
        #expect(ceJac[0].allSatisfy { $0 == 0 }, "\(ceJac[0])")
      }
    }
  }

  // MARK: binary cross entropy

  /// The gradients are torch 2.15's (float64, recorded by `Scripts/record_pytorch_edges.py`):
  /// `-1/EPSILON` with ATen's `float` EPSILON, -1.0000000039958029e12, not -1e12.
  @Test func bceAtZeroInput() {
    let one = oracleJacobian(at: [0]) { binaryCrossEntropy($0, target: [1], reduction: .sum) }
    #expect(one.value == [100])
    #expect(one.jacobian[0] == [-1000000003995.8029])
    let zero = oracleJacobian(at: [0]) { binaryCrossEntropy($0, target: [0], reduction: .sum) }
    #expect(zero.value == [0])
    #expect(zero.jacobian[0] == [0])
    // Symmetric case x = 1, y = 0.
    let top = oracleJacobian(at: [1]) { binaryCrossEntropy($0, target: [0], reduction: .sum) }
    #expect(top.value == [100])
    #expect(top.jacobian[0] == [1000000003995.8029])
  }

  struct LogitCase: Sendable, CustomStringConvertible {
    let z: Double, y: Double, posWeight: Double?
    let loss: Double, grad: Double
    var description: String { "z=\(z) y=\(y) pw=\(posWeight.map { "\($0)" } ?? "nil")" }
  }

  @Test(arguments: [
    LogitCase(z: -.infinity, y: 0, posWeight: nil, loss: .nan, grad: 0),
    LogitCase(z: -.infinity, y: 1, posWeight: nil, loss: .nan, grad: -1),
    LogitCase(z: .infinity, y: 0, posWeight: nil, loss: .infinity, grad: 1),
    LogitCase(z: -1000, y: 1, posWeight: 3, loss: 3000, grad: -3),
  ])
  func bceWithLogitsEdgeCases(_ c: LogitCase) {
    let pw = c.posWeight.map { [$0] }
    let (loss, jac) = oracleJacobian(at: [c.z]) {
      binaryCrossEntropyWithLogits($0, target: [c.y], columns: 1, posWeight: pw, reduction: .sum)
    }
    // 1e-12 relative and absolute: a few correctly rounded ops on O(1..1000) values
    // (the absolute part lets an exact 0 match a rounded zero gradient).
    #expect(isApprox(loss[0], c.loss, rtol: 1e-12, atol: 1e-12), "loss \(loss)")
    #expect(isApprox(jac[0][0], c.grad, rtol: 1e-12, atol: 1e-12), "grad \(jac[0])")
  }

  // MARK: focal loss

  @Test(arguments: [(40.0, 1.0), (-40.0, 0.0)])
  func focalSaturatedCorrectPredictionWithGammaBelowOne(_ zy: (Double, Double)) {
    let (loss, jac) = oracleJacobian(at: [zy.0]) {
      sigmoidFocalLoss($0, target: [zy.1], gamma: 0.5)
    }
    #expect(loss == [0])
    #expect(jac[0][0].isNaN)
  }

  @Test(arguments: [(Double.infinity, 0.0), (.infinity, 1), (-.infinity, 0), (-.infinity, 1)])
  func focalAtInfiniteLogits(_ zy: (Double, Double)) {
    let (loss, jac) = oracleJacobian(at: [zy.0]) { sigmoidFocalLoss($0, target: [zy.1]) }
    #expect(jac[0][0].isNaN)
    if zy.0 > 0 && zy.1 == 0 {
      #expect(loss == [.infinity])  // ce = inf, (1 - p_t)^2 = 1: the one case that is not NaN
    } else {
      #expect(loss[0].isNaN)
    }
  }

  // MARK: attention

  let q = [0.3, -0.2, 0.5, 0.1, -0.4, 0.25]  // L = 3, E = 2
  let k = [0.2, 0.1, -0.3, 0.4]  // S = 2
  let v = [1.0, 2, -1, 0.5]  // Ev = 2
  /// Row 1 fully masked, the others partly masked or not at all.
  var fullyMaskedRow: [Double] { [0, -inf, -inf, -inf, 0, 0] }

  @Test func sdpaFullyMaskedRowGivesZeroOutputAndZeroGradient() {
    let mask = fullyMaskedRow
    let k = k
    let v = v
    let q = q
    let (out, jq) = oracleJacobian(at: q) {
      scaledDotProductAttention(query: $0, key: k, value: v, l: 3, s: 2, e: 2, ev: 2, additiveMask: mask)
    }
    #expect(out[2] == 0 && out[3] == 0)
    #expect(out.allSatisfy { $0.isFinite })
    #expect(jq[2].allSatisfy { $0 == 0 } && jq[3].allSatisfy { $0 == 0 })
    #expect(jq.joined().allSatisfy { $0.isFinite })
    let (_, jk) = oracleJacobian(at: k) {
      scaledDotProductAttention(query: q, key: $0, value: v, l: 3, s: 2, e: 2, ev: 2, additiveMask: mask)
    }
    #expect(jk[2].allSatisfy { $0 == 0 } && jk[3].allSatisfy { $0 == 0 })
    #expect(jk.joined().allSatisfy { $0.isFinite })
    let (_, jv) = oracleJacobian(at: v) {
      scaledDotProductAttention(query: q, key: k, value: $0, l: 3, s: 2, e: 2, ev: 2, additiveMask: mask)
    }
    #expect(jv[2].allSatisfy { $0 == 0 } && jv[3].allSatisfy { $0 == 0 })
    let weights = attentionWeights(query: q, key: k, l: 3, s: 2, e: 2, additiveMask: mask)
    #expect(weights[2] == 0 && weights[3] == 0)
  }

  @Test func mhaFullyMaskedRowGivesNaN() {
    let mask = fullyMaskedRow
    let k = k
    let v = v
    let (out, jq) = oracleJacobian(at: q) {
      scaledDotProductAttention(
        query: $0, key: k, value: v, l: 3, s: 2, e: 2, ev: 2, additiveMask: mask,
        safeSoftmax: false)
    }
    #expect(out[2].isNaN && out[3].isNaN)
    #expect(out[0].isFinite && out[4].isFinite)
    #expect(jq[2].contains { $0.isNaN } && jq[3].contains { $0.isNaN })
    let q = q
    let (_, jv) = oracleJacobian(at: v) {
      scaledDotProductAttention(
        query: q, key: k, value: $0, l: 3, s: 2, e: 2, ev: 2, additiveMask: mask,
        safeSoftmax: false)
    }
    #expect(jv.joined().contains { $0.isNaN })
  }

  @Test(arguments: [true, false])
  func rowMaskedWithFloat64MinimumAveragesTheValues(_ safe: Bool) {
    let big = -Double.greatestFiniteMagnitude  // torch.finfo(torch.float64).min
    let mask = [0, 0, big, big, 0, big]
    let out = scaledDotProductAttention(
      query: q, key: k, value: v, l: 3, s: 2, e: 2, ev: 2,
      additiveMask: mask, safeSoftmax: safe)
    #expect(out[2] == (v[0] + v[2]) / 2 && out[3] == (v[1] + v[3]) / 2, "\(out)")
    // A finite mask like -1e9 on a whole row is only a shift in float64: the weights are the
    // unmasked ones (to rounding), not uniform.
    let shifted = attentionWeights(
      query: q, key: k, l: 3, s: 2, e: 2, additiveMask: [0, 0, -1e9, -1e9, 0, 0],
      safeSoftmax: safe)
    let plain = attentionWeights(query: q, key: k, l: 3, s: 2, e: 2, safeSoftmax: safe)
    #expect(isApprox(shifted, plain, rtol: 1e-6, atol: 1e-6))
  }

  @Test func causalEqualsExplicitSubsequentMask() {
    var rng = SeededGenerator(seed: 11)
    let q = rng.doubles(12)
    let k = rng.doubles(12)
    let v = rng.doubles(8)  // L = S = 4, E = 3, Ev = 2
    let mask = causalAdditiveMask(l: 4, s: 4)
    #expect(mask == [0, -inf, -inf, -inf, 0, 0, -inf, -inf, 0, 0, 0, -inf, 0, 0, 0, 0])
    for safe in [true, false] {
      let a = scaledDotProductAttention(
        query: q, key: k, value: v, l: 4, s: 4, e: 3, ev: 2, isCausal: true,
        safeSoftmax: safe)
      let b = scaledDotProductAttention(
        query: q, key: k, value: v, l: 4, s: 4, e: 3, ev: 2, additiveMask: mask,
        safeSoftmax: safe)
      #expect(a == b)
      // The first query only sees the first key.
      #expect(isApprox(Array(a[0..<2]), Array(v[0..<2]), rtol: 0, atol: 0))
    }
    // SDPA's split sqrt-scaling and MHA's q-only scaling agree to rounding on finite inputs.
    let sdpa = scaledDotProductAttention(query: q, key: k, value: v, l: 4, s: 4, e: 3, ev: 2)
    let mha = scaledDotProductAttention(query: q, key: k, value: v, l: 4, s: 4, e: 3, ev: 2, safeSoftmax: false)
    #expect(isApprox(sdpa, mha, rtol: 1e-14, atol: 1e-15))
  }
}
#endif
