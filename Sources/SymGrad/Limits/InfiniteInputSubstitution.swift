/// Infinite inputs replaced by `+-inf` constants where every operation on the way is
/// continuous on the extended reals, so the canonical construction computes the limit
/// itself: the fast path for masked logits (a `-inf` logit's `exp` is exactly 0, and the
/// row's other entries keep their finite forms), without a limit engine per entry.
///
/// Soundness. Each node's substituted value must equal the limit, as `t -> inf`, of the
/// node with every infinite input `+-t` (the same-rate semantics of `limitValue(at:)`).
/// By induction over the DAG this holds when each operation is continuous at its
/// arguments' substituted (extended) values. The canonical construction returns
/// `undefined` for the indeterminate forms (`inf - inf`, `0 * inf`, `0 ** -1`), and an
/// entry whose result still holds a non-finite constant is left to the limit engine, so
/// only the discontinuities that construction does not see must be refused here (and every
/// node's substituted value must be finite in form or exactly `+-inf`: construction leaves
/// `sin(inf)` and `-inf + cos(1)` unevaluated, and its rules on such forms are not limits):
/// - `sign` and `unit_interval` of a changed argument (jumps at 0 and at 0, 1);
/// - `log` and `log1p` of an argument that became an exact number at or outside the
///   boundary of their domain (a limit may approach 0 from below, where every finite `t`
///   is a domain error; interior numbers such as `log(1 + exp(-inf)) = log(1)` are fine);
/// - a power whose exponent changed (`0 ** 0`, `1 ** inf` forms), a power with a
///   non-rational exponent whose base changed, and a non-integer power whose base became
///   an exact number 0 (approached from below it is a domain error).
/// Absorption drops children (`0 * f = 0`, `min(-inf, f) = -inf`), which construction
/// assumes finite: each child dropped that way is proved finite at the point first.
/// `abs`, `max`, `min`, `exp`, `tanh`, `sigmoid`, `softplus`, `expm1`, sums, products and
/// integer powers are continuous on the extended reals (construction makes the rest
/// `undefined`). Inputs are never NaN here (the caller handles NaN inputs first).
struct InfiniteInputSubstitution {
  /// The substituted node, or nil when continuity cannot be relied on at it.
  private var memo: [Expr: Expr?] = [:]
  private let infinite: [String: Expr]
  private let point: [String: Double]
  /// Whether a (substituted) subexpression has a finite value at the point, proved by
  /// certified evaluation; remembered (a masked row's denominator is asked once per entry).
  private var finite: [Expr: Bool] = [:]

  /// `point`'s infinite values, as constants by symbol name.
  init(point: [String: Double]) {
    var infinite: [String: Expr] = [:]
    for (name, v) in point where v.isInfinite { infinite[name] = v > 0 ? .infinity : .negativeInfinity }
    self.infinite = infinite
    self.point = point
  }

  /// Whether `e` (free of infinite inputs) is a finite real at the point: certified
  /// evaluation gives a finite value (not undefined, not a domain error).
  private mutating func isFiniteAtPoint(_ e: Expr) -> Bool {
    if let known = finite[e] { return known }
    var answer = false
    if case .value(let v) = CertifiedEvaluator(values: point).evaluate([e])[0] { answer = v.value.isFinite }
    finite[e] = answer
    return answer
  }

  /// `e` with the infinite inputs substituted, when that is its limit and the result is
  /// finite in form (no `+-inf` or `undefined` left); nil otherwise (take the limit).
  mutating func finiteForm(of e: Expr) -> Expr? {
    let infinite = self.infinite
    // Moved out while the fold runs (its closure updates `finite`), so it is not copied.
    var memo: [Expr: Expr?] = [:]
    swap(&memo, &self.memo)
    defer { swap(&memo, &self.memo) }
    let result = e.fold(memo: &memo) { node, kids -> Expr? in
      switch node.kind {
      case .symbol(let name): return infinite[name] ?? node
      case .number, .constant: return node
      default: break
      }
      var children: [Expr] = []
      children.reserveCapacity(kids.count)
      for k in kids {
        guard let k else { return nil }
        children.append(k)
      }
      let original = node.children
      if children == original { return node }
      guard InfiniteInputSubstitution.isContinuous(node, original, children) else { return nil }
      let rebuilt = node.rebuilt(with: children)
      // Absorption (`0 * f = 0`, `min(-inf, f) = -inf`) drops children; construction
      // assumes them finite, so each dropped child must be finite at the point
      // (`0 * 1/x` at x = 0 is not 0). A symbol-free result from children with symbols is
      // the sign of it.
      if rebuilt.node.lowestSymbolID > rebuilt.node.highestSymbolID {
        for c in children where c.node.lowestSymbolID <= c.node.highestSymbolID {
          guard isFiniteAtPoint(c) else { return nil }
        }
      }
      // Every node's value must be a definite extended real: finite in form, or exactly
      // +-inf. Construction leaves forms such as `sin(inf)` or `-inf + cos(1)` unevaluated,
      // and rules applied to them later (`1/(sin(inf)*inf) = 0`) are not limits.
      guard !rebuilt.containsNonFinite || rebuilt == .infinity || rebuilt == .negativeInfinity else { return nil }
      return rebuilt
    }
    guard let r = result, !r.containsNonFinite else { return nil }
    return r
  }

  /// Whether `node`'s operation is continuous at its substituted children `new` (see the
  /// type's comment for the refused cases).
  private static func isContinuous(_ node: Expr, _ old: [Expr], _ new: [Expr]) -> Bool {
    // A child that changed into a symbol-free expression (a number, or a constant form).
    func becameExact(_ i: Int) -> Bool { new[i] != old[i] && new[i].node.lowestSymbolID > new[i].node.highestSymbolID }
    switch node.kind {
    case .apply(.sign, _), .apply(.unitInterval, _):
      return false
    case .apply(let f, _) where f.isSelection:
      return false
    case .apply(.log, _):
      guard becameExact(0) else { return true }
      return new[0].rationalValue.map { $0 > Rational(0) } ?? false
    case .apply(.log1p, _):
      guard becameExact(0) else { return true }
      return new[0].rationalValue.map { $0 > Rational(-1) } ?? false
    case .power(_, let exponent):
      if new[1] != old[1] { return false }
      guard let r = exponent.rationalValue else { return false }
      if !r.isInteger && becameExact(0) && (new[0].rationalValue.map { $0 <= Rational(0) } ?? true) { return false }
      return true
    default:
      return true
    }
  }
}
