/// PyTorch's activation functions on one expression (`torch.nn.functional`, applied
/// elementwise by the expression language).
///
/// Piecewise ones are written with the indicators `[x > 0]` and `[x >= 0]`
/// (`Indicators.swift`) so that, at each kink, the derivative is the one PyTorch's backward
/// returns (stated per function); away from kinks it is the ordinary derivative. Smooth ones
/// are their formulas. Constants are exact (`selu`'s are PyTorch's decimal literals).
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

  /// ATen's `elu` with its three coefficients: `poscoef x` for `x > 0`, else
  /// `negcoef (exp(negiptcoef x) - 1)`, as `poscoef x [x > 0] + negcoef expm1(negiptcoef x)
  /// (1 - [x > 0])`. At 0 the derivative is the `x <= 0` side's, `negcoef negiptcoef`
  /// (PyTorch's `elu_backward`): `alpha` for `elu`, `scale alpha` for `selu`, 1 for `celu`.
  public static func eluFamily(_ x: Expr, negcoef: Expr, poscoef: Expr, negiptcoef: Expr) -> Expr {
    let p = indicatorPositive(x)
    return poscoef * x * p + negcoef * expm1(negiptcoef * x) * (1 - p)
  }

  /// `gelu(x, approximate="tanh") = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
  public static func geluTanh(_ x: Expr) -> Expr {
    let k = sqrt(2 / Expr.pi)
    let c = Expr.number(Rational(numerator: 44715, denominator: 1_000_000)!)
    return x / 2 * (1 + tanh(k * (x + c * x * x * x)))
  }

  /// `hardswish(x)`: 0 for `x <= -3`, `x` for `x >= 3`, `x (x + 3)/6` between, as
  /// `x (x + 3)/6 [x > -3] (1 - [x >= 3]) + x [x >= 3]`. At the kinks the derivative is the
  /// outer piece's: 0 at -3 and 1 at 3, as torch 2.15's `hardswish_backward` records
  /// (`x <= -3 ? 0 : x < 3 ? x/3 + 1/2 : 1`; not the middle piece's -1/2 and 3/2).
  public static func hardswish(_ x: Expr) -> Expr {
    let upper = indicatorNonNegative(x - 3)
    return x * (x + 3) / 6 * indicatorPositive(x + 3) * (1 - upper) + x * upper
  }
}
