import Foundation
import SymGradTestSupport
import Testing

@testable import SymGrad

/// Properties checked on 200 random expressions each (see `ExprGenerator`; every case is
/// reproducible from its seed). Every property compares against something computed
/// independently of the code under test (finite differences, the other order of
/// differentiation, the parser, evaluation without substitution), so each can fail.
@Suite struct PropertyTests {
  static let seeds = Array(0..<200)
  static let variables = ExprGenerator.symbols
  static let names = ["x", "y", "z"]

  /// Points where a numeric comparison is meaningful: finite, and no intermediate value
  /// above 1e8 (near a pole the rounding error of either side is no longer small).
  static let maxScale = 1e8

  // MARK: (a) gradient and Jacobian vs finite differences

  /// Checks the symbolic derivative `d` of `f` with respect to `name` against central
  /// differences of `f` at `p`. Returns false (checking nothing) when the point says nothing
  /// about the derivative: non-finite or huge values, within 1e-3 of a kink of
  /// abs/sign/max/min, a kink crossed by a difference step, or too much curvature.
  static func expectMatchesFiniteDifferences(
    _ d: Expr, of f: Expr, _ name: String, at p: [String: Double], _ label: String
  ) -> Bool {
    guard let centre = try? EvaluationProfile(of: f, at: p), centre.value.isFinite,
      centre.scale < maxScale,
      // abs/sign/max/min are not differentiable at their kinks, and a difference quotient
      // straddling one measures the jump, not the derivative: stay 1e-3 away.
      centre.kinkDistance >= 1e-3,
      let (dValue, dScale) = try? valueAndScale(of: d, at: p), dValue.isFinite,
      dScale < maxScale
    else { return false }
    // Central differences with h = 1e-5 (scaled to |x|) and 2h, then Richardson:
    // R = (4 D(h) - D(2h))/3 has truncation error O(h^4 f^(5)) ~ 1e-20 f^(5).
    let h = 1e-5 * Swift.max(1, Swift.abs(p[name]!))
    var scale = centre.scale
    func value(at offset: Double) -> Double? {
      var q = p
      q[name]! += offset
      guard let profile = try? EvaluationProfile(of: f, at: q), profile.value.isFinite,
        profile.sameSideOfEveryKink(as: centre)
      else { return nil }
      scale = Swift.max(scale, profile.scale)
      return profile.value
    }
    guard let p1 = value(at: h), let m1 = value(at: -h), let p2 = value(at: 2 * h),
      let m2 = value(at: -2 * h), scale < maxScale
    else { return false }
    let d1 = (p1 - m1) / (2 * h)
    let d2 = (p2 - m2) / (4 * h)
    // D(h) and D(2h) differ by about h^2 f'''/2: if they disagree by more than 1e-3
    // (relative) the function is too curved at this scale for a Taylor model to be
    // trusted, so the point says nothing about the symbolic derivative: skip it.
    let magnitude = Swift.max(1, Swift.abs(dValue))
    guard Swift.abs(d1 - d2) <= 1e-3 * magnitude else { return false }
    let richardson = (4 * d1 - d2) / 3
    // Tolerance: rounding in f (about nodes * eps * scale <= 1e3 * 1.1e-16 * scale)
    // divided by h = 1e-5 gives ~1e-8 * scale; 1e-7 * scale leaves a factor 10.
    // Richardson's residual truncation is O(h^4 f^(5)) ~ 1e-20 f^(5), negligible at points
    // that pass the curvature filter; 1e-6 * magnitude covers it. A wrong derivative is
    // off by O(magnitude), orders of magnitude more.
    #expect(
      isApprox(richardson, dValue, rtol: 0, atol: 1e-6 * magnitude + 1e-7 * scale),
      "\(label): d/d\(name) of \(f) at \(p): symbolic \(d) = \(dValue), numeric \(richardson)")
    return true
  }

  /// Whether `e` applies abs, sign, max or min anywhere.
  static func hasKinks(_ e: Expr) -> Bool {
    e.fold { (node: Expr, children: [Bool]) -> Bool in
      if case .apply(let f, _) = node.kind, [.abs, .sign, .max, .min].contains(f) { return true }
      return children.contains(true)
    }
  }

  /// `gradient(of:withRespectTo:)` against central differences of the function.
  @Test func gradientMatchesFiniteDifferences() throws {
    var checkedSeeds = 0
    var kinked = 0
    for seed in PropertyTests.seeds {
      let f = ExprGenerator.expression(seed: seed)
      let g = f.gradient(withRespectTo: PropertyTests.variables)
      #expect(g.count == 3)
      var points = ExprGenerator(seed: seed + 1_000_000)
      var checked = false
      for _ in 0..<3 {
        let p = points.point()
        for (i, name) in PropertyTests.names.enumerated()
        where Self.expectMatchesFiniteDifferences(g[i], of: f, name, at: p, "seed \(seed)") {
          checked = true
        }
      }
      if checked {
        checkedSeeds += 1
        if Self.hasKinks(f) { kinked += 1 }
      }
    }
    // Guard against a vacuous test: almost every random expression must be checkable,
    // including many with a kink (abs/sign/max/min) away from the points checked.
    #expect(checkedSeeds >= 180, "only \(checkedSeeds) of 200 expressions were checked")
    #expect(kinked >= 50, "only \(kinked) checked expressions have abs/sign/max/min")
  }

  /// `jacobian(of:withRespectTo:)` of two random outputs against central differences.
  @Test func jacobianMatchesFiniteDifferences() throws {
    var checkedSeeds = 0
    for seed in PropertyTests.seeds {
      let outputs = [ExprGenerator.expression(seed: seed), ExprGenerator.expression(seed: seed + 500_000)]
      let j = outputs.jacobian(withRespectTo: PropertyTests.variables)
      #expect(j.count == 2 && j.allSatisfy { $0.count == 3 })
      var points = ExprGenerator(seed: seed + 4_000_000)
      var checked = false
      for _ in 0..<3 {
        let p = points.point()
        for (r, f) in outputs.enumerated() {
          for (c, name) in PropertyTests.names.enumerated()
          where Self.expectMatchesFiniteDifferences(j[r][c], of: f, name, at: p, "seed \(seed) row \(r)") {
            checked = true
          }
        }
      }
      if checked { checkedSeeds += 1 }
    }
    #expect(checkedSeeds >= 180, "only \(checkedSeeds) of 200 Jacobians were checked")
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

  /// LaTeX of random expressions and their derivatives is well formed: braces and
  /// \left/\right delimiters nest properly, no argument that must hold something is empty,
  /// no text-syntax operator leaks through, and the only letters outside commands are the
  /// expression's own variables and e (Euler's number; exp prints as `e^{...}`).
  @Test(arguments: seeds)
  func latexIsWellFormed(seed: Int) throws {
    let e = ExprGenerator.expression(seed: seed)
    let d = e.derivative(withRespectTo: "y")
    for f in [e, d] {
      let latex = f.latex
      #expect(!latex.isEmpty)
      #expect(!latex.contains("*"), "seed \(seed): \(latex)")
      // Braces nest: the depth never goes negative and ends at 0.
      var depth = 0
      var minimum = 0
      for c in latex {
        if c == "{" { depth += 1 } else if c == "}" { depth -= 1 }
        minimum = Swift.min(minimum, depth)
      }
      #expect(depth == 0 && minimum == 0, "seed \(seed): unbalanced braces in \(latex)")
      // \left and \right nest the same way.
      var open = 0
      var misordered = false
      for m in latex.matches(of: /\\(left|right)(?![A-Za-z])/) {
        open += m.output.1 == "left" ? 1 : -1
        if open < 0 { misordered = true }
      }
      #expect(open == 0 && !misordered, "seed \(seed): \\left/\\right do not nest in \(latex)")
      // Fractions, powers, subscripts, square roots and operator names never have an
      // empty argument.
      for empty in ["\\frac{}", "}{}", "^{}", "_{}", "\\sqrt{}", "\\operatorname{}"] {
        #expect(!latex.contains(empty), "seed \(seed): \(empty) in \(latex)")
      }
      // Letters outside commands (and outside operator names and \mathrm{NaN}, which
      // random divisions by zero produce): exactly the free symbols, and e.
      let outsideCommands = latex.replacing(/\\(operatorname|mathrm)\{[A-Za-z0-9]+\}/, with: "")
        .replacing(/\\[A-Za-z]+/, with: "")
      let letters = Set(outsideCommands.filter(\.isLetter).map(String.init))
      #expect(letters.isSubset(of: Set(f.freeSymbols).union(["e"])), "seed \(seed): \(letters) in \(latex)")
      for v in f.freeSymbols { #expect(letters.contains(v), "seed \(seed): \(v) missing from \(latex)") }
      #expect(latex.contains("\\pi") == f.description.contains("pi"), "seed \(seed): pi in \(f) vs \(latex)")
    }
  }

  // MARK: (d) Hessian

  /// Every Hessian entry (i, j) against central differences, in v_j, of the gradient's
  /// entry i (itself checked against differences of f above). Both triangles are checked,
  /// each against its own differences, so the symmetry of the result is tested, not
  /// assumed.
  @Test func hessianMatchesFiniteDifferencesOfTheGradient() throws {
    var checkedSeeds = 0
    var offDiagonal = 0
    for seed in PropertyTests.seeds {
      let f = ExprGenerator.expression(seed: seed)
      let vars = PropertyTests.variables
      let g = f.gradient(withRespectTo: vars)
      let h = f.hessian(withRespectTo: vars)
      #expect(h.count == 3 && h.allSatisfy { $0.count == 3 })
      var points = ExprGenerator(seed: seed + 2_000_000)
      var checked = false
      for _ in 0..<3 {
        let p = points.point()
        for i in 0..<3 {
          for (j, name) in PropertyTests.names.enumerated()
          where Self.expectMatchesFiniteDifferences(h[i][j], of: g[i], name, at: p, "seed \(seed) H[\(i)][\(j)]") {
            checked = true
            if i != j { offDiagonal += 1 }
          }
        }
      }
      if checked { checkedSeeds += 1 }
    }
    #expect(checkedSeeds >= 180, "only \(checkedSeeds) of 200 Hessians were checked")
    #expect(offDiagonal >= 3000, "only \(offDiagonal) off-diagonal entries were checked")
  }

  /// Mixed partials commute: d/dv_j (d/dv_i f) and d/dv_i (d/dv_j f), each computed by two
  /// independent `derivative(withRespectTo:)` calls, agree numerically wherever f is
  /// smooth (away from the kinks of abs/sign/max/min).
  @Test func mixedPartialsCommute() throws {
    var compared = 0
    for seed in PropertyTests.seeds {
      let f = ExprGenerator.expression(seed: seed)
      var points = ExprGenerator(seed: seed + 2_500_000)
      let point = points.point()
      guard let profile = try? EvaluationProfile(of: f, at: point), profile.kinkDistance >= 1e-3 else { continue }
      for (i, j) in [(0, 1), (0, 2), (1, 2)] {
        let (vi, vj) = (PropertyTests.variables[i], PropertyTests.variables[j])
        let ij = f.derivative(withRespectTo: vi).derivative(withRespectTo: vj)
        let ji = f.derivative(withRespectTo: vj).derivative(withRespectTo: vi)
        guard let (a, sa) = try? valueAndScale(of: ij, at: point),
          let (b, sb) = try? valueAndScale(of: ji, at: point), a.isFinite, b.isFinite
        else { continue }
        let scale = Swift.max(sa, sb)
        guard scale < PropertyTests.maxScale else { continue }
        // Both sides round about nodes * eps * scale <= 1e3 * 1.1e-16 * scale; 1e-10 *
        // scale leaves three orders of magnitude for error growth through functions.
        #expect(isApprox(a, b, rtol: 0, atol: 1e-10 * scale), "seed \(seed) (\(i), \(j)): \(ij) = \(a) vs \(ji) = \(b)")
        compared += 1
      }
    }
    // Not vacuous: most pairs are compared. (Canonical forms usually make the two orders
    // the same expression: equal canonical forms are equal functions, and the numeric
    // comparison covers the pairs where they differ.)
    #expect(compared >= 500, "only \(compared) pairs compared")
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
