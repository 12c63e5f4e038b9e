import Foundation

/// A value on the extended real line, as limits produce: finite (an exact expression
/// free of the limit variable), `+inf` (`.infinity`), `-inf` (`.negativeInfinity`), or
/// undefined with the reason. The infinities are named as `Double`'s and `Expr`'s are.
public enum LimitValue: Sendable, Equatable, CustomStringConvertible {
  case finite(Expr)
  case infinity
  case negativeInfinity
  /// No limit (different one-sided limits, an indeterminate input such as NaN, outside
  /// the real domain), or one the engine cannot decide: the typed reason says which.
  case undefined(UndefinedReason)

  /// The value as a double: certified for a finite value (see `CertifiedValue`), `+-inf`,
  /// NaN when undefined.
  public var doubleValue: Double { certifiedValue.value }

  /// The value as a certified double: a finite limit is an exact constant, evaluated by
  /// interval arithmetic (`exp(-1e9 + a)/...` and `1 - sigmoid(40)` need no special
  /// cases); an undefined limit is NaN, certified only when its reason is proved.
  public var certifiedValue: CertifiedValue {
    switch self {
    case .finite(let e):
      do {
        return try e.certifiedValue()
      } catch {
        return CertifiedValue(value: .nan, certified: false, reason: "\(error)")
      }
    case .infinity: return CertifiedValue(value: .infinity, certified: true)
    case .negativeInfinity: return CertifiedValue(value: -.infinity, certified: true)
    case .undefined(let why): return CertifiedValue(value: .nan, certified: why.isProved, reason: why.description)
    }
  }

  /// The value as an expression (`inf`, `-inf`, `nan` for the non-finite cases).
  public var expression: Expr {
    switch self {
    case .finite(let e): return e
    case .infinity: return .infinity
    case .negativeInfinity: return .negativeInfinity
    case .undefined: return .undefined
    }
  }

  /// `inf`, `-inf`, the finite value's text, `undefined (REASON)` when undefinedness is
  /// proved, and the reason alone (`undecided: ...`, `unsupported: ...`) when it is not.
  public var description: String {
    switch self {
    case .finite(let e): return e.description
    case .infinity: return "inf"
    case .negativeInfinity: return "-inf"
    case .undefined(let why):
      // An unproved reason is not a claim that the limit is undefined: it reads
      // "undecided: ...", never "undefined".
      return why.isProved ? "undefined (\(why))" : why.description
    }
  }
}

/// Where a limit is taken: `+inf` (`.infinity`), `-inf` (`.negativeInfinity`), or a finite point.
public enum LimitPoint: Sendable, Equatable {
  case infinity
  case negativeInfinity
  /// A finite point, approached from one side or both (both must agree).
  case value(Expr, from: Side)

  public enum Side: Sendable { case left, right, both }
}
