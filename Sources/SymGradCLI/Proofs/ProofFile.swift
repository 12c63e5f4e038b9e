/// A claim in the proof format of `Proofs/*.proof`: a small, line-based text that reads as
/// a derivation and that `symgrad prove` checks.
///
/// ```
/// title: Cross-entropy gradient = softmax - one-hot
/// claim: d/dz cross_entropy(z, y) = softmax(z) - one_hot(y)
/// source: forum thread (seeds/000)
/// text: Any prose paragraph.
/// let L = cross_entropy([[a, b, c]], [1], reduction="sum")
/// derive: grad(L, [a, b, c])
///   = [exp(a)/(exp(a) + exp(b) + exp(c)), ...]       each step equals the previous one
/// show: grad(L, [a, b, c]) == softmax([a, b, c]) - one_hot(1, 3)
/// value: grad(L, [a, b, c]) at a=1, b=-inf, c=0.5 == [0, -0.18, 0.18] within 0.01
/// check: L wrt a, b, c at a=1, b=2, c=0.5
/// ```
/// - `let NAME = EXPR` defines a name used by later lines (replaced by `(EXPR)`).
/// - `derive:` starts a derivation; each `= EXPR` line must equal the line before it
///   (their difference simplifies to 0, entry by entry).
/// - `show: A == B` is a symbolic check: `simplify(A - B)` is 0 entry by entry.
/// - `value: EXPR at POINT == LITERAL [within TOL]` evaluates with the limit semantics
///   (`inf`, `-inf` allowed) and compares (default tolerance 1e-12 relative).
/// - `differ: EXPR at POINT != LITERAL` checks that a value is NOT the literal (for
///   claims like "multiplying by 0 is not a mask").
/// - `check: EXPR wrt NAMES at POINT` runs `symgrad check`: the autograd oracle, the
///   recorded PyTorch value and finite differences must agree with the symbolic Jacobian.
/// - `for: CALL with X=N,C; w=C [wrt W]` states a loss for every size (index notation,
///   `symgrad derive`): its loss and gradient are derived and verified by instantiation at
///   N, C from 1 to 4 against the explicit engine.
/// - `show gradient: TEXT` / `show loss: TEXT` (after `for:`): the derived gradient entry
///   (or loss) equals TEXT, in the index notation `derive` prints (`Sum(...)`,
///   `KroneckerDelta(...)`, `X[n, c]`), for every size: the difference simplifies to 0.
/// - `show matrix: TEXT` (after `for:`): the gradient's matrix form, recognized from the
///   index form and proved equal to it, is TEXT (`(P - Y)^T A/N`; spaces ignored).
/// - `#` starts a comment line.
struct ProofFile {
  enum Line {
    case title(String)
    case claim(String)
    case source(String)
    case text(String)
    case define(name: String, expression: String)
    case derive(String)
    case step(String)
    case show(lhs: String, rhs: String)
    case value(expression: String, point: String, expected: String, tolerance: Double?, negate: Bool)
    case check(expression: String, variables: [String], point: String)
    case general(call: String, shapes: [String], wrt: String?)
    case showIndexed(part: IndexedPart, text: String)
  }

  /// What an index-notation `show` compares: the gradient entry or the loss.
  enum IndexedPart: String {
    case gradient, loss, matrix
  }

  struct Located {
    let line: Line
    let number: Int
    let text: String
  }

  struct SyntaxError: Error, CustomStringConvertible {
    let path: String
    let line: Int
    let column: Int
    let message: String
    var description: String { "\(path):\(line):\(column): \(message)" }
  }

  let path: String
  let lines: [Located]

  init(path: String, text: String) throws {
    self.path = path
    var out: [Located] = []
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let n = i + 1
      let line = String(raw)
      let trimmed = line.trimmedWhitespace
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      let indent = line.prefix { $0 == " " }.count
      func fail(_ message: String, column: Int = indent + 1) -> SyntaxError {
        SyntaxError(path: path, line: n, column: column, message: message)
      }
      func rest(after key: String) -> String { String(trimmed.dropFirst(key.count)).trimmedWhitespace }
      if trimmed.hasPrefix("= ") {
        guard out.contains(where: { if case .derive = $0.line { return true } else { return false } }) else {
          throw fail("a '= ...' step needs a 'derive:' line before it")
        }
        out.append(Located(line: .step(rest(after: "=")), number: n, text: line))
      } else if trimmed.hasPrefix("title:") {
        out.append(Located(line: .title(rest(after: "title:")), number: n, text: line))
      } else if trimmed.hasPrefix("claim:") {
        out.append(Located(line: .claim(rest(after: "claim:")), number: n, text: line))
      } else if trimmed.hasPrefix("source:") {
        out.append(Located(line: .source(rest(after: "source:")), number: n, text: line))
      } else if trimmed.hasPrefix("text:") {
        out.append(Located(line: .text(rest(after: "text:")), number: n, text: line))
      } else if trimmed.hasPrefix("let ") {
        let body = rest(after: "let ")
        guard let eq = body.firstIndex(of: "=") else { throw fail("expected 'let NAME = EXPR'") }
        let name = body[..<eq].trimmedWhitespace
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), name.first!.isLetter else {
          throw fail("'\(name)' is not a name", column: indent + 5)
        }
        out.append(
          Located(
            line: .define(name: name, expression: String(body[body.index(after: eq)...]).trimmedWhitespace), number: n,
            text: line))
      } else if trimmed.hasPrefix("derive:") {
        out.append(Located(line: .derive(rest(after: "derive:")), number: n, text: line))
      } else if trimmed.hasPrefix("for:") {
        let body = rest(after: "for:")
        guard let w = body.range(of: " with ") else { throw fail("expected 'for: CALL with X=N,C; ...'") }
        var shapesText = String(body[w.upperBound...])
        var wrt: String?
        if let r = shapesText.range(of: " wrt ") {
          wrt = shapesText[r.upperBound...].trimmedWhitespace
          shapesText = String(shapesText[..<r.lowerBound])
        }
        out.append(
          Located(
            line: .general(
              call: body[..<w.lowerBound].trimmedWhitespace,
              shapes: shapesText.split(separator: ";").map { $0.trimmedWhitespace }, wrt: wrt), number: n, text: line))
      } else if let part = [IndexedPart.gradient, .loss, .matrix].first(where: {
        trimmed.hasPrefix("show \($0.rawValue):")
      }) {
        guard out.contains(where: { if case .general = $0.line { return true } else { return false } }) else {
          throw fail("'show \(part.rawValue):' needs a 'for:' line before it")
        }
        out.append(
          Located(line: .showIndexed(part: part, text: rest(after: "show \(part.rawValue):")), number: n, text: line))
      } else if trimmed.hasPrefix("show:") {
        let body = rest(after: "show:")
        guard let r = body.range(of: " == ") else { throw fail("expected 'show: A == B'") }
        out.append(
          Located(
            line: .show(lhs: String(body[..<r.lowerBound]), rhs: String(body[r.upperBound...])), number: n, text: line))
      } else if trimmed.hasPrefix("value:") || trimmed.hasPrefix("differ:") {
        let negate = trimmed.hasPrefix("differ:")
        let body = rest(after: negate ? "differ:" : "value:")
        guard let at = body.range(of: " at ") else { throw fail("expected 'value: EXPR at POINT == VALUE'") }
        let op = negate ? " != " : " == "
        guard let cmp = body.range(of: op, range: at.upperBound..<body.endIndex) else {
          throw fail("expected '\(op.trimmedWhitespace)' after the point")
        }
        var expected = String(body[cmp.upperBound...])
        var tolerance: Double?
        if let w = expected.range(of: " within ") {
          guard let t = Double(expected[w.upperBound...].trimmedWhitespace) else {
            throw fail("'within' needs a number")
          }
          tolerance = t
          expected = String(expected[..<w.lowerBound])
        }
        out.append(
          Located(
            line: .value(
              expression: String(body[..<at.lowerBound]), point: String(body[at.upperBound..<cmp.lowerBound]),
              expected: expected.trimmedWhitespace, tolerance: tolerance, negate: negate), number: n, text: line))
      } else if trimmed.hasPrefix("check:") {
        let body = rest(after: "check:")
        guard let w = body.range(of: " wrt "), let at = body.range(of: " at ", range: w.upperBound..<body.endIndex)
        else {
          throw fail("expected 'check: EXPR wrt NAMES at POINT'")
        }
        let vars = body[w.upperBound..<at.lowerBound].split(separator: ",").map { $0.trimmedWhitespace }
        out.append(
          Located(
            line: .check(
              expression: String(body[..<w.lowerBound]), variables: vars, point: String(body[at.upperBound...])),
            number: n, text: line))
      } else {
        throw fail(
          "unknown line: expected title:, claim:, source:, text:, let, derive:, = step, show:, value:, differ:, check:, for:, show gradient:, show loss: or show matrix:"
        )
      }
    }
    guard out.contains(where: { if case .claim = $0.line { return true } else { return false } }) else {
      throw SyntaxError(path: path, line: 1, column: 1, message: "a proof needs a 'claim:' line")
    }
    lines = out
  }
}
