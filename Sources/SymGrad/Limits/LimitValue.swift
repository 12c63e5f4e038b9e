import Foundation

/// A value on the extended real line, as limits produce: finite (an exact expression
/// free of the limit variable), `+inf`, `-inf`, or undefined with the reason.
public enum LimitValue: Sendable, Equatable, CustomStringConvertible {
  case finite(Expr)
  case plusInfinity
  case minusInfinity
  /// No limit (oscillation, different one-sided limits, an indeterminate input such as
  /// NaN), or one the engine cannot decide; the reason says which.
  case undefined(String)

  /// The IEEE double nearest the value (NaN when undefined).
  public var doubleValue: Double {
    switch self {
    case .finite(let e):
      let v = (try? e.evaluateIEEE()) ?? .nan
      if v.isFinite { return v }
      // Cancellation on the way (1 - sigmoid(40) = 0 in doubles): rewrite into exp form
      // and normalize, which cancels exactly (1 - sigmoid(u) = exp(-u)/(1 + exp(-u))).
      // Overflow or underflow (exp(-1e9 + a)/...): an unbounded exponent range.
      if let r = (try? LimitEngine().rewrite(e))?.simplified() {
        if let w = try? r.evaluateIEEE(), w.isFinite { return w }
        if let w = r.wideValue(), w.isFinite { return w }
      }
      return e.wideValue() ?? v
    case .plusInfinity: return .infinity
    case .minusInfinity: return -.infinity
    case .undefined: return .nan
    }
  }

  /// The value as an expression (`inf`, `-inf`, `nan` for the non-finite cases).
  public var expression: Expr {
    switch self {
    case .finite(let e): return e
    case .plusInfinity: return .infinity
    case .minusInfinity: return .negativeInfinity
    case .undefined: return .undefined
    }
  }

  public var description: String {
    switch self {
    case .finite(let e): return e.description
    case .plusInfinity: return "inf"
    case .minusInfinity: return "-inf"
    case .undefined(let why): return "undefined (\(why))"
    }
  }
}

/// Where a limit is taken.
public enum LimitPoint: Sendable {
  case plusInfinity
  case minusInfinity
  /// A finite point, approached from one side or both (both must agree).
  case value(Expr, from: Side)

  public enum Side: Sendable { case left, right, both }
}
