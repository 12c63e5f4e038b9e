/// The stages an input goes through, in order. A trap or a hang is reported with the stage
/// it happened in.
package enum Stage: Int, CaseIterable, Sendable {
  /// Generating the input (the generator itself must not trap or hang).
  case generate
  /// `Value(parsing:)`: lexing, parsing, interpreting (loss construction, shape checks).
  case parse
  /// `description` of the parsed value.
  case print
  /// Parsing the printed text and printing it again (the round trip).
  case reparse
  /// `latex` and `LatexDocument.scalar` of each entry.
  case latex
  /// `derivative(withRespectTo:)` for each free symbol.
  case derivative
  /// Printing and reparsing each derivative (its round trip).
  case derivativeRoundTrip
  /// `simplified()`.
  case simplify
  /// Printing and reparsing the simplified entry (its round trip).
  case simplifyRoundTrip
  /// `evaluateIEEE(at:)` at a finite point and at a point with infinite entries.
  case evaluateIEEE
  /// `evaluate(at:)` (limit-aware) at a finite point.
  case evaluate
  /// `limitValue(at:)` at a point with `+-inf` entries (of the entry and of a derivative).
  case evaluateInfinite
  /// `Expr.limit(as:approaches:)`, one symbol to `+inf` (sometimes `-inf` or `0`).
  case limit
  /// The command-line tool in-process (`CommandLineTool.run`): eval, diff, simplify,
  /// limit, latex, codegen on the same text.
  case commandLine
  /// Reading a mutated `.npy`, `.npz` or JSON point file made from the input's numbers
  /// (`ArrayFileInputs`): read or refused with `ArrayFileError`, never a trap or a hang.
  case arrayFiles
  /// Freeing the input's expressions (deep DAGs are freed recursively). In optimized
  /// builds a value may be freed at its last use, inside an earlier stage.
  case release

  package var name: String {
    switch self {
    case .generate: return "generate"
    case .parse: return "parse"
    case .print: return "print"
    case .reparse: return "reparse"
    case .latex: return "latex"
    case .derivative: return "derivative"
    case .derivativeRoundTrip: return "derivative-reparse"
    case .simplify: return "simplify"
    case .simplifyRoundTrip: return "simplify-reparse"
    case .evaluateIEEE: return "evaluate-ieee"
    case .evaluate: return "evaluate"
    case .evaluateInfinite: return "evaluate-inf"
    case .limit: return "limit"
    case .commandLine: return "cli"
    case .arrayFiles: return "array-files"
    case .release: return "release"
    }
  }

  /// The stage called `name`, or nil.
  package init?(name: String) {
    guard let s = Stage.allCases.first(where: { $0.name == name }) else { return nil }
    self = s
  }
}
