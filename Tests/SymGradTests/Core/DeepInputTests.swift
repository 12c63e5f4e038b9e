import Foundation
import SymGradTestSupport
import Testing

@testable import SymGrad

/// Large and deep inputs: construction, traversal and printing must stay linear and must
/// not recurse on depth.
@Suite struct DeepInputTests {
  @Test func sumBuiltInALoopEqualsSum() throws {
    // Each `acc + t` re-interns a sum of the current length, so the loop is O(n^2) however
    // it is done (about 10 s for n = 10_000 in a debug build): one direction only here.
    let n = 10_000
    let terms = (0..<n).map { Expr.symbol("s\($0)") }
    var acc = Expr.zero
    for t in terms { acc = acc + t }
    let direct = Expr.sum(terms)
    #expect(acc == direct)
    #expect(acc.nodeCount == n + 1)
    #expect(acc - direct == 0)
    let values = Dictionary(uniqueKeysWithValues: (0..<n).map { ("s\($0)", 1.0) })
    #expect(try acc.evaluateIEEE(at: values) == Double(n))
    #expect(acc.derivative(withRespectTo: "s1234") == 1)
  }

  @Test func sumBuiltInReverseOrderEqualsSum() {
    // Reverse order inserts every term at the front (the fast path's other end).
    let terms = (0..<2_000).map { Expr.symbol("r\($0)") }
    var reversed = Expr.zero
    for t in terms.reversed() { reversed += t }
    #expect(reversed == Expr.sum(terms))
  }

  @Test func hundredThousandTermSum() throws {
    let n = 100_000
    let terms = (0..<n).map { Expr.number(($0 % 7) + 1) * Expr.symbol("h\($0)") }
    let s = Expr.sum(terms)
    guard case .sum(let kept) = s.kind else {
      Issue.record("not a sum")
      return
    }
    #expect(kept.count == n)
    // Order independence at scale.
    #expect(Expr.sum(terms.reversed()) == s)
    let values = Dictionary(uniqueKeysWithValues: (0..<n).map { ("h\($0)", 1.0) })
    // sum of ((i mod 7) + 1): 14285 full cycles of 28 plus 1 + 2 + 3 + 4 + 5.
    #expect(try s.evaluateIEEE(at: values) == Double(14_285 * 28 + 15))
    #expect(s.derivative(withRespectTo: "h99999") == Expr.number(99_999 % 7 + 1))
    #expect(s.description.hasPrefix("h0 + 2*h1 + 3*h2"))
  }

  @Test func productOfTenThousandFactors() throws {
    let n = 10_000
    let factors = (0..<n).map { Expr.symbol("p\($0)") }
    let p = Expr.product(factors)
    guard case .product(let kept) = p.kind else {
      Issue.record("not a product")
      return
    }
    #expect(kept.count == n)
    #expect(Expr.product(factors.reversed()) == p)
    #expect(p.nodeCount == n + 1)
    var values = Dictionary(uniqueKeysWithValues: (0..<n).map { ("p\($0)", 1.0) })
    values["p7"] = 3
    #expect(try p.evaluateIEEE(at: values) == 3)
    // d/dp7 is the product of the other factors.
    let d = p.derivative(withRespectTo: "p7")
    #expect(d == Expr.product(factors.filter { $0 != .symbol("p7") }))
    #expect(try d.evaluateIEEE(at: values) == 1)
    #expect(p / factors[7] == d)
  }

  @Test func deepExpChain() throws {
    let depth = 5_000
    let x = Expr.symbol("x")
    var e = x
    for _ in 0..<depth { e = exp(e) }
    #expect(e.nodeCount == depth + 1)
    // exp(exp(...)) overflows after a few levels: inf, computed without recursion.
    #expect(try e.evaluateIEEE(at: ["x": 0]) == .infinity)
    #expect(try e.evaluateIEEE(at: ["x": -.infinity]) == .infinity)
    let text = e.description
    #expect(text.count == depth * 5 + 1)
    #expect(text.hasPrefix("exp(exp(") && text.hasSuffix("(x" + String(repeating: ")", count: depth)))
    #expect(e.latex.hasPrefix("e^{e^{e^{"))
    #expect(e.substituting(["x": 0]).nodeCount == depth)  // exp(0) folds to 1
  }

  /// Chain-rule derivatives of an n-deep chain are products of n factors, and flattening
  /// makes building them O(n^2): 5_000 levels take over 30 s in a debug build, so the
  /// derivative is checked at 1_000 levels (the traversal is the same iterative fold).
  static let derivativeDepth = 1_000

  @Test func deepExpChainDerivative() throws {
    let x = Expr.symbol("x")
    var e = x
    var inner = [x]
    for _ in 0..<DeepInputTests.derivativeDepth {
      e = exp(e)
      inner.append(e)
    }
    inner.removeLast()
    // The product of all the chain's exponentials merges into exp(x + exp(x) + ...).
    let d = e.derivative(withRespectTo: x)
    #expect(d == exp(Expr.sum(inner)))
    #expect(d.freeSymbols == ["x"])
    // The chain overflows within a few levels, so the merged exponent is +inf.
    #expect(try d.evaluateIEEE(at: ["x": 0]) == .infinity)
  }

  @Test func deepTanhChainValue() throws {
    let depth = 5_000
    let x = Expr.symbol("x")
    var e = x
    var reference = 0.5
    for _ in 0..<depth {
      e = tanh(e)
      reference = Foundation.tanh(reference)
    }
    // The same libm call in the same order: bitwise equal.
    #expect(try e.evaluateIEEE(at: ["x": 0.5]) == reference)
    #expect(e.description.count == depth * 6 + 1)
  }

  @Test func deepTanhChainDerivative() throws {
    let depth = DeepInputTests.derivativeDepth
    let x = Expr.symbol("x")
    var e = x
    for _ in 0..<depth { e = tanh(e) }
    // The derivative is prod (1 - tanh_k(x)**2); compare with the chain rule done in doubles.
    var derivative = 1.0
    var v = 0.5
    for _ in 0..<depth {
      v = Foundation.tanh(v)
      derivative *= 1 - v * v
    }
    // `depth` multiplications each rounded: relative error <= 1000 * 1.1e-16 ~ 1e-13 on
    // both sides; 1e-11 relative leaves a margin, a wrong rule is off by O(1).
    let d = try e.derivative(withRespectTo: x).evaluateIEEE(at: ["x": 0.5])
    #expect(isApprox(d, derivative, rtol: 1e-11), "\(d) vs \(derivative)")
  }

  @Test func hugeIntegers() throws {
    let p = Expr(2) ** 1000
    #expect(
      p.description
        == "10715086071862673209484250490600018105614048117055336074437503883703510511249361224931983788156958581275946729175531468251871452856923140435984577574698574803934567774824230985421074605062371141877954182153046474983581941267398767559165543946077062914571196477686542167660429831652624386837205668069376"
    )
    #expect(p.description.count == 302)
    #expect(try Expr(parsing: p.description) == p)
    #expect(((Expr(2) ** 1000 - Expr(2) ** 999)) == (Expr(2) ** 999))
  }

  @Test func parsingA300DigitInteger() throws {
    let digits = String(repeating: "1234567890", count: 30)
    #expect(digits.count == 300)
    let e = try Expr(parsing: digits)
    let r = try #require(e.rationalValue)
    #expect(r.isInteger)
    #expect(r.description == digits)
    #expect(e.description == digits)
    #expect(try e.evaluateIEEE() == Double(digits)!)
    #expect(try Expr(parsing: digits + " - " + digits) == 0)
    // 400 digits exceed the double range: the value is inf.
    let big = try Expr(parsing: "1" + String(repeating: "0", count: 400))
    #expect((big) == (Expr(10) ** 400))
    #expect(try big.evaluateIEEE() == .infinity)
  }
}
