/// Why the limit engine gave up on an expression (reported as `LimitValue.undefined`).
enum LimitFailure: Error {
  /// The series did not reach a nonzero term within the precision budget.
  case precisionExhausted
  /// A function oscillates without limit (sin/cos of an unbounded argument).
  case oscillates(String)
  /// Outside the real domain asymptotically (log of a negative quantity, ...).
  case domain(String)
  /// An input was undefined (NaN), or an indeterminate form was given.
  case undefinedInput
  /// Anything else the algorithm does not cover, with a reason.
  case unsupported(String)

  var reason: String {
    switch self {
    case .precisionExhausted: return "could not find a nonzero leading term"
    case .oscillates(let f): return "\(f) of an unbounded argument oscillates; no limit could be established"
    case .domain(let what): return what
    case .undefinedInput: return "an input is undefined (NaN)"
    case .unsupported(let what): return what
    }
  }
}
