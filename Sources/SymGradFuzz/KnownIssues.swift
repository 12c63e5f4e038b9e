import Foundation

/// Known bugs found by fuzzing, as input classes the generator can be told to avoid (crashes
/// and hangs) or failures that are not counted (round trips), so that the short in-process
/// run in `swift test` is neither killed nor failed by a bug that is already known and
/// being fixed. Nothing else is left out.
///
/// Each class names the issue text it comes from. The long run (`Scripts/fuzz-long`,
/// `symgrad-fuzz` without `--avoid`) generates every class; only `--avoid` (and the test
/// slice, through `GeneratorOptions.avoidingKnownIssues`) leaves them out. When a bug is
/// fixed, delete its case here: the test slice then covers the class again.
///
/// Avoidance works in two layers: the generator does not deliberately produce the class,
/// and `matches(_:)` rejects any final text (after mutation) that falls in it, so a mutation
/// cannot bring it back. The predicates are textual and deliberately simple.
public enum KnownIssue: String, CaseIterable, Sendable {
  /// Any product with `pi` (`2*pi`, `pi*y`, `-pi`, `pi/7`, `mean([pi])`, and products that
  /// derivatives or `simplified()` build, such as `d/dx x**pi = pi*x**(pi - 1)`) loops in
  /// canonical product construction until the stack overflows (issue 8, "Crashes";
  /// findings 2026-12-02). Since any stage can build such a product, every text with the
  /// name `pi` is avoided.
  case piConstant = "pi"

  /// Integers at the edge of `Int` as exponents or coefficients: `x**(-2**63)`,
  /// `5**(-2**63)`, `2**(-9223372036854775807-1)/3`, `exp(-2**63*x) + 1` trap (`abs(Int.min)`
  /// in `Simplify.swift`; issue 8, "Crashes"). Avoided: `2**63`, `2**64` and the decimal
  /// literals 2^63 - 1, 2^63, 2^64 - 1, 2^64.
  case intEdgeIntegers = "int-edge"

  /// `eye(n)`, `causal_mask(n)`, `generate_square_subsequent_mask(n)`, `one_hot(k, n)` with
  /// `n >= 128`: printing and reparsing the n^2 entries takes seconds (`eye(986)` > 2 s in
  /// `reparse`; issue 8, "Hangs": `causal_mask(4096)`, `eye(1000)`).
  case largeLiterals = "large-literal"

  /// Texts with 300 or more arithmetic operators (sums and products of hundreds of terms):
  /// `limit` and evaluation at infinite points take seconds (`x0 + x1 + ... + x2000` > 2 s in
  /// `limit`; issue 8, "Hangs": ~5,000 terms take > 10 s).
  case longExpressions = "long"

  /// Nesting from 24 levels up to the parser's limit (parentheses, brackets, function
  /// chains, power towers, unary minus runs): the limit engine is superlinear in depth
  /// (`exp(exp(...(w0)))` 70 deep and `b**b**...**b` 50 deep > 2 s at infinite points;
  /// issue 8, "Hangs": `tanh` 199 deep, `x**x**...**x` 70 levels). Power towers of 100 or
  /// more levels also fail the round trip: `a**b**c` prints as `a**(b**(c))`, twice as
  /// deep, past the parser's limit. Nesting past the limit (a parse error) is not avoided.
  case deepNesting = "deep"

  /// A round trip whose printed text parses to a different expression that has the same
  /// value and prints stably: the library held a non-canonical form (derivatives and
  /// Hessians build products the parser would have built differently; issue 8 "Print/parse
  /// round trips": `diff 'log(sqrt(1/(t + 1)))' --wrt t`). Not avoided in generation:
  /// a round-trip failure is put in this class only when the reprinted text prints
  /// identically once more and agrees numerically with the original at two points;
  /// any other round-trip failure is never in a known class.
  case nonCanonicalPrint = "non-canonical"

  /// What the class is.
  public enum Kind: String, Sendable { case crash, hang, roundTrip = "round-trip" }

  public var kind: Kind {
    switch self {
    case .piConstant, .intEdgeIntegers: return .crash
    case .largeLiterals, .longExpressions, .deepNesting: return .hang
    case .nonCanonicalPrint: return .roundTrip
    }
  }

  /// One line for reports and `--list-known`.
  public var summary: String {
    switch self {
    case .piConstant: return "any product with pi overflows the stack (Expr+Canonical.swift)"
    case .intEdgeIntegers: return "2**63, -2**63, 9223372036854775807... as exponents or coefficients trap"
    case .largeLiterals: return "eye(n), causal_mask(n), ... with n >= 128 take seconds to print and reparse"
    case .longExpressions: return ">= 300 operators: limits and values at infinity take seconds"
    case .deepNesting: return "nesting 24-199 levels: limits take seconds; towers >= 100 fail the round trip"
    case .nonCanonicalPrint: return "printed text reparses to an equal-valued, different, stable expression"
    }
  }

  /// Whether the input `text` falls in this class (always false for round-trip classes,
  /// which are recognized on the failure).
  public func matches(_ text: String) -> Bool {
    switch self {
    case .piConstant:
      return KnownIssue.names(in: text).contains("pi")
    case .intEdgeIntegers:
      let compact = String(text.unicodeScalars.filter { !$0.properties.isWhitespace }.map(Character.init))
      let stripped = compact.replacingOccurrences(of: "(", with: "").replacingOccurrences(of: ")", with: "")
      for marker in ["2**63", "2**64", "2^63", "2^64"] where stripped.contains(marker) { return true }
      for digits in KnownIssue.digitRuns(in: text) where digits.count >= 19 {
        let trimmed = String(digits.drop { $0 == "0" })
        if ["9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616"]
          .contains(trimmed)
        {
          return true
        }
      }
      return false
    case .largeLiterals:
      for name in ["eye", "causal_mask", "generate_square_subsequent_mask", "one_hot"] {
        var rest = Substring(text)
        while let r = rest.range(of: name + "(") {
          let args = rest[r.upperBound...].prefix { $0 != ")" }
          if KnownIssue.digitRuns(in: String(args)).contains(where: { $0.count > 3 || (Int($0) ?? 0) >= 128 }) {
            return true
          }
          rest = rest[r.upperBound...]
        }
      }
      return false
    case .longExpressions:
      return text.utf8.lazy.filter { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "/") }.count >= 300
    case .deepNesting:
      let d = KnownIssue.nesting(of: text)
      return d >= 24 && d < 200
    case .nonCanonicalPrint:
      return false
    }
  }

  /// A rough nesting depth: the deepest bracket nesting, the number of power operators, or
  /// the longest run of unary minus signs, whichever is largest.
  static func nesting(of text: String) -> Int {
    var depth = 0, deepest = 0, powers = 0, run = 0, longestRun = 0
    var previous: UInt8 = 0
    for b in text.utf8 {
      switch b {
      case UInt8(ascii: "("), UInt8(ascii: "["):
        depth += 1
        deepest = max(deepest, depth)
      case UInt8(ascii: ")"), UInt8(ascii: "]"):
        depth -= 1
      case UInt8(ascii: "^"):
        powers += 1
      case UInt8(ascii: "*") where previous == UInt8(ascii: "*"):
        powers += 1
      default: break
      }
      if b == UInt8(ascii: "-") {
        run += 1
        longestRun = max(longestRun, run)
      } else if b != UInt8(ascii: " ") {
        run = 0
      }
      previous = b == UInt8(ascii: "*") && previous == UInt8(ascii: "*") ? 0 : b
    }
    return max(deepest, powers, longestRun)
  }

  /// The known issues `text` falls in.
  public static func classes(of text: String) -> [KnownIssue] { allCases.filter { $0.matches(text) } }

  /// Identifier-like runs (`[A-Za-z_][A-Za-z0-9_]*`, ASCII) of a text.
  static func names(in text: String) -> [Substring] {
    var out: [Substring] = []
    var i = text.startIndex
    while i < text.endIndex {
      let c = text[i]
      if c == "_" || (c.isASCII && c.isLetter) {
        var j = text.index(after: i)
        while j < text.endIndex, text[j] == "_" || (text[j].isASCII && (text[j].isLetter || text[j].isNumber)) {
          j = text.index(after: j)
        }
        out.append(text[i..<j])
        i = j
      } else if c.isASCII && c.isNumber {
        // Skip the digits of a number so that `1e5` does not yield the name `e5`.
        var j = text.index(after: i)
        while j < text.endIndex, text[j].isASCII && (text[j].isLetter || text[j].isNumber) { j = text.index(after: j) }
        i = j
      } else {
        i = text.index(after: i)
      }
    }
    return out
  }

  /// Maximal runs of ASCII digits.
  static func digitRuns(in text: String) -> [Substring] {
    var out: [Substring] = []
    var i = text.startIndex
    while i < text.endIndex {
      if text[i].isASCII && text[i].isNumber {
        var j = text.index(after: i)
        while j < text.endIndex, text[j].isASCII && text[j].isNumber { j = text.index(after: j) }
        out.append(text[i..<j])
        i = j
      } else {
        i = text.index(after: i)
      }
    }
    return out
  }
}
