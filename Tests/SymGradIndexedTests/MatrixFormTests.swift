import SymGrad
import Testing

@testable import SymGradIndexed

/// Matrix forms recognized from index forms (issue 11, item 4): the rules of
/// `IndexedAlgebra.matrixForm(of:)`, never a form per loss, and never printed unless its
/// entries are proved equal to the index form.
@Suite struct MatrixFormTests {
  func form(_ d: IndexedDerivation) -> MatrixFormResult? { d.algebra.matrixForm(of: d) }

  @Test func crossEntropyIsSoftmaxMinusOneHot() throws {
    let mean = try #require(form(IndexedLosses.crossEntropy(.init())))
    #expect(mean.text == "dL/dX = (P - Y)/N")
    #expect(mean.definitions == ["P = softmax(X, dim=1)", "Y = one_hot(t, C)"])
    #expect(mean.latex.contains("\\frac{1}{N}") && mean.latexDefinitions[0].contains("\\operatorname{softmax}"))
    #expect(try #require(form(IndexedLosses.crossEntropy(.init(reduction: .sum)))).text == "dL/dX = P - Y")
    // reduction="none": one row's gradient.
    let none = try #require(form(IndexedLosses.crossEntropy(.init(reduction: .none))))
    #expect(none.text == "row n: dL[n]/dX[n, :] = s - Y[n, :]", "\(none.text)")
  }

  @Test func theLinearLayer() throws {
    let w = try #require(form(IndexedLosses.crossEntropyOfLinear(.init(reduction: .sum))))
    #expect(w.text == "dL/dW = (P - Y)^T A", "\(w.text)")
    #expect(w.definitions.first == "P = softmax(A W^T, dim=1)")
    var linear = IndexedLosses.LinearNames()
    linear.bias = "b"
    let b = try #require(form(IndexedLosses.crossEntropyOfLinear(.init(), linear: linear, wrt: "b")))
    #expect(b.text == "dL/db = (P - Y)^T 1/N", "\(b.text)")
    #expect(b.definitions.first == "P = softmax(1 b^T + A W^T, dim=1)", "\(b.definitions)")
  }

  @Test func softmaxJacobians() throws {
    let s = try #require(form(IndexedLosses.softmax(log: false)))
    #expect(s.text == "row n: dL[n, :]/dX[n, :] = diag(s) - s s^T", "\(s.text)")
    #expect(s.definitions == ["s = softmax(X[n, :])"])
    let l = try #require(form(IndexedLosses.softmax(log: true)))
    #expect(l.text == "row n: dL[n, :]/dX[n, :] = I - 1 s^T", "\(l.text)")
    let masked = try #require(form(IndexedLosses.softmax(log: false, mask: "M")))
    #expect(masked.definitions == ["s = softmax(M[n, :] + X[n, :])"], "\(masked.definitions)")
  }

  @Test func elementwiseLossesAndWhatIsNotRecognized() throws {
    #expect(try #require(form(IndexedLosses.mseLoss(reduction: .mean))).text == "dL/dX = 2 (X - t)/(C*N)")
    // sigmoid and powers of entries have no matrix notation here: nothing is printed.
    #expect(form(IndexedLosses.sigmoidFocalLoss(alpha: .number(1), gamma: .number(2), reduction: .mean)) == nil)
    #expect(form(IndexedLosses.binaryCrossEntropyWithLogits(weight: false, posWeight: false, reduction: .sum)) == nil)
  }

  /// The guard: a form whose entries differ from the index form is not proved equal to
  /// it (so it would not be printed); the recognized one is.
  @Test func onlyProvedFormsArePrinted() throws {
    let d = IndexedLosses.crossEntropy(.init())
    let a = d.algebra
    let piece = try #require(a.recognize(d.gradient, fixed: [], contracting: nil))
    let right = try #require(a.oriented(piece, rows: d.inputIndices[0], columns: d.inputIndices[1]))
    let at = (IndexTerm.variable(d.inputIndices[0]), IndexTerm.variable(d.inputIndices[1]))
    #expect(a.provedEqual(a.entry(of: a.simplified(right), at: at.0, at.1), d.gradient))
    for wrong in [MatrixForm.scaled(-1, right), .transpose(right), .scaled(2, right)] {
      #expect(!a.provedEqual(a.entry(of: a.simplified(wrong), at: at.0, at.1), d.gradient))
    }
  }
}
