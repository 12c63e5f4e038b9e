/// PyTorch's activation functions on one expression (`torch.nn.functional`, applied
/// elementwise by the expression language).
///
/// Piecewise ones are written with the indicators `[x > 0]` and `[x >= 0]`
/// (`Indicators.swift`) so that, at each kink, the derivative is the one PyTorch's backward
/// returns (stated per function); away from kinks it is the ordinary derivative. Smooth ones
/// are their formulas.
extension Expr {
  /// `relu(x) = max(x, 0)`, as `x [x > 0]`. Derivative `[x > 0]`: 0 at `x = 0`, as PyTorch's
  /// `threshold_backward`.
  public static func relu(_ x: Expr) -> Expr { x * indicatorPositive(x) }

  /// `leaky_relu(x, negative_slope) = x` for `x > 0`, `negative_slope x` otherwise, as
  /// `x (s + (1 - s) [x > 0])`. Derivative `negative_slope` at 0 (PyTorch: `x > 0 ? 1 : s`).
  public static func leakyRelu(_ x: Expr, negativeSlope s: Expr) -> Expr {
    x * (s + (1 - s) * indicatorPositive(x))
  }

  /// `hardtanh(x, min_val, max_val)`: `x` clamped to `[min_val, max_val]`, as
  /// `lo + (x - lo) [x > lo] - (x - hi) [x >= hi]`. Derivative 1 strictly inside, 0 outside
  /// and at both bounds (PyTorch's `hardtanh_backward`: 0 where `x <= lo` or `x >= hi`).
  /// `relu6` is `hardtanh(x, 0, 6)`.
  public static func hardtanh(_ x: Expr, min lo: Expr, max hi: Expr) -> Expr {
    lo + (x - lo) * indicatorPositive(x - lo) - (x - hi) * indicatorNonNegative(x - hi)
  }

  /// `clamp(x, min, max)` (`torch.clamp` with number bounds; either may be absent):
  /// `min(max(x, lo), hi)`, as `lo + (x - lo) [x > lo] - (x - hi) [x >= hi]`. Derivative 1
  /// strictly between the bounds, 0 at and beyond them (torch 2.15's `clamp` backward,
  /// recorded: 0 at `x = lo` and at `x = hi`, with one bound or two, as `hardtanh`). For
  /// `lo > hi` the value is `hi` everywhere and the derivative 0, as PyTorch. Symbolic
  /// bounds work too (the derivative in `lo` is `[x <= lo]`, in `hi` `[x >= hi]`); an
  /// infinite bound on its open side (`min=-inf`, `max=inf`) is no bound.
  public static func clamp(_ x: Expr, min lo: Expr?, max hi: Expr?) -> Expr {
    let lo = lo == .negativeInfinity ? nil : lo
    let hi = hi == .infinity ? nil : hi
    if lo == .infinity { return hi ?? .infinity }
    if hi == .negativeInfinity { return hi! }
    if let lo, let hi, let l = lo.rationalValue, let h = hi.rationalValue, l > h { return hi }
    var y = x
    if let lo { y = lo + (x - lo) * indicatorPositive(x - lo) }
    if let hi { y = y - (x - hi) * indicatorNonNegative(x - hi) }
    return y
  }
}
