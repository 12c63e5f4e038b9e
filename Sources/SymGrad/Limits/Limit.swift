import Foundation

extension Expr {
  /// The limit as the symbol `variable` approaches `point`.
  ///
  /// At `+-inf` this is the Gruntz algorithm of `LimitEngine`; at a finite point `c` the
  /// variable is replaced by `c + 1/t` (right) or `c - 1/t` (left), `t -> +inf`; `.both`
  /// requires the two sides to agree. Other symbols stay symbolic (treated as finite
  /// constants; the limit may then depend on them, or be undecidable without their sign).
  ///
  /// ```swift
  /// (exp(x) / (exp(x) + 1)).limit(as: x, approaches: .infinity)   // 1
  /// ```
  public func limit(as variable: Expr, approaches point: LimitPoint) -> LimitValue {
    let expression = self
    let engine = LimitEngine()
    switch point {
    case .infinity:
      return engine.limitAtInfinity(expression.substituting([variable: engine.t]))
    case .negativeInfinity:
      return engine.limitAtInfinity(expression.substituting([variable: -engine.t]))
    case .value(let c, let side):
      let right = { engine.limitAtInfinity(expression.substituting([variable: c + 1 / engine.t])) }
      let left = { engine.limitAtInfinity(expression.substituting([variable: c - 1 / engine.t])) }
      switch side {
      case .right: return right()
      case .left: return left()
      case .both:
        // An undefined right-hand limit (or one past its budget) is the answer whatever the
        // left one is: it is not computed (the substitution alone cost 0.2 s for a 2,500-term
        // sum, fuzz seed 11 #98007).
        let r = right()
        if case .undefined = r { return r }
        let l = left()
        if r == l { return r }
        if case .finite(let a) = r, case .finite(let b) = l, engine.isNegligible(a - b) { return r }
        if case .undefined = l { return l }
        return .undefined(.noLimit("the left limit \(l) and the right limit \(r) differ"))
      }
    }
  }
}

extension Expr {
  /// The value at a point of the extended reals, as a limit.
  ///
  /// Semantics: inputs assigned `+inf` or `-inf` tend to infinity **together, at the same
  /// rate** (each `x_i = +-t`, `t -> inf`), and so do the constants `+-inf` written in
  /// the expression (masks); finite inputs stay fixed at their exact decimal value.
  /// When every input is finite the value is the exact value if defined; if exact
  /// substitution meets an indeterminate form (`0/0`), the limit as every input
  /// approaches its value from above together (`x_i = c_i + 1/t`). NaN inputs give
  /// `undefined`.
  public func limitValue(at values: [String: Double]) -> LimitValue {
    Expr.limitValues(of: [self], at: values)[0]
  }

  /// `limitValue(at:)` of several expressions at one point, sharing the work on common
  /// subexpressions (the entries of a gradient or Jacobian).
  public static func limitValues(of expressions: [Expr], at values: [String: Double]) -> [LimitValue] {
    let engine = LimitEngine()
    var memo: [Expr: Expr] = [:]
    return expressions.map { $0.limitValue(at: values, engine: engine, substitutionMemo: &memo) }
  }

  private func limitValue(at values: [String: Double], engine: LimitEngine, substitutionMemo: inout [Expr: Expr])
    -> LimitValue
  {
    var substitution: [Expr: Expr] = [:]
    var anyInfinite = false
    for name in freeSymbols {
      guard let v = values[name] else { return .undefined(.undefinedInput("no value given for symbol '\(name)'")) }
      let s = Expr.symbol(name)
      if v.isNaN { return .undefined(.undefinedInput("\(name) is NaN")) }
      if v.isInfinite {
        anyInfinite = true
        substitution[s] = v > 0 ? engine.t : -engine.t
      } else {
        substitution[s] = Expr(v)
      }
    }
    // The constants +-inf (masks) tend to infinity with the infinite inputs. They are
    // replaced in the same pass as the inputs: substituting the finite values first would
    // let `-inf + 2*y` absorb its finite part (`-inf + 4 = -inf`) and lose the rate.
    if containsInfinity {
      anyInfinite = true
      substitution[.infinity] = engine.t
      substitution[.negativeInfinity] = -engine.t
    }
    let substituted = fold(memo: &substitutionMemo) { e, kids in substitution[e] ?? e.rebuilt(with: kids) }
    if !anyInfinite && !substituted.containsInfinity {
      if !substituted.containsUndefined { return LimitValue.finite(substituted).checkingDomain() }
      // 0/0 and friends at a finite point: approach it from above, together.
      var approach: [Expr: Expr] = [:]
      for name in freeSymbols { approach[.symbol(name)] = Expr(values[name]!) + 1 / engine.t }
      return engine.limitAtInfinity(substituting(approach))
    }
    return engine.limitAtInfinity(substituted)
  }

  /// The numeric value at `values`, as `certifiedValues(of:at:)` computes it: certified
  /// (faithfully rounded) where it can be, the limit at infinite inputs, NaN where
  /// undefined. `certifiedValue(at:)`-style status is available from
  /// `Expr.certifiedValues(of:at:)`; IEEE arithmetic from `evaluateIEEE(at:)`.
  ///
  /// Throws `EvaluationError.unboundSymbol` / `.domain` (a certain domain error).
  public func evaluate(at values: [String: Double] = [:]) throws -> Double {
    try Expr.certifiedValues(of: [self], at: values)[0].value
  }

  /// Whether the constants `+inf`/`-inf` occur (O(1): a flag of the node).
  var containsInfinity: Bool {
    node.nonFinite & (ExprNode.NonFinite.plusInfinity | ExprNode.NonFinite.minusInfinity) != 0
  }

  /// Whether `undefined` occurs (O(1)).
  var containsUndefined: Bool { node.nonFinite & ExprNode.NonFinite.undefined != 0 }

  /// Whether `+inf`, `-inf` or `undefined` occurs (O(1)).
  var containsNonFinite: Bool { node.nonFinite & ExprNode.NonFinite.any != 0 }
}
