/// Heavier simplification than the canonical construction rules.
///
/// `simplified()` applies, bottom-up:
/// - **exp/log rules**: `log(a*b) = log(a) + log(b)` and `log(a**n) = n*log(a)` when the
///   factors are provably positive (exponentials, sigmoid, softplus, positive numbers and
///   sums/products/powers of those), so `log(exp(x)/S) = x - log(S)`;
/// - **rational-function normalization** over kernels (symbols, exponentials of non-sums,
///   other function applications, irrational powers), with `exp(a + b)` split into
///   `exp(a)*exp(b)` and `exp(n*u) = exp(u)**n`: sums are brought over a common
///   denominator, the numerator is expanded, and each denominator factor that divides the
///   numerator exactly is cancelled (multivariate division).
///
/// Equal rational functions of the same kernels normalize to the same expression, so
/// `(a - b).simplified() == 0` decides their equality. Simplification never grows an
/// expression (size as printed): when normalizing everything would, normal forms are used
/// only where they do not grow the node they replace, so `(b + 2)**12` and
/// `sin((z + 1)**4)` keep their powers (expanding them would also make double evaluation
/// lose accuracy). Everything is exact. A size
/// budget (a few thousand terms) keeps it fast: past it, the expression is returned with
/// only its children simplified. Symbols are real; no rule assumes a sign it cannot see.
/// Subexpressions holding `+-inf` or `undefined` are not normalized (the extended reals
/// are not a field: `2*inf = inf` would make `2 - x/(inf + x)` cancel to 1).
extension Expr {
  /// `simplified()` after rewriting sigmoid, softplus, tanh, log1p and expm1 into
  /// exponentials and logarithms (`sigmoid(u) = 1/(1 + exp(-u))`,
  /// `softplus(u) = log(1 + exp(u))`, ...), so identities between them are found:
  /// `sigmoid(-z) - (1 - sigmoid(z))` and `log(sigmoid(z)) + softplus(-z)` become 0.
  /// Activations are rewritten through their definitions first (`silu(z) - z*sigmoid(z)`
  /// becomes 0).
  public func simplifiedInExponentials() -> Expr {
    func rewrite(_ node: Expr, _ k: [Expr]) -> Expr {
      guard case .apply(let f, _) = node.kind else { return node.rebuilt(with: k) }
      if let d = f.transformedDefinition(k, rewrite) { return d }
      let u = k[0]
      switch f {
      case .sigmoid: return 1 / (1 + exp(-u))
      case .softplus: return log(1 + exp(u))
      case .tanh: return (exp(2 * u) - 1) / (exp(2 * u) + 1)
      case .log1p: return log(1 + u)
      case .expm1: return exp(u) - 1
      default: return node.rebuilt(with: k)
      }
    }
    var memo: [Expr: Expr] = [:]
    return fold(memo: &memo, rewrite).simplified()
  }

  public func simplified() -> Expr {
    var sizes: [Expr: Int] = [:]
    let original = Simplifier.size(self, &sizes)
    // First every normal form (this is what proves identities: a normalized argument can
    // make a log rule apply above it); if that grew the expression, normal forms only
    // where they do not grow the node they replace.
    // Both passes share one work budget (`Simplifier.workBudget`) and the normal forms
    // computed (a node the second pass rebuilds as the first did is not normalized
    // again), so a call costs at most one budget's work.
    var normalForms: [Expr: Expr?] = [:]
    func normalForm(_ e: Expr) -> Expr? {
      if let known = normalForms[e] { return known }
      let n = Simplifier.normalize(e)
      normalForms[e] = .some(n)
      return n
    }
    return Simplifier.withWorkCounter {
      var memo: [Expr: Expr] = [:]
      let full = fold(memo: &memo) { node, kids in
        let rebuilt = Simplifier.logRules(node.rebuilt(with: kids))
        return normalForm(rebuilt) ?? rebuilt
      }
      if Simplifier.size(full, &sizes) <= original { return full }
      memo = [:]
      return fold(memo: &memo) { node, kids in
        let rebuilt = Simplifier.logRules(node.rebuilt(with: kids))
        guard let normal = normalForm(rebuilt),
          Simplifier.size(normal, &sizes) <= Simplifier.size(rebuilt, &sizes)
        else { return rebuilt }
        return normal
      }
    }
  }
}

enum Simplifier {
  struct TooLarge: Error {}
  /// The most terms a polynomial may reach before normalization gives up on a node.
  /// Task-local so that callers who only *try* to prove something (the limit engine's zero
  /// test) can ask for a cheaper attempt: `Simplifier.$termBudget.withValue(400) { ... }`.
  @TaskLocal static var termBudget = 3000
  /// The most bits (numerator and denominator) one polynomial coefficient may reach.
  static let coefficientBitBudget = 4096
  /// The most monomial products one normalization (or one call of `simplified()`, both
  /// passes over all its nodes) may compute, each pair of terms of two multiplied
  /// polynomials being one (weighted by coefficient size: `Polynomial.productCost`);
  /// past it, normalization gives up on the remaining nodes (they stay as built).
  /// Task-local like `termBudget`: the zero test asks for less.
  @TaskLocal static var workBudget = 1_000_000

  /// The work of the normalization in progress (set by `normalize`).
  final class WorkCounter: @unchecked Sendable {
    var count = 0
    let limit: Int
    init(limit: Int) { self.limit = limit }
  }
  @TaskLocal static var counter: WorkCounter?

  /// Runs `body` with a fresh work counter, or the caller's when one is running (a
  /// `simplified()` pass charges all its nodes to one counter).
  static func withWorkCounter<T>(_ body: () -> T) -> T {
    if counter != nil { return body() }
    return $counter.withValue(WorkCounter(limit: workBudget), operation: body)
  }

  /// Charges `products` monomial products to the normalization in progress.
  static func charge(_ products: Int) throws {
    guard let counter else { return }
    counter.count += products
    if counter.count > counter.limit { throw TooLarge() }
  }

  /// A rational function: expanded numerator over a product of denominator factors.
  struct Fraction {
    var numerator: Polynomial
    var denominator: [(Polynomial, Int)]
  }

  final class Kernels {
    var list: [Expr] = []
    var index: [Expr: Int] = [:]
    func id(_ e: Expr) -> Int {
      if let i = index[e] { return i }
      // Kernel order follows the canonical order so results are deterministic.
      list.append(e)
      index[e] = list.count - 1
      return list.count - 1
    }
  }

  static func isPositive(_ e: Expr) -> Bool { e.isProvablyPositive }

  /// The size of `e` as printed (a tree: shared nodes counted at each use, saturating),
  /// memoized across one simplification.
  static func size(_ e: Expr, _ sizes: inout [Expr: Int]) -> Int {
    e.fold(memo: &sizes) { _, kids in kids.reduce(1) { $0.addingReportingOverflow($1).overflow ? Int.max : $0 + $1 } }
  }

  static func logRules(_ e: Expr) -> Expr {
    guard case .apply(.log, let a) = e.kind else { return e }
    let x = a[0]
    switch x.kind {
    case .product(let fs) where fs.allSatisfy(isPositive):
      return .sum(fs.map { logRules(log($0)) })
    case .power(let b, let n) where isPositive(b):
      return n * logRules(log(b))
    default: return e
    }
  }

  /// The normalized form, or nil when nothing applies or the budget is exceeded.
  ///
  /// Nothing that contains `+-inf` or `undefined` is normalized: rational-function
  /// arithmetic holds in a field, and the extended reals are not one. Bringing
  /// `2 - x/(inf + x)` over its denominator gives `(2*inf + x)/(inf + x)`, and `2*inf = inf`
  /// would then cancel it to 1, where its value is 2.
  static func normalize(_ e: Expr) -> Expr? {
    switch e.kind {
    case .sum, .product, .power: break
    default: return nil
    }
    guard !e.containsNonFinite else { return nil }
    let kernels = Kernels()
    return withWorkCounter {
      guard let f = try? fraction(e, kernels) else { return nil }
      let cancelled = cancel(f)
      // Rebuilding the expression makes one canonical product per term (and a sum per
      // polynomial): measured, about as costly as 16 monomial products per term plus 4
      // per kernel factor, which the products above do not count.
      guard (try? charge(rebuildCost(cancelled))) != nil else { return nil }
      return expression(cancelled, kernels)
    }
  }

  /// The work units of turning `f` back into an expression (see `normalize`).
  static func rebuildCost(_ f: Fraction) -> Int {
    func cost(_ p: Polynomial) -> Int {
      p.terms.keys.reduce(0) { $0 + 16 + 2 * $1.count }  // a monomial holds (kernel, exponent) pairs
    }
    return f.denominator.reduce(cost(f.numerator)) { $0 + cost($1.0) }
  }

  static func fraction(_ e: Expr, _ k: Kernels) throws -> Fraction {
    switch e.kind {
    case .number(let r): return Fraction(numerator: .constant(r), denominator: [])
    case .sum(let ts):
      // Terms without a denominator are summed in place (adding them one at a time to a
      // fraction copied its numerator each time: O(n^2) for a sum of 3,000 exponentials);
      // the others are brought to a common denominator in order, which keeps the
      // denominators in order of first appearance. Exact arithmetic: the grouping does not
      // change the result.
      var polynomialPart = Polynomial.zero
      var acc: Fraction?
      for t in ts {
        let f = try fraction(t, k)
        if f.denominator.isEmpty {
          try charge(f.numerator.terms.count)
          polynomialPart += f.numerator
        } else {
          acc = try acc.map { try add($0, f) } ?? f
        }
      }
      let whole = Fraction(numerator: polynomialPart, denominator: [])
      return try acc.map { try add($0, whole) } ?? whole
    case .product(let fs):
      // Multiplied as a balanced tree: a product of n factors whose monomials grow would
      // cost O(n^2) multiplied left to right (400 symbols: 0.7 s). Exact arithmetic, so
      // the order of multiplication does not change the result; denominators keep their
      // order of first appearance.
      var level = try fs.map { try fraction($0, k) }
      while level.count > 1 {
        var next: [Fraction] = []
        next.reserveCapacity((level.count + 1) / 2)
        var i = 0
        while i + 1 < level.count {
          next.append(try multiply(level[i], level[i + 1]))
          i += 2
        }
        if i < level.count { next.append(level[i]) }
        level = next
      }
      return level.first ?? Fraction(numerator: .constant(Rational(1)), denominator: [])
    case .power(let b, let p):
      if let r = p.rationalValue, r.isInteger, let n = r.numerator.asInt, n.magnitude <= 16 {
        let base = try fraction(b, k)
        if n >= 0 {
          var acc = Fraction(numerator: .constant(Rational(1)), denominator: [])
          for _ in 0..<n { acc = try multiply(acc, base) }
          return acc
        }
        guard !base.numerator.isZero else { throw TooLarge() }
        // Invert: the old denominator factors multiply out into the numerator.
        var num = Polynomial.constant(Rational(1))
        for (d, m) in base.denominator {
          let dm = try d.power(m)
          num = try Polynomial.product(num, dm)
        }
        try check(num)
        return Fraction(numerator: num, denominator: [(base.numerator, -n)])
      }
      return Fraction(numerator: .kernel(k.id(e)), denominator: [])
    case .apply(.exp, let a):
      // exp(a + b) = exp(a) exp(b); exp(n u) = exp(u)^n for integers n.
      let terms: [Expr]
      if case .sum(let ts) = a[0].kind { terms = ts } else { terms = [a[0]] }
      var acc = Fraction(numerator: .constant(Rational(1)), denominator: [])
      for t in terms {
        let (c, rest) = t.coefficientAndRest
        if let r = t.rationalValue {
          acc = try multiply(acc, Fraction(numerator: .kernel(k.id(exp(.number(r)))), denominator: []))
        } else if c.isInteger, let n = c.numerator.asInt, n != 0, n.magnitude <= 16 {
          let kernel = Polynomial.kernel(k.id(exp(rest)), power: Int(n.magnitude))
          acc = try multiply(
            acc,
            n > 0
              ? Fraction(numerator: kernel, denominator: [])
              : Fraction(numerator: .constant(Rational(1)), denominator: [(kernel, 1)]))
        } else {
          acc = try multiply(acc, Fraction(numerator: .kernel(k.id(exp(t))), denominator: []))
        }
      }
      return acc
    default:
      return Fraction(numerator: .kernel(k.id(e)), denominator: [])
    }
  }

  static func check(_ p: Polynomial) throws {
    if p.terms.count > termBudget { throw TooLarge() }
    // Coefficients grow too: (1e-400 x + ...)**4 has 5,000-bit rationals whose gcds took
    // seconds. Past `coefficientBitBudget` bits in one coefficient, normalization gives up
    // on the node (the expression stays as built: correct, only not normalized).
    for c in p.terms.values where c.bitSize > coefficientBitBudget {
      throw TooLarge()
    }
  }

  static func multiply(_ a: Fraction, _ b: Fraction) throws -> Fraction {
    let n = try Polynomial.product(a.numerator, b.numerator)
    try check(n)
    return Fraction(numerator: n, denominator: merged(a.denominator, b.denominator, +))
  }

  /// Factor lists merged: multiplicities of a factor in both combined by `combine`, the
  /// order of first appearance kept. Found by hash, not by comparing polynomials one by
  /// one (a product of a thousand reciprocals compared half a million pairs).
  static func merged(_ a: [(Polynomial, Int)], _ b: [(Polynomial, Int)], _ combine: (Int, Int) -> Int) -> [(
    Polynomial, Int
  )] {
    if b.isEmpty { return a }
    var out = a
    var index: [Polynomial: Int] = [:]
    for (i, entry) in out.enumerated() where index[entry.0] == nil { index[entry.0] = i }
    for (f, m) in b {
      if let i = index[f] {
        out[i].1 = combine(out[i].1, m)
      } else {
        index[f] = out.count
        out.append((f, m))
      }
    }
    return out
  }

  static func add(_ a: Fraction, _ b: Fraction) throws -> Fraction {
    // Common denominator: the least common multiple of the factor lists.
    let lcm = merged(a.denominator, b.denominator) { Swift.max($0, $1) }
    func lift(_ x: Fraction) throws -> Polynomial {
      var p = x.numerator
      var multiplicity: [Polynomial: Int] = [:]
      for (f, m) in x.denominator where multiplicity[f] == nil { multiplicity[f] = m }
      for (f, m) in lcm {
        let have = multiplicity[f] ?? 0
        if m > have {
          let fm = try f.power(m - have)
          p = try Polynomial.product(p, fm)
        }
        try check(p)
      }
      return p
    }
    return Fraction(numerator: try lift(a) + lift(b), denominator: lcm)
  }

  static func cancel(_ f: Fraction) -> Fraction {
    var num = f.numerator
    var den: [(Polynomial, Int)] = []
    for (d, m) in f.denominator {
      var left = m
      if let c = d.constantValue, !c.isZero {
        num = num.scaled(c.power(-m)!)
        continue
      }
      while left > 0, !num.isZero, let q = num.exactlyDivided(by: d) {
        num = q
        left -= 1
      }
      if left > 0 { den.append((d, left)) }
    }
    if num.isZero { return Fraction(numerator: .zero, denominator: []) }
    return Fraction(numerator: num, denominator: den)
  }

  static func expression(_ f: Fraction, _ k: Kernels) -> Expr {
    func expr(_ p: Polynomial) -> Expr {
      .sum(
        p.terms.map { m, c in
          var factors: [Expr] = [.number(c)]
          var i = 0
          while i < m.count {
            factors.append(.power(k.list[m[i]], .number(m[i + 1])))
            i += 2
          }
          return .product(factors)
        })
    }
    var factors = [expr(f.numerator)]
    for (d, m) in f.denominator { factors.append(.power(expr(d), .number(-m))) }
    return .product(factors)
  }
}
