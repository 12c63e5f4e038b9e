/// Indicators of a sign condition, built from `sign` so that they are ordinary expressions:
/// exact at 0, differentiable with derivative 0 everywhere (as `sign`'s), with limits at
/// `+-inf` (`sign` tends to `+-1`). They state PyTorch's conventions at the kinks of its
/// piecewise functions: which side's derivative a backward pass returns at the boundary.
extension Expr {
  /// `[x > 0]`: 1 for `x > 0`, 0 for `x <= 0` (0 at 0), as `(sign(x) + sign(x)**2)/2`.
  static func indicatorPositive(_ x: Expr) -> Expr {
    let s = sign(x)
    return (s + s * s) / 2
  }

  /// `[x >= 0]`: 1 for `x >= 0` (1 at 0), 0 for `x < 0`, as `(2 + sign(x) - sign(x)**2)/2`.
  static func indicatorNonNegative(_ x: Expr) -> Expr {
    let s = sign(x)
    return (2 + s - s * s) / 2
  }
}
