/// Why a limit or a value is undefined: a typed reason that separates what is proved
/// ("no limit exists", "outside the real domain") from what could not be decided.
///
/// The command line prints the message and puts `{"code": ..., "message": ...}` under
/// `"reason"` in JSON; `code` is a stable contract.
public enum UndefinedReason: Sendable, Equatable, CustomStringConvertible {
  /// Proved: no limit exists (the one-sided limits differ).
  case noLimit(String)
  /// Not decided: a zero test (a constant that may be exactly 0), an oscillating term the
  /// engine cannot bound, or a series that found no nonzero term within its precision.
  case undecided(String)
  /// Not decided: the work budget of a limit ran out.
  case budget(String)
  /// Proved: a function is outside its real domain (`log` of a negative quantity).
  case domain(String)
  /// Proved: an input is NaN or an indeterminate form was given (`nan`, `inf - inf` typed in).
  case undefinedInput(String)
  /// Not decided: the expression uses something the engine does not cover.
  case unsupported(String)

  /// The stable code: `no_limit`, `undecided`, `budget`, `domain`, `undefined_input`,
  /// `unsupported`.
  public var code: String {
    switch self {
    case .noLimit: return "no_limit"
    case .undecided: return "undecided"
    case .budget: return "budget"
    case .domain: return "domain"
    case .undefinedInput: return "undefined_input"
    case .unsupported: return "unsupported"
    }
  }

  /// The human-readable explanation.
  public var message: String {
    switch self {
    case .noLimit(let m), .undecided(let m), .budget(let m), .domain(let m), .undefinedInput(let m),
      .unsupported(let m):
      return m
    }
  }

  /// Whether the undefinedness is proved (as opposed to not decided).
  public var isProved: Bool {
    switch self {
    case .noLimit, .domain, .undefinedInput: return true
    case .undecided, .budget, .unsupported: return false
    }
  }

  public var description: String {
    switch self {
    case .noLimit, .domain, .undefinedInput: return message
    case .undecided: return "undecided: " + message
    case .budget: return "undecided (budget): " + message
    case .unsupported: return "unsupported: " + message
    }
  }
}
