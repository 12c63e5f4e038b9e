/// Why an expression has no numeric value at the given point.
public enum EvaluationError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A symbol in the expression was given no value.
  case unboundSymbol(String)
  /// A function was applied outside its real domain, e.g. `log(-1)` or `(-8)**(1/2)`.
  case domain(function: String, argument: Double)

  public var description: String {
    switch self {
    case .unboundSymbol(let name): return "no value given for symbol '\(name)'"
    case .domain(let f, let x): return "\(f) is undefined at \(x) (outside its real domain)"
    }
  }
}
