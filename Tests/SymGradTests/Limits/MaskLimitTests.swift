import Foundation
import SymGradTestSupport
import Testing

@testable import SymGrad

/// Masked keys get exactly zero weight and zero gradient in the limit; mask conventions
/// agree; fully masked rows follow the same-rate limit rule.
@Suite struct MaskLimitTests {
  static let keys = "[[1, 0], [0, 1], [1, 1]]"
  static let point: [String: Double] = ["q0": 0.3, "q1": -1.2, "q2": 2.0, "q3": 0.5]
  static let q = ["q0", "q1", "q2", "q3"].map(Expr.symbol)

  func weights(_ masks: String) throws -> [Expr] {
    try Expr.Value(parsing: "attention_weights([[q0, q1], [q2, q3]], \(Self.keys)\(masks))").flattened
  }

  func values(_ es: [Expr]) throws -> [Double] { try es.map { try $0.evaluate(at: Self.point) } }

  /// The attention weights at `point`, written out independently of SymGrad: scores
  /// q_r . k / sqrt(2) (PyTorch's default scale 1/sqrt(head dim)), a softmax over each
  /// row's unmasked keys, exactly 0 at the `masked` cells (row-major, 2 rows of 3).
  static func expectedWeights(masked: Set<Int>) -> [Double] {
    let q = [[point["q0"]!, point["q1"]!], [point["q2"]!, point["q3"]!]]
    let k: [[Double]] = [[1, 0], [0, 1], [1, 1]]
    return (0..<2).flatMap { r -> [Double] in
      let e = (0..<3).map { c in
        masked.contains(r * 3 + c) ? 0 : Foundation.exp((q[r][0] * k[c][0] + q[r][1] * k[c][1]) / 2.0.squareRoot())
      }
      let total = e.reduce(0, +)
      return e.map { $0 / total }
    }
  }

  /// Weights against `expectedWeights`: O(1) values from a handful of libm operations on
  /// either side, so 1e-12 relative is ample; no absolute tolerance, so masked cells must
  /// be exactly 0.
  func expectWeights(
    _ v: [Double], masked: Set<Int>, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let expected = Self.expectedWeights(masked: masked)
    #expect(
      isApprox(v, expected, rtol: 1e-12, atol: 0), "\(label): \(v) vs \(expected)", sourceLocation: sourceLocation)
  }

  /// Padding (three conventions), causal, and both: masked cells have weight exactly 0,
  /// and every derivative of a masked weight is exactly 0 (limits, not NaN).
  @Test(arguments: [
    (", key_padding_mask=[False, False, True]", [2, 5]),
    (", attention_mask=[1, 1, 0]", [2, 5]),
    (", attn_mask=[[True, True, False], [True, True, False]]", [2, 5]),
    (", attn_mask=[[0, 0, -inf], [0, 0, -inf]]", [2, 5]),
    (", is_causal=True", [1, 2, 5]),
    (", is_causal=True, attention_mask=[1, 0, 1]", [1, 2, 4, 5]),
  ])
  func maskedCellsHaveZeroWeightAndGradient(_ masks: String, _ masked: [Int]) throws {
    let w = try weights(masks)
    let v = try values(w)
    for i in masked { #expect(v[i] == 0, "cell \(i) of \(masks): \(v[i])") }
    expectWeights(v, masked: Set(masked), masks)
    let jac = w.jacobian(withRespectTo: Self.q)
    for i in masked {
      for d in jac[i] {
        let g = try d.evaluate(at: Self.point)
        #expect(g == 0, "d(cell \(i))/dq = \(g)")
      }
    }
  }

  /// The conventions agree entry by entry: key_padding_mask (True = masked), float
  /// 0/-inf, Hugging Face 1/0 and SDPA bool (True = attend).
  @Test func conventionsAgree() throws {
    let forms = [
      ", key_padding_mask=[False, True, False]", ", attention_mask=[1, 0, 1]",
      ", attn_mask=[[0, -inf, 0], [0, -inf, 0]]", ", attn_mask=[[True, False, True], [True, False, True]]",
      ", key_padding_mask=[0, -inf, 0]",
    ]
    for f in forms { expectWeights(try values(try weights(f)), masked: [1, 4], f) }
  }

  @Test func causalMaskIsGenerateSquareSubsequentMask() throws {
    for n in 1...5 {
      let a = try Expr.Value(parsing: "causal_mask(\(n))")
      let b = try Expr.Value(parsing: "generate_square_subsequent_mask(\(n))")
      #expect(a == b)
      let flat = a.flattened
      for i in 0..<n { for j in 0..<n { #expect(flat[i * n + j] == (j > i ? Expr.negativeInfinity : 0)) } }
    }
  }

  /// A fully masked row: IEEE arithmetic gives NaN (0/0); the same-rate limit is the
  /// softmax of the scores as if unmasked.
  @Test func fullyMaskedRowFollowsTheLimitRule() throws {
    let masked = try weights(", attn_mask=[[0, 0, 0], [-inf, -inf, -inf]]")
    for i in 3..<6 { #expect(try masked[i].evaluateIEEE(at: Self.point).isNaN) }
    expectWeights(try values(masked), masked: [], "fully masked second row")
  }

  /// -inf vs 0 vs multiplying by 0 (the forum's question): -inf removes the entry, 0 does
  /// nothing, multiplying the scores by 0 gives uniform weights. Expected values are the
  /// softmax written out with Foundation's exp.
  @Test func minusInfinityIsAMaskZeroIsNot() throws {
    let p: [String: Double] = ["a": 1, "b": 2, "c": 0.5, "m": 0]
    let minusInf = try Expr.Value(parsing: "softmax([a + -inf, b, c])").flattened.map { try $0.evaluate(at: p) }
    // The 0 mask as a variable set to 0 (a literal `a + 0` is just `a` by construction).
    let plusZero = try Expr.Value(parsing: "softmax([a + m, b, c])").flattened.map { try $0.evaluate(at: p) }
    let timesZero = try Expr.Value(parsing: "softmax([a*m, b*m, c*m])").flattened.map { try $0.evaluate(at: p) }
    let (ea, eb, ec) = (Foundation.exp(1.0), Foundation.exp(2.0), Foundation.exp(0.5))
    // O(1) values from a few libm operations on each side: 1e-14 relative is ample.
    #expect(minusInf[0] == 0)
    let withoutA: [Double] = [0, eb / (eb + ec), ec / (eb + ec)]
    let all: [Double] = [ea, eb, ec].map { $0 / (ea + eb + ec) }
    let uniform: [Double] = [1.0 / 3, 1.0 / 3, 1.0 / 3]
    #expect(isApprox(minusInf, withoutA, rtol: 1e-14), "\(minusInf)")
    #expect(isApprox(plusZero, all, rtol: 1e-14), "\(plusZero)")
    #expect(isApprox(timesZero, uniform, rtol: 1e-14), "\(timesZero)")
  }

  /// An exp whose argument holds an infinity is a base of its own: products and powers
  /// keep each infinity's rate (every `-inf` is `-t`). Merging made `exp(-inf + x) *
  /// exp(-inf + 2*x)` into `exp(-inf + 3*x)` (rate t instead of 2t), so the derivative
  /// of a fully masked softmax row, whose quotient rule multiplies two such exps, came out
  /// infinite (found through `multi_head_attention_forward`'s fully masked rows).
  @Test func exponentialsWithInfinitiesKeepTheirRates() throws {
    let x = Expr.symbol("x")
    let product = try Expr(parsing: "exp(-inf + x) * exp(-inf + 2*x)")
    guard case .product(let fs) = product.kind else {
      Issue.record("merged: \(product)")
      return
    }
    #expect(fs.count == 2)
    #expect(try Expr(parsing: "exp(-inf + x)**2").description == "exp(-inf + x)**2")
    #expect(try Expr(parsing: "exp(-inf + x)/exp(-inf + x)") == .one)
    // e^(-2t + 3x) / (e^(-t + x) + e^(-t + 2x))^2 -> e^(3x) / (e^x + e^(2x))^2.
    let ratio = try Expr(parsing: "exp(-inf + x) * exp(-inf + 2*x) / (exp(-inf + x) + exp(-inf + 2*x))**2")
    let expected = Foundation.exp(1.5) / Foundation.pow(Foundation.exp(0.5) + Foundation.exp(1.0), 2)
    #expect(isApprox(try ratio.evaluate(at: ["x": 0.5]), expected, rtol: 1e-15))
    // e^(t + x) e^(-t + y) = e^(x + y): a value, not undefined.
    #expect(
      isApprox(
        try Expr(parsing: "exp(inf + x) * exp(-inf + y)").evaluate(at: ["x": 1, "y": 2]), Foundation.exp(3), rtol: 1e-15
      ))
    // Finite arguments still merge.
    #expect(try Expr(parsing: "exp(x) * exp(2*x)") == exp(3 * x))
    // The derivative of a fully masked row is the derivative of the unmasked row (the
    // limit of the derivative is the derivative of the limit): scores x*y and x, two keys.
    for (masked, plain) in [
      ("exp(-inf + x*y)/(exp(-inf + x*y) + exp(-inf + x))", "exp(x*y)/(exp(x*y) + exp(x))"),
      (
        "(exp(-inf + x*y)*3 + exp(-inf + x)*5)/(exp(-inf + x*y) + exp(-inf + x))",
        "(exp(x*y)*3 + exp(x)*5)/(exp(x*y) + exp(x))"
      ),
    ] {
      let m = try Expr(parsing: masked)
      let p = try Expr(parsing: plain)
      for v in ["x", "y"].map(Expr.symbol) {
        for point in [["x": 0.5, "y": 2.0], ["x": -1.25, "y": 0.75]] {
          let dm = try m.derivative(withRespectTo: v).evaluate(at: point)
          let dp = try p.derivative(withRespectTo: v).evaluate(at: point)
          #expect(isApprox(dm, dp, rtol: 1e-13), "d/d\(v) of \(masked) at \(point): \(dm) vs \(dp)")
        }
        let second = try m.derivative(withRespectTo: v).derivative(withRespectTo: v).evaluate(at: ["x": 0.5, "y": 2])
        let plainSecond = try p.derivative(withRespectTo: v).derivative(withRespectTo: v).evaluate(at: [
          "x": 0.5, "y": 2,
        ])
        #expect(isApprox(second, plainSecond, rtol: 1e-12))
      }
    }
  }
}
