import Foundation
import SymGrad
import SymGradCLI

/// How a fuzz run is set up.
package struct FuzzConfiguration: Sendable {
  package var seed: UInt64 = 1
  /// The first input index and the number of inputs.
  package var start = 0
  package var count = 1000
  /// Seconds one input may take before it is reported as a hang.
  package var budget = 2.0
  /// Written before each input (see `Breadcrumb`); nil: none.
  package var breadcrumbPath: String?
  /// Findings (round-trip failures, hangs) are appended here; nil: none.
  package var reportPath: String?
  package var generator = GeneratorOptions.everything
  /// The fraction of inputs also run through the command-line tool in-process.
  package var commandLineRate = 0.125
  /// At most this many entries of a list value go through the per-entry stages.
  package var maxEntries = 6
  /// At most this many free symbols of an entry are differentiated against.
  package var maxSymbols = 6
  /// Stages not to run (`parse` and `release` always run). The test slice skips the
  /// numeric stages for most of its inputs: they dominate the time in debug builds.
  package var skip: Set<Stage> = []
  /// Printed texts longer than this many bytes are printed but not parsed back: a tree
  /// print of a DAG grows exponentially with derivative order (a fourth derivative of a
  /// focal loss prints 13.8 MB), and reading back megabytes costs about as many
  /// seconds as the budget; the count is reported (`overlimit`).
  package var roundTripByteLimit = 1 << 20
  /// The round trips of one input read back at most this many bytes in all; texts past it
  /// are printed, not parsed back, and counted with those over `roundTripByteLimit`. The
  /// reader takes 0.05-0.3 s per megabyte of printed DAG (an attention call's 24
  /// derivatives, up to 1 MB each, took 1.3 s of the 2 s budget to read back, seed 46
  /// #235897 of the generator before `where`; 0.7 s for the input with this bound):
  /// without a bound per input, the harness's own reading is what a budget measures.
  package var roundTripBytesPerInput = 1 << 21
  /// Print each stage to standard error as it starts (for replaying one input).
  package var trace = false
  /// Keep what earlier inputs left in the expression table (false: collect it after each
  /// input, so each starts as a fresh `symgrad` command does). A process that keeps its
  /// history slows down: seed 50 #262661 takes 1.03 s alone and 1.74 s after the 62,661
  /// inputs before it, every stage alike; a 4 times smaller table did not change that, a
  /// collection after each input did (1.09 s). README's fuzzing section has the figures.
  package var keepHistory = false
  /// Print a progress line to standard error every this many inputs (0: never).
  package var progressEvery = 0

  package init() {}
}

/// Counts of one run, by stage and by kind.
package struct FuzzSummary: Sendable {
  package var inputs = 0
  package var byKind: [String: Int] = [:]
  /// How often each stage ran, threw, and its longest single run (seconds).
  package var ran = [Int](repeating: 0, count: Stage.allCases.count)
  package var thrown = [Int](repeating: 0, count: Stage.allCases.count)
  package var longest = [Double](repeating: 0, count: Stage.allCases.count)
  /// Seconds spent in each stage, in total.
  package var total = [Double](repeating: 0, count: Stage.allCases.count)
  /// Limits and limit-aware values that came out undefined (not a failure).
  package var undefined = 0
  /// Printed texts refused on reparse only because they nest deeper than the parser's
  /// bound (`Parser.maxDepth`): a derivative prints a few levels deeper than its input, so
  /// input near the bound can print past it. A documented limit (a clear error, no wrong
  /// value), counted and reported, not a failure.
  package var printedPastNestingBound = 0
  /// Printed texts longer than `FuzzConfiguration.roundTripByteLimit`, or past the input's
  /// `roundTripBytesPerInput`: printed (so the
  /// printer ran), not parsed back.
  package var printedOverRoundTripLimit = 0
  /// Expressions too large to print as a tree (`PrintLimits`): the printer said so in
  /// `PrintLimits.oversizedText` instead of building the text. Not parsed back; not a failure.
  package var printedTooLarge = 0
  /// Every round-trip failure, in a known class or not.
  package var roundTripFailures: [RoundTripFailure] = []
  /// The known issue classes the run avoids (their round-trip failures are not failures).
  package var avoided: Set<KnownIssue> = []

  /// The round-trip failures outside the avoided classes: these make the run fail.
  package var unexpectedRoundTripFailures: [RoundTripFailure] {
    roundTripFailures.filter { f in f.known.map { !avoided.contains($0) } ?? true }
  }
  /// The slowest inputs: (CPU seconds, the watchdog's measure, index, kind).
  package var slowest: [(seconds: Double, index: Int, kind: String)] = []
  package var seconds = 0.0
  /// The intern table at the end of the run: its entries, and those left after a full
  /// collection (what values, caches and memos still reference).
  package var tableEntries = 0
  package var liveEntries = 0
  /// The process's peak resident memory, in MiB.
  package var peakResidentMiB = 0.0

  package func thrown(_ s: Stage) -> Int { thrown[s.rawValue] }
  package func ran(_ s: Stage) -> Int { ran[s.rawValue] }

  /// `key=value` pairs on one line, summed across chunks by `Scripts/fuzz-long`.
  package var countsLine: String {
    let unexpected = unexpectedRoundTripFailures.count
    var parts = [
      "inputs=\(inputs)", "roundtrip=\(unexpected)", "roundtrip.avoided=\(roundTripFailures.count - unexpected)",
      "undefined=\(undefined)", "pastbound=\(printedPastNestingBound)",
      "overlimit=\(printedOverRoundTripLimit)", "toolarge=\(printedTooLarge)",
    ]
    for s in Stage.allCases {
      parts.append("ran.\(s.name)=\(ran[s.rawValue])")
      parts.append("thrown.\(s.name)=\(thrown[s.rawValue])")
    }
    for (k, n) in byKind.sorted(by: { $0.key < $1.key }) { parts.append("kind.\(k)=\(n)") }
    return parts.joined(separator: " ")
  }

  /// The human-readable table.
  package func rendered(_ c: FuzzConfiguration) -> String {
    var s = "symgrad-fuzz: seed \(c.seed), inputs \(c.start)..<\(c.start + inputs) (\(inputs) inputs) in "
    s += String(format: "%.1f s (%.0f inputs/s)\n", seconds, seconds > 0 ? Double(inputs) / seconds : 0)
    s += "kinds: " + byKind.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
    s += "stage                   ran   errors thrown    longest      total\n"
    for st in Stage.allCases {
      s += st.name.padding(toLength: 20, withPad: " ", startingAt: 0)
      s += String(
        format: "%7d %15d %8.3f s %8.1f s\n", ran[st.rawValue], thrown[st.rawValue], longest[st.rawValue],
        total[st.rawValue])
    }
    s += "undefined limits/values: \(undefined)\n"
    s += "printed past the nesting bound (refused on reparse, not a failure): \(printedPastNestingBound)\n"
    s +=
      "printed over \(c.roundTripByteLimit) bytes, or past \(c.roundTripBytesPerInput) bytes read back for one input (not parsed back): \(printedOverRoundTripLimit)\n"
    s += "too large to print as a tree (said so, not parsed back): \(printedTooLarge)\n"
    let known = roundTripFailures.filter { $0.known != nil }.count
    s += "round-trip failures: \(unexpectedRoundTripFailures.count)"
    if known > 0 {
      let inAvoided = roundTripFailures.count - unexpectedRoundTripFailures.count
      s += " (\(known) in a known class, \(inAvoided) of them in an avoided class and not counted)"
    }
    s += "\n"
    if !avoided.isEmpty {
      s += "avoided known issues: " + avoided.map(\.rawValue).sorted().joined(separator: ", ") + "\n"
    }
    s += "hangs: 0 (a hang stops the run with exit \(FuzzExit.hang))\n"
    s += "crashes: 0 (a crash ends the process; Scripts/fuzz-long records and counts them)\n"
    s +=
      "expression table at the end: \(tableEntries) entries, \(liveEntries) after a collection; peak resident memory \(Int(peakResidentMiB)) MiB\n"
    if !slowest.isEmpty {
      s +=
        "slowest inputs (CPU time): "
        + slowest.map { String(format: "#%d %@ %.2f s", $0.index, $0.kind, $0.seconds) }.joined(separator: ", ") + "\n"
    }
    s += "SUMMARY " + countsLine + String(format: " seconds=%.1f", seconds) + "\n"
    return s
  }
}

/// Runs generated (or given) inputs through every stage: parse; print and reparse; LaTeX;
/// the derivative by each free symbol (and its round trip); `simplified()` (and its round
/// trip); IEEE and limit-aware evaluation at a finite point and at a point with `+-inf`
/// entries; a limit as one symbol tends to `+inf`; and, for a fraction of inputs, the
/// command-line tool in-process.
///
/// Thrown errors are the "clear error" path and only counted. A round-trip failure is
/// recorded. A trap ends the process (the breadcrumb names the input and stage); an input
/// that exceeds the budget is a hang: the watchdog reports it and exits with
/// `FuzzExit.hang`.
package final class FuzzDriver {
  package let configuration: FuzzConfiguration
  package private(set) var summary = FuzzSummary()
  private let progress = Progress()
  private let breadcrumb: Breadcrumb?
  private var watchdog: Watchdog?
  private let generator: InputGenerator
  /// Bytes the current input's round trips have read back (`roundTripBytesPerInput`).
  private var roundTripBytesRead = 0

  package init(_ configuration: FuzzConfiguration) {
    self.configuration = configuration
    generator = InputGenerator(options: configuration.generator)
    summary.avoided = configuration.generator.avoid
    breadcrumb = configuration.breadcrumbPath.flatMap { Breadcrumb(path: $0) }
  }

  /// Runs `configuration.count` generated inputs from `configuration.start`.
  package func run() -> FuzzSummary {
    let c = configuration
    return withWatchdog {
      for index in c.start..<(c.start + c.count) {
        progress.index.store(index, ordering: .releasing)
        progress.text.withLock { $0 = "(generating)" }
        progress.markStart()
        breadcrumb?.begin(
          FuzzInput(index: index, text: "", kind: "(generating)"), seed: c.seed, counts: summary.countsLine)
        enter(.generate)
        let input = generator.input(seed: c.seed, index: index)
        check(input)
        if c.progressEvery > 0, (index - c.start + 1) % c.progressEvery == 0 {
          FileHandle.standardError.write(
            Data(
              "symgrad-fuzz: \(index - c.start + 1) inputs, \(summary.roundTripFailures.count) round-trip failures\n"
                .utf8))
        }
      }
    }
  }

  /// Runs the given texts (reproducers), indexed from `configuration.start` (the index
  /// chooses the evaluation points: `--input TEXT --seed S --start K` replays input K).
  package func run(texts: [String]) -> FuzzSummary {
    withWatchdog {
      for (i, t) in zip(configuration.start..., texts) {
        progress.markStart()
        enter(.generate)
        check(FuzzInput(index: i, text: t, kind: "given"))
      }
    }
  }

  private func withWatchdog(_ body: () -> Void) -> FuzzSummary {
    let w = Watchdog(
      progress: progress, budget: configuration.budget, seed: configuration.seed, reportPath: configuration.reportPath)
    watchdog = w
    w.start()
    let clock = ContinuousClock()
    let t0 = clock.now
    body()
    w.stop()
    summary.seconds += (clock.now - t0).seconds
    summary.tableEntries = ExpressionTableStatistics.entries
    summary.liveEntries = ExpressionTableStatistics.collectedEntries()
    var usage = rusage()
    #if os(macOS)
    getrusage(RUSAGE_SELF, &usage)
    summary.peakResidentMiB = Double(usage.ru_maxrss) / 1_048_576  // bytes on macOS
    #else
    getrusage(RUSAGE_SELF.rawValue, &usage)
    summary.peakResidentMiB = Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
    #endif
    return summary
  }

  // MARK: One input

  private var stageStart = ContinuousClock.now
  private var current = Stage.generate

  private func enter(_ s: Stage) {
    finishStage()
    current = s
    stageStart = ContinuousClock.now
    progress.stage.store(s.rawValue, ordering: .releasing)
    breadcrumb?.stage(s)
    summary.ran[s.rawValue] += 1
    if configuration.trace { FileHandle.standardError.write(Data("stage: \(s.name)\n".utf8)) }
  }

  private func finishStage() {
    let t = (ContinuousClock.now - stageStart).seconds
    summary.total[current.rawValue] += t
    if t > summary.longest[current.rawValue] { summary.longest[current.rawValue] = t }
  }

  /// Runs `body` as stage `s`, counting a thrown error.
  @discardableResult
  private func stage<T>(_ s: Stage, _ body: () throws -> T) -> T? {
    if configuration.skip.contains(s) && s != .parse { return nil }
    enter(s)
    do {
      return try body()
    } catch {
      summary.thrown[s.rawValue] += 1
      if configuration.trace { FileHandle.standardError.write(Data("  threw: \(error)\n".utf8)) }
      return nil
    }
  }

  /// Runs every stage on one input.
  package func check(_ input: FuzzInput) {
    let c = configuration
    progress.index.store(input.index, ordering: .releasing)
    progress.text.withLock { $0 = input.text }
    breadcrumb?.begin(input, seed: c.seed, counts: summary.countsLine)
    if progress.started.load(ordering: .acquiring) == 0 {
      progress.markStart()
    }
    let cpu0 = processCPUNanoseconds()
    let wall0 = monotonicNanoseconds()
    roundTripBytesRead = 0
    defer {
      let last = current
      finishStage()
      current = .generate
      progress.markIdle()
      let used = processCPUNanoseconds() - cpu0
      watchdog?.finished(
        index: input.index, stage: last, cpuNanoseconds: used, wallNanoseconds: monotonicNanoseconds() - wall0,
        text: input.text)
      summary.inputs += 1
      summary.byKind[input.kind, default: 0] += 1
      let t = Double(used) / 1e9
      summary.slowest.append((t, input.index, input.kind))
      summary.slowest.sort { $0.seconds > $1.seconds }
      if summary.slowest.count > 5 { summary.slowest.removeLast() }
      // Each input starts from a collected expression table, as a fresh `symgrad` command
      // does (`--keep-history` measures a long-lived process instead).
      if !c.keepHistory { _ = ExpressionTableStatistics.collectedEntries() }
    }
    runStages(input)
  }

  /// The stages of `check`. Its values are freed when it returns, in the `release` stage.
  private func runStages(_ input: FuzzInput) {
    let c = configuration
    var rng = SplitMix64.forInput(seed: c.seed, index: input.index, stream: 1)
    guard let value = stage(.parse, { try Expr.Value(parsing: input.text) }) else { return }
    if let p = stage(.print, { value.description }) { roundTrip(value, p, of: "input", input: input, stage: .reparse) }

    let entries = Array(value.flattened.prefix(c.maxEntries))
    let names = Array(Set(entries.flatMap(\.freeSymbols))).sorted()
    let finite = FuzzDriver.finitePoint(names, &rng)
    let infinite = FuzzDriver.infinitePoint(finite, names, &rng)
    if c.trace {
      func at(_ p: [String: Double]) -> String {
        p.sorted { $0.key < $1.key }.map { "\($0.key)=\(FuzzDriver.cliNumber($0.value))" }.joined(separator: ",")
      }
      FileHandle.standardError.write(
        Data("finite point: --at \(at(finite))\ninfinite point: --at \(at(infinite))\n".utf8))
    }

    // The value's entries and each one's first derivative, evaluated together at each
    // point as the command line evaluates an array (one limit engine shares the work on
    // their common subexpressions: attention's entries share every softmax denominator).
    var atInfinity: [Expr] = []
    for e in entries {
      stage(.latex) {
        _ = e.latex
        _ = LatexDocument.scalar(e)
      }
      let free = Array(e.freeSymbols.prefix(c.maxSymbols))
      var derivatives: [Expr] = []
      for name in free {
        guard let d = stage(.derivative, { e.derivative(withRespectTo: Expr.symbol(name)) }) else { continue }
        derivatives.append(d)
        roundTrip(.scalar(d), d.description, of: "derivative", input: input, stage: .derivativeRoundTrip)
      }
      if let s = stage(.simplify, { e.simplified() }) {
        roundTrip(.scalar(s), s.description, of: "simplified", input: input, stage: .simplifyRoundTrip)
      }
      stage(.evaluateIEEE) { _ = try e.evaluateIEEE(at: finite) }
      stage(.evaluateIEEE) { _ = try e.evaluateIEEE(at: infinite) }
      for d in derivatives.prefix(2) { stage(.evaluateIEEE) { _ = try d.evaluateIEEE(at: finite) } }
      if !free.isEmpty || rng.chance(0.5) {
        atInfinity.append(e)
        if let d = derivatives.first { atInfinity.append(d) }
      }
      if let name = free.isEmpty ? nil : rng.pick(free) {
        let point: LimitPoint =
          switch rng.weighted([70, 15, 15]) {
          case 0: .infinity
          case 1: .negativeInfinity
          default: .value(Expr.zero, from: rng.pick([LimitPoint.Side.both, .right, .left]))
          }
        if c.trace { FileHandle.standardError.write(Data("limit as \(name) -> \(point)\n".utf8)) }
        if stage(.limit, { e.limit(as: Expr.symbol(name), approaches: point).doubleValue })?.isNaN ?? false {
          summary.undefined += 1
        }
      }
    }
    if let values = stage(.evaluate, { try Expr.certifiedValues(of: entries, at: finite) }) {
      summary.undefined += values.filter(\.value.isNaN).count
    }
    if !atInfinity.isEmpty, let values = stage(.evaluateInfinite, { Expr.limitValues(of: atInfinity, at: infinite) }) {
      summary.undefined += values.filter(\.doubleValue.isNaN).count
    }
    if rng.chance(c.commandLineRate) { commandLine(input.text, names: names, finite: finite, infinite: infinite, &rng) }
    if !c.skip.contains(.arrayFiles) {
      // The input's finite-point values (and an infinity or NaN now and then) as a file.
      var files = SplitMix64.forInput(seed: c.seed, index: input.index, stream: 2)
      var numbers = names.map { finite[$0] ?? 0 }
      if numbers.isEmpty { numbers = [1.5, -2] }
      if files.chance(0.2) { numbers.append(files.pick([Double.infinity, -.infinity, .nan])) }
      let (format, bytes) = ArrayFileInputs.file(values: numbers, &files)
      if stage(.arrayFiles, { ArrayFileInputs.read(bytes, as: format) }) ?? nil == nil {
        summary.thrown[Stage.arrayFiles.rawValue] += 1
      }
    }
    enter(.release)
  }

  /// Parses `printed` (the text of `value`) and prints it again; records a failure when it
  /// does not parse or prints differently.
  /// Whether `text` holds `PrintLimits.oversizedPrefix` (anywhere: an array's entry may be
  /// the oversized one): a scan for its first byte, then a comparison.
  static func holdsOversizedMarker(_ text: String) -> Bool {
    var text = text
    let marker = Array(PrintLimits.oversizedPrefix.utf8)
    return text.withUTF8 { bytes in
      guard bytes.count >= marker.count else { return false }
      var i = 0
      let last = bytes.count - marker.count
      while i <= last {
        if bytes[i] == marker[0] {
          var j = 1
          while j < marker.count && bytes[i + j] == marker[j] { j += 1 }
          if j == marker.count { return true }
        }
        i += 1
      }
      return false
    }
  }

  private func roundTrip(_ value: Expr.Value, _ printed: String, of what: String, input: FuzzInput, stage s: Stage) {
    if configuration.skip.contains(s) { return }
    let bytes = printed.utf8.count
    if bytes > configuration.roundTripByteLimit || roundTripBytesRead + bytes > configuration.roundTripBytesPerInput {
      summary.printedOverRoundTripLimit += 1
      return
    }
    roundTripBytesRead += bytes
    // A byte scan: Foundation's `String.contains` bridged each long printed text to
    // NSString (6% of an attention input whose derivatives print 100 KB each), and the
    // generic `firstRange(of:)` was slower still.
    if FuzzDriver.holdsOversizedMarker(printed) {
      summary.printedTooLarge += 1
      return
    }
    enter(s)
    var failure: RoundTripFailure?
    do {
      let reparsed = try Expr.Value(parsing: printed)
      let again = reparsed.description
      if again != printed {
        failure = RoundTripFailure(
          index: input.index, what: what, input: input.text, printed: printed, reprinted: again, error: nil)
        if FuzzDriver.isNonCanonical(value, reparsed, again) { failure?.known = .nonCanonicalPrint }
      }
    } catch let error as ParseError
      where error.message.hasPrefix("expression nested deeper than") && FuzzDriver.nestsNearTheBound(input.text)
    {
      summary.printedPastNestingBound += 1
      return
    } catch {
      failure = RoundTripFailure(
        index: input.index, what: what, input: input.text, printed: printed, reprinted: nil, error: "\(error)")
    }
    guard let f = failure else { return }
    summary.roundTripFailures.append(f)
    let block = f.rendered(seed: configuration.seed)
    if let path = configuration.reportPath { Findings.append(block, to: path) }
    if configuration.trace { FileHandle.standardError.write(Data(block.utf8)) }
  }

  /// Whether the input itself nests near the parser's bound (256): only then may its
  /// printed results nest past it by the few levels a derivative adds. A shallow input
  /// whose result prints past the bound is a failure (the printer or the derivative
  /// inflated the nesting).
  static func nestsNearTheBound(_ input: String) -> Bool {
    KnownIssue.nesting(of: input) >= 200
  }

  /// Whether a round trip that printed differently is `KnownIssue.nonCanonicalPrint`: the
  /// reprinted text prints identically once more, and the original and the reparsed value
  /// agree numerically (relative 1e-9) at two points with every symbol in [0.3, 2].
  static func isNonCanonical(_ original: Expr.Value, _ reparsed: Expr.Value, _ reprinted: String) -> Bool {
    guard let third = try? Expr.Value(parsing: reprinted).description, third == reprinted else { return false }
    let a = original.flattened
    let b = reparsed.flattened
    guard a.count == b.count, original.shape == reparsed.shape else { return false }
    let names = Set((a + b).flatMap(\.freeSymbols)).sorted()
    for (k, point) in [0.61803, 1.41421].enumerated() {
      var values: [String: Double] = [:]
      for (i, n) in names.enumerated() {
        values[n] = 0.3 + (point * Double(i + k + 1)).truncatingRemainder(dividingBy: 1.7)
      }
      for (x, y) in zip(a, b) {
        guard let u = try? x.evaluateIEEE(at: values), let v = try? y.evaluateIEEE(at: values) else { return false }
        if u.isNaN && v.isNaN { continue }
        if u == v { continue }
        guard u.isFinite, v.isFinite, abs(u - v) <= 1e-9 * max(1, abs(u), abs(v)) else { return false }
      }
    }
    return true
  }

  /// The command-line tool in-process, on one subcommand chosen at random.
  private func commandLine(
    _ text: String, names: [String], finite: [String: Double], infinite: [String: Double], _ rng: inout SplitMix64
  ) {
    // `-` reads standard input: not a text to pass.
    guard text.trimmingCharacters(in: .whitespacesAndNewlines) != "-" else { return }
    func at(_ p: [String: Double]) -> String {
      p.sorted { $0.key < $1.key }.map { "\($0.key)=\(FuzzDriver.cliNumber($0.value))" }.joined(separator: ",")
    }
    var arguments: [String]
    switch rng.below(7) {
    case 0: arguments = ["eval", "--json"] + (names.isEmpty ? [] : ["--at", at(finite)])
    case 1: arguments = ["eval"] + (names.isEmpty ? [] : ["--at", at(infinite)])
    case 2 where !names.isEmpty:
      arguments = [
        "diff", "--wrt", names.prefix(3).joined(separator: ","), "--at", at(rng.chance(0.5) ? finite : infinite),
      ]
    case 3: arguments = ["simplify", "--json"]
    case 4 where !names.isEmpty:
      arguments = ["limit", "--as", rng.pick(names), "--to", rng.pick(["inf", "-inf", "0", "0+", "1-"])]
    case 5 where !names.isEmpty:
      arguments = [
        "codegen", "--wrt", names.prefix(3).joined(separator: ","), "--lang", rng.pick(CodeLanguage.allCases).rawValue,
      ]
    default: arguments = ["latex"] + (names.isEmpty ? [] : ["--wrt", names.prefix(2).joined(separator: ",")])
    }
    arguments += ["--", text]
    if configuration.trace {
      FileHandle.standardError.write(Data("cli: symgrad \(arguments.dropLast().joined(separator: " ")) TEXT\n".utf8))
    }
    stage(.commandLine) { _ = CommandLineTool.run(arguments, output: Output()) }
  }

  static func cliNumber(_ v: Double) -> String {
    v.isNaN ? "nan" : v.isInfinite ? (v > 0 ? "inf" : "-inf") : "\(v)"
  }

  // MARK: Points

  /// Finite values: mostly moderate, sometimes simple, sometimes extreme (and, rarely,
  /// NaN, which must be an undefined value and not a trap).
  static func finitePoint(_ names: [String], _ rng: inout SplitMix64) -> [String: Double] {
    var p: [String: Double] = [:]
    for n in names {
      switch rng.weighted([55, 20, 15, 2]) {
      case 0: p[n] = ((rng.unit() * 6 - 3) * 10_000).rounded() / 10_000
      case 1: p[n] = rng.pick([0, 1, -1, 0.5, 2, -2, -0.0])
      case 2:
        p[n] = rng.pick([
          1e-300, -1e-300, 1e300, 700, 710, -745, -1000, 1000, 1e-9, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
          1e20,
        ])
      default: p[n] = .nan
      }
    }
    return p
  }

  /// `finite` with at least one (when there are symbols) entry set to `+inf` or `-inf`.
  static func infinitePoint(_ finite: [String: Double], _ names: [String], _ rng: inout SplitMix64) -> [String: Double]
  {
    var p = finite
    guard !names.isEmpty else { return p }
    let k = rng.int(in: 1...names.count)
    for n in names.prefix(k) { p[n] = rng.chance(0.5) ? .infinity : -.infinity }
    if rng.chance(0.3) { p[rng.pick(names)] = rng.chance(0.5) ? .infinity : -.infinity }
    return p
  }
}

extension Duration {
  var seconds: Double {
    let c = components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
  }
}
