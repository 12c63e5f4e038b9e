import Testing

@testable import SymGrad

/// `Expr.resolvingMasks`: the limit at the mask constants, symbols held finite; kept as
/// written where undecided, and within one budget over a matrix.
@Suite struct ResolvingMasksTests {
  let s = Expr.symbol("s"), r = Expr.symbol("r"), q = Expr.symbol("q")

  @Test func maskedSoftmaxEntriesResolve() throws {
    let masked = exp(.negativeInfinity + s)
    let kept = exp(r)
    #expect((masked / (masked + kept)).resolvingMasks() == .zero)
    #expect((kept / (masked + kept)).resolvingMasks() == .one)
    // Depends on the sign of q: not decided, kept.
    let signed = exp(.negativeInfinity * q)
    #expect(signed.resolvingMasks() == signed)
    // The constants are their own limits; finite expressions are untouched.
    #expect(Expr.negativeInfinity.resolvingMasks() == .negativeInfinity)
    #expect((s + r).resolvingMasks() == s + r)
  }

  /// A large masked matrix: the first `maximumMaskedEntries` entries are resolved, the
  /// rest kept as written (a 387 x 387 mask took 75,000 limits, 3.8 s: fuzz seed 17).
  @Test func manyEntriesShareOneBudget() throws {
    let masked = exp(.negativeInfinity + s)
    let entry = masked / (masked + exp(r))
    let n = Expr.maximumMaskedEntries
    let out = Expr.resolvingMasks(Array(repeating: entry, count: n + 10))
    #expect(out.prefix(n).allSatisfy { $0 == .zero })
    #expect(out.suffix(10).allSatisfy { $0 == entry })
  }
}
