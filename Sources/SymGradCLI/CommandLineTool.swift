import SymGrad
import Synchronization

/// The `symgrad` command: parses arguments, runs a subcommand, and reports through
/// `Output`. Usage errors exit 64 (EX_USAGE), failures (parse or evaluation errors, failed
/// checks) exit 1, success 0.
package enum CommandLineTool {
  package static let version = "0.1.0"

  /// Exit statuses.
  package enum Status {
    package static let success: Int32 = 0
    package static let failure: Int32 = 1
    package static let usage: Int32 = 64
  }

  /// Runs the tool with `arguments` (without the program name).
  package static func run(_ arguments: [String], output: Output) -> Int32 {
    guard let first = arguments.first else { return Walkthrough.run(output: output) }
    let rest = Array(arguments.dropFirst())
    do {
      switch first {
      case "-h", "--help", "help":
        output.out(usage)
        return Status.success
      case "--version":
        output.out("symgrad \(version)")
        return Status.success
      case "eval": return try EvalCommand.run(rest, output: output)
      case "diff": return try DiffCommand.run(rest, output: output)
      case "check": return try CheckCommand.run(rest, output: output)
      case "limit": return try LimitCommand.run(rest, output: output)
      case "hessian": return try HessianCommand.run(rest, output: output)
      case "simplify": return try SimplifyCommand.run(rest, output: output)
      case "latex": return try LatexCommand.run(rest, output: output)
      case "prove": return try ProveCommand.run(rest, output: output)
      case "plot": return try PlotCommand.run(rest, output: output)
      case "walkthrough": return Walkthrough.run(output: output)
      case "functions": return try FunctionsCommand.run(rest, output: output)
      case "codegen": return try CodegenCommand.run(rest, output: output)
      case "derive": return try DeriveCommand.run(rest, output: output)
      default:
        throw UsageError("unknown subcommand '\(first)'")
      }
    } catch let e as UsageError {
      output.err("symgrad: \(e.message)\nRun 'symgrad --help' for usage.")
      return Status.usage
    } catch let e as CommandFailure {
      output.err(e.message)
      return Status.failure
    } catch {
      output.err("symgrad: \(error)")
      return Status.failure
    }
  }

  package static let usage = """
    symgrad: symbolic gradients of machine-learning losses, checked.

    Usage:
      symgrad                         run the built-in walkthrough
      symgrad eval EXPR [--at NAME=VALUE,...] [--json] [--format text|sympy]
      symgrad diff EXPR --wrt NAME[,NAME...] [--at NAME=VALUE,...] [--latex] [--json] [--format text|sympy]
      symgrad check EXPR --wrt NAME[,NAME...] --at NAME=VALUE,... [--json]
      symgrad check EXPR --wrt X --at @inputs.npz --claimed @grads.npz [--json]
      symgrad limit EXPR --as NAME --to POINT [--json]
      symgrad hessian EXPR --wrt NAME[,NAME...] [--at NAME=VALUE,...] [--latex] [--json] [--format text|sympy]
      symgrad simplify EXPR [--latex] [--json] [--format text|sympy]
      symgrad latex EXPR [--wrt NAME,...] [--plain] [--standalone] [--title TEXT] [-o FILE]
      symgrad prove PATH... [--check-fresh]
      symgrad plot EXPR --wrt NAME,... --at NAME=VALUE,... -o FILE.svg
      symgrad plot attention --scores MATRIX [--padding 1,1,0] [--causal] -o FILE.svg
      symgrad codegen EXPR --wrt NAME[,NAME...] --lang swift|python|numpy|torch|c [--name NAME] [-o FILE]
      symgrad functions [NAME...] [--json]   the functions EXPR may call, with signatures
      symgrad derive EXPR --shape X=N,C [--shape t=N ...] [--wrt X] [--latex] [--json]
      symgrad SUBCOMMAND --help       help for one subcommand
      symgrad --version

    EXPR may also come from a file (-f FILE) or standard input (-).
    EXPR uses Python/sympy syntax: x**2, exp(x)/(exp(x) + exp(y)), [[a, b], [c, d]].
    Exit status: 0 success, 1 parse/evaluation failure, 64 usage error.
    """
}

/// Where the tool writes. The executable writes to the process's streams; tests capture.
///
/// Sendable for real: the captured text is behind a mutex, so lines written from several
/// threads (a command that computes columns in parallel) are whole lines, in some order.
package final class Output: Sendable {
  private struct Captured {
    var standardOutput = ""
    var standardError = ""
  }

  private let captured = Mutex(Captured())
  private let echo: Bool

  /// `echo`: also print to the real stdout/stderr as text arrives.
  package init(echo: Bool = false) { self.echo = echo }

  /// Everything written to standard output so far.
  package var standardOutput: String { captured.withLock { $0.standardOutput } }
  /// Everything written to standard error so far.
  package var standardError: String { captured.withLock { $0.standardError } }

  package func out(_ line: String) {
    captured.withLock {
      $0.standardOutput += line + "\n"
      if echo { print(line) }
    }
  }

  package func err(_ line: String) {
    captured.withLock {
      $0.standardError += line + "\n"
      if echo { FileHandleOutput.writeToStandardError(line + "\n") }
    }
  }
}

/// A usage error (exit 64): bad flags, missing arguments.
struct UsageError: Error {
  let message: String
  init(_ message: String) { self.message = message }
}

/// A failure (exit 1) with its full message (e.g. a parse error with a caret).
struct CommandFailure: Error, CustomStringConvertible {
  let message: String
  init(_ message: String) { self.message = message }
  var description: String { message }
}
