import SymGrad

/// The size of an index range `1...size`: a symbol (`N`, `C`) for a result that holds at
/// every size, or a number.
///
/// Index ranges are 1-based, as in the notation of papers (`\sum_{n=1}^{N}`); class
/// values of PyTorch targets (0-based) are shifted by one when a derivation is
/// instantiated (`Instance`).
public enum IndexSize: Hashable, Sendable, CustomStringConvertible {
  case symbolic(String)
  case fixed(Int)

  public var description: String {
    switch self {
    case .symbolic(let name): return name
    case .fixed(let n): return "\(n)"
    }
  }

  /// The size as an expression: the symbol `N`, or the number.
  public var expr: Expr {
    switch self {
    case .symbolic(let name): return .symbol(name)
    case .fixed(let n): return .number(n)
    }
  }
}
