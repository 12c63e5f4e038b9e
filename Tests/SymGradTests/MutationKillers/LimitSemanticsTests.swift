import Foundation
import Testing

@testable import SymGrad

/// Extended-real semantics that `Scripts/mutation-check` found unpinned: the same-rate
/// rule with inputs of both signs, `inf` beside symbols, 0/0 approached from above, and
/// the certified zero test. Expected values are worked out by hand in the comments.
@Suite struct LimitSemanticsTests {
  let x = Expr.symbol("x"), y = Expr.symbol("y")

  func value(_ text: String, _ point: [String: Double]) throws -> Double {
    try Expr(parsing: text).evaluate(at: point)
  }

  /// Inputs at +inf and -inf tend to infinity together at the same rate: x = t, y = -t.
  /// x + y = 0; 2x + y = t -> inf; x + 2y = -t -> -inf; exp(x + y) = 1;
  /// sigmoid(x + y) = 1/2; exp(x)/(exp(x) + exp(-y)) = e^t/(2 e^t) = 1/2.
  @Test func sameRateWithInputsOfBothSigns() throws {
    let p: [String: Double] = ["x": .infinity, "y": -.infinity]
    #expect(try value("x + y", p) == 0)
    #expect(try value("2*x + y", p) == .infinity)
    #expect(try value("x + 2*y", p) == -.infinity)
    #expect(try value("exp(x + y)", p) == 1)
    #expect(try value("sigmoid(x + y)", p) == 0.5)
    #expect(try value("exp(x)/(exp(x) + exp(-y))", p) == 0.5)
    #expect((x + y).limitValue(at: ["x": .infinity, "y": -.infinity]) == .finite(.zero))
  }

  /// `x + inf` keeps `x` (it may be infinite itself): at x = -inf the masks' inf and x tend
  /// together, -t + t = 0; at x = 5 the value is inf.
  @Test func infinityBesideASymbolIsNotAbsorbed() throws {
    let e = x + Expr.infinity
    #expect(e != Expr.infinity)
    #expect(e.freeSymbols == ["x"])
    #expect(try e.evaluate(at: ["x": -.infinity]) == 0)
    #expect(try e.evaluate(at: ["x": 5]) == .infinity)
    // A masked logit written as a constant: exp(x - inf) at x = inf is exp(t - t) = 1.
    #expect(try exp(x + Expr.negativeInfinity).evaluate(at: ["x": .infinity]) == 1)
  }

  /// A 0/0 at a finite point is the limit as the inputs approach it from above:
  /// |x|/x -> 1 and max(x, 0)/x -> 1 as x -> 0+ (from below they would be -1 and 0).
  @Test func zeroOverZeroIsTheLimitFromAbove() throws {
    #expect(try value("abs(x)/x", ["x": 0]) == 1)
    #expect(try value("max(x, 0)/x", ["x": 0]) == 1)
    #expect((abs(x) / x).limitValue(at: ["x": 0]) == .finite(.one))
  }

  /// exp(10^-2000) - 1 is positive (exp(u) > 1 for u > 0) but about 10^-2000, below what
  /// a 4096-bit enclosure separates from 0: the limit of c*x + 1 as x -> inf is inf, and the
  /// engine may say so or say "undecided", never 1 (which treats c as 0).
  @Test func anUnresolvedCoefficientIsNotTakenAsZero() throws {
    let e = try Expr(parsing: "(exp(1/10**2000) - 1)*x + 1")
    let l = e.limit(as: x, approaches: .infinity)
    switch l {
    case .infinity: break
    case .undefined(let why): #expect(why.code == "undecided", "\(why)")
    default: Issue.record("limit of (exp(1/10**2000) - 1)*x + 1 is inf or undecided, got \(l)")
    }
  }

  /// A constant whose terms all have one sign is not 0, although every enclosure of
  /// `exp(-10**400)` is [0, 2^-(2^60)] and contains 0: -949 exp(-10**400) - 3 exp(-10**401)
  /// is negative, so the limit of c*x + 1 is -inf (it was "undecided" after a ladder to
  /// 4096 bits). A constant with terms of both signs stays unsigned.
  @Test func aConstantOfTermsOfOneSignIsNotZero() throws {
    let c = try Expr(parsing: "-949*exp(-10**400) - 3*exp(-10**401)")
    #expect(c.structuralSign == -1)
    #expect(try Expr(parsing: "pi*exp(1/3)*sigmoid(-5)*(2 + softplus(-7))**(1/3)").structuralSign == 1)
    #expect(try Expr(parsing: "(-pi - 1)**3").structuralSign == -1)
    #expect(try Expr(parsing: "(-pi - 1)**(1/3)").structuralSign == nil)
    #expect(try Expr(parsing: "exp(-10**400) - exp(-10**401)").structuralSign == nil)
    #expect(try Expr(parsing: "sqrt(2) - 1").structuralSign == nil)
    #expect(try Expr(parsing: "exp(x) + 1").structuralSign == nil)
    // The zero test itself, on the negative constant (the limits above may reach its
    // sign through -c, which is provably positive).
    #expect(LimitEngine().zeroTest(c) == .nonzero)
    #expect((c * x + 1).limit(as: x, approaches: .infinity) == .negativeInfinity)
    #expect((-c * x + 1).limit(as: x, approaches: .infinity) == .infinity)
  }

  /// sigmoid(1) + sigmoid(-1) - 1 is exactly 0 (sigmoid(-z) = 1 - sigmoid(z)), so
  /// (sigmoid(1) + sigmoid(-1) - 1)**2 * x + 1 is identically 1: its limit is 1.
  @Test func aSquareOfAProvedZeroIsZero() throws {
    let e = try Expr(parsing: "(sigmoid(1) + sigmoid(-1) - 1)**2 * x + 1")
    #expect(e.limit(as: x, approaches: .infinity) == .finite(.one))
  }
}

/// Derivatives at PyTorch's conventions for non-smooth points (derivatives.yaml):
/// `abs: grad * self.sgn()` is 0 at 0; `maximum`/`minimum` split the gradient evenly at
/// ties (`grad / 2` to each) and give it all to the larger (smaller) argument otherwise.
@Suite struct NonSmoothDerivativeTests {
  let x = Expr.symbol("x"), y = Expr.symbol("y")

  @Test func absHasDerivativeZeroAtZero() throws {
    let d = abs(x).derivative(withRespectTo: x)
    #expect(try d.evaluate(at: ["x": 0]) == 0)
    #expect(try d.evaluate(at: ["x": 2]) == 1)
    #expect(try d.evaluate(at: ["x": -2]) == -1)
  }

  @Test func maxAndMinSplitTheGradientAtATie() throws {
    let tie: [String: Double] = ["x": 1, "y": 1]
    for f in [max(x, y), min(x, y)] {
      #expect(try f.derivative(withRespectTo: x).evaluate(at: tie) == 0.5)
      #expect(try f.derivative(withRespectTo: y).evaluate(at: tie) == 0.5)
    }
    let apart: [String: Double] = ["x": 2, "y": 1]
    #expect(try max(x, y).derivative(withRespectTo: x).evaluate(at: apart) == 1)
    #expect(try max(x, y).derivative(withRespectTo: y).evaluate(at: apart) == 0)
    #expect(try min(x, y).derivative(withRespectTo: x).evaluate(at: apart) == 0)
    #expect(try min(x, y).derivative(withRespectTo: y).evaluate(at: apart) == 1)
  }
}
