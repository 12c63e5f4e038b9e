import SymGrad
import Testing

@testable import SymGradIndexed

/// The rules of index notation, each an exact identity, and exact symbolic results.
@Suite struct IndexedAlgebraTests {
  let a = IndexedAlgebra()
  let rows = IndexSize.symbolic("N"), classes = IndexSize.symbolic("C")
  var n: IndexVariable { IndexVariable("n", rows) }
  var c: IndexVariable { IndexVariable("c", classes) }
  var j: IndexVariable { IndexVariable("j", classes) }
  var k: IndexVariable { IndexVariable("k", classes) }
  func x(_ i: IndexVariable, _ l: IndexVariable) -> Expr { a.element("X", [.variable(i), .variable(l)]) }

  @Test func aDeltaThatBindsTheSummedIndexSelectsTheTerm() {
    // sum_j delta(j, c) exp(X[n, j]) = exp(X[n, c]) (c in j's range).
    #expect(a.sum(j, a.delta(.variable(j), .variable(c)) * exp(x(n, j))) == exp(x(n, c)))
    // A gather that may be ignored leaves its bracket.
    let t = IndexTerm.gather(DataTensor("t", range: classes, mayBeIgnored: true), [.variable(n)])
    #expect(
      a.sum(j, a.delta(.variable(j), t) * exp(x(n, j)))
        == a.notIgnored(t) * exp(a.element("X", [.variable(n), t])))
    // A delta on a variable of another size is not used (its values need not lie in range).
    let r = IndexVariable("r", rows)
    let kept = a.sum(j, a.delta(.variable(j), .variable(r)) * exp(x(n, j)))
    #expect(a.atom(kept).map { if case .sum = $0 { return true } else { return false } } == true)
  }

  /// Equality where a delta binds a gather: delta(c, t[n]) h(X[n, t[n]]) is
  /// delta(c, t[n]) h(X[n, c]), and not h(X[n, c]) alone.
  @Test func aDeltaBindsItsGatherInEquality() {
    let t = IndexTerm.gather(DataTensor("t", range: classes, mayBeIgnored: true), [.variable(n)])
    let d = a.delta(.variable(c), t)
    let gathered = tanh(a.element("X", [.variable(n), t]))
    #expect(a.provedEqual(d * gathered, d * tanh(x(n, c))))
    #expect(!a.provedEqual(d * gathered, tanh(x(n, c))))
    #expect(!a.provedEqual(d * gathered, d * tanh(x(n, j))))
  }

  /// Finite sums exchange: sum_n sum_c X[n, c] is sum_c sum_n X[n, c] (each order proved
  /// equal to the other); a different body stays different.
  @Test func sumsExchange() {
    let rowsFirst = a.sum(n, a.sum(c, x(n, c)))
    let classesFirst = a.sum(c, a.sum(n, x(n, c)))
    #expect(rowsFirst != classesFirst)
    #expect(a.provedEqual(rowsFirst, classesFirst))
    #expect(a.provedEqual(a.sum(n, a.sum(c, x(n, c) * exp(x(n, c)))), a.sum(c, a.sum(n, exp(x(n, c)) * x(n, c)))))
    #expect(!a.provedEqual(rowsFirst, a.sum(c, a.sum(n, exp(x(n, c))))))
  }

  /// Proof by cases where sizes are small numbers: with two classes 1 - s_1 = s_2, which
  /// no rule for symbolic sizes gives; a false statement stays unproved.
  @Test func smallFixedSizesAreProvedByCases() {
    let two = IndexSize.fixed(2)
    let c2 = IndexVariable("c", two)
    let k2 = IndexVariable("k", two)
    let total = a.sum(k2, exp(a.element("X", [.variable(n), .variable(k2)])))
    let s = { (i: Int) in exp(a.element("X", [.variable(n), .value(i)])) / total }
    #expect(a.provedEqual(1 - s(1), s(2)))
    #expect(!a.provedEqual(1 - s(1), s(1)))
    // A free class index of size 2 and a target of range 2: the column with the target
    // holds s_t, the other 1 - s_t (cases c = 1, 2 and t[n] = 1, 2).
    let t = IndexTerm.gather(DataTensor("t", range: two, mayBeIgnored: false), [.variable(n)])
    let sc = exp(a.element("X", [.variable(n), .variable(c2)])) / total
    let st = exp(a.element("X", [.variable(n), t])) / total
    let dc = a.delta(.variable(c2), t)
    #expect(a.provedEqual(dc * sc + (1 - dc) * (1 - sc), st))
    #expect(!a.provedEqual(dc * sc + (1 - dc) * sc, st))
  }

  @Test func constantsAndFactorsLeaveTheSum() {
    #expect(a.sum(c, .symbol("z")) == classes.expr * .symbol("z"))
    let y = Expr.symbol("y")
    #expect(a.sum(c, y * exp(x(n, c))) == y * a.sum(c, exp(x(n, c))))
    // Sums of terms are sums of sums.
    #expect(a.sum(c, exp(x(n, c)) + 1) == a.sum(c, exp(x(n, c))) + classes.expr)
  }

  @Test func sumsThatDifferOnlyInTheirVariableAreOne() {
    #expect(a.sum(c, exp(x(n, c))) == a.sum(k, exp(x(n, k))))
    // Hence softmax sums to 1 by the core's algebra.
    let s = a.sum(k, exp(x(n, k)))
    #expect(a.sum(c, exp(x(n, c)) / s) == .one)
  }

  @Test func entriesDifferentiateToDeltas() {
    let m = IndexVariable("m", rows)
    #expect(
      a.derivative(x(m, j), of: "X", at: [.variable(n), .variable(c)])
        == a.delta(.variable(m), .variable(n)) * a.delta(.variable(j), .variable(c)))
    #expect(a.derivative(a.element("Y", [.variable(m)]), of: "X", at: [.variable(n), .variable(c)]) == .zero)
    // Squares of deltas are the deltas.
    let d = a.delta(.variable(m), .variable(n))
    #expect(a.indicatorsReduced(d * d) == d)
  }

  /// The classic result: mean cross-entropy over class indices has gradient
  /// (softmax(X[n])_c - delta(c, t[n])) / N, built here independently of the loss.
  @Test func crossEntropyGradientIsSoftmaxMinusOneHotOverN() {
    let d = IndexedLosses.crossEntropy(.init())
    let b = d.algebra
    let t = IndexTerm.gather(DataTensor("t", range: classes, mayBeIgnored: false), [.variable(n)])
    let entry = { (i: IndexVariable, l: IndexVariable) in b.element("X", [.variable(i), .variable(l)]) }
    let softmax = exp(entry(n, c)) / b.sum(k, exp(entry(n, k)))
    let expected = (softmax - b.delta(.variable(c), t)) / rows.expr
    #expect((d.gradient - expected).simplified().isZero, "\(d.gradientText)")
    #expect(
      d.gradientText
        == "exp(X[n, c])/(Symbol('N')*Sum(exp(X[n, k]), (k, 1, Symbol('C')))) - KroneckerDelta(c, t[n])/Symbol('N')")
    #expect(
      b.latex(d.gradient)
        == "\\frac{e^{X_{n c}}}{N \\left(\\sum_{k=1}^{C} e^{X_{n k}}\\right)} - \\frac{\\delta_{c t_{n}}}{N}")
  }

  /// `reduction="none"` with ignored targets: the gradient of row n is zero for an ignored
  /// row (the bracket) and nothing else changes.
  @Test func unreducedGradientWithIgnoredTargetsHasZeroRows() throws {
    let d = IndexedLosses.crossEntropy(.init(ignoreIndex: true, reduction: .none))
    let instance = Instance(sizes: ["N": 3, "C": 2], data: ["t": ([3], [1, -100, 0])])
    let m = d.inputIndices[0]
    for row in 1...3 {
      for mRow in 1...3 {
        for cls in 1...2 {
          let g = try d.algebra.instantiate(d.gradient, instance, at: [n: row, m: mRow, d.inputIndices[1]: cls])
          if row == 2 || mRow != row { #expect(g == .zero, "row \(row), entry X[\(mRow - 1)][\(cls - 1)]: \(g)") }
        }
      }
    }
  }

  @Test func instantiationUnrollsSumsAndDecidesDeltas() throws {
    let s = a.sum(c, exp(x(n, c)))
    let e = try a.instantiate(s, Instance(sizes: ["N": 2, "C": 3]), at: [n: 2])
    #expect(e == exp(.symbol("X[1][0]")) + exp(.symbol("X[1][1]")) + exp(.symbol("X[1][2]")))
    #expect(throws: InstantiationError.self) { try a.instantiate(s, Instance(sizes: ["N": 2]), at: [n: 1]) }
  }
}
