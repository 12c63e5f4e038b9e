import Foundation
import Testing

@testable import SymGrad

/// The reverse-mode gradient (`ReverseGradient`, behind `gradient(of:withRespectTo:)`)
/// against forward mode (`Differentiator`, one variable at a time): two implementations
/// of the same rules that group the chain rule differently, so they agree in value
/// (compared certified: both are faithful roundings of one exact number, so at most one
/// ulp apart) and usually in canonical form.
@Suite struct ReverseGradientTests {
  static let xyz = ExprGenerator.symbols

  /// Forward mode, one derivative per variable.
  static func forward(_ f: Expr, _ variables: [Expr]) -> [Expr] {
    variables.map { v in
      var d = Differentiator(variable: v)
      return d.derivative(of: f)
    }
  }

  /// Whether two certified values denote the same exact number (faithful roundings of one
  /// real are equal or adjacent doubles; infinities and NaN compare exactly).
  static func sameNumber(_ a: CertifiedValue, _ b: CertifiedValue) -> Bool {
    if a.value.isNaN || b.value.isNaN { return a.value.isNaN && b.value.isNaN }
    if a.value == b.value { return true }
    return a.value.nextUp == b.value || a.value.nextDown == b.value
  }

  @Test func agreesWithForwardModeOnRandomExpressions() throws {
    var compared = 0
    var identical = 0
    var entries = 0
    for seed in 0..<200 {
      let f = ExprGenerator.expression(seed: seed)
      let reverse = f.gradient(withRespectTo: Self.xyz)
      let forward = Self.forward(f, Self.xyz)
      for (r, g) in zip(reverse, forward) {
        entries += 1
        if r == g { identical += 1 }
      }
      var points = ExprGenerator(seed: seed + 7_000_000)
      for _ in 0..<2 {
        let p = points.point()
        guard let a = try? Expr.certifiedValues(of: reverse, at: p),
          let b = try? Expr.certifiedValues(of: forward, at: p)
        else { continue }
        for i in 0..<3 where a[i].certified && b[i].certified {
          #expect(
            Self.sameNumber(a[i], b[i]), "seed \(seed) d/d\(Self.xyz[i]) at \(p): reverse \(a[i]) forward \(b[i])")
          compared += 1
        }
      }
    }
    // Not vacuous: most entries are compared at certified values, and the two modes
    // usually build the very same canonical node.
    #expect(compared >= 900, "only \(compared) certified comparisons")
    #expect(identical * 2 >= entries, "only \(identical) of \(entries) entries are the same node")
  }

  /// Reverse and forward gradients of `f` agree: the same node, or the same certified
  /// value at three random points (faithful roundings of one number); returns how many
  /// entries were the same node.
  @discardableResult
  static func expectAgreement(_ f: Expr, _ names: [Expr], _ label: String, seed: Int) -> Int {
    let reverse = f.gradient(withRespectTo: names)
    let forward = forward(f, names)
    var rng = SplitMix64(seed: UInt64(seed))
    var same = 0
    for i in names.indices {
      if reverse[i] == forward[i] {
        same += 1
        continue
      }
      for _ in 0..<3 {
        var p: [String: Double] = [:]
        for n in names { p[n.symbolName!] = rng.uniform(0.25, 3) }  // positive: x**x is real
        let a = try? Expr.certifiedValues(of: [reverse[i]], at: p)
        let b = try? Expr.certifiedValues(of: [forward[i]], at: p)
        guard let a, let b, a[0].certified, b[0].certified else {
          Issue.record("\(label) d/d\(names[i]) not certified at \(p)")
          continue
        }
        #expect(
          sameNumber(a[0], b[0]),
          "\(label) d/d\(names[i]) at \(p): reverse \(reverse[i]) = \(a[0]), forward \(forward[i]) = \(b[0])")
      }
    }
    return same
  }

  /// The losses' gradients, for options that change the formula. Where each logit's
  /// contributions meet only in sums (the cross-entropy family, elementwise losses) both
  /// modes build the very same canonical nodes; a softmax under a weighted sum reaches
  /// each logit through every output, and the modes group those paths differently.
  @Test(arguments: [
    ("cross_entropy([[a, b, c], [d, e, f]], [2, 0])", true),
    ("cross_entropy([[a, b, c], [d, e, f]], [2, 1], weight=[1, 2, 3], label_smoothing=0.1)", true),
    ("cross_entropy([[a, b, c], [d, e, f]], [2, -100], reduction='sum')", true),
    ("binary_cross_entropy_with_logits([a, b], [1, 0], pos_weight=[2, 3])", true),
    ("mse_loss([a, b, c], [1, 2, 3])", true),
    ("sum(softmax([a, b, c], dim=0) * [1, 2, 3])", false),
  ])
  func lossGradientsAgree(text: String, sameNodes: Bool) throws {
    guard case .scalar(let f) = try ExpressionLanguage.value(parsing: text) else {
      Issue.record("\(text) is not a scalar")
      return
    }
    let names = f.freeSymbols.map(Expr.symbol)
    let same = Self.expectAgreement(f, names, text, seed: text.utf8.count)
    if sameNodes { #expect(same == names.count) }
  }

  @Test func absentSymbolsHaveZeroEntriesAndOrderIsKept() {
    let x = Expr.symbol("x")
    let y = Expr.symbol("y")
    let w = Expr.symbol("w")
    let g = (x * x * y).gradient(withRespectTo: [w, y, x, y])
    #expect(g == [.zero, x ** 2, 2 * x * y, x ** 2])
    #expect(Expr(3).gradient(withRespectTo: [x]) == [.zero])
  }

  @Test func undefinedMakesEveryEntryUndefined() {
    let x = Expr.symbol("x")
    let f = Expr.undefined
    #expect(f.gradient(withRespectTo: [x, .symbol("y")]) == [.undefined, .undefined])
    #expect(Self.forward(f, [x]) == [.undefined])
  }

  /// A symbol reached along several paths gets the sum of the paths' contributions,
  /// including through both arguments of max, a power with a variable exponent and the
  /// same child twice.
  @Test func sharedNodesSumTheirPaths() {
    let x = Expr.symbol("x")
    let y = Expr.symbol("y")
    let u = x * y
    for (k, f) in [u * exp(u), max(x, y) * min(x, y), x ** x, log(u) + sin(u) * u, (x + y) ** y].enumerated() {
      Self.expectAgreement(f, [x, y], "\(f)", seed: k)
    }
  }

  /// A wide Jacobian (fewer outputs than variables) is computed by reverse sweeps per
  /// row; each row is that output's gradient, so it agrees with forward mode entry by
  /// entry. A tall one goes forward per column (the memo shared by all rows), which is
  /// what `jacobian` gave before it chose by shape.
  @Test func jacobianChoosesTheModeByShape() {
    let xs = (0..<6).map { Expr.symbol("x\($0)") }
    let s = Expr.sum(xs.map(exp))
    let wide = [exp(xs[0]) / s, log(s) - xs[2] * sin(xs[3])]
    let j = wide.jacobian(withRespectTo: xs)
    #expect(j.count == 2 && j.allSatisfy { $0.count == 6 })
    for (i, f) in wide.enumerated() {
      #expect(j[i] == f.gradient(withRespectTo: xs))
      Self.expectAgreement(f, xs, "wide row \(i)", seed: 40 + i)
    }
    let tall = xs.map { exp($0) / s }
    let t = tall.jacobian(withRespectTo: Array(xs.prefix(2)))
    #expect(t.count == 6 && t[3][1] == Self.forward(tall[3], [xs[1]])[0])
  }

  /// Adjoints that share factors are summed under them: the gradient of
  /// sqrt(sum_k exp(v_k + k)) is (sum of the v-terms)/(2 sqrt(S)) per variable, printed with
  /// S once. Distributed, each entry printed S once per term (the fuzzer's seed 3 #281545:
  /// 357 MB for three entries of a 1,000-term sum).
  @Test func sharedFactorsOfAdjointsAreTakenOut() throws {
    let vars = ["t", "x", "y"].map(Expr.symbol)
    let f = sqrt(Expr.sum((0..<300).map { k in exp(vars[k % 3] + .number(k)) }))
    let g = f.gradient(withRespectTo: vars)
    for (i, entry) in g.enumerated() {
      // S (about 300 terms) printed twice at most: in the numerator's sum and under sqrt.
      #expect(entry.description.count < 3 * f.description.count, "entry \(i): \(entry.description.count) characters")
    }
    Self.expectAgreement(f, vars, "sqrt of 300 exponentials", seed: 7)
  }

  /// Adjoints stay factored on the way down: under `exp(S)` the adjoint of each term's
  /// argument `x + k` is `exp(S)*exp(x + k)`, which the canonical product merges into
  /// `exp(S + x + k)`, a copy of S per term (fuzz seed 5 #712446: 2,500 terms, 31 MB per
  /// entry, 7 s). Kept apart, `exp(S)` comes out once: the gradient prints S about once
  /// per entry.
  @Test func exponentialsOfTheAdjointAreNotMergedIntoEachTerm() throws {
    let vars = ["w", "x", "y"].map(Expr.symbol)
    let f = exp(Expr.sum((0..<600).map { k in exp(vars[(k * 7) % 3] - .number(k)) }))
    let g = f.gradient(withRespectTo: vars)
    for (i, entry) in g.enumerated() {
      #expect(entry.description.count < 2 * f.description.count, "entry \(i): \(entry.description.count) characters")
    }
    Self.expectAgreement(f, vars, "exp of 600 exponentials", seed: 11)
  }

  /// A 1,000-level chain: the sweep is iterative, and its adjoint (the product of the
  /// chain's cosines) is the very node forward mode builds. (Products are rebuilt per
  /// level: quadratic in the depth, as in forward mode.)
  @Test func deepChainsGiveTheForwardModeNode() {
    let x = Expr.symbol("x")
    var f = x
    for _ in 0..<1_000 { f = sin(f) }
    let g = f.gradient(withRespectTo: [x])
    #expect(g[0].node.height > 1_000)
    #expect(g == Self.forward(f, [x]))
  }

  /// The symbol id ranges keep "may contain" selective where the 64-bit mask saturates:
  /// a row of a 4 x 1000 tensor does not contain another row's symbols.
  @Test func symbolRangesAreSelectiveForTensorRows() {
    let xs = (0..<4000).map { Expr.symbol("R\($0 / 1000)_\($0 % 1000)") }
    let rows = (0..<4).map { r in Expr.sum(xs[(r * 1000)..<((r + 1) * 1000)].map(exp)) }
    #expect(rows[0].node.symbolMask == ~ExprNode.exactSymbolBits)  // saturated
    #expect(!rows[0].node.mayContain(symbol: xs[3500].node))
    #expect(rows[3].node.mayContain(symbol: xs[3500].node))
    #expect(!rows[0].contains(xs[3500]) && rows[3].contains(xs[3500]))
    // And the forward derivative of row 0 by a row-3 symbol is 0 without a walk.
    #expect(rows[0].derivative(withRespectTo: xs[3500]) == .zero)
  }
}
