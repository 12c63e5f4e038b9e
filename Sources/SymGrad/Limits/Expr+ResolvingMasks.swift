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
  public func resolvingMasks() -> Expr {
    guard containsInfinity else { return self }
    let engine = LimitEngine()
    let substituted = substituting([.infinity: engine.t, .negativeInfinity: -engine.t])
    guard case .finite(let value) = engine.limitAtInfinity(substituted), !value.contains(engine.t) else { return self }
    return value
  }
}
