extension Expr {
  /// The expression with its masks resolved: when it contains the constants `+inf`/`-inf`
  /// (additive attention masks, `-inf` logits), its limit as those constants tend to
  /// infinity together at one rate — the semantics of `limitValue(at:)` — with every
  /// symbol held as a finite constant, if that limit is decided and finite; otherwise the
  /// expression itself, unchanged.
  ///
  /// ```swift
  /// // A causal mask's entry e^{-inf + s}/(e^{-inf + s} + e^{r}) prints as 0, its row
  /// // neighbour e^{r}/(e^{-inf + s} + e^{r}) as 1.
  /// try Expr(parsing: "exp(-inf + s)/(exp(-inf + s) + exp(r))").resolvingMasks()   // 0
  /// ```
  ///
  /// The result equals the expression's value at every point where the symbols are
  /// finite and the expression is defined. A limit that depends on the sign of a symbol
  /// (`exp(-inf*q)`) is not decided, and the expression is kept: masks are resolved only
  /// where no assumption about the symbols is needed beyond finiteness. What LaTeX for
  /// papers prints (`symgrad latex`), so masked terms do not appear as `e^{-\infty + s}`.
  public func resolvingMasks() -> Expr { Expr.resolvingMasks([self])[0] }

  /// `resolvingMasks()` of each entry (a gradient, a Jacobian), with one limit engine
  /// for all (entries share their subexpressions) and one budget in all: once the limits
  /// have done as much work as one limit may (`LimitEngine.workBudget` steps), or
  /// `maximumMaskedEntries` entries have been tried, the remaining entries are kept as
  /// written, so a large masked matrix cannot take a limit per entry (a 387 x 387
  /// `generate_square_subsequent_mask`: 75,000 tiny limits, 3.8 s; fuzz seed 17 #121543).
  /// The constants `inf` and `-inf` themselves are their own limits. Counted work, not
  /// time: the result is deterministic.
  public static func resolvingMasks(_ entries: [Expr]) -> [Expr] {
    let engine = LimitEngine()
    var tried = 0
    return entries.map { e in
      guard e.containsInfinity, e != .infinity, e != .negativeInfinity else { return e }
      guard tried < maximumMaskedEntries, engine.workAcrossLimits <= LimitEngine.workBudget else { return e }
      tried += 1
      let substituted = e.substituting([.infinity: engine.t, .negativeInfinity: -engine.t])
      guard case .finite(let value) = engine.limitAtInfinity(substituted), !value.contains(engine.t) else { return e }
      return value
    }
  }

  /// The most entries `resolvingMasks(_:)` takes a limit of: a 32 x 32 masked matrix.
  public static let maximumMaskedEntries = 1024
}
