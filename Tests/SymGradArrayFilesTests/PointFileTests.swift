import Foundation
import Testing

@testable import SymGradArrayFiles

/// JSON point files: the committed file against the recorded bit patterns, then errors with
/// their line and column.
@Suite struct PointFileTests {
  static func read(_ text: String) throws(ArrayFileError) -> [(name: String, value: ArrayValue)] {
    try PointFile.read(json: Array(text.utf8))
  }

  @Test func readsTheFixtureExactlyInFileOrder() throws {
    let points = try PointFile.read(json: ArrayFixtures.bytes("points.json"))
    let expected = ArrayFixtures.expected.filter { $0.file == "points.json" }
    #expect(points.map(\.name) == expected.map { $0.entry ?? "" })
    for (p, e) in zip(points, expected) {
      #expect(p.value.shape == e.shape, "\(e)")
      #expect(p.value.element == e.element, "\(e)")
      #expect(p.value.values.map(\.bitPattern) == e.bits, "\(e)")
    }
    let byName = Dictionary(points.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    #expect(byName["tenth"] == ArrayValue(scalar: 0.1))
    #expect(byName["big"] == ArrayValue(scalar: .greatestFiniteMagnitude))
    #expect(byName["m"] == ArrayValue(shape: [2, 3], values: [1, 2, 3, 4, 5, 6]))
    #expect(byName["t"] == ArrayValue(shape: [2, 2, 2], values: [1, 2, 3, 4, 5, .nan, 7, 0.8]))
    #expect(byName["mask"] == ArrayValue(shape: [3], values: [1, 0, 1], element: .bool))
    #expect(byName["empty_rows"] == ArrayValue(shape: [2, 0], values: []))
  }

  @Test func numbersAreCorrectlyRounded() throws {
    // Halfway and near-halfway decimal strings that a naive parser rounds wrongly.
    let cases: [(String, Double)] = [
      ("9007199254740993", 9_007_199_254_740_992),
      ("2.2250738585072011e-308", Double(bitPattern: 0x000F_FFFF_FFFF_FFFF)),
      ("1e400", .infinity), ("-1e400", -.infinity), ("1e-400", 0), ("-0", -0.0),
      ("0.1", 0.1), ("123456789012345678901234567890", 1.2345678901234568e29),
    ]
    for (text, value) in cases {
      let v = try #require(try Self.read("{\"v\": \(text)}").first?.value.values.first)
      #expect(v.bitPattern == value.bitPattern, "\(text)")
    }
  }

  /// (JSON text, line, column, what the reason must say)
  static let invalid: [(String, Int, Int, String)] = [
    ("", 1, 1, "expected '{'"),
    ("[1, 2]", 1, 1, "expected '{'"),
    ("{\"x\": 1,}", 1, 9, "expected a name"),
    ("{\"x\": 1 \"y\": 2}", 1, 9, "expected ',' or '}'"),
    ("{\"x\" 1}", 1, 6, "expected ':'"),
    ("{\"x\": null}", 1, 7, "null is not a value"),
    ("{\"x\": {\"y\": 1}}", 1, 7, "an object is not a value"),
    ("{\"x\": \"infinite\"}", 1, 7, "the string \"infinite\" is not a number"),
    ("{\"x\": 1, \"x\": 2}", 1, 10, "duplicate name \"x\""),
    ("{\n  \"a\": 1,\n  \"b\": 01\n}", 3, 9, "leading zeros"),
    ("{\"x\": 1.}", 1, 9, "expected a digit after '.'"),
    ("{\"x\": 1e}", 1, 9, "expected a digit in the exponent"),
    ("{\"x\": +1}", 1, 7, "unexpected '+'"),
    ("{\"x\": tru}", 1, 7, "unexpected 'tru'"),
    ("{\"x\": [1, 2}", 1, 12, "expected ',' or ']'"),
    ("{\"x\": 1} 2", 1, 10, "after the top-level object"),
    ("{\"x\": 1", 1, 8, "expected ',' or '}'"),
    ("{\"x\": \"a\u{1}\"}", 1, 9, "control character"),
    ("{\"x\u{e9}\u{e9}\": \"\\q\"}", 1, 10, "invalid escape \\q"),
    ("{\"\\ud800\": 1}", 1, 9, "unpaired surrogate"),
    (
      "{\"x\": " + String(repeating: "[", count: 70) + "1" + String(repeating: "]", count: 70)
        + "}", 1, 71, "nested deeper than 64"
    ),
  ]

  @Test(arguments: invalid)
  func invalidJSONSaysWhereAndWhat(_ text: String, _ line: Int, _ column: Int, _ message: String) {
    guard case .invalidJSON(let l, let c, let reason) = thrownError({ try Self.read(text) }) else {
      Issue.record("accepted or wrong error: \(text)")
      return
    }
    #expect(reason.contains(message), "\(reason)")
    #expect((l, c) == (line, column), "\(reason)")
  }

  @Test func raggedListsSayWhichSublist() {
    let text = "{\n  \"w\": [[1, 2, 3],\n        [4, 5]]\n}"
    #expect(
      thrownError { try Self.read(text) }
        == .raggedList(name: "w", index: [1], line: 3, column: 9, expected: 3, found: 2))
    #expect(
      thrownError { try Self.read("{\"v\": [1, [2]]}") }
        == .raggedList(name: "v", index: [1], line: 1, column: 11, expected: -1, found: 1))
    #expect(
      thrownError { try Self.read("{\"v\": [[1], 2]}") }
        == .raggedList(name: "v", index: [1], line: 1, column: 13, expected: 1, found: -1))
    #expect(
      thrownError { try Self.read("{\"v\": [[], [1]]}") }
        == .raggedList(name: "v", index: [1], line: 1, column: 12, expected: 0, found: 1))
    let e = ArrayFileError.raggedList(
      name: "w", index: [1], line: 3, column: 9, expected: 3, found: 2)
    #expect(
      e.description
        == "JSON line 3, column 9: point \"w\" is ragged: the entry at index [1] has 2 elements, expected 3 like its siblings"
    )
  }

  @Test func edgeForms() throws {
    #expect(try Self.read("  {}  \n").isEmpty)
    #expect(
      try PointFile.read(json: [0xEF, 0xBB, 0xBF] + Array("{\"a\": true}".utf8)).first?.value
        == ArrayValue(scalar: 1, element: .bool))
    #expect(try Self.read("{\"a\": []}").first?.value == ArrayValue(shape: [0], values: []))
    #expect(try Self.read("{\"a\": \"-INFINITY\"}").first?.value == ArrayValue(scalar: -.infinity))
    // Invalid UTF-8 inside a name.
    guard
      case .invalidJSON(1, 2, let reason) = thrownError({
        try PointFile.read(json: Array("{\"".utf8) + [0xC3, 0x28] + Array("\": 1}".utf8))
      })
    else {
      Issue.record("invalid UTF-8 accepted")
      return
    }
    #expect(reason == "string is not valid UTF-8")
  }
}
