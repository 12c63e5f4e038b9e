#if canImport(_Differentiation)
// This target uses SymGradTesting exactly as a user's package would: it depends on the
// `SymGradTesting` product only, writes its own differentiable code, and checks it.
import Foundation
import SymGradTesting
import Testing
import _Differentiation

// MARK: - The user's own code

/// Cross-entropy of `logits` for class `target`, written as one writes it in a Swift
/// model: the max-shifted log-sum-exp, differentiated by Swift.
@differentiable(reverse,wrt: logits)
func myCrossEntropy(_ logits: [Double], target: Int) -> Double {
  let m = withoutDerivative(at: logits.max() ?? 0)
  var total = 0.0
  for i in 0..<withoutDerivative(at: logits.count) {
    total += exp(logits[i] - m)
  }
  return m + log(total) - logits[target]
}

/// Softmax, for the Jacobian check.
@differentiable(reverse)
func mySoftmax(_ z: [Double]) -> [Double] {
  let m = withoutDerivative(at: z.max() ?? 0)
  var exps: [Double] = []
  var total = 0.0
  for i in 0..<withoutDerivative(at: z.count) {
    let e = exp(z[i] - m)
    exps.append(e)
    total += e
  }
  var out: [Double] = []
  for i in 0..<withoutDerivative(at: z.count) {
    out.append(exps[i] / total)
  }
  return out
}

/// A "fused" cross-entropy whose forward is stable but whose hand-written backward is the
/// textbook `exp(z_i) / sum_j exp(z_j) - onehot`, without the max shift: exp overflows at
/// large logits and the gradient becomes NaN.
func fusedCrossEntropy(_ logits: [Double], target: Int) -> Double {
  myCrossEntropy(logits, target: target)
}

@derivative(of: fusedCrossEntropy, wrt: logits)
func fusedCrossEntropyBackward(_ logits: [Double], target: Int)
  -> (value: Double, pullback: (Double) -> Array<Double>.TangentVector)
{
  let total = logits.reduce(0) { $0 + exp($1) }
  let grad = logits.indices.map { i in exp(logits[i]) / total - (i == target ? 1 : 0) }
  return (fusedCrossEntropy(logits, target: target), { g in .init(grad.map { $0 * g }) })
}

/// A sigmoid with a hand-written derivative that has the classic sign slip:
/// s (1 + s) instead of s (1 - s).
func mySigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

@derivative(of: mySigmoid)
func mySigmoidBackward(_ x: Double) -> (value: Double, pullback: (Double) -> Double) {
  let s = mySigmoid(x)
  return (s, { g in g * s * (1 + s) })
}

@differentiable(reverse)
func mySigmoidSum(_ x: [Double]) -> Double { mySigmoid(x[0]) + mySigmoid(x[1]) }

// MARK: - The user's tests

@Suite struct MyLossTests {
  /// The README's example: a correct loss passes at 8 seeded points, 4 of them with -inf
  /// logits (the masked entries, where SymGrad compares with the limit).
  @Test func myCrossEntropyIsRight() throws {
    let report = try checkGradient(
      of: { myCrossEntropy($0, target: 2) }, against: "cross_entropy([[a, b, c, d]], [2])",
      variables: ["a", "b", "c", "d"])
    #expect(report.passed, "\(report)")
    #expect(report.points.count == 8 && report.entries.count == 8 * 5)
    #expect(report.points.contains { $0.contains(-.infinity) }, "random points include masked logits")
    // The largest error over 8 points is a few ulps of numbers below 10 in magnitude.
    #expect(report.entryErrors.allSatisfy { $0.maxAbsolute < 1e-13 }, "\(report)")
  }

  /// Large logits, given as points: the stable code agrees; the naive backward gives NaN,
  /// and the report names each entry, with SymGrad's certified value beside it.
  @Test func aNaiveBackwardIsCaughtAtLargeLogits() throws {
    let points = CheckPoints.given([[800, 1, 2, 3], [0.5, -0.25, 1, 2]])
    let good = try checkGradient(
      of: { myCrossEntropy($0, target: 2) }, against: "cross_entropy([[a, b, c, d]], [2])",
      variables: ["a", "b", "c", "d"], at: points)
    #expect(good.passed, "\(good)")
    let bad = try checkGradient(
      of: { fusedCrossEntropy($0, target: 2) }, against: "cross_entropy([[a, b, c, d]], [2])",
      variables: ["a", "b", "c", "d"], at: points)
    #expect(!bad.passed)
    // exp(800) overflows: d/da is inf/inf = NaN in the naive backward (the other entries
    // are finite/inf = 0, which happens to be right to 1e-340); the second point is fine.
    #expect(bad.disagreements.count == 1, "\(bad)")
    #expect(bad.disagreements.first.map { $0.point == 0 && $0.variable == "a" && $0.claimed.isNaN } == true, "\(bad)")
    let text = bad.description
    #expect(text.contains("FAILED: 1 of 10 numbers disagree"), "\(text)")
    #expect(text.contains("point 0 (a = 800.0, b = 1.0, c = 2.0, d = 3.0), df/da: yours nan, SymGrad 1.0"), "\(text)")
  }

  /// The sign slip is caught by the symbolic check and by gradcheck, which needs no
  /// expression; the correct loss passes gradcheck.
  @Test func aSignSlipIsCaughtBothWays() throws {
    let report = try checkGradient(
      of: mySigmoidSum, against: "sigmoid(x) + sigmoid(y)", variables: ["x", "y"],
      at: .random(count: 4, negativeInfinity: false))
    #expect(!report.passed)
    #expect(report.disagreements.count == 8, "every derivative at every point: \(report)")
    #expect(report.disagreements.allSatisfy { $0.variable != nil }, "the values agree, only derivatives differ")
    let fd = try gradcheck(mySigmoidSum, at: [0.3, -1.2])
    #expect(!fd.passed && fd.mismatches.count == 2, "\(fd)")
    let good = try gradcheck({ myCrossEntropy($0, target: 1) }, at: [0.3, -1.2, 2.0])
    #expect(good.passed, "\(good)")
  }

  /// A function with several outputs: each row of the Jacobian, by pullback.
  @Test func mySoftmaxJacobianIsRight() throws {
    let report = try checkJacobian(of: mySoftmax, against: "softmax([a, b, c])", variables: ["a", "b", "c"])
    #expect(report.passed, "\(report)")
    #expect(report.outputCount == 3 && report.entries.count == 8 * 3 * 4)
    let fd = try gradcheck(mySoftmax, at: [0.1, 2, -1])
    #expect(fd.passed, "\(fd)")
  }

  /// Targets and other fixed symbols come in `constants`; a symbol in neither is a clear
  /// error, as is text that does not parse.
  @Test func constantsAndClearErrors() throws {
    let report = try checkGradient(
      of: { z in (z[0] - 0.25) * (z[0] - 0.25) }, against: "(x - t)**2", variables: ["x"], constants: ["t": 0.25],
      at: .given([[1], [-2]]))
    #expect(report.passed, "\(report)")
    #expect(throws: CheckError.unboundSymbol("t")) {
      try checkGradient(of: { $0[0] }, against: "x - t", variables: ["x"])
    }
    #expect(throws: CheckError.self) { try checkGradient(of: { $0[0] }, against: "x +", variables: ["x"]) }
    #expect(throws: CheckError.pointDimension(point: 0, expected: 1, got: 2)) {
      try checkGradient(of: { $0[0] }, against: "x", variables: ["x"], at: .given([[1, 2]]))
    }
    #expect(throws: CheckError.nonFinitePoint([1, -.infinity])) { try gradcheck({ $0[0] }, at: [1, -.infinity]) }
  }

  /// A value SymGrad cannot certify is reported as undecided, never as agreement: exp(800)
  /// is beyond the double range (your code says inf).
  @Test func uncertifiableValuesAreUndecided() throws {
    let report = try checkGradient(of: { exp($0[0]) }, against: "exp(x)", variables: ["x"], at: .given([[800]]))
    #expect(!report.passed)
    #expect(report.undecided.count == 2 && report.disagreements.isEmpty, "\(report)")
    #expect(report.description.contains("undecided"), "\(report)")
  }
}
#endif
