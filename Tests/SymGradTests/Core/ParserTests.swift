import Foundation
import Testing

@testable import SymGrad

/// The expression language: lexing, precedence, lists, indexing, broadcasting, and errors
/// as values with a 1-based column.
@Suite struct ParserTests {
  let x = Expr.symbol("x"), y = Expr.symbol("y")
  let a = Expr.symbol("a"), b = Expr.symbol("b"), c = Expr.symbol("c"), d = Expr.symbol("d")

  private func q(_ n: Int, _ m: Int) -> Expr {
    .number(Rational(numerator: BigInt(n), denominator: BigInt(m))!)
  }

  private func parse(_ text: String) throws -> Expr { try Expr(parsing: text) }

  /// The error thrown for `text`, or nil (recorded as an issue) when it parses.
  private func parseError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation)
    -> ParseError?
  {
    do {
      _ = try Expr.Value(parsing: text)
      Issue.record("\"\(text.prefix(60))\" parsed without error", sourceLocation: sourceLocation)
      return nil
    } catch let e as ParseError {
      return e
    } catch {
      Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
      return nil
    }
  }

  // MARK: Numbers and names

  @Test func numbers() throws {
    #expect(try parse("42") == 42)
    #expect(try parse("0") == 0)
    #expect(try parse("0.25") == q(1, 4))
    #expect(try parse("-0.0473") == q(-473, 10000))
    #expect(try parse(".5") == q(1, 2))
    #expect(try parse("1.5e-3") == q(3, 2000))
    #expect(try parse("2E3") == 2000)
    #expect(try parse("2.5e+2") == 250)
    #expect(try parse("1e400") == Expr(10) ** 400)
    #expect(
      try parse("123456789012345678901234567890") == Expr(123_456_789_012_345) * Expr(10) ** 15
        + Expr(678_901_234_567_890))
  }

  @Test func constants() throws {
    #expect(try parse("inf") == .infinity)
    #expect(try parse("-inf") == .negativeInfinity)
    #expect(try parse("nan") == .undefined)
    #expect(try parse("pi") == .pi)
    #expect(try parse("E") == exp(1))
    #expect(try parse("inf - inf") == .undefined)
  }

  @Test(arguments: ["x", "x0", "w_01", "_a", "alpha", "X10", "loss_total"])
  func names(_ name: String) throws {
    #expect(try parse(name) == .symbol(name))
    #expect(try parse("  \(name)  ") == .symbol(name))
  }

  // MARK: Operators and precedence

  @Test func binaryOperators() throws {
    #expect(try parse("x + y") == x + y)
    #expect(try parse("x - y") == x - y)
    #expect(try parse("x * y") == x * y)
    #expect(try parse("x / y") == x / y)
    #expect(try parse("x ** 2") == x ** 2)
    #expect(try parse("x ^ 2") == x ** 2)
    #expect(try parse("x**y") == x ** y)
    #expect(try parse("2 + 3 * 4") == 14)
    #expect(try parse("(2 + 3) * 4") == 20)
    #expect(try parse("8 / 4 / 2") == 1)
    #expect(try parse("2 - 3 - 4") == -5)
    #expect(try parse("x - y + x") == 2 * x - y)
  }

  @Test func unaryMinusAndPowerPrecedence() throws {
    #expect(try parse("-x**2") == -(x ** 2))
    #expect(try parse("-2**2") == -4)
    #expect(try parse("(-2)**2") == 4)
    #expect(try parse("2**-1") == q(1, 2))
    #expect(try parse("2**3**2") == 512)
    #expect(try parse("2^3^2") == 512)
    #expect(try parse("x**-y") == x ** (-y))
    #expect(try parse("--x") == x)
    #expect(try parse("+x") == x)
    #expect(try parse("-x*y") == -(x * y))
    #expect(try parse("2*-x") == -2 * x)
  }

  @Test func functionCalls() throws {
    #expect(try parse("exp(x)") == exp(x))
    #expect(try parse("log(x)") == log(x))
    #expect(try parse("sqrt(x)") == sqrt(x))
    #expect(try parse("sigmoid(x) + softplus(y)") == sigmoid(x) + softplus(y))
    #expect(try parse("tanh(sin(cos(x)))") == tanh(sin(cos(x))))
    #expect(try parse("log1p(x) * expm1(y)") == log1p(x) * expm1(y))
    #expect(try parse("abs(x) + sign(y)") == abs(x) + sign(y))
    #expect(try parse("max(x, y)") == max(x, y))
    #expect(try parse("min(x, y, 3)") == min(min(x, y), 3))
    #expect(try parse("max(1, 5, 3)") == 5)
    #expect(try parse("exp(log(x))") == exp(log(x)))
    #expect(try parse("exp(log(exp(x)))") == exp(x))
  }

  // MARK: Lists, indexing, broadcasting

  @Test func lists() throws {
    let v = try Expr.Value(parsing: "[1, 2, 3]")
    #expect(v == .list([.scalar(1), .scalar(2), .scalar(3)]))
    #expect(v.shape == [3])
    let m = try Expr.Value(parsing: "[[a, b], [c, d]]")
    #expect(m.shape == [2, 2])
    #expect(m.flattened == [a, b, c, d])
    #expect(try Expr.Value(parsing: "[]").shape == [0])
    #expect(try Expr.Value(parsing: "[1, 2,]").shape == [2])
    #expect(try Expr.Value(parsing: "[[1], [1, 2]]").shape == nil)
    #expect(try Expr.Value(parsing: "[[[1, 2, 3]], [[4, 5, 6]]]").shape == [2, 1, 3])
    #expect(try Expr.Value(parsing: "x") == .scalar(x))
    #expect(try Expr.Value(parsing: "x").shape == [])
  }

  @Test func indexing() throws {
    #expect(try Expr.Value(parsing: "[[a, b], [c, d]][1][0]") == .scalar(c))
    #expect(try Expr.Value(parsing: "[[a, b], [c, d]][0]") == .list([.scalar(a), .scalar(b)]))
    #expect(try Expr.Value(parsing: "[1, 2, 3][-1]") == .scalar(3))
    #expect(try Expr.Value(parsing: "[1, 2, 3][1 + 1]") == .scalar(3))
    // Indexing a symbol names an element.
    #expect(try parse("x[0]") == .symbol("x[0]"))
    #expect(try parse("W[0][1]") == .symbol("W[0][1]"))
    #expect(try parse("x[0] + x[0]") == 2 * Expr.symbol("x[0]"))
  }

  @Test func broadcasting() throws {
    #expect(try Expr.Value(parsing: "[1, 2] + 1") == .list([.scalar(2), .scalar(3)]))
    #expect(try Expr.Value(parsing: "1 - [1, 2]") == .list([.scalar(0), .scalar(-1)]))
    #expect(
      try Expr.Value(parsing: "[[a, b], [c, d]] * [1, 2]")
        == .list([.list([.scalar(a), .scalar(2 * b)]), .list([.scalar(c), .scalar(2 * d)])]))
    #expect(try Expr.Value(parsing: "[1, 2] * [3, 4]") == .list([.scalar(3), .scalar(8)]))
    // A length-1 axis stretches: [[1], [2]] + [10, 20] is 2 x 2.
    #expect(
      try Expr.Value(parsing: "[[1], [2]] + [10, 20]")
        == .list([.list([.scalar(11), .scalar(21)]), .list([.scalar(12), .scalar(22)])]))
    #expect(try Expr.Value(parsing: "-[x, y]") == .list([.scalar(-x), .scalar(-y)]))
    #expect(try Expr.Value(parsing: "exp([0, x])") == .list([.scalar(1), .scalar(exp(x))]))
    #expect(try Expr.Value(parsing: "[x, y] ** 2") == .list([.scalar(x ** 2), .scalar(y ** 2)]))
  }

  // MARK: Errors

  @Test func misplacedOperator() throws {
    let e = try #require(parseError("x + * 2"))
    #expect(e.column == 5)
    #expect(e.message.contains("*"), "\(e.message)")
  }

  @Test func unclosedParenthesis() throws {
    let e = try #require(parseError("(x + 1"))
    #expect(e.column == 7)
    #expect(e.message.contains(")"), "\(e.message)")
    #expect(e.message.contains("column 1"), "\(e.message)")
    let f = try #require(parseError("exp(x + 1"))
    #expect(f.column == 10)
    let g = try #require(parseError("[1, 2"))
    #expect(g.column == 6)
  }

  @Test func unknownFunction() throws {
    let e = try #require(parseError("2 * foo(x)"))
    #expect(e.column == 5)
    #expect(e.message.contains("foo"), "\(e.message)")
  }

  @Test func badCharacter() throws {
    let e = try #require(parseError("x $ y"))
    #expect(e.column == 3)
    #expect(e.message.contains("$"), "\(e.message)")
    // Columns count characters, not bytes.
    let f = try #require(parseError("é + é ? 1"))
    #expect(f.column == 7)
  }

  @Test(arguments: ["", "   "])
  func emptyInput(_ text: String) throws {
    let e = try #require(parseError(text))
    #expect(e.column == text.count + 1)
    #expect(e.message.contains("empty"), "\(e.message)")
  }

  @Test func wrongArity() throws {
    let e = try #require(parseError("exp(1, 2)"))
    #expect(e.column == 1)
    #expect(e.message.contains("exp"), "\(e.message)")
    #expect(e.message.contains("2"), "\(e.message)")
    // max of one argument is torch.max of it (a 0-d tensor is itself); of none, an error.
    let f = try #require(parseError("x + max()"))
    #expect(f.column == 5)
    // The message states the accepted count in words a user can act on.
    #expect(!f.message.contains("\(Int.max)"), "\(f.message)")
    let g = try #require(parseError("sin()"))
    #expect(g.column == 1)
  }

  @Test func otherErrors() throws {
    #expect(try #require(parseError("x y")).column == 3)
    #expect(try #require(parseError("1e")).column == 3)
    #expect(try #require(parseError("2x")).column == 2)
    #expect(try #require(parseError("x +")).column == 4)
    #expect(try #require(parseError("x)")).column == 2)
    #expect(try #require(parseError("[1, 2][5]")).column == 8)
    #expect(try #require(parseError("[1, 2][0.5]")).column == 8)
    #expect(try #require(parseError("[1, 2] + [1, 2, 3]")).column > 0)
    #expect(try #require(parseError("exp(x, base=2)")).message.contains("base"))
    #expect(try #require(parseError("'abc")).column == 1)
    #expect(try #require(parseError("1e100001")).column == 1)
    // A list is not a scalar expression.
    #expect(throws: ParseError.self) { try Expr(parsing: "[1, 2]") }
  }

  @Test func renderedErrorPointsAtTheColumn() throws {
    let e = try #require(parseError("x + * 2"))
    #expect(e.rendered(source: "x + * 2") == "x + * 2\n    ^\nerror: column 5: \(e.message)")
  }

  // MARK: Nesting bound and long inputs

  @Test func documentedNestingBound() {
    #expect(Parser.maxDepth == 256)
  }

  @Test func nestingWithinTheBoundParses() throws {
    let n = 250
    let text = String(repeating: "(", count: n) + "x" + String(repeating: ")", count: n)
    #expect(try parse(text) == x)
    let minuses = String(repeating: "-", count: n) + "x"
    #expect(try parse(minuses) == x)  // an even number of minus signs
    let calls = String(repeating: "exp(", count: n) + "x" + String(repeating: ")", count: n)
    var expected = x
    for _ in 0..<n { expected = exp(expected) }
    #expect(try parse(calls) == expected)
  }

  static let deepInputs: [String: String] = [
    "parentheses": String(repeating: "(", count: 10_000) + "x" + String(repeating: ")", count: 10_000),
    "unary minus": String(repeating: "-", count: 10_000) + "x",
    "brackets": String(repeating: "[", count: 10_000) + "1" + String(repeating: "]", count: 10_000),
    "calls": String(repeating: "exp(", count: 10_000) + "x" + String(repeating: ")", count: 10_000),
    "powers": Array(repeating: "2", count: 10_000).joined(separator: "**"),
    "unclosed": String(repeating: "(", count: 10_000),
  ]

  @Test(arguments: deepInputs.keys.sorted())
  func nestingBeyondTheBoundIsAnError(kind: String) throws {
    let e = try #require(parseError(ParserTests.deepInputs[kind]!))
    #expect(e.message.contains("nested"), "\(kind): \(e.message)")
    // The error points into the text near the 256th level (each level is 1 to 4 characters).
    #expect(e.column >= Parser.maxDepth - 1 && e.column <= 4 * (Parser.maxDepth + 1), "\(kind): \(e.column)")
  }

  /// Deep text is parsed on a thread with a large stack (`DeepInput`), so a caller on a
  /// thread with a small stack (512 KiB here) can parse 250 levels.
  @Test func deepTextFromASmallStack() throws {
    final class Box: @unchecked Sendable {
      var value: Expr?
      var error: Error?
    }
    let box = Box()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      do {
        box.value = try Expr(parsing: String(repeating: "tanh(", count: 250) + "x" + String(repeating: ")", count: 250))
      } catch { box.error = error }
      done.signal()
    }
    thread.stackSize = 512 << 10
    thread.start()
    done.wait()
    #expect(box.error == nil)
    var expected = x
    for _ in 0..<250 { expected = tanh(expected) }
    #expect(box.value == expected)
  }

  /// The derivative of a 199-level power tower (the generator's deepest) prints about
  /// 400 levels deep and reads back.
  @Test func derivativesOfDeepTowersReadBack() throws {
    let tower = try parse(Array(repeating: "y", count: 200).joined(separator: "**"))
    let d = tower.derivative(withRespectTo: "y")
    #expect(try parse(d.description) == d)
  }

  @Test func longFlatSum() throws {
    let n = 100_000
    let text = (0..<n).map { "x\($0)" }.joined(separator: " + ")
    let e = try parse(text)
    guard case .sum(let terms) = e.kind else {
      Issue.record("not a sum")
      return
    }
    #expect(terms.count == n)
    #expect(e.nodeCount == n + 1)
    #expect(terms.first == .symbol("x0"))
    #expect(terms.last == .symbol("x99999"))
  }

  @Test func longFlatProductAndDifference() throws {
    let product = (0..<2_000).map { "x\($0)" }.joined(separator: "*")
    #expect(try parse(product).nodeCount == 2_001)
    let n = 20_000
    let alternating = (0..<n).map { "x\($0 % 100)" }.joined(separator: " - ")
    // x0 - x1 - ... : x0 appears 200 times, the first positive, the rest negative.
    let e = try parse(alternating)
    #expect(e.derivative(withRespectTo: "x0") == -198)
    #expect(e.derivative(withRespectTo: "x1") == -200)
  }
}
