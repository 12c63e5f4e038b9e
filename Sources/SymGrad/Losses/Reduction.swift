/// How a loss reduces its per-element values, as PyTorch's `reduction=` argument.
public enum Reduction: String, Sendable, CaseIterable {
  /// Per-element (per-row for class losses) values, unreduced.
  case none
  /// The average; each loss documents its denominator.
  case mean
  /// The sum.
  case sum
}
