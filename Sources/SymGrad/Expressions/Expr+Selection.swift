/// Selections: `torch.where` and comparisons as expressions.
///
/// A selection `where(u ▷ 0, a, b)` (`Expr.Function.wherePositive`, `whereNonNegative`,
/// `whereZero`; arguments `[u, a, b]`) is `a` where the condition holds and `b` elsewhere.
/// Its semantics, on every path (evaluation, certified evaluation, compiled tapes, limits,
/// derivatives):
///
/// - **Lazy branches.** Only the selected branch is evaluated: `where(x > 0, log(x), 0)` is
///   0 at `x = -1`, where `log(x)` is undefined, as PyTorch's forward returns.
/// - **The condition must be defined.** A condition that is undefined (`log(-1) > 0`) or NaN
///   makes the selection undefined. PyTorch compares NaN as false; SymGrad reports a
///   domain error instead of choosing a branch for it.
/// - **Derivative** `where(u ▷ 0, a', b')`: the condition is piecewise constant
///   (derivative 0, PyTorch's convention also where it jumps), and the unselected
///   branch's derivative is not evaluated. So `d/dx where(x > 0, log(x), 0)` at `x = 0` is
///   0; PyTorch's backward multiplies the mask by `1/x` and returns `0 * inf = NaN` there
///   (the README's divergence table). Gradients of expressions with selections are
///   taken in forward mode per variable (`ReverseGradient`), which keeps that laziness.
/// - **Comparisons** are selections of 1 and 0: `x > y` is `where(x - y > 0, 1, 0)`, a
///   number as PyTorch's `(x > y).float()` is; `x < y` is `where(y - x > 0, 1, 0)`,
///   `x <= y` `where(y - x >= 0, 1, 0)`, `x == y` `where(x - y == 0, 1, 0)` and `x != y`
///   `where(x - y == 0, 0, 1)`.
/// - **At infinite inputs and in limits** the branch of the condition's eventual sign
///   (`u -> 0` from above selects as `u > 0`); an oscillating condition has no limit.
///
/// Construction folds what is exact: a condition that is a number or `+-inf` selects its
/// branch; equal branches under a condition defined everywhere are that branch; and a
/// condition that is itself a selection of 0s and 1s (`where(x > 0, ...)` reads the
/// comparison `where(x > 0, 1, 0)` as "nonzero"; `&`, `|`, `~` nest comparisons) is
/// distributed into nested selections on the comparisons themselves.
extension Expr {
  /// The comparisons of the expression language, PyTorch's `>`, `>=`, `<`, `<=`, `==`, `!=`.
  public enum Comparison: String, Sendable, CaseIterable {
    case greater = ">"
    case greaterOrEqual = ">="
    case less = "<"
    case lessOrEqual = "<="
    case equal = "=="
    case notEqual = "!="
  }

  /// `where(lhs ▷ rhs, a, b)`: `a` where the comparison holds, `b` elsewhere (see the
  /// type's notes for the semantics).
  public static func selection(_ lhs: Expr, _ comparison: Comparison, _ rhs: Expr, _ a: Expr, _ b: Expr) -> Expr {
    switch comparison {
    case .greater: return apply(.wherePositive, [lhs - rhs, a, b])
    case .greaterOrEqual: return apply(.whereNonNegative, [lhs - rhs, a, b])
    case .less: return apply(.wherePositive, [rhs - lhs, a, b])
    case .lessOrEqual: return apply(.whereNonNegative, [rhs - lhs, a, b])
    case .equal: return apply(.whereZero, [lhs - rhs, a, b])
    case .notEqual: return apply(.whereZero, [lhs - rhs, b, a])
    }
  }

  /// The comparison `lhs ▷ rhs` as a number: 1 where it holds, 0 elsewhere.
  public static func comparison(_ lhs: Expr, _ comparison: Comparison, _ rhs: Expr) -> Expr {
    selection(lhs, comparison, rhs, .one, .zero)
  }

  /// `where(c, a, b)` for a condition given as a number: `a` where `c` is nonzero, `b`
  /// where it is 0 (how a comparison, 1 or 0, selects).
  public static func selection(nonzero c: Expr, _ a: Expr, _ b: Expr) -> Expr {
    apply(.whereZero, [c, b, a])
  }

  /// Whether the expression takes only the values 0 and 1 where it is defined: the numbers
  /// 0 and 1, and selections whose branches do (comparisons and their `&`, `|`, `~`).
  public var isBooleanValued: Bool {
    var e = self
    // Iterative along the first branch, recursive along the second (conditions nest
    // shallowly in the second).
    while true {
      if e.isZero || e.isOne { return true }
      guard case .apply(let f, let v) = e.kind, f.isSelection, v[2].isBooleanValued else { return false }
      e = v[1]
    }
  }

  /// Whether a selection occurs in the expression (O(1)).
  public var containsSelection: Bool { node.nonFinite & ExprNode.NonFinite.selection != 0 }

  /// The canonical selection `f(u, a, b)` (see the type's notes for the folds).
  static func selection(_ f: Function, _ u: Expr, _ a: Expr, _ b: Expr) -> Expr {
    if u.isUndefined { return undefined }
    if let r = u.rationalValue { return f.selectsFirstBranch(sign: r.signum) ? a : b }
    switch u.constantValue {
    case .infinity?, .pi?: return f.selectsFirstBranch(sign: 1) ? a : b
    case .negativeInfinity?: return f.selectsFirstBranch(sign: -1) ? a : b
    default: break
    }
    if a == b && !u.containsNonFinite && !u.hasDomainRestriction { return a }
    // A condition that is itself a condition (a comparison, or `&`, `|`, `~` of them: a
    // selection of 0s and 1s) is distributed over: f(g(v, p, q), a, b) = g(v, f(p, a, b),
    // f(q, a, b)), exact under lazy branches, and the numbers fold. So `where(x > 0, ...)`
    // is one selection, and `where((x > 0) & (x < 1), ...)` two nested ones.
    if case .apply(let g, let v) = u.kind, g.isSelection, u.isBooleanValued {
      return apply(g, [v[0], selection(f, v[1], a, b), selection(f, v[2], a, b)])
    }
    return InternTable.intern(.apply(f, [u, a, b]))
  }
}
