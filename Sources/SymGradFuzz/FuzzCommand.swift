import Foundation

/// The `symgrad-fuzz` command line (the executable is a one-line main that calls `run`).
package enum FuzzCommand {
  package static let help = """
    symgrad-fuzz: random and mutated expression texts through every SymGrad stage.

    Usage:
      symgrad-fuzz [--seed N] [--count N] [--start K] [--budget SECONDS]
                   [--breadcrumb PATH] [--report PATH] [--avoid CLASSES] [--cli-rate P]
                   [--progress N] [--skip STAGES]
      symgrad-fuzz --dump [--seed N] [--count N] [--start K] [--avoid CLASSES]
      symgrad-fuzz --input TEXT [--seed N --start K] [--trace]    run one text (a reproducer;
                                                  the seed and index choose the points)
      symgrad-fuzz --input-file PATH [--trace]    run each line of a file

    Each input goes through: parse; print and reparse (the round trip must print the
    same text); LaTeX; the derivative by each free symbol (and its round trip);
    simplified() (and its round trip); IEEE and limit-aware evaluation at a finite point
    and at a point with +-inf entries; a limit as one symbol tends to +inf; and, for
    1 input in 8, the command-line tool in-process. Thrown errors are counted, not failures.

    Options:
      --seed N            the run's seed (default 1); the same seed gives the same inputs
      --count N           how many inputs (default 1000)
      --start K           the first input index (default 0): input K is the same in every run
      --budget SECONDS    CPU time one input may use before it is a hang (default 2; also a
                          hang: 10 times that of wall-clock time, for an input that waits)
      --breadcrumb PATH   before each input write its index, stage and text here, so
                          that the input that killed the process can be recovered
      --report PATH       append round-trip failures and hangs here
      --avoid CLASSES     leave out known issue classes (comma-separated, or 'known' for
                          all of them): \(KnownIssue.allCases.map(\.rawValue).joined(separator: ", "))
      --cli-rate P        the fraction of inputs also run through the CLI (default 0.125)
      --progress N        a progress line on stderr every N inputs
      --skip STAGES       stages not to run (comma-separated names as in the summary)
      --dump              print the inputs (index, kind, JSON-escaped text) without running
      --trace             print the points and each stage to stderr as it starts
      --keep-history      do not collect the expression table after each input (measures a
                          long-lived process: see README's fuzzing section)
      --list-known        print the known issue classes

    Exit status: 0 no crash, hang or round-trip failure; 1 round-trip failures; 3 a hang
    (the run stops at it: continue with --start INDEX+1); 64 usage error. A crash kills
    the process (a signal); the breadcrumb holds the input. Scripts/fuzz-long runs chunks
    and restarts after crashes.

    Example:
      swift run -c release symgrad-fuzz --seed 7 --count 10000 --breadcrumb /tmp/bc --report /tmp/fuzz.txt
    """

  /// Runs the command with `arguments` (without the program name); returns the exit status.
  package static func run(_ arguments: [String]) -> Int32 {
    var c = FuzzConfiguration()
    var dump = false
    var listKnown = false
    var inputs: [String]?
    var i = 0
    func value(_ name: String) throws -> String {
      guard i < arguments.count else { throw UsageError("\(name) needs a value") }
      defer { i += 1 }
      return arguments[i]
    }
    func integer(_ name: String) throws -> Int {
      let v = try value(name)
      guard let n = Int(v), n >= 0 else { throw UsageError("\(name): '\(v)' is not a non-negative integer") }
      return n
    }
    func number(_ name: String) throws -> Double {
      let v = try value(name)
      guard let d = Double(v), d.isFinite, d >= 0 else {
        throw UsageError("\(name): '\(v)' is not a non-negative number")
      }
      return d
    }
    do {
      while i < arguments.count {
        let a = arguments[i]
        i += 1
        switch a {
        case "-h", "--help":
          print(help)
          return FuzzExit.clean
        case "--seed":
          let v = try value(a)
          guard let s = UInt64(v) else { throw UsageError("--seed: '\(v)' is not a non-negative integer") }
          c.seed = s
        case "--count": c.count = try integer(a)
        case "--start": c.start = try integer(a)
        case "--budget": c.budget = try number(a)
        case "--breadcrumb": c.breadcrumbPath = try value(a)
        case "--report": c.reportPath = try value(a)
        case "--cli-rate": c.commandLineRate = try number(a)
        case "--progress": c.progressEvery = try integer(a)
        case "--trace": c.trace = true
        case "--keep-history": c.keepHistory = true
        case "--skip":
          let v = try value(a)
          for name in v.split(separator: ",").map(String.init) {
            guard let st = Stage(name: name) else {
              throw UsageError(
                "--skip: unknown stage '\(name)' (stages: \(Stage.allCases.map(\.name).joined(separator: ", ")))")
            }
            c.skip.insert(st)
          }
        case "--dump": dump = true
        case "--list-known": listKnown = true
        case "--avoid":
          let v = try value(a)
          var set = Set<KnownIssue>()
          for name in v.split(separator: ",").map(String.init) {
            if name == "known" || name == "all" {
              set.formUnion(KnownIssue.allCases)
            } else if let k = KnownIssue(rawValue: name) {
              set.insert(k)
            } else {
              throw UsageError(
                "--avoid: unknown class '\(name)' (known: \(KnownIssue.allCases.map(\.rawValue).joined(separator: ", ")))"
              )
            }
          }
          c.generator.avoid = set
        case "--input": inputs = (inputs ?? []) + [try value(a)]
        case "--input-file":
          let path = try value(a)
          guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw UsageError("cannot read '\(path)'")
          }
          inputs = (inputs ?? []) + text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        default:
          throw UsageError("unknown option '\(a)'")
        }
      }
    } catch let e as UsageError {
      FileHandle.standardError.write(Data("symgrad-fuzz: \(e.message)\nRun 'symgrad-fuzz --help' for usage.\n".utf8))
      return FuzzExit.usage
    } catch {
      return FuzzExit.usage
    }

    if listKnown {
      for k in KnownIssue.allCases { print("\(k.rawValue)\t\(k.kind.rawValue)\t\(k.summary)") }
      return FuzzExit.clean
    }
    if dump {
      let g = InputGenerator(options: c.generator)
      for index in c.start..<(c.start + c.count) {
        let input = g.input(seed: c.seed, index: index)
        print("\(index)\t\(input.kind)\t\(Findings.escaped(input.text))")
      }
      return FuzzExit.clean
    }
    let driver = FuzzDriver(c)
    let summary = inputs.map { driver.run(texts: $0) } ?? driver.run()
    print(summary.rendered(c), terminator: "")
    let failures = summary.unexpectedRoundTripFailures
    for f in failures.prefix(10) { print(f.rendered(seed: c.seed), terminator: "") }
    if failures.count > 10 { print("... \(failures.count - 10) more round-trip failures (see --report)") }
    return failures.isEmpty ? FuzzExit.clean : FuzzExit.roundTripFailures
  }

  struct UsageError: Error {
    let message: String
    init(_ message: String) { self.message = message }
  }
}
