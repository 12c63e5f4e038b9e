/// Factoring the largest exponential out of a log-sum-exp of constants:
/// `log(k_1 exp(a_1) + ... + k_n exp(a_n)) = a_j + log(k_j + sum_{i != j} k_i exp(a_i - a_j))`.
///
/// The identity holds for every real `a_i` and positive `k_i` (both sides are defined
/// exactly when the `a_i` are), so the rewrite never widens a domain; it only changes
/// which cancellations are visible. It exists for sign decisions on constants such as
/// `2500 log(exp(-10**9 - 5731/2500) + exp(-5731/2500)) + 5731` (a log-softmax under a
/// `-1e9` mask, taken at a limit point): the value is about `2500 exp(-10**9)`, which no
/// enclosure below 10^9 bits separates from 0, while the factored form simplifies to
/// `2500 log(1 + exp(-10**9))`, positive by its structure.
extension Expr {
  /// Every `log` of a sum of at least two terms, each `exp(a)` or `k*exp(a)` (`k` a
  /// positive number, `a` free of symbols), with no other terms, rewritten as above with
  /// `j` the term whose exponent is largest by a 96-bit enclosure (ties and exponents
  /// without an enclosure: the first in canonical order, so the choice is deterministic;
  /// any `j` gives an identity). The factored sum holds the number `k_j`, so the rule
  /// does not apply to its own result. `self` when nothing matches.
  func factoringLogSumExp() -> Expr {
    guard containsLogOfExponentialSum else { return self }
    var memo: [Expr: Expr] = [:]
    return fold(memo: &memo) { node, kids in
      let rebuilt = node.rebuilt(with: kids)
      guard case .apply(.log, let args) = rebuilt.kind, let terms = Expr.weightedExponentials(args[0]) else {
        return rebuilt
      }
      var best = 0
      var bestMidpoint: Double? = nil
      for (i, term) in terms.enumerated() {
        guard let enclosure = CertifiedEvaluator.enclosure(of: term.exponent) else { continue }
        let midpoint = (enclosure.lo.approximateDouble + enclosure.hi.approximateDouble) / 2
        guard midpoint.isFinite else { continue }
        if bestMidpoint.map({ midpoint > $0 }) ?? true {
          best = i
          bestMidpoint = midpoint
        }
      }
      let m = terms[best].exponent
      var rest: [Expr] = [terms[best].weight]
      for (i, term) in terms.enumerated() where i != best {
        rest.append(term.weight * exp(term.exponent - m))
      }
      return m + log(.sum(rest))
    }
  }

  /// Whether some `log` node's argument is a sum of weighted exponentials of constants.
  var containsLogOfExponentialSum: Bool {
    var memo: [Expr: Bool] = [:]
    return fold(memo: &memo) { node, kids in
      if kids.contains(true) { return true }
      if case .apply(.log, let args) = node.kind { return Expr.weightedExponentials(args[0]) != nil }
      return false
    }
  }

  /// The terms `k*exp(a)` of a sum of at least two such terms (`k` positive, `a` free of
  /// symbols and of `+-inf`), nil when the expression is not one.
  private static func weightedExponentials(_ e: Expr) -> [(weight: Expr, exponent: Expr)]? {
    guard case .sum(let ts) = e.kind, ts.count >= 2 else { return nil }
    var out: [(weight: Expr, exponent: Expr)] = []
    for t in ts {
      var weight = Expr.number(1)
      var factor = t
      if case .product(let fs) = t.kind, fs.count == 2, let k = fs[0].rationalValue, k.signum > 0 {
        weight = fs[0]
        factor = fs[1]
      }
      guard case .apply(.exp, let a) = factor.kind, a[0].isSymbolFree, !a[0].containsNonFinite else { return nil }
      out.append((weight, a[0]))
    }
    return out
  }
}
