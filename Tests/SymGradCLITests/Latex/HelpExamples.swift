import Foundation

@testable import SymGradCLI

/// The example commands of a subcommand's `--help`, to run them in tests.
enum HelpExamples {
  /// Every `symgrad ...` line that follows an `Example...:` heading, as argument lists
  /// without the program name.
  static func commands(in help: String) -> [[String]] {
    var result: [[String]] = []
    var inExample = false
    for raw in help.split(separator: "\n", omittingEmptySubsequences: false) {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("Example") && line.hasSuffix(":") {
        inExample = true
      } else if line.isEmpty {
        inExample = false
      } else if inExample && line.hasPrefix("symgrad ") {
        result.append(Array(shellWords(line).dropFirst()))
      }
    }
    return result
  }

  /// Splits a command line into words, honouring single quotes (as a POSIX shell does).
  static func shellWords(_ s: String) -> [String] {
    var words: [String] = []
    var current = ""
    var quoted = false
    var any = false
    for c in s {
      if c == "'" {
        quoted.toggle()
        any = true
      } else if c == " " && !quoted {
        if any || !current.isEmpty { words.append(current) }
        current = ""
        any = false
      } else {
        current.append(c)
      }
    }
    if any || !current.isEmpty { words.append(current) }
    return words
  }

  /// Runs the tool in process: (status, stdout, stderr).
  static func run(_ arguments: [String]) -> (status: Int32, out: String, err: String) {
    let o = Output()
    let status = CommandLineTool.run(arguments, output: o)
    return (status, o.standardOutput, o.standardError)
  }
}
