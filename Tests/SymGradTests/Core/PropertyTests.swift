import Foundation
import Testing

@testable import SymGrad

/// Properties checked on 200 random expressions each (see `ExprGenerator`; every case is
/// reproducible from its seed).
@Suite struct PropertyTests {
  static let seeds = Array(0..<200)
  static let variables = ExprGenerator.symbols
  static let names = ["x", "y", "z"]

  /// Points where a numeric comparison is meaningful: finite, and no intermediate value
  /// above 1e8 (near a pole the rounding error of either side is no longer small).
  static let maxScale = 1e8

  // MARK: (a) derivative vs finite differences

  @Test func derivativeMatchesFiniteDifferences() throws {
    var checkedSeeds = 0
    for seed in PropertyTests.seeds {
      let f = ExprGenerator.expression(seed: seed)
      var g = ExprGenerator(seed: seed + 1_000_000)
      var checked = false
      for _ in 0..<3 {
        let p = g.point()
        guard let (f0, scale) = try? valueAndScale(of: f, at: p), f0.isFinite,
          scale < PropertyTests.maxScale
        else { continue }
        for (v, name) in zip(PropertyTests.variables, PropertyTests.names) {
          let df = f.derivative(withRespectTo: v)
          guard let (d, dScale) = try? valueAndScale(of: df, at: p), d.isFinite,
            dScale < PropertyTests.maxScale
          else { continue }
          // Central differences with h = 1e-5 (scaled to |x|) and 2h, then Richardson:
          // R = (4 D(h) - D(2h))/3 has truncation error O(h^4 f^(5)) ~ 1e-20 f^(5).
          let h = 1e-5 * Swift.max(1, Swift.abs(p[name]!))
          func central(_ step: Double) -> Double? {
            var plus = p, minus = p
            plus[name]! += step
            minus[name]! -= step
            guard let fp = try? f.evaluateIEEE(at: plus), let fm = try? f.evaluateIEEE(at: minus),
              fp.isFinite, fm.isFinite
            else { return nil }
            return (fp - fm) / (2 * step)
          }
          guard let d1 = central(h), let d2 = central(2 * h) else { continue }
          // D(h) and D(2h) differ by about h^2 f'''/2: if they disagree by more than 1e-3
          // (relative) the function is too curved at this scale for a Taylor model to
          // be trusted, so the point says nothing about the symbolic derivative: skip it.
          let magnitude = Swift.max(1, Swift.abs(d))
          guard Swift.abs(d1 - d2) <= 1e-3 * magnitude else { continue }
          let richardson = (4 * d1 - d2) / 3
          // Tolerance: rounding in f (about nodes * eps * scale <= 1e3 * 1.1e-16 * scale)
          // divided by h = 1e-5 gives ~1e-8 * scale; 1e-7 * scale leaves a factor 10.
          // Richardson's residual truncation is O(h^4 f^(5)) ~ 1e-20 f^(5), negligible at
          // points that pass the curvature filter; 1e-6 * magnitude covers it. A wrong
          // derivative is off by O(magnitude), orders of magnitude more.
          let tolerance = 1e-6 * magnitude + 1e-7 * scale
          #expect(
            Swift.abs(richardson - d) <= tolerance,
            "seed \(seed): d/d\(name) \(f) at \(p): symbolic \(d), numeric \(richardson)")
          checked = true
        }
      }
      if checked { checkedSeeds += 1 }
    }
    // Guard against a vacuous test: almost every random expression must be checkable.
    #expect(checkedSeeds >= 180, "only \(checkedSeeds) of 200 expressions were checked")
  }

  // MARK: (b) print/parse round trip

  @Test(arguments: seeds)
  func printParseRoundTrip(seed: Int) throws {
    let e = ExprGenerator.expression(seed: seed)
    let text = e.description
    let parsed = try Expr(parsing: text)
    #expect(parsed == e, "seed \(seed): \(text) parsed as \(parsed)")
    // Derivatives are richer expressions (negative powers, coefficients): same property.
    let d = e.derivative(withRespectTo: "x")
    let dParsed = try Expr(parsing: d.description)
    #expect(dParsed == d, "seed \(seed): \(d.description) parsed as \(dParsed)")
  }

  // MARK: (c) LaTeX

  @Test(arguments: seeds)
  func latexIsDeterministicAndWellFormed(seed: Int) throws {
    let e = ExprGenerator.expression(seed: seed)
    let d = e.derivative(withRespectTo: "y")
    for f in [e, d] {
      let first = f.latex
      let second = f.latex
      #expect(first == second)
      #expect(!first.contains("**"), "seed \(seed): \(first)")
      #expect(!first.isEmpty)
      // Braces and \left/\right delimiters balance.
      #expect(first.filter { $0 == "{" }.count == first.filter { $0 == "}" }.count, "\(first)")
      #expect(
        first.components(separatedBy: "\\left").count
          == first.components(separatedBy: "\\right").count, "\(first)")
    }
  }

  // MARK: (d) gradient, Jacobian, Hessian

  @Test(arguments: seeds)
  func gradientJacobianHessianAgree(seed: Int) throws {
    let f = ExprGenerator.expression(seed: seed)
    let vars = PropertyTests.variables
    let g = gradient(of: f, withRespectTo: vars)
    #expect(g == vars.map { f.derivative(withRespectTo: $0) })
    #expect(jacobian(of: [f], withRespectTo: vars) == [g])
    let h = hessian(of: f, withRespectTo: vars)
    #expect(h.count == 3 && h.allSatisfy { $0.count == 3 })
    for i in 0..<3 {
      for j in 0..<3 { #expect(h[i][j] == h[j][i]) }
    }
    let jg = jacobian(of: g, withRespectTo: vars)
    var p = ExprGenerator(seed: seed + 2_000_000)
    let point = p.point()
    for i in 0..<3 {
      for j in 0..<3 {
        // d/dv_j d/dv_i and d/dv_i d/dv_j are different symbolic expressions of the
        // same function (mixed partials commute); compare numerically.
        let other = f.derivative(withRespectTo: vars[j]).derivative(withRespectTo: vars[i])
        let viaJacobian = jg[i][j]
        guard let (a, sa) = try? valueAndScale(of: h[i][j], at: point),
          let (b, sb) = try? valueAndScale(of: other, at: point),
          let (c, sc) = try? valueAndScale(of: viaJacobian, at: point),
          a.isFinite, b.isFinite, c.isFinite
        else { continue }
        let scale = Swift.max(sa, sb, sc)
        guard scale < PropertyTests.maxScale else { continue }
        // Both sides round about nodes * eps * scale <= 1e3 * 1.1e-16 * scale; 1e-10 *
        // scale leaves three orders of magnitude for error growth through functions.
        let tolerance = 1e-10 * scale + 1e-300
        #expect(Swift.abs(a - b) <= tolerance, "seed \(seed) [\(i)][\(j)]: \(a) vs \(b)")
        #expect(Swift.abs(a - c) <= tolerance, "seed \(seed) [\(i)][\(j)]: \(a) vs \(c)")
      }
    }
  }

  // MARK: (e) substitution then evaluation

  @Test func substitutionThenEvaluationMatchesEvaluation() throws {
    // Values exactly representable in binary, so both routes start from the same numbers.
    let values: [Double] = [-1.5, -0.75, -0.5, 0.25, 0.5, 1.25, 2]
    var checkedSeeds = 0
    for seed in PropertyTests.seeds {
      let f = ExprGenerator.expression(seed: seed)
      var g = ExprGenerator(seed: seed + 3_000_000)
      let point = [
        "x": values[g.rng.below(values.count)], "y": values[g.rng.below(values.count)],
        "z": values[g.rng.below(values.count)],
      ]
      guard let (direct, scale) = try? valueAndScale(of: f, at: point), direct.isFinite,
        scale < PropertyTests.maxScale
      else { continue }
      // Substituting only x leaves y and z free.
      let partial = f.substituting(["x": Expr(point["x"]!)])
      #expect(!partial.freeSymbols.contains("x"))
      // Substituting everything leaves a closed expression.
      let closed = f.substituting(point.mapValues { Expr($0) })
      #expect(closed.freeSymbols.isEmpty, "seed \(seed): \(closed)")
      for (name, e) in [("partial", partial), ("closed", closed)] {
        guard let (v, s) = try? valueAndScale(of: e, at: point) else {
          Issue.record("seed \(seed): \(name) substitution \(e) has no value but \(f) = \(direct)")
          continue
        }
        // Exact folding of the substituted numbers changes the rounding, not the value:
        // both routes err by about nodes * eps * scale (<= 1e3 * 1.1e-16 * scale), and
        // intermediates are capped at 1e8 so cancellation cannot amplify it unboundedly;
        // 1e-9 * scale leaves a wide margin, while a wrong substitution is off by O(1).
        let tolerance = 1e-9 * Swift.max(1, scale, s)
        #expect(
          Swift.abs(v - direct) <= tolerance,
          "seed \(seed): \(name) \(e) = \(v), but \(f) at \(point) = \(direct)")
      }
      checkedSeeds += 1
    }
    #expect(checkedSeeds >= 180, "only \(checkedSeeds) of 200 expressions were checked")
  }
}
