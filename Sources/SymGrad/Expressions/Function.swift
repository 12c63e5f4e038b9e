extension Expr {
  /// The elementary functions an expression can apply.
  ///
  /// Every case documents its domain, its value at `+inf`/`-inf` and its derivative; the
  /// derivative rules live in `Calculus/Derivative.swift`, numeric values in
  /// `Evaluation/Evaluate.swift`. `sqrt(x)` is not a function node: it is `x ** (1/2)`.
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

    /// How many arguments the function takes.
    public var arity: Int {
      switch self {
      case .max, .min: return 2
      default: return 1
      }
    }
  }
}
