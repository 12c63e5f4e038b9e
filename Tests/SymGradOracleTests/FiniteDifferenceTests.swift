#if canImport(_Differentiation)
import Foundation
import SymGradTestSupport
import Testing
import _Differentiation

@testable import SymGradOracle

/// Every oracle function's reverse-mode Jacobian against central finite differences on random
/// finite inputs (tolerances justified next to `fdStep` in TestSupport.swift).
@Suite struct FiniteDifferenceTests {
  struct Shape: Sendable, CustomStringConvertible {
    let rows: Int, columns: Int
    var description: String { "\(rows)x\(columns)" }
  }
  static let shapes = [
    Shape(rows: 1, columns: 1), Shape(rows: 1, columns: 4), Shape(rows: 3, columns: 5),
    Shape(rows: 4, columns: 2),
  ]
  static let reductions = OracleReduction.allCases

  static func generator(_ salt: Int) -> SeededGenerator { SeededGenerator(seed: 0x5EED_0000 &+ UInt64(salt)) }

  /// Targets in `0..<columns`; when `ignoreIndex >= 0` roughly every other row uses it.
  static func classTargets(_ s: Shape, ignoreIndex: Int, _ rng: inout SeededGenerator) -> [Int] {
    (0..<s.rows).map { n in
      if ignoreIndex >= 0 && ignoreIndex < s.columns && n % 2 == 1 { return ignoreIndex }
      return Int.random(in: 0..<s.columns, using: &rng)
    }
  }

  @Test(arguments: shapes)
  func softmaxAndLogSoftmax(_ s: Shape) {
    var rng = Self.generator(1)
    let x = rng.doubles(s.rows * s.columns, in: -3...3)
    expectMatchesFiniteDifferences(at: x, "softmax \(s)") { softmax($0, rows: s.rows, columns: s.columns) }
    expectMatchesFiniteDifferences(at: x, "logSoftmax \(s)") { logSoftmax($0, rows: s.rows, columns: s.columns) }
  }

  @Test(arguments: shapes, reductions)
  func nllLossAllOptions(_ s: Shape, _ reduction: OracleReduction) {
    var rng = Self.generator(2)
    let x = rng.doubles(s.rows * s.columns, in: -4...0)
    for useWeight in [false, true] {
      for ignoreIndex in [-100, 0] {
        let t = Self.classTargets(s, ignoreIndex: ignoreIndex, &rng)
        if reduction == .mean && t.allSatisfy({ $0 == ignoreIndex }) { continue }  // NaN case, tested elsewhere
        let w: [Double]? = useWeight ? rng.doubles(s.columns, in: 0.2...2) : nil
        expectMatchesFiniteDifferences(at: x, "nll \(s) \(reduction) w=\(useWeight) ignore=\(ignoreIndex)") {
          nllLoss(
            $0, rows: s.rows, columns: s.columns, target: t, weight: w, ignoreIndex: ignoreIndex,
            reduction: reduction)
        }
      }
    }
  }

  @Test(arguments: shapes, reductions)
  func crossEntropyClassIndicesAllOptions(_ s: Shape, _ reduction: OracleReduction) {
    var rng = Self.generator(3)
    let x = rng.doubles(s.rows * s.columns, in: -3...3)
    for useWeight in [false, true] {
      for ignoreIndex in [-100, 1] {
        for smoothing in [0.0, 0.1, 1.0] {
          let t = Self.classTargets(s, ignoreIndex: ignoreIndex, &rng)
          if reduction == .mean && t.allSatisfy({ $0 == ignoreIndex }) { continue }
          let w: [Double]? = useWeight ? rng.doubles(s.columns, in: 0.2...2) : nil
          expectMatchesFiniteDifferences(
            at: x, "CE idx \(s) \(reduction) w=\(useWeight) ignore=\(ignoreIndex) e=\(smoothing)"
          ) {
            crossEntropy(
              $0, rows: s.rows, columns: s.columns, target: .classIndices(t), weight: w,
              ignoreIndex: ignoreIndex, labelSmoothing: smoothing, reduction: reduction)
          }
        }
      }
    }
  }

  @Test(arguments: shapes, reductions)
  func crossEntropyProbabilitiesAllOptions(_ s: Shape, _ reduction: OracleReduction) {
    var rng = Self.generator(4)
    let x = rng.doubles(s.rows * s.columns, in: -3...3)
    // Rows of random probabilities (soft targets).
    var p = rng.doubles(s.rows * s.columns, in: 0...1)
    for n in 0..<s.rows {
      let total = p[(n * s.columns)..<((n + 1) * s.columns)].reduce(0, +)
      for c in 0..<s.columns { p[n * s.columns + c] /= total }
    }
    for useWeight in [false, true] {
      for smoothing in [0.0, 0.25] {
        let w: [Double]? = useWeight ? rng.doubles(s.columns, in: 0.2...2) : nil
        let q = p
        expectMatchesFiniteDifferences(at: x, "CE prob \(s) \(reduction) w=\(useWeight) e=\(smoothing)") {
          crossEntropy(
            $0, rows: s.rows, columns: s.columns, target: .probabilities(q), weight: w,
            labelSmoothing: smoothing, reduction: reduction)
        }
      }
    }
  }

  @Test(arguments: reductions)
  func binaryCrossEntropyAllOptions(_ reduction: OracleReduction) {
    var rng = Self.generator(5)
    // Inputs away from 0 and 1: both clamps are inactive there, so the PyTorch backward equals
    // the derivative of the forward and finite differences apply.
    let x = rng.doubles(12, in: 0.05...0.95)
    let y = rng.doubles(12, in: 0...1)
    for weight in [nil, rng.doubles(12, in: 0.2...2), rng.doubles(4, in: 0.2...2)] as [[Double]?] {
      expectMatchesFiniteDifferences(at: x, "BCE \(reduction) w=\(weight?.count ?? 0)") {
        binaryCrossEntropy($0, target: y, weight: weight, reduction: reduction)
      }
    }
  }

  @Test(arguments: reductions)
  func binaryCrossEntropyWithLogitsAllOptions(_ reduction: OracleReduction) {
    var rng = Self.generator(6)
    let x = rng.doubles(12, in: -4...4)
    let y = rng.doubles(12, in: 0...1)
    let weights: [[Double]?] = [nil, rng.doubles(12, in: 0.2...2), rng.doubles(4, in: 0.2...2)]
    let posWeights: [[Double]?] = [nil, rng.doubles(4, in: 0.2...3)]
    for weight in weights {
      for posWeight in posWeights {
        expectMatchesFiniteDifferences(
          at: x, "BCEwL \(reduction) w=\(weight?.count ?? 0) pw=\(posWeight?.count ?? 0)"
        ) {
          binaryCrossEntropyWithLogits(
            $0, target: y, columns: 4, weight: weight, posWeight: posWeight,
            reduction: reduction)
        }
      }
    }
  }

  @Test(arguments: reductions)
  func sigmoidFocalLossAllOptions(_ reduction: OracleReduction) {
    var rng = Self.generator(7)
    let x = rng.doubles(10, in: -3...3)
    let hard = (0..<10).map { Double($0 % 2) }
    let soft = rng.doubles(10, in: 0...1)
    for y in [hard, soft] {
      for alpha in [0.25, 0.7, -1] {
        for gamma in [0.0, 0.5, 1.5, 2, 3] {
          expectMatchesFiniteDifferences(at: x, "focal \(reduction) alpha=\(alpha) gamma=\(gamma)") {
            sigmoidFocalLoss($0, target: y, alpha: alpha, gamma: gamma, reduction: reduction)
          }
        }
      }
    }
  }

  @Test(arguments: [(1, 1, 1), (2, 3, 2), (4, 2, 5)] as [(Int, Int, Int)])
  func linearWithRespectToEveryArgument(_ dims: (Int, Int, Int)) {
    let (rows, inF, outF) = dims
    var rng = Self.generator(8)
    let x = rng.doubles(rows * inF)
    let w = rng.doubles(outF * inF)
    let b = rng.doubles(outF)
    expectMatchesFiniteDifferences(at: x, "linear wrt input") {
      linear($0, rows: rows, inFeatures: inF, weight: w, outFeatures: outF)
    }
    expectMatchesFiniteDifferences(at: x, "linear wrt input, constant bias") {
      linear($0, rows: rows, inFeatures: inF, weight: w, outFeatures: outF, bias: Optional(b))
    }
    expectMatchesFiniteDifferences(at: w, "linear wrt weight") {
      linear(x, rows: rows, inFeatures: inF, weight: $0, outFeatures: outF)
    }
    expectMatchesFiniteDifferences(at: w, "linear wrt weight, bias") {
      linear(x, rows: rows, inFeatures: inF, weight: $0, outFeatures: outF, bias: b)
    }
    expectMatchesFiniteDifferences(at: b, "linear wrt bias") {
      linear(x, rows: rows, inFeatures: inF, weight: w, outFeatures: outF, bias: $0)
    }
    // A loss of the layer w.r.t. the weight (the forum's use), through a scalar gradient.
    let t = (0..<rows).map { $0 % outF }
    let lossOfWeight: @differentiable(reverse) ([Double]) -> Double = { wt in
      crossEntropy(
        linear(x, rows: rows, inFeatures: inF, weight: wt, outFeatures: outF, bias: b),
        rows: rows, columns: outF, target: .classIndices(t), reduction: .mean)[0]
    }
    let grad = oracleGradient(at: w, of: lossOfWeight).gradient
    let fd = finiteDifferenceJacobian(at: w) { [lossOfWeight($0)] }[0]
    #expect(isApprox(grad, fd, rtol: fdRelativeTolerance, atol: fdAbsoluteTolerance), "\(grad) vs \(fd)")
  }

  struct AttentionCase: Sendable, CustomStringConvertible {
    let l: Int, s: Int, e: Int, ev: Int
    let mask: String  // "none", "additive", "causal"
    let scale: Double?
    let safe: Bool
    var description: String {
      "L\(l) S\(s) E\(e) Ev\(ev) mask=\(mask) scale=\(scale.map { "\($0)" } ?? "nil") safe=\(safe)"
    }
  }

  static let attentionCases: [AttentionCase] = {
    var cases: [AttentionCase] = []
    for (l, s, e, ev) in [(1, 1, 1, 1), (3, 4, 2, 3), (4, 4, 3, 2)] {
      for mask in ["none", "additive", "causal"] {
        for scale in [nil, 0.3, -0.5] as [Double?] {
          for safe in [true, false] {
            cases.append(AttentionCase(l: l, s: s, e: e, ev: ev, mask: mask, scale: scale, safe: safe))
          }
        }
      }
    }
    return cases
  }()

  @Test(arguments: attentionCases)
  func attentionWithRespectToQueryKeyValue(_ c: AttentionCase) {
    var rng = Self.generator(9)
    let q = rng.doubles(c.l * c.e)
    let k = rng.doubles(c.s * c.e)
    let v = rng.doubles(c.s * c.ev)
    var additive: [Double]? = nil
    if c.mask == "additive" {
      // Finite values plus one -inf per row (never a whole row, so everything stays finite).
      var m = rng.doubles(c.l * c.s, in: -1...1)
      if c.s > 1 { for i in 0..<c.l { m[i * c.s + (i % c.s)] = -.infinity } }
      additive = m
    }
    let causal = c.mask == "causal"
    expectMatchesFiniteDifferences(at: q, "SDPA wrt q \(c)") {
      scaledDotProductAttention(
        query: $0, key: k, value: v, l: c.l, s: c.s, e: c.e, ev: c.ev,
        additiveMask: additive, isCausal: causal, scale: c.scale, safeSoftmax: c.safe)
    }
    expectMatchesFiniteDifferences(at: k, "SDPA wrt k \(c)") {
      scaledDotProductAttention(
        query: q, key: $0, value: v, l: c.l, s: c.s, e: c.e, ev: c.ev,
        additiveMask: additive, isCausal: causal, scale: c.scale, safeSoftmax: c.safe)
    }
    expectMatchesFiniteDifferences(at: v, "SDPA wrt v \(c)") {
      scaledDotProductAttention(
        query: q, key: k, value: $0, l: c.l, s: c.s, e: c.e, ev: c.ev,
        additiveMask: additive, isCausal: causal, scale: c.scale, safeSoftmax: c.safe)
    }
    expectMatchesFiniteDifferences(at: q, "weights wrt q \(c)") {
      attentionWeights(
        query: $0, key: k, l: c.l, s: c.s, e: c.e,
        additiveMask: additive, isCausal: causal, scale: c.scale, safeSoftmax: c.safe)
    }
    expectMatchesFiniteDifferences(at: k, "weights wrt k \(c)") {
      attentionWeights(
        query: q, key: $0, l: c.l, s: c.s, e: c.e,
        additiveMask: additive, isCausal: causal, scale: c.scale, safeSoftmax: c.safe)
    }
  }
}
#endif
