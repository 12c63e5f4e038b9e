import Foundation
import SymGradTestSupport
import Testing

@testable import SymGrad

/// `torch.where` and comparisons (`Expressions/Expr+Selection.swift`): only the selected
/// branch is evaluated, differentiated and taken to a limit, on every path.
@Suite struct SelectionTests {
  static let x = Expr.symbol("x")
  static let y = Expr.symbol("y")

  static func parse(_ text: String) throws -> Expr { try Expr(parsing: text) }

  // MARK: Construction

  @Test func comparisonsAreSelectionsOfOneAndZero() {
    let (x, y) = (Self.x, Self.y)
    #expect(Expr.comparison(x, .greater, y) == .apply(.wherePositive, [x - y, 1, 0]))
    #expect(Expr.comparison(x, .less, y) == .apply(.wherePositive, [y - x, 1, 0]))
    #expect(Expr.comparison(x, .greaterOrEqual, y) == .apply(.whereNonNegative, [x - y, 1, 0]))
    #expect(Expr.comparison(x, .lessOrEqual, y) == .apply(.whereNonNegative, [y - x, 1, 0]))
    #expect(Expr.comparison(x, .equal, y) == .apply(.whereZero, [x - y, 1, 0]))
    #expect(Expr.comparison(x, .notEqual, y) == .apply(.whereZero, [x - y, 0, 1]))
    #expect(Expr.comparison(x, .greater, y).isBooleanValued)
    #expect(Expr.comparison(x, .notEqual, y).isBooleanValued)
    #expect(!Expr.apply(.wherePositive, [x, log(x), 0]).isBooleanValued)
  }

  @Test func numericConditionsSelectAtConstruction() {
    let x = Self.x
    #expect(Expr.comparison(2, .greater, 1) == .one)
    #expect(Expr.comparison(1, .greater, 1) == .zero)
    #expect(Expr.comparison(1, .greaterOrEqual, 1) == .one)
    #expect(Expr.comparison(1, .equal, 1) == .one)
    #expect(Expr.comparison(1, .notEqual, 1) == .zero)
    #expect(Expr.comparison(.infinity, .greater, 5) == .one)
    #expect(Expr.comparison(.negativeInfinity, .greaterOrEqual, 5) == .zero)
    #expect(Expr.comparison(.pi, .greater, 3) == .apply(.wherePositive, [.pi - 3, 1, 0]))
    // Substituting a point selects, dropping the unselected (undefined) branch.
    let e = Expr.selection(x, .greater, 0, log(x), 0)
    #expect(e.substituting(["x": Expr(-1)]) == .zero)
    #expect(e.substituting(["x": Expr(2)]) == log(2))
    // An undefined condition is undefined; an undefined unselected branch is not.
    #expect(Expr.selection(.undefined, .greater, 0, 1, 2).isUndefined)
    #expect(Expr.selection(1, .greater, 0, 1, .undefined) == .one)
  }

  @Test func equalBranchesFoldOnlyUnderATotalCondition() {
    let (x, y) = (Self.x, Self.y)
    #expect(Expr.selection(x, .greater, y, exp(x), exp(x)) == exp(x))
    // log(x) > 0 is undefined at x = -1: the selection must stay undefined there.
    let guarded = Expr.selection(log(x), .greater, 0, y, y)
    #expect(guarded != y)
    #expect(throws: EvaluationError.self) { try guarded.evaluateIEEE(at: ["x": -1, "y": 2]) }
  }

  /// `where(x > 0, ...)` reads the comparison `where(x > 0, 1, 0)` as "nonzero": one
  /// selection, the same node the printed text gives back.
  @Test func comparisonConditionsResolveIntoOneSelection() throws {
    let x = Self.x
    let built = Expr.selection(nonzero: Expr.comparison(x, .greater, 0), log(x), 0)
    #expect(built == .apply(.wherePositive, [x, log(x), 0]))
    let negated = Expr.selection(nonzero: Expr.comparison(x, .notEqual, 1), x, 2)
    #expect(negated == .apply(.whereZero, [x - 1, 2, x]))
  }

  // MARK: The language

  @Test func parsesPrintsAndReadsBack() throws {
    let e = try Self.parse("where(x > 0, log(x), 0)")
    #expect(e == .apply(.wherePositive, [Self.x, log(Self.x), 0]))
    #expect(e.description == "where(x > 0, log(x), 0)")
    #expect(try Self.parse(e.description) == e)
    for text in ["x >= y", "x < y", "x <= 2*y", "x == y", "x != y", "where(x**2 - 1 <= 0, exp(x), sin(x))"] {
      let f = try Self.parse(text)
      #expect(try Self.parse(f.description) == f, "\(text) printed as \(f.description)")
    }
    #expect(try Self.parse("x != y").description == "where(x - y == 0, 0, 1)")
    // Comparisons bind below arithmetic, as in Python.
    #expect(try Self.parse("x + 1 > 2*y") == Expr.comparison(Self.x + 1, .greater, 2 * Self.y))
    #expect(try Self.parse("torch.where(x > 0, x, 0)") == .apply(.wherePositive, [Self.x, Self.x, 0]))
  }

  /// `&`, `|` and `~` combine conditions (PyTorch's operators on bool tensors), with
  /// Python's precedence: above the comparisons, so each comparison is parenthesized.
  @Test func combinesConditions() throws {
    let inside = try Self.parse("(x > 0) & (x < 1)")
    #expect(inside.isBooleanValued)
    for (x, want) in [(0.5, 1.0), (2, 0), (-1, 0), (0, 0), (1, 0)] {
      #expect(try inside.evaluateIEEE(at: ["x": x]) == want, "x = \(x)")
    }
    let either = try Self.parse("(x < 0) | (y > 2) | ~(x != 3)")
    for (x, y, want) in [(-1.0, 0.0, 1.0), (1, 3, 1), (3, 0, 1), (1, 0, 0)] {
      #expect(try either.evaluateIEEE(at: ["x": x, "y": y]) == want, "x = \(x), y = \(y)")
    }
    #expect(try Self.parse(inside.description) == inside)
    #expect(try Self.parse(either.description) == either)
    // Short-circuits where PyTorch computes NaN and compares it as false: the same value.
    let guarded = try Self.parse("where((x > 0) & (log(x) > 1), log(x), -1)")
    #expect(try guarded.evaluateIEEE(at: ["x": -2]) == -1)
    #expect(try guarded.certifiedValue(at: ["x": 1]).value == -1)
    #expect(try guarded.evaluateIEEE(at: ["x": 10]) == Foundation.log(10.0))
    // Literal masks combine with comparisons, elementwise.
    let v = try Expr.Value(parsing: "where([True, False] & ([a, b] > 0), [a, b], 0)")
    #expect(v == .list([.scalar(.apply(.wherePositive, [.symbol("a"), .symbol("a"), 0])), .scalar(0)]))
  }

  @Test func broadcastsConditionInputAndOther() throws {
    let v = try Expr.Value(parsing: "where([[True], [False]], [a, b], 0)")
    #expect(v == .list([.list([.scalar(.symbol("a")), .scalar(.symbol("b"))]), .list([.scalar(0), .scalar(0)])]))
    let w = try Expr.Value(parsing: "where([a, b] > 0, [a, b], [1, 2])")
    #expect(
      w
        == .list([
          .scalar(.apply(.wherePositive, [.symbol("a"), .symbol("a"), 1])),
          .scalar(.apply(.wherePositive, [.symbol("b"), .symbol("b"), 2])),
        ]))
  }

  @Test func refusesWhatPyTorchRefuses() {
    func message(_ text: String) -> String {
      do {
        _ = try Expr.Value(parsing: text)
        return "parsed"
      } catch { return "\(error)" }
    }
    #expect(message("where(x, 1, 0)").contains("must be a comparison"))
    #expect(message("where(x, 1, 0)").contains("column 7"))
    #expect(message("where(x > 0)").contains("returns indices"))
    #expect(message("where(x > 0, 1)").contains("missing argument 'other'"))
    #expect(message("0 < x < 1").contains("chained comparisons"))
    #expect(message("x ! y").contains("'!='"))
    #expect(message("x & (y > 0)").contains("&: a condition must be a comparison"))
    #expect(message("~x").contains("~: a condition must be a comparison"))
    // Python's precedence: x > 0 & y is x > (0 & y), and y is no condition.
    #expect(message("x > 0 & y").contains("&: a condition must be a comparison"))
    #expect(message("where([True, False, True], [a, b], 0)").contains("cannot be broadcast"))
  }

  // MARK: Evaluation: the unselected branch is never evaluated

  @Test func evaluatesTheSelectedBranchOnly() throws {
    let e = try Self.parse("where(x > 0, log(x), 0)")
    #expect(try e.evaluateIEEE(at: ["x": -1]) == 0)
    #expect(try e.evaluateIEEE(at: ["x": 0]) == 0)
    #expect(try e.evaluateIEEE(at: ["x": 2]) == Foundation.log(2.0))
    #expect(try e.certifiedValue(at: ["x": -1]) == CertifiedValue(value: 0, certified: true))
    #expect(try e.certifiedValue(at: ["x": 2]).value == Foundation.log(2.0))
    // A NaN condition is NaN; an undefined one a domain error.
    #expect(try e.evaluateIEEE(at: ["x": .nan]).isNaN)
    let guarded = try Self.parse("where(log(x) > 0, 1, 2)")
    #expect(throws: EvaluationError.self) { try guarded.evaluateIEEE(at: ["x": -1]) }
    #expect(throws: EvaluationError.self) { try guarded.certifiedValue(at: ["x": -1]) }
    #expect(try guarded.certifiedValue(at: ["x": 3]).value == 1)
  }

  @Test func tiesSelectByTheRelation() throws {
    let point: [String: Double] = ["x": 0.1, "y": 0.1]
    for (text, want) in [
      ("where(x > y, 1, 2)", 2.0), ("where(x >= y, 1, 2)", 1), ("where(x == y, 1, 2)", 1), ("where(x != y, 1, 2)", 2),
      ("where(x < y, 1, 2)", 2), ("where(x <= y, 1, 2)", 1),
    ] {
      let e = try Self.parse(text)
      #expect(try e.evaluateIEEE(at: point) == want, "\(text)")
      #expect(try e.certifiedValue(at: point).value == want, "\(text)")
    }
  }

  /// Where IEEE underflows the condition to 0, the certified evaluator still sees its sign.
  @Test func certifiedConditionsSurviveUnderflow() throws {
    let e = try Self.parse("where(exp(-x) == 0, 1, 2)")
    #expect(try e.evaluateIEEE(at: ["x": 1000]) == 1)  // exp(-1000) is 0 in double
    #expect(try e.certifiedValue(at: ["x": 1000]) == CertifiedValue(value: 2, certified: true))
    #expect(try Expr.certifiedValues(of: [e], at: ["x": 1000])[0].value == 2)
  }

  @Test func compiledTapesSelect() throws {
    let e = try Self.parse("where(x > 0, log(x), 0)")
    let f = try CompiledFunction([e, try Self.parse("where(x >= 1, sqrt(x - 1), -x)")], inputs: ["x"])
    #expect(f.values(at: [-1]) == [0, 1])
    #expect(f.values(at: [5]) == [Foundation.log(5.0), 2])
    let nan = f.values(at: [.nan])
    #expect(nan.count == 2 && nan.allSatisfy { $0.isNaN })
    let c = try f.certifiedValues(at: [-1])
    #expect(c.map(\.value) == [0, 1] && c.allSatisfy(\.certified))
    let d = try f.certifiedValues(at: [5])
    #expect(d.map(\.value) == [Foundation.log(5.0), 2] && d.allSatisfy(\.certified))
    // At an infinite input the condition exp(-x) is the limit 0, reached from above: the
    // extended-real tape must not read it as an exact 0.
    let g = try CompiledFunction(
      [try Self.parse("where(exp(-x) > 0, 1, 2)"), try Self.parse("where(-exp(-x) >= 0, 1, 2)")], inputs: ["x"])
    #expect(try g.certifiedValues(at: [.infinity]).map(\.value) == [1, 2])
    #expect(try g.certifiedValues(at: [-.infinity]).map(\.value) == [1, 2])
  }

  // MARK: Derivatives

  @Test func derivativeSelectsTheBranchDerivatives() throws {
    let x = Self.x
    let e = try Self.parse("where(x > 0, log(x), 0)")
    let d = e.derivative(withRespectTo: x)
    #expect(d == .apply(.wherePositive, [x, 1 / x, 0]))
    // At x = 0 the derivative is 0: PyTorch's backward gives 0 * (1/0) = NaN there.
    #expect(try d.certifiedValue(at: ["x": 0]) == CertifiedValue(value: 0, certified: true))
    #expect(try d.evaluateIEEE(at: ["x": -2]) == 0)
    #expect(try d.evaluateIEEE(at: ["x": 4]) == 0.25)
    #expect(try Self.parse("where(x > 0, 1, 2)").derivative(withRespectTo: x) == .zero)
  }

  /// Gradients through selections are taken forward (reverse mode would multiply a mask by
  /// the branch's derivative, 0 * inf where the branch is not selected).
  @Test func gradientsAndJacobiansAgreeWithForwardMode() throws {
    let (x, y) = (Self.x, Self.y)
    let e = try Self.parse("where(x > y, x*log(y), sqrt(-y))")
    let g = e.gradient(withRespectTo: [x, y])
    #expect(g[0] == .apply(.wherePositive, [x - y, log(y), 0]))
    #expect(g[1] == .apply(.wherePositive, [x - y, x / y, sqrt(-y).derivative(withRespectTo: y)]))
    // At x < y < 0 the selected branch is sqrt(-y); the other, x*log(y), is undefined
    // there and its derivatives are never evaluated.
    let at: [String: Double] = ["x": -5, "y": -4]
    #expect(try g[0].evaluateIEEE(at: at) == 0)
    #expect(try g[1].evaluateIEEE(at: at) == -0.25)
    let j = [e, x * e].jacobian(withRespectTo: [x, y, Expr.symbol("z")])
    #expect(j[0] == g + [.zero])
  }

  // MARK: Limits

  @Test func limitsTakeTheEventuallySelectedBranch() throws {
    let x = Self.x
    let e = try Self.parse("where(x > 0, log(x), 0)")
    #expect(e.limit(as: x, approaches: .infinity) == .infinity)
    #expect(e.limit(as: x, approaches: .negativeInfinity) == .finite(0))
    #expect(try Expr.certifiedValues(of: [e], at: ["x": .infinity])[0].value == .infinity)
    // A condition tending to 0: its eventual sign decides (exp(-x) > 0 on the tail).
    let vanishing = try Self.parse("where(exp(-x) > 0, x*exp(-x), 1/x - 1)")
    #expect(vanishing.limit(as: x, approaches: .infinity) == .finite(0))
    let zero = try Self.parse("where(exp(-x) == 0, 1, 2)")
    #expect(zero.limit(as: x, approaches: .infinity) == .finite(2))
    // One-sided limits at the jump.
    let step = try Self.parse("where(x >= 0, 1 + x, x - 1)")
    #expect(step.limit(as: x, approaches: .value(0, from: .right)) == .finite(1))
    #expect(step.limit(as: x, approaches: .value(0, from: .left)) == .finite(-1))
    if case .undefined = step.limit(as: x, approaches: .value(0, from: .both)) {
    } else {
      Issue.record("the two sides disagree: no limit")
    }
    // A condition that keeps changing sign has no eventual branch.
    if case .undefined = try Self.parse("where(sin(x) > 0, 1, 2)").limit(as: x, approaches: .infinity) {
    } else {
      Issue.record("sin(x) > 0 has no eventual value")
    }
    // Same-rate infinite inputs: x > y is false when both are inf (as in PyTorch).
    let tie = try Self.parse("where(x > y, 1, 2)")
    #expect(try Expr.certifiedValues(of: [tie], at: ["x": .infinity, "y": .infinity])[0].value == 2)
  }

  // MARK: Printing and generated code

  @Test func printsInEverySyntax() throws {
    let e = try Self.parse("where(x >= 1, log(x), 0)")
    #expect(e.sympyDescription == "Piecewise((log(x), (x - 1) >= 0), (0, True))")
    #expect(try Self.parse("x == y").sympyDescription == "Piecewise((1, Eq(x - y, 0)), (0, True))")
    #expect(e.latex.contains("\\begin{cases}"))
    #expect(e.latex.contains("\\geq 0"))
  }
}
