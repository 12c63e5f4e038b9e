import Foundation
import Testing

@testable import SymGrad

/// The limit engine's expansion of `erf` and `erfc` (`Limits/Series+ErrorFunction.swift`):
/// `erfc(u) = exp(-u**2) erfcx(u)` for `u -> +inf`, with `erfcx` internal to the engine.
/// The limits themselves are sympy's, recorded with mpmath checks in
/// `Fixtures/sympy/erf-limits.json` (`SympyLimitFixtureTests` runs them); here: the
/// internal function's values and derivative against mpmath, and the paths a user takes.
@Suite struct ErrorFunctionLimitTests {
  struct ScaledErfcReference: Sendable, CustomTestStringConvertible {
    let x: Double
    let value: Double
    let derivative: Double
    var testDescription: String { "erfcx(\(x))" }

    static let all: [ScaledErfcReference] = {
      let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/sympy/erf-limits.json")
      guard let data = try? Data(contentsOf: url),
        let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
        let rows = top["erfcx"] as? [[String: Any]]
      else { return [] }
      return rows.compactMap { r in
        guard let x = (r["x"] as? String).flatMap(Double.init), let v = (r["value"] as? String).flatMap(Double.init),
          let d = (r["derivative"] as? String).flatMap(Double.init)
        else { return nil }
        return ScaledErfcReference(x: x, value: v, derivative: d)
      }
    }()
  }

  @Test func referencesLoaded() {
    #expect(ScaledErfcReference.all.count >= 14)
  }

  /// Certified evaluation of the internal node is faithful (one ulp), far past where
  /// `exp(x**2)` alone overflows a double.
  @Test(arguments: ScaledErfcReference.all)
  func certifiedValue(_ r: ScaledErfcReference) throws {
    let v = try Expr.apply(.erfcx, [.symbol("x")]).certifiedValue(at: ["x": r.x])
    #expect(v.certified)
    #expect(v.value == r.value || v.value == r.value.nextUp || v.value == r.value.nextDown, "\(v.value) vs \(r.value)")
  }

  /// The double evaluator: below 25 the product `exp(x**2) erfc(x)`, whose relative error
  /// is that of `x**2` (2^-53) times `x**2` (at most 625 * 1.1e-16 = 7e-14); above, the
  /// continued fraction, to a few ulps.
  @Test(arguments: ScaledErfcReference.all)
  func doubleValue(_ r: ScaledErfcReference) {
    let v = Expr.scaledErfc(r.x)
    let tolerance = r.x < 25 ? Swift.max(1, r.x * r.x) * 2.3e-16 : 8 * Double.ulpOfOne
    #expect(Swift.abs(v - r.value) <= tolerance * Swift.abs(r.value), "\(v) vs \(r.value)")
  }

  /// The derivative rule `2 x erfcx(x) - 2/sqrt(pi)`, certified, against mpmath's
  /// numerical derivative (80 digits). Where the two terms cancel (large x) the certified
  /// evaluator still gives a faithful result; mpmath's `diff` is good to far more digits
  /// than a double holds.
  @Test(arguments: ScaledErfcReference.all)
  func derivative(_ r: ScaledErfcReference) throws {
    let x = Expr.symbol("x")
    let d = Expr.apply(.erfcx, [x]).derivative(withRespectTo: x)
    let v = try d.certifiedValue(at: ["x": r.x])
    #expect(v.certified)
    #expect(
      v.value == r.derivative || v.value == r.derivative.nextUp || v.value == r.derivative.nextDown,
      "\(v.value) vs \(r.derivative)")
  }

  /// Printed, the internal node is its definition, which the language reads back.
  @Test func printsItsDefinition() throws {
    let e = Expr.apply(.erfcx, [.symbol("x")])
    #expect(!e.description.contains("erfcx"))
    let back = try Expr(parsing: e.description)
    #expect(try back.certifiedValue(at: ["x": 3]).value == (try e.certifiedValue(at: ["x": 3]).value))
  }

  /// What a user evaluates: gelu's value, its derivative and `x*gelu(x)` at -inf, and a
  /// scaled tail at +inf. `x*gelu(x)` at `-inf` was "not certified: no asymptotic
  /// expansion of erfc" before.
  @Test func userFacingLimits() throws {
    let x = Expr.symbol("x")
    let gelu = try Expr(parsing: "gelu(x)")
    #expect((x * gelu).limitValue(at: ["x": -.infinity]) == .finite(.zero))
    #expect(gelu.derivative(withRespectTo: x).limitValue(at: ["x": -.infinity]) == .finite(.zero))
    let scaled = try Expr(parsing: "x*erfc(x)*exp(x**2)")
    guard case .finite(let v) = scaled.limitValue(at: ["x": .infinity]) else {
      Issue.record("x*erfc(x)*exp(x**2) at inf: \(scaled.limitValue(at: ["x": .infinity]))")
      return
    }
    #expect(v == 1 / sqrt(Expr.pi))
    #expect(try scaled.evaluate(at: ["x": .infinity]) == 1 / Double.pi.squareRoot())
  }

  /// `erf` of an oscillating argument has no limit: undefined, never a value.
  @Test func oscillatingArgumentHasNoLimit() throws {
    let e = try Expr(parsing: "erf(sin(x))")
    let value = e.limit(as: .symbol("x"), approaches: .infinity)
    guard case .undefined = value else {
      Issue.record("erf(sin(x)) at inf: \(value)")
      return
    }
  }
}
