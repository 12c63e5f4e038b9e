/// How a loss reduces its per-element values, as PyTorch's `reduction=` argument.
public enum Reduction: String, Sendable, CaseIterable {
  /// Per-element (per-row for class losses) values, unreduced.
  case none
  /// The average; each loss documents its denominator.
  case mean
  /// The sum.
  case sum
}

extension Reduction {
  /// `losses` (of `shape`) reduced: `none` keeps them, `sum` adds them, `mean` divides the
  /// sum by their count.
  func apply(_ losses: [Expr], shape: [Int]) -> Expr.Tensor {
    switch self {
    case .none: return Expr.Tensor(shape: shape, elements: losses)
    case .sum: return Expr.Tensor(scalar: .sum(losses))
    case .mean: return Expr.Tensor(scalar: .sum(losses) / .number(losses.count))
    }
  }
}
