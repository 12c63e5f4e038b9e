import Foundation
import SymGrad
import Testing

@testable import SymGradFuzz

/// A short deterministic fuzz slice in `swift test` (issue 8, item 7), and the generator's
/// own properties.
///
/// The slice runs in-process in a debug build, where the limit engine is about 14 times
/// slower than in release. So it has two parts, sized by measurement on the project's
/// 2-core machine: 8,000 inputs through the symbolic stages (parse, print/reparse, LaTeX,
/// derivatives and their round trips, `simplified()` and its round trip; about 20 s), and
/// 500 inputs through every stage including IEEE and limit-aware evaluation, limits and the
/// command line (about 15 s). The two run in parallel.
///
/// The generator leaves out `KnownIssue.allCases` (hangs being fixed; the non-canonical
/// round-trip class is recognized and not counted): a hang would end the test process. A hang (an input
/// over the budget) ends the process with exit status 3 and the input on stderr: an
/// in-process computation cannot be interrupted. Delete a case from `KnownIssue` once it is
/// fixed and this slice covers it again.
@Suite struct FuzzSliceTests {
  /// The round trip's test for oversized prints (a byte scan): the marker anywhere, as an
  /// array's entry too; a near miss or a short text is not it.
  @Test func oversizedMarkerIsFoundAnywhere() {
    let marker = PrintLimits.oversizedPrefix
    #expect(FuzzDriver.holdsOversizedMarker(marker + " 12 bytes>"))
    #expect(FuzzDriver.holdsOversizedMarker("[x, " + marker + " 12 bytes>]"))
    #expect(FuzzDriver.holdsOversizedMarker(String(repeating: "<", count: 5) + marker))
    #expect(!FuzzDriver.holdsOversizedMarker(String(marker.dropLast())))
    #expect(!FuzzDriver.holdsOversizedMarker("<too large to print" + String(repeating: "x", count: 100)))
    #expect(!FuzzDriver.holdsOversizedMarker(""))
  }

  /// Seconds per input in the debug build (2 s in release is about 28 s in debug).
  static let debugBudget = 60.0

  static func configuration(seed: UInt64, count: Int, skip: Set<Stage>) -> FuzzConfiguration {
    var c = FuzzConfiguration()
    c.seed = seed
    c.count = count
    c.budget = debugBudget
    c.generator = .avoidingKnownIssues
    c.skip = skip
    return c
  }

  static let numericStages: Set<Stage> = [.evaluateIEEE, .evaluate, .evaluateInfinite, .limit, .commandLine]

  @Test func symbolicStagesSlice() {
    let c = Self.configuration(seed: 20_261_202, count: 8000, skip: Self.numericStages)
    let summary = FuzzDriver(c).run()
    print(summary.rendered(c))
    #expect(summary.inputs == 8000)
    #expect(
      summary.unexpectedRoundTripFailures.isEmpty,
      "\(summary.unexpectedRoundTripFailures.map { $0.rendered(seed: c.seed) })")
    // The slice reaches every symbolic stage (a generator that only made parse errors
    // would pass vacuously).
    for s: Stage in [
      .print, .reparse, .latex, .derivative, .derivativeRoundTrip, .simplify, .simplifyRoundTrip, .arrayFiles,
    ] {
      #expect(summary.ran(s) > 1000, "stage \(s.name) ran \(summary.ran(s)) times")
    }
    #expect(summary.thrown(.parse) > 500 && summary.thrown(.parse) < 6000)
    // Array files: many mutated files are refused, and many (unmutated or harmlessly
    // mutated) are read.
    let refused = summary.thrown(.arrayFiles)
    let read = summary.ran(.arrayFiles) - refused
    #expect(refused > 500 && read > 500, "array files: \(read) read, \(refused) refused")
  }

  @Test func everyStageSlice() {
    let c = Self.configuration(seed: 20_261_203, count: 500, skip: [])
    let summary = FuzzDriver(c).run()
    print(summary.rendered(c))
    #expect(summary.inputs == 500)
    #expect(
      summary.unexpectedRoundTripFailures.isEmpty,
      "\(summary.unexpectedRoundTripFailures.map { $0.rendered(seed: c.seed) })")
    for s in Stage.allCases where s != .commandLine {
      #expect(summary.ran(s) > 50, "stage \(s.name) ran \(summary.ran(s)) times")
    }
    #expect(summary.ran(.commandLine) > 5)
  }

  // MARK: The generator

  @Test func sameSeedSameInputs() {
    let g = InputGenerator()
    let a = (0..<300).map { g.input(seed: 42, index: $0) }
    let b = (0..<300).map { g.input(seed: 42, index: $0) }
    #expect(a == b)
    // Input K does not depend on where the run starts.
    #expect((100..<200).map { g.input(seed: 42, index: $0) } == Array(a[100..<200]))
    // Another seed gives other inputs.
    let c = (0..<300).map { g.input(seed: 43, index: $0) }
    #expect(zip(a, c).filter { $0.text == $1.text }.count < 60)
  }

  /// The stream is pinned: a change to the generator or the PRNG changes which inputs a
  /// seed names, so reproducers recorded as (seed, index) would silently point elsewhere.
  @Test func pinnedStream() {
    var r = SplitMix64(seed: 0)
    // SplitMix64's published first outputs for seed 0.
    #expect(r.next() == 0xE220_A839_7B1D_CDAF)
    #expect(r.next() == 0x6E78_9E6A_A1B9_65F4)
    #expect(r.next() == 0x06C4_5D18_8009_454F)
  }

  @Test func coversEveryLanguageFunction() {
    let missing = Set(ExpressionLanguage.functions.keys).subtracting(InputGenerator.functionNames)
    #expect(missing.isEmpty, "the generator does not call: \(missing.sorted())")
  }

  @Test func everythingGeneratorMakesEveryKindAndEveryKnownClass() {
    let g = InputGenerator(options: .everything)
    let inputs = (0..<20_000).map { g.input(seed: 7, index: $0) }
    let kinds = Set(inputs.map(\.kind))
    #expect(kinds == Set(InputGenerator.kinds.map(\.name)))
    for k in KnownIssue.allCases where k.kind != .roundTrip {
      #expect(inputs.contains { k.matches($0.text) }, "no input in class \(k.rawValue)")
    }
    // Inputs past the parser's nesting limit, Int-edge and huge numbers, unicode.
    #expect(inputs.contains { KnownIssue.nesting(of: $0.text) > 200 })
    #expect(inputs.contains { $0.text.contains("-9223372036854775807-1") })
    #expect(inputs.contains { $0.text.contains("1e-400") })
    #expect(inputs.contains { $0.text.contains("10**400") })
    #expect(inputs.contains { $0.text.unicodeScalars.contains { !$0.isASCII } })
    #expect(inputs.contains { $0.text.contains("pi") && $0.text.contains("*") })
  }

  @Test func avoidingGeneratorLeavesOutTheKnownClasses() {
    let g = InputGenerator(options: .avoidingKnownIssues)
    for i in 0..<20_000 {
      let input = g.input(seed: 7, index: i)
      #expect(KnownIssue.classes(of: input.text).isEmpty, "input \(i): \(input.text)")
    }
  }

  @Test(arguments: [
    ("eye(986)", KnownIssue.largeLiterals, true), ("one_hot(3, 500)", .largeLiterals, true),
    ("eye(5) + causal_mask(127)", .largeLiterals, false),
    ("x0 + x1", .longExpressions, false),
    (String(repeating: "exp(", count: 30) + "x" + String(repeating: ")", count: 30), .deepNesting, true),
    (Array(repeating: "x", count: 40).joined(separator: "**"), .deepNesting, true),
    (String(repeating: "(", count: 250) + "x" + String(repeating: ")", count: 250), .deepNesting, false),
    ("exp(exp(x))", .deepNesting, false),
    (String(repeating: "sigmoid(", count: 16) + "x" + String(repeating: ")", count: 16), .deepNesting, true),
    (String(repeating: "sigmoid(", count: 15) + "x" + String(repeating: ")", count: 15), .deepNesting, false),
  ])
  func knownIssuePredicates(text: String, issue: KnownIssue, expected: Bool) {
    #expect(issue.matches(text) == expected)
  }

  @Test func longSumsAreLong() {
    let sum = (0..<400).map { "x\($0)" }.joined(separator: " + ")
    #expect(KnownIssue.longExpressions.matches(sum))
  }

  /// The non-canonical class takes only failures whose reprint is stable and equal in value;
  /// a print that changes the value is never put in a known class.
  @Test func nonCanonicalClassIsNarrow() throws {
    let original = try Expr.Value(parsing: "(x + 1)*(x - 1)")
    #expect(!FuzzDriver.isNonCanonical(original, try Expr.Value(parsing: "x**2 + 1"), "x**2 + 1"))
    #expect(FuzzDriver.isNonCanonical(original, try Expr.Value(parsing: "x**2 - 1"), "x**2 - 1"))
    // Not stable: the reprinted text does not print identically.
    #expect(!FuzzDriver.isNonCanonical(original, try Expr.Value(parsing: "x**2 - 1"), "x**2 - 1 + 0"))
  }

  @Test func driverRecordsRoundTripFailuresAndClassifiesThem() throws {
    // A text whose parse gives a value that prints to something that reparses differently
    // is hard to come by on purpose; drive the classifier through a hand-made failure.
    var f = RoundTripFailure(index: 3, what: "derivative", input: "t", printed: "a", reprinted: "b", error: nil)
    f.known = .nonCanonicalPrint
    var s = FuzzSummary()
    s.roundTripFailures = [f]
    #expect(s.unexpectedRoundTripFailures.count == 1)
    s.avoided = [.nonCanonicalPrint]
    #expect(s.unexpectedRoundTripFailures.isEmpty)
    #expect(f.rendered(seed: 9).contains("known=non-canonical"))
  }

  /// Texts over the round-trip limit are printed, counted and not parsed back; under it,
  /// the same input is round-tripped (and counted nowhere else).
  @Test func printedTextsOverTheLimitAreCountedNotReparsed() {
    var c = FuzzConfiguration()
    c.skip = Set(Stage.allCases).subtracting([.parse, .print, .reparse, .derivative, .derivativeRoundTrip, .release])
    c.roundTripByteLimit = 8
    let over = FuzzDriver(c).run(texts: ["exp(x)*sin(y) + log(x + y)"])
    #expect(over.printedOverRoundTripLimit == 3)  // the input and its two derivatives
    #expect(over.roundTripFailures.isEmpty)
    c.roundTripByteLimit = 1 << 20
    let under = FuzzDriver(c).run(texts: ["exp(x)*sin(y) + log(x + y)"])
    #expect(under.printedOverRoundTripLimit == 0)
    #expect(under.ran(.reparse) == 1 && under.ran(.derivativeRoundTrip) == 2)
  }

  @Test func commandLineUsageErrors() {
    #expect(FuzzCommand.run(["--count", "x"]) == FuzzExit.usage)
    #expect(FuzzCommand.run(["--avoid", "nope"]) == FuzzExit.usage)
    #expect(FuzzCommand.run(["--skip", "nope"]) == FuzzExit.usage)
    #expect(FuzzCommand.run(["--frobnicate"]) == FuzzExit.usage)
  }

  @Test func breadcrumbHoldsTheInputAndTheStage() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "symgrad-fuzz-breadcrumb-\(UUID().uuidString)"
    ).path
    defer { try? FileManager.default.removeItem(atPath: path) }
    var c = FuzzConfiguration()
    c.seed = 5
    c.start = 17
    c.count = 3
    c.breadcrumbPath = path
    c.generator = .avoidingKnownIssues
    _ = FuzzDriver(c).run()
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let last = InputGenerator(options: .avoidingKnownIssues).input(seed: 5, index: 19)
    #expect(text.hasPrefix("stage: "))
    #expect(text.contains("\nindex: 19\nseed: 5\n"))
    #expect(text.hasSuffix("\n----\n" + last.text))
  }
}
