import Testing

@testable import SymGrad

/// `erf` and `erfc`: certified values (both series of `Interval+ErrorFunction.swift`, and the
/// switch between them), derivatives, limits by continuity, the engine's honest refusal of
/// indeterminate forms, and printing.
@Suite struct ErrorFunctionTests {
  static let x = Expr.symbol("x")

  /// Values from mpmath at 60 digits, rounded to the nearest double. A certified value is
  /// a faithful rounding: within one ulp of the nearest double (erf(6) = 1 - 2.2e-17 may
  /// be 1 or the double below). The points cover the positive-term series (0.1 to 5.8),
  /// the asymptotic series (9 and beyond at 96 bits), the cancellation of `1 - erf` in
  /// `erfc` (2.5, 5.8, 10), negative arguments and a subnormal result (erfc(26.5)).
  static let values: [(String, Double, Double)] = [
    ("erf", 0.5, 0.5204998778130465), ("erf", 3, 0.9999779095030014), ("erf", -2, -0.9953222650189527),
    ("erf", 1e-10, 1.1283791670955126e-10), ("erf", 6, 1.0), ("erfc", 10, 2.088487583762545e-45),
    ("erfc", 26.5, 2.2109076642637343e-307), ("erfc", -3, 1.9999779095030015),
    ("erfc", 5.8, 2.3555893751564417e-16), ("erfc", 9, 4.13703174651381e-37), ("erfc", 0.1, 0.887537083981715),
    ("erfc", 2.5, 0.0004069520174449589),
  ]

  @Test(arguments: values.indices)
  func certifiedValues(_ i: Int) throws {
    let (name, at, expected) = Self.values[i]
    let f = Expr.apply(name == "erf" ? .erf : .erfc, [Self.x])
    let v = try f.certifiedValue(at: ["x": at])
    #expect(v.certified)
    #expect(Swift.abs(v.value - expected) <= expected.ulp, "\(name)(\(at)) = \(v.value), mpmath \(expected)")
  }

  /// The enclosure of an interval argument contains the values at its ends (monotone
  /// maps through the endpoints), and tightens with the precision.
  @Test func intervalsMapThroughTheirEnds() throws {
    let lo = try #require(Dyadic(exactly: 0.5))
    let hi = try #require(Dyadic(exactly: 9.5))
    for p in [96, 400] {
      let a = IntervalArithmetic(precision: p)
      let e = try a.erf(Interval(lo, hi))
      let c = try a.erfc(Interval(lo, hi))
      let (eLo, eHi) = (try a.erf(Interval(lo)), try a.erf(Interval(hi)))
      let (cLo, cHi) = (try a.erfc(Interval(lo)), try a.erfc(Interval(hi)))
      #expect(Dyadic.compare(e.lo, eLo.lo) == 0 && Dyadic.compare(e.hi, eHi.hi) == 0)
      #expect(Dyadic.compare(c.lo, cHi.lo) == 0 && Dyadic.compare(c.hi, cLo.hi) == 0)
      let point = try a.erfc(Interval(hi))
      let width = Dyadic.sum(point.hi, -point.lo, precision: 4000, .up).approximateDouble
      #expect(width <= point.hi.approximateDouble * 0x1p-90, "erfc(9.5) at \(p) bits: width \(width)")
    }
  }

  /// Derivatives, exact: erf' = 2/sqrt(pi) exp(-x^2), erfc' its negative; odd erf.
  @Test func derivativesAndConstruction() throws {
    let x = Self.x
    let d = Expr.apply(.erf, [x]).derivative(withRespectTo: x)
    #expect(d == 2 / sqrt(Expr.pi) * exp(-(x ** 2)))
    #expect(Expr.apply(.erfc, [x]).derivative(withRespectTo: x) == -d)
    #expect(Expr.apply(.erf, [-x]) == -Expr.apply(.erf, [x]))
    #expect(Expr.apply(.erf, [.infinity]) == .one && Expr.apply(.erfc, [.negativeInfinity]) == .number(2))
    // mpmath: 0.11893028922362937; a faithful rounding is within one ulp.
    #expect(Swift.abs(try d.certifiedValue(at: ["x": 1.5]).value - 0.11893028922362937) <= 0.11893028922362937.ulp)
  }

  /// Continuity decides the limits it can; an indeterminate form with erf of a growing
  /// argument goes through the asymptotic series (`ErrorFunctionLimitTests`, and the
  /// sympy records in `erf-limits.json`): `x erfc(x) -> 0`, `x**2 erfc(x) exp(x**2) -> inf`.
  @Test func limits() {
    let x = Self.x
    #expect(Expr.apply(.erf, [x]).limit(as: x, approaches: .infinity) == .finite(.one))
    #expect(Expr.apply(.erfc, [x]).limit(as: x, approaches: .negativeInfinity) == .finite(.number(2)))
    #expect((Expr.apply(.erfc, [x]) + 1 / x).limit(as: x, approaches: .infinity) == .finite(.zero))
    #expect((x * Expr.apply(.erfc, [x])).limit(as: x, approaches: .infinity) == .finite(.zero))
    #expect((x * x * Expr.apply(.erfc, [x]) * exp(x * x)).limit(as: x, approaches: .infinity) == .infinity)
  }

  /// Text and sympy use `erf`/`erfc` (sympy's names); LaTeX `\operatorname{erf}`; the
  /// expression language reads them back.
  @Test func printing() throws {
    let f = Expr.apply(.erfc, [Self.x / 2])
    #expect(f.description == "erfc(x/2)" && f.sympyDescription == "erfc(x/2)")
    #expect(try Expr(parsing: f.description) == f)
    #expect(Expr.apply(.erf, [Self.x]).latex == "\\operatorname{erf}\\left(x\\right)")
  }
}
