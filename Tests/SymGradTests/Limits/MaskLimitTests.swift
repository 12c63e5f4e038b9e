import Testing
@testable import SymGrad

/// Masked keys get exactly zero weight and zero gradient in the limit; mask conventions
/// agree; fully masked rows follow the same-rate limit rule.
@Suite struct MaskLimitTests {
  static let keys = "[[1, 0], [0, 1], [1, 1]]"
  static let point: [String: Double] = ["q0": 0.3, "q1": -1.2, "q2": 2.0, "q3": 0.5]
  static let q = ["q0", "q1", "q2", "q3"].map(Expr.symbol)

  func weights(_ masks: String) throws -> [Expr] {
    try Value(parsing: "attention_weights([[q0, q1], [q2, q3]], \(Self.keys)\(masks))").flattened
  }

  func values(_ es: [Expr]) throws -> [Double] { try es.map { try $0.evaluate(at: Self.point) } }

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
    for r in 0..<2 {
      let row = (0..<3).map { v[r * 3 + $0] }
      #expect(Swift.abs(row.reduce(0, +) - 1) <= 1e-12)
    }
    let jac = jacobian(of: w, withRespectTo: Self.q)
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
    let forms = [", key_padding_mask=[False, True, False]", ", attention_mask=[1, 0, 1]",
                 ", attn_mask=[[0, -inf, 0], [0, -inf, 0]]", ", attn_mask=[[True, False, True], [True, False, True]]",
                 ", key_padding_mask=[0, -inf, 0]"]
    let reference = try values(try weights(forms[0]))
    for f in forms.dropFirst() { #expect(try values(try weights(f)) == reference, "\(f)") }
  }

  @Test func causalMaskIsGenerateSquareSubsequentMask() throws {
    for n in 1...5 {
      let a = try Value(parsing: "causal_mask(\(n))"), b = try Value(parsing: "generate_square_subsequent_mask(\(n))")
      #expect(a == b)
      let flat = a.flattened
      for i in 0..<n { for j in 0..<n { #expect(flat[i * n + j] == (j > i ? Expr.negativeInfinity : 0)) } }
    }
  }

  /// A fully masked row: IEEE arithmetic gives NaN (0/0); the same-rate limit is the
  /// softmax of the scores as if unmasked.
  @Test func fullyMaskedRowFollowsTheLimitRule() throws {
    let masked = try weights(", attn_mask=[[0, 0, 0], [-inf, -inf, -inf]]")
    let unmasked = try weights("")
    for i in 3..<6 {
      #expect(try masked[i].evaluateIEEE(at: Self.point).isNaN)
      let v = try masked[i].evaluate(at: Self.point), u = try unmasked[i].evaluate(at: Self.point)
      #expect(Swift.abs(v - u) <= 1e-12, "\(v) vs \(u)")
    }
  }

  /// -inf vs 0 vs multiplying by 0 (the forum's question): -inf removes the entry, 0 does
  /// nothing, multiplying the scores by 0 gives uniform weights.
  @Test func minusInfinityIsAMaskZeroIsNot() throws {
    let p: [String: Double] = ["a": 1, "b": 2, "c": 0.5]
    let minusInf = try Value(parsing: "softmax([a + -inf, b, c])").flattened.map { try $0.evaluate(at: p) }
    let plusZero = try Value(parsing: "softmax([a + 0, b, c])").flattened.map { try $0.evaluate(at: p) }
    let timesZero = try Value(parsing: "softmax([a*0, b*0, c*0])").flattened.map { try $0.evaluate(at: p) }
    let two = try Value(parsing: "softmax([b, c])").flattened.map { try $0.evaluate(at: p) }
    #expect(minusInf[0] == 0)
    #expect(Swift.abs(minusInf[1] - two[0]) <= 1e-15 && Swift.abs(minusInf[2] - two[1]) <= 1e-15)
    let plain = try Value(parsing: "softmax([a, b, c])").flattened.map { try $0.evaluate(at: p) }
    #expect(plusZero == plain)
    #expect(timesZero.allSatisfy { Swift.abs($0 - 1.0 / 3) <= 1e-15 })
  }
}
