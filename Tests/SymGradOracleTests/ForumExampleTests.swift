#if canImport(_Differentiation)
import Foundation
import SymGradTestSupport
import Testing
import _Differentiation

@testable import SymGradOracle

/// The seed forum thread ("Masking in Transformer decoders with -inf rather than 0s") and the
/// issue example: nn.Linear(2, 2, bias=False) followed by CrossEntropyLoss(reduction='sum').
@Suite struct ForumExampleTests {
  let weight = [-0.0473, 0.0679, -0.6429, -0.5586]  // [[w00, w01], [w10, w11]]
  let input = [1.3032, 0.5701, 0.2671, 1.3900]

  @Test func linearOutputMatchesForum() {
    let o1 = linear(input, rows: 2, inFeatures: 2, weight: weight, outFeatures: 2)
    // The forum prints o1 rounded to 4 decimals (+-5e-5), and its weights are themselves the
    // printed, rounded parameters (+-5e-5 each), which moves row n by up to
    // 5e-5 * (|x_n0| + |x_n1|). (o1[0][0] from the rounded weights is -0.022932, printed -0.0230.)
    let expected = [-0.0230, -1.1563, 0.0817, -0.9482]
    for i in 0..<4 {
      let row = i / 2
      let tolerance = 5e-5 + 5e-5 * (abs(input[2 * row]) + abs(input[2 * row + 1]))
      #expect(abs(o1[i] - expected[i]) <= tolerance, "o1[\(i)] = \(o1[i])")
    }
  }

  @Test func weightGradientMatchesForum() {
    let x = input
    let (loss, jac) = oracleJacobian(at: weight) { w in
      crossEntropy(
        linear(x, rows: 2, inFeatures: 2, weight: w, outFeatures: 2),
        rows: 2, columns: 2, target: .classIndices([0, 1]), reduction: .sum)
    }
    #expect(loss.count == 1 && loss[0].isFinite)
    #expect(jac.count == 1)
    let expected = [-0.1206, 0.8855, 0.1206, -0.8855]
    // The brief asks for 5e-5 (the forum's print rounding). That is not attainable here: the
    // forum's weights are printed rounded too, and from those rounded weights the exact
    // gradient is [-0.120559, 0.885448, ...], 5.2e-5 from the printed 0.8855. The weight
    // rounding (+-5e-5 per weight, gradient sensitivity <= ~0.5 per weight) adds up to
    // another 5e-5, so the honest bound is 1e-4.
    for i in 0..<4 {
      #expect(abs(jac[0][i] - expected[i]) <= 1e-4, "dL/dW[\(i)] = \(jac[0][i])")
    }
    // And tightly against the same value computed by hand (softmax - onehot)^T X in float64.
    #expect(isApprox(jac[0], [-0.12055882, 0.88544775, 0.12055882, -0.88544775], rtol: 0, atol: 5e-9))
  }

  @Test func forumNegativeInfinityExample() {
    let logits = [-Double.infinity, 2, 1, 2]
    let (loss, jac) = oracleJacobian(at: logits) {
      crossEntropy($0, rows: 2, columns: 2, target: .classIndices([0, 1]), reduction: .sum)
    }
    #expect(loss == [.infinity])
    #expect(isApprox(jac[0], [-1, 1, 0.2689414213699951, -0.2689414213699951], rtol: 1e-15, atol: 1e-15))
  }

  @Test func issueExample() {
    let (loss, grad) = oracleGradient(at: [0.5, 2, 1, 2]) {
      crossEntropy($0, rows: 2, columns: 2, target: .classIndices([0, 1]), reduction: .sum)[0]
    }
    #expect(loss.isFinite)
    let expected = [-0.8175744761936437, 0.8175744761936437, 0.2689414213699951, -0.2689414213699951]
    #expect(isApprox(grad, expected, rtol: 0, atol: 1e-12), "\(grad)")
    // loss = log(1 + e^1.5) + log(1 + e^-1)
    #expect(isApprox(loss, log1p(exp(1.5)) + log1p(exp(-1)), rtol: 1e-14, atol: 0))
  }
}
#endif
