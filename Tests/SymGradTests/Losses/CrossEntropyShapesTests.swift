import Foundation
import SymGradTestSupport
import Testing

@testable import SymGrad

/// `cross_entropy` and `nll_loss` on (N, C, d1, ..., dK) inputs, classes in dimension 1 as
/// in PyTorch. Before, such an input was either refused or, with probability targets,
/// silently softmaxed along the last dimension (a size-1 dimension: the loss was 0).
@Suite struct CrossEntropyShapesTests {
  func value(_ text: String) throws -> Expr.Value { try Expr.Value(parsing: text) }

  /// The issue's reproducer. PyTorch (float64) at x0 = 0.5, x1 = -1:
  /// loss 1.3264132779827527, gradient [0.5675744761936437, -0.5675744761936437];
  /// in closed form the loss is -x0/4 - 3 x1/4 + log(e^x0 + e^x1).
  @Test func probabilityTargetsWithASpatialDimension() throws {
    guard case .scalar(let loss) = try value("cross_entropy([[[x0], [x1]]], [[[0.25], [0.75]]])") else {
      Issue.record("not a scalar")
      return
    }
    let x0 = Expr.symbol("x0")
    let x1 = Expr.symbol("x1")
    #expect((loss - (-x0 / 4 - 3 * x1 / 4 + log(exp(x0) + exp(x1)))).simplified() == 0)
    let point: [String: Double] = ["x0": 0.5, "x1": -1]
    // A handful of roundings on PyTorch's side: within 2 ulps.
    #expect(isApprox(try loss.evaluate(at: point), 1.3264132779827527, rtol: 4.5e-16))
    let g = loss.gradient(withRespectTo: [x0, x1]).map { try? $0.evaluate(at: point) }
    #expect(isApprox(g.map { $0 ?? .nan }, [0.5675744761936437, -0.5675744761936437], rtol: 4.5e-16), "\(g)")
  }

  /// nll_loss on (1, 2, 1) with target (1, 1): -x[0, 1, 0].
  @Test func nllLossWithASpatialDimension() throws {
    #expect(try value("nll_loss([[[x0], [x1]]], [[1]])") == .scalar(-Expr.symbol("x1")))
  }

  /// Every option on (N, C, d1, d2) agrees with the same loss on the (N d1 d2) x C matrix
  /// of positions (the definition), symbolically: weights, ignore_index, label smoothing
  /// and each reduction; `none` keeps the shape (N, d1, d2).
  @Test(arguments: [
    "reduction='mean'", "reduction='sum'", "reduction='none'",
    "weight=[2, 3, 5], ignore_index=1", "weight=[2, 3, 5], label_smoothing=0.2",
    "label_smoothing=0.1, ignore_index=0, reduction='sum'",
  ])
  func spatialLossIsTheLossOverPositions(_ options: String) throws {
    // N = 2, C = 3, d1 = 1, d2 = 2: x[n][c][0][s] = x_n_c_s.
    func x(_ n: Int, _ c: Int, _ s: Int) -> String { "x\(n)\(c)\(s)" }
    let input =
      "["
      + (0..<2).map { n in
        "["
          + (0..<3).map { c in "[[" + (0..<2).map { s in x(n, c, s) }.joined(separator: ", ") + "]]" }.joined(
            separator: ", ") + "]"
      }.joined(separator: ", ") + "]"
    let target = "[[[0, 2]], [[1, 1]]]"  // (N, d1, d2)
    let rows =
      "["
      + (0..<2).flatMap { n in (0..<2).map { s in "[" + (0..<3).map { c in x(n, c, s) }.joined(separator: ", ") + "]" }
      }.joined(separator: ", ") + "]"
    let flatTarget = "[0, 2, 1, 1]"
    let spatial = try value("cross_entropy(\(input), \(target), \(options))")
    let matrix = try value("cross_entropy(\(rows), \(flatTarget), \(options))")
    if options.contains("none") {
      #expect(spatial.shape == [2, 1, 2])
    }
    for (a, b) in zip(spatial.flattened, matrix.flattened) { #expect((a - b).simplified() == 0, "\(options)") }
    #expect(spatial.flattened.count == matrix.flattened.count)
  }

  /// Probability targets on (N, C, d): `mean` divides by N d (PyTorch: numel / C).
  @Test func probabilityMeanDividesByPositions() throws {
    let p = "[[[0.5, 1], [0.5, 0]]]"  // (1, 2, 2): position 0 (0.5, 0.5), position 1 (1, 0)
    let mean = try value("cross_entropy([[[a, b], [c, d]]], \(p))").flattened[0]
    let sum = try value("cross_entropy([[[a, b], [c, d]]], \(p), reduction='sum')").flattened[0]
    #expect((mean - sum / 2).simplified() == 0)
  }

  /// Targets of the wrong shape are refused with the shapes PyTorch expects.
  @Test func wrongTargetShape() {
    #expect(throws: ParseError.self) { try Expr.Value(parsing: "cross_entropy([[[a, b], [c, d]]], [0, 1])") }
  }
}

/// `linear` as `F.linear`: a 1-D weight gives `x @ w + b` with the feature axis dropped;
/// inputs of any rank keep their batch dimensions.
@Suite struct LinearShapesTests {
  @Test func oneDimensionalWeight() throws {
    #expect(try Expr.Value(parsing: "linear([x, y], [1, 2])") == (try Expr.Value(parsing: "x + 2*y")))
    #expect(try Expr.Value(parsing: "linear([x, y], [1, 2], 3)") == (try Expr.Value(parsing: "x + 2*y + 3")))
    #expect(try Expr.Value(parsing: "linear([[x, y], [z, w]], [1, 2])").shape == [2])
    #expect(throws: ParseError.self) { try Expr.Value(parsing: "linear([x, y], [1, 2], [3, 4])") }
  }

  /// The biases PyTorch 2.15 takes (recorded by hand with torch: `F.linear` adds the bias
  /// by broadcasting on most paths) and the ones it refuses: with a 1-D weight only a 0-D
  /// bias, and none with a 2-D input (its `addmm` path: "mat2 must be a matrix").
  @Test func biasesAsPyTorchTakesThem() throws {
    func v(_ text: String) throws -> Expr.Value { try Expr.Value(parsing: text) }
    // 2-D weight: (out), (1) and () broadcast over the outputs.
    #expect(try v("linear([[x, y]], [[1, 2], [3, 4]], [5])") == v("[[x + 2*y + 5, 3*x + 4*y + 5]]"))
    #expect(try v("linear([x, y], [[1, 2], [3, 4]], 5)") == v("[x + 2*y + 5, 3*x + 4*y + 5]"))
    #expect(throws: ParseError.self) { try v("linear([[x, y]], [[1, 2], [3, 4]], [[5, 6]])") }
    // 1-D weight: a 0-D bias with a 1-D or 3-D input; refused with a 2-D input or a (1) bias.
    #expect(try v("linear([[[x, y]]], [1, 2], 3)") == v("[[x + 2*y + 3]]"))
    let twoD = #expect(throws: ParseError.self) { try v("linear([[x, y]], [1, 2], 3)") }
    #expect(twoD?.message.contains("mat2 must be a matrix") == true)
    #expect(throws: ParseError.self) { try v("linear([x, y], [1, 2], [3])") }
  }

  @Test func batchDimensionsAreKept() throws {
    let v = try Expr.Value(parsing: "linear([[[x, y]], [[z, w]]], [[1, 2], [3, 4], [5, 6]])")
    #expect(v.shape == [2, 1, 3])
    #expect(v.flattened[3] == (try Expr(parsing: "z + 2*w")))
  }
}

/// `mse_loss` and `l1_loss`: the definitions, the reductions' denominators (numel), and
/// PyTorch's gradient 0 at `x == y` for `l1_loss`.
@Suite struct RegressionLossTests {
  @Test func definitions() throws {
    #expect(
      try Expr.Value(parsing: "mse_loss([[a, b], [c, d]], [[1, 2], [3, 4]])")
        == (try Expr.Value(parsing: "((a - 1)**2 + (b - 2)**2 + (c - 3)**2 + (d - 4)**2)/4")))
    #expect(
      try Expr.Value(parsing: "l1_loss([a, b], [1, 2], reduction='sum')")
        == (try Expr.Value(parsing: "abs(a - 1) + abs(b - 2)")))
    #expect(try Expr.Value(parsing: "mse_loss([a, b], [1, 2], 'none')").shape == [2])
    #expect(throws: ParseError.self) { try Expr.Value(parsing: "mse_loss([a, b], [1])") }
  }

  @Test func l1GradientIsZeroWhereEqual() throws {
    let loss = try Expr(parsing: "l1_loss([a, b], [1, 2])")
    let g = loss.gradient(withRespectTo: [.symbol("a"), .symbol("b")])
    #expect(try g[0].evaluate(at: ["a": 1, "b": 5]) == 0)
    #expect(try g[1].evaluate(at: ["a": 1, "b": 5]) == 0.5)
    #expect(try g[0].evaluate(at: ["a": 0, "b": 5]) == -0.5)
  }
}

/// `kl_div`, `soft_margin_loss` and `logsumexp` against their definitions.
@Suite struct MoreLossTests {
  @Test func klDivDefinitionsAndDenominators() throws {
    // batchmean divides by the batch size (2), mean by the element count (4).
    let terms = "0.25*(log(0.25) - a) + 0.75*(log(0.75) - b) + 1*(log(1) - d)"
    #expect(
      try Expr.Value(parsing: "kl_div([[a, b], [c, d]], [[0.25, 0.75], [0, 1]], reduction='batchmean')")
        == (try Expr.Value(parsing: "(\(terms))/2")))
    #expect(
      try Expr.Value(parsing: "kl_div([[a, b], [c, d]], [[0.25, 0.75], [0, 1]])")
        == (try Expr.Value(parsing: "(\(terms))/4")))
    #expect(
      try Expr.Value(parsing: "kl_div([a], [t], log_target=True, reduction='sum')")
        == (try Expr.Value(parsing: "exp(t)*(t - a)"))
    )
    // A symbolic target at 0: the limit 0*log(0) = 0 (PyTorch's xlogy gives 0 too).
    #expect(try Expr(parsing: "kl_div([a], [t], reduction='sum')").evaluate(at: ["a": 0.5, "t": 0]) == 0)
    #expect(throws: ParseError.self) { try Expr.Value(parsing: "kl_div([a], [1], reduction='avg')") }
  }

  @Test func softMarginAndLogSumExp() throws {
    #expect(
      try Expr.Value(parsing: "soft_margin_loss([a, b], [1, -1])")
        == (try Expr.Value(parsing: "(softplus(-a) + softplus(b))/2")))
    #expect(
      try Expr.Value(parsing: "logsumexp([[a, b], [c, d]], 1)")
        == (try Expr.Value(parsing: "[log(exp(a) + exp(b)), log(exp(c) + exp(d))]")))
    #expect(try Expr.Value(parsing: "logsumexp([[a, b], [c, d]], dim=0, keepdim=True)").shape == [1, 2])
  }
}

/// `poisson_nll_loss`: both input conventions, PyTorch's eps, Stirling's term only where
/// the target exceeds 1.
@Suite struct PoissonNLLLossTests {
  @Test func definitions() throws {
    #expect(
      try Expr.Value(parsing: "poisson_nll_loss([a, b], [2, 0.5])")
        == (try Expr.Value(parsing: "(exp(a) - 2*a + exp(b) - b/2)/2")))
    #expect(
      try Expr.Value(parsing: "poisson_nll_loss([a], [3], log_input=False, eps=0.5, reduction='sum')")
        == (try Expr.Value(parsing: "a - 3*log(a + 0.5)")))
    // Stirling's term for the target 2 (> 1), none for 1.
    #expect(
      try Expr.Value(parsing: "poisson_nll_loss([a, b], [2, 1], full=True, reduction='none')")
        == (try Expr.Value(parsing: "[exp(a) - 2*a + 2*log(2) - 2 + log(4*pi)/2, exp(b) - b]")))
    // A symbolic target: Stirling's term as a selection, evaluated only where t > 1 (log t
    // would be undefined at t = -1, where the term is 0).
    let symbolic = try Expr(parsing: "poisson_nll_loss([a], [t], full=True)")
    #expect(symbolic == (try Expr(parsing: "exp(a) - a*t + where(t > 1, t*log(t) - t + log(2*pi*t)/2, 0)")))
    #expect(try symbolic.evaluateIEEE(at: ["a": 0.5, "t": -1]) == Foundation.exp(0.5) + 0.5)
    let stirling = 3 * Foundation.log(3.0) - 3 + Foundation.log(6 * Double.pi) / 2
    #expect(isApprox(try symbolic.evaluateIEEE(at: ["a": 0.5, "t": 3]), Foundation.exp(0.5) - 1.5 + stirling))
    #expect(
      isApprox(
        try symbolic.derivative(withRespectTo: "t").evaluateIEEE(at: ["a": 0.5, "t": 3]),
        -0.5 + Foundation.log(3.0) + 1.0 / 6))
    #expect(try symbolic.derivative(withRespectTo: "t").evaluateIEEE(at: ["a": 0.5, "t": 0.5]) == -0.5)
  }
}

/// `sum` and `mean` with `keepdim`, by keyword or position, and over everything.
@Suite struct ReductionKeepdimTests {
  @Test func keepdim() throws {
    #expect(
      try Expr.Value(parsing: "sum([[a, b], [c, d]], 1, True)") == (try Expr.Value(parsing: "[[a + b], [c + d]]")))
    #expect(
      try Expr.Value(parsing: "mean([[a, b], [c, d]], dim=0, keepdim=True)")
        == (try Expr.Value(parsing: "[[(a + c)/2, (b + d)/2]]")))
    #expect(try Expr.Value(parsing: "sum([[a, b], [c, d]], keepdim=True)").shape == [1, 1])
    #expect(try Expr.Value(parsing: "sum([[a, b], [c, d]], 1)").shape == [2])
  }
}
