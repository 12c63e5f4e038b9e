extension Expr {
  /// The elementary functions an expression can apply.
  ///
  /// Every case documents its domain, its value at `+inf`/`-inf` and its derivative; the
  /// derivative rules live in `Calculus/Derivative.swift`, numeric values in
  /// `Evaluation/Evaluate.swift`. `sqrt(x)` is not a function node: it is `x ** (1/2)`.
  /// PyTorch's activations that are nodes (`isActivation`) have their values written with
  /// the older functions in `Activations/Function+Definition.swift`, which the interval
  /// evaluators, the limit engine's series, generated code and the sympy text use.
  /// `E` is `exp(1)`.
  public enum Function: String, Sendable, CaseIterable {
    /// `exp(x)`, all reals; `exp(-inf) = 0`, `exp(inf) = inf`. Derivative `exp(x)`.
    case exp
    /// Natural log, `x > 0` (`log(0) = -inf`; negative arguments are a domain error).
    /// `log(inf) = inf`. Derivative `1/x`.
    case log
    /// `sin(x)`; no limit at `+-inf`. Derivative `cos(x)`.
    case sin
    /// `cos(x)`; no limit at `+-inf`. Derivative `-sin(x)`.
    case cos
    /// `tanh(x)`; `tanh(+-inf) = +-1`. Derivative `1 - tanh(x)**2`.
    case tanh
    /// The logistic function `1/(1 + exp(-x))`; `sigmoid(-inf) = 0`, `sigmoid(inf) = 1`.
    /// Derivative `sigmoid(x)*(1 - sigmoid(x))`.
    case sigmoid
    /// `log(1 + exp(x))`; `softplus(-inf) = 0`, `softplus(inf) = inf`. Derivative `sigmoid(x)`.
    case softplus
    /// `log(1 + x)`, `x > -1` (`log1p(-1) = -inf`). Derivative `1/(1 + x)`.
    case log1p
    /// `exp(x) - 1`; `expm1(-inf) = -1`. Derivative `exp(x)`.
    case expm1
    /// `|x|`. Derivative `sign(x)`, which is 0 at 0 (PyTorch's convention).
    case abs
    /// `sign(x)` in {-1, 0, 1}; `sign(0) = 0`. Derivative 0 (PyTorch's convention, also at 0).
    case sign
    /// Binary `max(a, b)`. At a tie the derivative is split evenly between the arguments,
    /// as `torch.maximum` does: `d max = a' (1 + s)/2 + b' (1 - s)/2` with `s = sign(a - b)`.
    /// The parser folds `max(a, b, c)` to `max(max(a, b), c)`.
    case max
    /// Binary `min(a, b)`, the mirror of `max` (ties split evenly, like `torch.minimum`).
    case min
    /// A domain guard: `x` for `0 <= x <= 1`, a domain error elsewhere (NaN included), as
    /// PyTorch checks `binary_cross_entropy`'s input and target. It keeps that domain
    /// attached to the expression, so every evaluation path checks it. Derivative 1 (on the
    /// interior). Text prints it as `unit_interval(x)` (the expression language reads it
    /// back), LaTeX as its argument; provably-in-[0, 1] arguments (numbers, `sigmoid`,
    /// `p/(p + q)` with `p, q > 0`) drop it at construction. At infinite inputs the limit of
    /// the argument must lie in [0, 1].
    case unitInterval = "unit_interval"
    /// The error function `erf(x) = 2/sqrt(pi) integral_0^x exp(-s**2) ds`, odd, all reals;
    /// `erf(+-inf) = +-1`. Derivative `2/sqrt(pi) exp(-x**2)`. Evaluated with certified
    /// series (`Numbers/Interval+ErrorFunction.swift`). In an indeterminate form the limit
    /// engine writes `erf(u)` with `u -> +inf` as `1 - exp(-u**2) erfcx(u)` (and `u -> -inf`
    /// by oddness), whose `erfcx` has the asymptotic series of `erfcx`; at a finite limit it
    /// uses the Taylor series (`Limits/Series+ErrorFunction.swift`).
    case erf
    /// The complementary error function `erfc(x) = 1 - erf(x)`, computed without the
    /// cancellation (`erfc(10) = 2.1e-45`); `erfc(-inf) = 2`, `erfc(inf) = 0`. Derivative
    /// `-2/sqrt(pi) exp(-x**2)`.
    case erfc
    /// The scaled complementary error function `erfcx(x) = exp(x**2) erfc(x)`, positive,
    /// `erfcx(x) ~ 1/(x sqrt(pi))` as `x -> inf`, `erfcx(-inf) = inf`. Derivative
    /// `2 x erfcx(x) - 2/sqrt(pi)`. **Internal to the limit engine**: it is how an
    /// indeterminate form with `erfc(u)`, `u -> +inf`, separates the fast factor
    /// `exp(-u**2)` from a factor of `u`'s own growth class (Gruntz's rewriting, as sympy
    /// does with its `_erfs`). The expression language neither reads nor prints it; limits
    /// expand it into its series, so it never appears in a result.
    case erfcx
    /// `silu(x) = x sigmoid(x)` (PyTorch's `F.silu`); `silu(-inf) = 0`, `silu(inf) = inf`.
    /// Derivative `s (1 + x (1 - s))` with `s = sigmoid(x)`, ATen's `silu_backward`.
    case silu
    /// `mish(x) = x tanh(softplus(x))`; `mish(-inf) = 0`, `mish(inf) = inf`. Derivative
    /// `t + x sigmoid(x) (1 - t**2)` with `t = tanh(softplus(x))`, ATen's `mish_backward`.
    case mish
    /// `softsign(x) = x/(1 + |x|)`; `softsign(+-inf) = +-1`. Derivative `1/(1 + |x|)**2`
    /// (1 at 0, as PyTorch's composite `x/(1 + abs(x))` differentiates).
    case softsign
    /// `gelu(x, approximate="tanh") = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3)))`;
    /// `-inf -> 0`, `inf -> inf`. Derivative the formula's (ATen's `gelu_backward` with
    /// `approximate="tanh"`). The constant is the decimal 0.044715 exactly (ATen rounds it to
    /// a double, 1e-18 relative away). Text prints `gelu(x, approximate="tanh")`.
    case geluTanh = "gelu_tanh"
    /// `hardswish(x) = x relu6(x + 3)/6`: 0 for `x <= -3`, `x` for `x >= 3`, `x (x + 3)/6`
    /// between; `-inf -> 0`, `inf -> inf`. Derivative `x/3 + 1/2` strictly between -3 and 3,
    /// and at the kinks the outer piece's, as torch 2.15's `hardswish_backward` returns: 0 at
    /// -3 (and below), 1 at 3 (and above).
    case hardswish
    /// `elu(x, alpha)`: `x` for `x > 0`, `alpha (exp(x) - 1)` for `x <= 0` (PyTorch's
    /// `F.elu`; `selu` and `celu` are built from it); `elu(inf) = inf`, `elu(-inf) = -alpha`.
    /// Derivative in `x`: 1 for `x > 0`, `alpha exp(x)` for `x <= 0`, so `alpha` at 0 (the
    /// `x <= 0` side, as ATen's `elu_backward`); in `alpha`: `exp(min(x, 0)) - 1`.
    case elu
    /// `gelu(x) = x Phi(x) = x/2 (1 + erf(x/sqrt(2)))`, PyTorch's exact GELU
    /// (`approximate="none"`), defined as `x erfc(-x/sqrt(2))/2` (no cancellation below 0);
    /// `gelu(-inf) = 0`, `gelu(inf) = inf`. Derivative `Phi(x) + x phi(x)` =
    /// `erfc(-x/sqrt(2))/2 + x exp(-x**2/2)/sqrt(2 pi)`, ATen's `gelu_backward`.
    case gelu
    /// `where(u > 0, a, b)`: `a` where `u > 0`, `b` where `u <= 0` (`torch.where` of a
    /// comparison: `x > y` is `where(x - y > 0, 1, 0)`). Only the selected branch is
    /// evaluated, so `where(x > 0, log(x), 0)` is 0 at `x = -1`; the condition must be
    /// defined (`u` NaN or undefined makes the result undefined; PyTorch compares NaN as
    /// false). Derivative `where(u > 0, a', b')`: the condition contributes nothing (its
    /// derivative is 0, as PyTorch's), and the unselected branch's derivative is not
    /// evaluated, so at `x = 0` the derivative of `where(x > 0, log(x), 0)` is 0 (PyTorch's
    /// backward multiplies a zero mask by `1/0` and returns NaN). At `u = +-inf` the
    /// branch of that sign; in a limit, the branch of `u`'s eventual sign.
    case wherePositive = "where_positive"
    /// `where(u >= 0, a, b)`: `a` where `u >= 0` (at `u = 0` too), `b` where `u < 0`; as
    /// `wherePositive` otherwise.
    case whereNonNegative = "where_nonnegative"
    /// `where(u == 0, a, b)`: `a` where `u = 0`, `b` elsewhere; as `wherePositive`
    /// otherwise (`x != y` is `where(x - y == 0, 0, 1)`). In a limit, `a` only where `u`
    /// is identically 0 on a tail.
    case whereZero = "where_zero"

    /// The functions that are PyTorch activations (`Activations/`): the expression
    /// language reads them through their `torch.nn.functional` names (`gelu_tanh(x)` is
    /// `gelu(x, approximate="tanh")`, `elu(x, a)` is `elu(x, alpha=a)`), not as elementary
    /// functions.
    public var isActivation: Bool {
      switch self {
      case .silu, .mish, .softsign, .geluTanh, .hardswish, .elu, .gelu: return true
      default: return false
      }
    }

    /// The selections `where(u ▷ 0, a, b)` (arguments `[u, a, b]`): piecewise functions
    /// whose branches are evaluated lazily, only the selected one.
    public var isSelection: Bool {
      switch self {
      case .wherePositive, .whereNonNegative, .whereZero: return true
      default: return false
      }
    }

    /// Whether the selection takes its first branch where its condition has sign `s`
    /// (-1, 0 or 1).
    func selectsFirstBranch(sign s: Int) -> Bool {
      switch self {
      case .wherePositive: return s > 0
      case .whereNonNegative: return s >= 0
      default: return s == 0
      }
    }

    /// Whether the selection takes its first branch where its condition's value is `u`
    /// (not NaN: the caller reports an undefined condition).
    func selectsFirstBranch(_ u: Double) -> Bool {
      selectsFirstBranch(sign: u > 0 ? 1 : (u < 0 ? -1 : 0))
    }

    /// The comparison with 0 a selection makes (`>`, `>=` or `==`); nil for other functions.
    public var selectionComparison: Expr.Comparison? {
      switch self {
      case .wherePositive: return .greater
      case .whereNonNegative: return .greaterOrEqual
      case .whereZero: return .equal
      default: return nil
      }
    }

    /// How many arguments the function takes.
    public var arity: Int {
      switch self {
      case .wherePositive, .whereNonNegative, .whereZero: return 3
      case .max, .min, .elu: return 2
      default: return 1
      }
    }
  }
}
