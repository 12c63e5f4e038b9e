import SymGrad

/// Why a check could not run at all (a check that runs reports disagreements instead).
public enum CheckError: Error, Equatable, CustomStringConvertible {
  /// The expression text does not parse: the parser's message, with its column.
  case parse(String)
  /// A variable is not a symbol name of the expression language.
  case notASymbolName(String)
  /// A variable is listed twice.
  case duplicateVariable(String)
  /// The expression uses a symbol that is neither a variable nor a constant.
  case unboundSymbol(String)
  /// A point has the wrong number of coordinates.
  case pointDimension(point: Int, expected: Int, got: Int)
  /// The function returned a different number of outputs than the expression has.
  case outputCount(point: Int, expected: Int, got: Int)
  /// The function's gradient has the wrong number of entries.
  case gradientCount(point: Int, expected: Int, got: Int)
  /// Finite differences need a finite point.
  case nonFinitePoint([Double])
  /// There is nothing to check.
  case noPoints

  public var description: String {
    switch self {
    case .parse(let m): return "the expression does not parse: \(m)"
    case .notASymbolName(let n): return "'\(n)' is not a symbol name"
    case .duplicateVariable(let n): return "'\(n)' is listed twice in variables"
    case .unboundSymbol(let n):
      return "the expression uses '\(n)', which is neither a variable nor a constant: pass it in constants:"
    case .pointDimension(let k, let e, let g):
      return "point \(k) has \(g) coordinates, expected \(e) (one per variable)"
    case .outputCount(let k, let e, let g):
      return "at point \(k) the function returned \(g) outputs, the expression has \(e)"
    case .gradientCount(let k, let e, let g):
      return "at point \(k) the function's gradient has \(g) entries, expected \(e)"
    case .nonFinitePoint(let p): return "finite differences need a finite point, got \(p)"
    case .noPoints: return "no points to check at"
    }
  }
}
