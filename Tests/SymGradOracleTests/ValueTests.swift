#if canImport(_Differentiation)
import Foundation
import SymGradTestSupport
import Testing
import _Differentiation

@testable import SymGradOracle

/// Forward values against the reference page's formulas written out by hand, and the
/// identities of the blog seed (CE with one-hot probabilities == CE with class indices;
/// BCE-with-logits == BCE of sigmoid).
@Suite struct ValueTests {
  let logits = [0.2, -1.0, 0.7, 1.5, 0.1, -0.3, 0.0, 0.4, 2.0]  // 3 x 3
  let weight = [0.5, 2.0, 1.5]

  func logProbabilities() -> [Double] { logSoftmax(logits, rows: 3, columns: 3) }

  @Test func softmaxAndLogSoftmaxAgree() {
    let p = softmax(logits, rows: 3, columns: 3)
    let z = logProbabilities()
    #expect(isApprox(p, z.map { exp($0) }, rtol: 1e-15, atol: 1e-16))
    for r in 0..<3 { #expect(isApprox(p[(3 * r)..<(3 * r + 3)].reduce(0, +), 1, rtol: 0, atol: 1e-15)) }
    // Shift invariance through the max shift: huge logits do not overflow.
    let big = logits.map { $0 + 1000 }
    #expect(isApprox(softmax(big, rows: 3, columns: 3), p, rtol: 1e-12, atol: 1e-15))
  }

  @Test func weightedMeanDenominatorSkipsIgnoredRows() {
    let z = logProbabilities()
    let target = [2, -100, 1]
    let expected = -(weight[2] * z[2] + weight[1] * z[7]) / (weight[2] + weight[1])
    let got = nllLoss(z, rows: 3, columns: 3, target: target, weight: weight)
    #expect(isApprox(got[0], expected, rtol: 1e-15, atol: 0))
    let ce = crossEntropy(logits, rows: 3, columns: 3, target: .classIndices(target), weight: weight)
    #expect(isApprox(ce[0], expected, rtol: 1e-15, atol: 0))
    let none = nllLoss(z, rows: 3, columns: 3, target: target, weight: weight, reduction: .none)
    #expect(none[1] == 0 && isApprox(none[0], -weight[2] * z[2], rtol: 1e-15, atol: 0))
    // ignore_index may be a real class: every row with that target is skipped.
    let ignoreTwo = nllLoss(z, rows: 3, columns: 3, target: [2, 0, 2], ignoreIndex: 2, reduction: .sum)
    #expect(isApprox(ignoreTwo[0], -z[3], rtol: 1e-15, atol: 0))
  }

  @Test(arguments: OracleReduction.allCases)
  func labelSmoothingFormula(_ reduction: OracleReduction) {
    let z = logProbabilities()
    let target = [2, -100, 1]
    let e = 0.2
    let c = 3.0
    var nll = [Double]()
    var smooth = [Double]()
    var denominator = 0.0
    for n in 0..<3 {
      if target[n] == -100 {
        nll.append(0)
        smooth.append(0)
        continue
      }
      denominator += weight[target[n]]
      nll.append(-weight[target[n]] * z[3 * n + target[n]])
      smooth.append(-(0..<3).map { weight[$0] * z[3 * n + $0] }.reduce(0, +))
    }
    let expected: [Double]
    switch reduction {
    case .none: expected = (0..<3).map { (1 - e) * nll[$0] + e / c * smooth[$0] }
    case .sum: expected = [(1 - e) * nll.reduce(0, +) + e / c * smooth.reduce(0, +)]
    case .mean: expected = [((1 - e) * nll.reduce(0, +) + e / c * smooth.reduce(0, +)) / denominator]
    }
    let got = crossEntropy(
      logits, rows: 3, columns: 3, target: .classIndices(target), weight: weight,
      labelSmoothing: e, reduction: reduction)
    #expect(isApprox(got, expected, rtol: 1e-14, atol: 1e-15), "\(got) vs \(expected)")
  }

  @Test(arguments: OracleReduction.allCases)
  func oneHotProbabilitiesEqualClassIndices(_ reduction: OracleReduction) {
    let target = [2, 0, 1]
    var oneHot = [Double](repeating: 0, count: 9)
    for (n, t) in target.enumerated() { oneHot[3 * n + t] = 1 }
    let byIndex: @differentiable(reverse) ([Double]) -> [Double] = {
      crossEntropy($0, rows: 3, columns: 3, target: .classIndices(target), reduction: reduction)
    }
    let byProbability: @differentiable(reverse) ([Double]) -> [Double] = {
      crossEntropy($0, rows: 3, columns: 3, target: .probabilities(oneHot), reduction: reduction)
    }
    let a = oracleJacobian(at: logits, of: byIndex)
    let b = oracleJacobian(at: logits, of: byProbability)
    #expect(isApprox(a.value, b.value, rtol: 1e-15, atol: 1e-15))
    #expect(isApprox(a.jacobian, b.jacobian, rtol: 1e-14, atol: 1e-15))
    // Label smoothing on probabilities: q = p (1 - e) + e / C.
    let e = 0.3
    let smoothed = crossEntropy(
      logits, rows: 3, columns: 3, target: .probabilities(oneHot), labelSmoothing: e,
      reduction: reduction)
    let manual = crossEntropy(
      logits, rows: 3, columns: 3,
      target: .probabilities(oneHot.map { $0 * (1 - e) + e / 3 }), reduction: reduction)
    #expect(isApprox(smoothed, manual, rtol: 0, atol: 0))
  }

  @Test func probabilityTargetMeanDividesByRowsNotWeights() {
    let p = [0.2, 0.3, 0.5, 0.6, 0.4, 0.0, 0.1, 0.1, 0.8]
    let z = logProbabilities()
    var total = 0.0
    for i in 0..<9 { total += z[i] * p[i] * weight[i % 3] }
    let got = crossEntropy(logits, rows: 3, columns: 3, target: .probabilities(p), weight: weight)
    #expect(isApprox(got[0], -total / 3, rtol: 1e-14, atol: 0))
  }

  @Test(arguments: OracleReduction.allCases)
  func bceWithLogitsEqualsBceOfSigmoid(_ reduction: OracleReduction) {
    let x = [0.3, -1.2, 2.0, 0.0, -0.4, 1.1]
    let y = [1.0, 0.0, 0.7, 0.2, 1.0, 0.0]
    let w = [0.5, 1.5]
    let withLogits = binaryCrossEntropyWithLogits(x, target: y, columns: 2, weight: w, reduction: reduction)
    let onProbabilities = binaryCrossEntropy(x.map { 1 / (1 + exp(-$0)) }, target: y, weight: w, reduction: reduction)
    #expect(isApprox(withLogits, onProbabilities, rtol: 1e-13, atol: 1e-15))
    // pos_weight broadcasts along the last dimension: l = -w [pw y logsig(x) + (1 - y) logsig(-x)].
    let pw = [2.0, 0.5]
    let got = binaryCrossEntropyWithLogits(x, target: y, columns: 2, weight: w, posWeight: pw, reduction: .none)
    for i in 0..<6 {
      let logsig = { (t: Double) in -log1p(exp(-t)) }
      let expected = -w[i % 2] * (pw[i % 2] * y[i] * logsig(x[i]) + (1 - y[i]) * logsig(-x[i]))
      #expect(isApprox(got[i], expected, rtol: 1e-13, atol: 1e-15), "\(i)")
    }
  }

  @Test func focalLossFormula() {
    let x = [0.3, -1.2, 2.0, -0.4]
    let y = [1.0, 0.0, 1.0, 0.0]
    let got = sigmoidFocalLoss(x, target: y)
    for i in 0..<4 {
      let p = 1 / (1 + exp(-x[i]))
      let ce = -(y[i] * log(p) + (1 - y[i]) * log(1 - p))
      let pt = p * y[i] + (1 - p) * (1 - y[i])
      let at = 0.25 * y[i] + 0.75 * (1 - y[i])
      #expect(isApprox(got[i], at * ce * (1 - pt) * (1 - pt), rtol: 1e-12, atol: 1e-15))
    }
    let noAlpha = sigmoidFocalLoss(x, target: y, alpha: -1, gamma: 0, reduction: .sum)
    let plain = binaryCrossEntropyWithLogits(x, target: y, columns: 1, reduction: .sum)
    #expect(isApprox(noAlpha, plain, rtol: 1e-15, atol: 0))
  }

  @Test func jacobianOfReductionsIsConsistent() {
    // The sum of the 'none' Jacobian rows equals the 'sum' gradient.
    let t = [2, 0, 1]
    let none = oracleJacobian(at: logits) {
      crossEntropy($0, rows: 3, columns: 3, target: .classIndices(t), labelSmoothing: 0.1, reduction: .none)
    }
    let sum = oracleGradient(at: logits) {
      crossEntropy($0, rows: 3, columns: 3, target: .classIndices(t), labelSmoothing: 0.1, reduction: .sum)[0]
    }
    let rowSum = (0..<9).map { j in none.jacobian.map { $0[j] }.reduce(0, +) }
    #expect(isApprox(rowSum, sum.gradient, rtol: 1e-14, atol: 1e-15))
    #expect(isApprox(none.value.reduce(0, +), sum.value, rtol: 1e-15, atol: 0))
  }
}
#endif
