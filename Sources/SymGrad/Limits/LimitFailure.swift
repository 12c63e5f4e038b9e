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

  /// A zero test could not decide (a constant whose enclosure contains 0 and which is not
  /// provably 0).
  case undecided(String)
  /// The work budget ran out.
  case budget

  var reason: UndefinedReason {
    switch self {
    case .precisionExhausted: return .undecided("could not find a nonzero leading term")
    case .oscillates(let f):
      return .undecided("\(f) of an unbounded argument oscillates; no limit could be established")
    case .domain(let what): return .domain(what)
    case .undefinedInput:
      return .undefinedInput(
        "undefined (NaN) occurs: an input is NaN, or the expression met an indeterminate form such as 0/0 or inf - inf when it was built"
      )
    case .unsupported(let what): return .unsupported(what)
    case .undecided(let what): return .undecided(what)
    case .budget: return .budget("the limit needed more than its work budget")
    }
  }
}
