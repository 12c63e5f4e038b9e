import Synchronization

/// An exponent of ω: an exact real constant (rational, or irrational such as
/// `log(3)/log(5)`, which arises when `3**t` and `5**t` share a comparability class),
/// ordered by value. Rationals compare exactly; others by certified values: disjoint
/// 96-bit enclosures (computed once per exponent), or faithful doubles more than two ulps
/// apart, else by the certified sign of the difference (exact zero proved by canonical
/// form). Two distinct constants equal to beyond the precision cap (4096 bits) are ordered
/// by their approximations only to finish a sort: the comparison is recorded
/// (`uncertified`) and the limit engine turns the limit into `undecided`.
struct Exponent: Hashable, Comparable {
  let expr: Expr
  /// A 96-bit enclosure of an irrational exponent, computed once: most comparisons are
  /// decided by disjoint enclosures without evaluating again. Nil for rationals (compared
  /// exactly) and when the constant has no finite enclosure at that precision.
  let enclosure: Interval?
  /// The cost of an irrational exponent in work-meter steps (see `weight`).
  private let irrationalWeight: Int

  init(_ r: Rational) {
    expr = .number(r)
    enclosure = nil
    irrationalWeight = 0
  }

  /// A constant exponent; a non-rational one is put in `simplified()` normal form, so
  /// that equal exponents written differently are one key when series terms are merged.
  init(_ e: Expr) { self.init(e, enclosure: nil) }

  /// An irrational exponent whose enclosure is known already (the sum or difference of
  /// two enclosed exponents): no evaluation. `normalize: false` keeps the canonical
  /// expression as built when its enclosure excludes 0: sums, differences and integer
  /// multiples of exponents already in normal form (series products add them pair by
  /// pair, and simplifying each sum of two 2,000-character constants took a second of one
  /// limit). Keys equal in value but written differently are still one term:
  /// `mergingEqualExponents` merges keys whose difference is proved 0, and a difference it
  /// cannot decide makes the limit undecided.
  private init(_ e: Expr, enclosure known: Interval?, normalize: Bool = true) {
    if let r = e.rationalValue {
      expr = .number(r)
      enclosure = nil
      irrationalWeight = 0
      return
    }
    // A sum whose enclosure does not exclude 0 may be exactly 0 written otherwise
    // (`2/(sqrt(5) - 1) - (1 + sqrt(5))/2`): its normal form decides (and is the 0 key).
    let mayBeZero = (known?.sign).map { $0 == 0 } ?? true
    expr = normalize || mayBeZero ? Exponent.normalForm(e) : e
    enclosure = known ?? CertifiedEvaluator.enclosure(of: expr)
    var memo: [Expr: Int] = [:]
    let bits = expr.fold(memo: &memo) { node, kids in
      kids.reduce(node.rationalValue?.bitSize ?? 1, +)
    }
    irrationalWeight = 8 + bits / 8
  }

  /// A double near the value: the rational rounded, the enclosure's lower end, or, for an
  /// irrational without a 96-bit enclosure, its certified value (evaluated only when a
  /// comparison gets this far, and remembered per expression: creating exponents used to
  /// evaluate each one up to 4096 bits).
  var approximation: Double {
    if let r = rational { return r.toDouble() }
    if let enclosure { return enclosure.lo.approximateDouble }
    return Exponent.certifiedApproximation(expr).value
  }

  /// A double that costs no evaluation (the rational rounded, the enclosure's lower end,
  /// else 0), never NaN: a consistent order for finishing a sort whose result is discarded.
  private var cheapKey: Double {
    let v = rational?.toDouble() ?? enclosure?.lo.approximateDouble ?? 0
    return v.isNaN ? 0 : v
  }

  /// Whether `approximation` is a faithful rounding (rationals, and irrationals without an
  /// enclosure whose certified value is certified), so that doubles more than two ulps
  /// apart order the exact values.
  private var faithful: Bool {
    if rational != nil { return true }
    return enclosure == nil && Exponent.certifiedApproximation(expr).certified
  }

  private static func certifiedApproximation(_ e: Expr) -> (value: Double, certified: Bool) {
    approximationCache.value(for: e) { (try? $0.certifiedValue()).map { ($0.value, $0.certified) } ?? (.nan, false) }
  }

  private static let approximationCache = BoundedMemo<Expr, (value: Double, certified: Bool)>()

  /// `e.simplified()`, remembered: series products add the same irrational exponents
  /// pair by pair, and simplifying a 100-node constant each time took most of a limit.
  /// The key holds the simplifier's task-local budgets, so the cache returns what a fresh
  /// call would (a pure function of the key); inside a running `simplified()` pass, whose
  /// shared counter makes the result depend on what that pass spent, nothing is cached.
  private static func normalForm(_ e: Expr) -> Expr {
    guard Simplifier.counter == nil else { return e.simplified() }
    let key = NormalFormKey(expr: e, termBudget: Simplifier.termBudget, workBudget: Simplifier.workBudget)
    return normalForms.value(for: key) { $0.expr.simplified() }
  }

  private struct NormalFormKey: Hashable {
    let expr: Expr
    let termBudget: Int
    let workBudget: Int
  }

  private static let normalForms = BoundedMemo<NormalFormKey, Expr>()

  static let zero = Exponent(Rational(0))

  /// What comparing or adding this exponent costs, in work-meter steps: 1 for a small
  /// rational, one more per 64-bit word of numerator and denominator (exponents such as
  /// 10**400/7 come from huge inputs, and their products grow); for an irrational
  /// constant (created, simplified and compared by certified evaluation) 8 plus one per
  /// 8 bits of the numbers in it (`sqrt(2)/10**300` offsets need a thousand-bit
  /// evaluation to be told apart).
  var weight: Int {
    guard let r = rational else { return irrationalWeight }
    return 1 + r.words
  }

  var isZero: Bool { expr.isZero }
  var rational: Rational? { expr.rationalValue }

  static func == (a: Exponent, b: Exponent) -> Bool { a.expr == b.expr }
  func hash(into h: inout Hasher) { h.combine(expr) }

  static func < (a: Exponent, b: Exponent) -> Bool { order(a, b).less }

  /// `a < b`, charging `meter` for what deciding it cost: a step for exponents that
  /// compare exactly, by their enclosures or by faithful doubles, and
  /// `16 (precision / 96)^2` steps more for a certified comparison that had to evaluate
  /// their difference (tiny offsets such as sqrt(2)/10**300 need a thousand bits or more,
  /// and series can hold thousands of such exponents).
  static func less(_ a: Exponent, _ b: Exponent, charging meter: WorkMeter) -> Bool {
    // Past the budget the engine discards every result (it checks the meter before using
    // one): finish the sort by approximations instead of paying for certified comparisons
    // (a sort of 200 exponents 10^-300 apart ran 213 comparisons at 1,536 bits after the
    // budget was spent).
    if meter.exhausted {
      meter.count += 1
      return a.cheapKey < b.cheapKey
    }
    let (less, precision) = order(a, b)
    meter.count += 1
    if let precision {
      let r = precision / CertifiedEvaluator.initialPrecision
      meter.count += 16 * r * r
    }
    return less
  }

  /// Whether `a < b`, and the precision of the certified comparison when one was needed.
  private static func order(_ a: Exponent, _ b: Exponent) -> (less: Bool, certifiedPrecision: Int?) {
    if a.expr == b.expr { return (false, nil) }
    if let x = a.rational, let y = b.rational { return (x < y, nil) }
    // Disjoint enclosures order the exact values.
    if let p = a.enclosure ?? a.rational.flatMap({ CertifiedEvaluator.enclosure(of: .number($0)) }),
      let q = b.enclosure ?? b.rational.flatMap({ CertifiedEvaluator.enclosure(of: .number($0)) })
    {
      if p.hi < q.lo { return (true, nil) }
      if q.hi < p.lo { return (false, nil) }
    }
    // Faithful doubles more than two ulps apart order the exact values.
    let (p, q) = (a.approximation, b.approximation)
    if a.faithful && b.faithful && p.isFinite && q.isFinite && (p.nextUp.nextUp < q || q.nextUp.nextUp < p) {
      return (p < q, nil)
    }
    let certified = Exponent.certifiedOrder(a.expr, b.expr)
    guard let sign = certified.sign else {
      // Undecided: an order is still needed to finish the sort, but the limit engine
      // discards whatever depended on it (see `uncertified`).
      if let log = uncertified, log.first == nil { log.first = (a.expr, b.expr) }
      return (p < q, certified.precision)
    }
    return (sign < 0, certified.precision)
  }

  /// Where the limit in progress records the first comparison of two exponents that could
  /// not be certified (set by `LimitEngine.limitAtInfinity`).
  final class UncertifiedComparisons: @unchecked Sendable {
    var first: (Expr, Expr)?
  }
  @TaskLocal static var uncertified: UncertifiedComparisons?

  /// The certified sign of `a - b` and the precision that took, remembered per pair: a
  /// series merge sorts the same exponents again and again, and a difference that is
  /// exactly 0 (equal values written differently) takes every precision up to the cap to
  /// give up on. A pure function of the two expressions, so sharing it across threads
  /// and limits cannot change results.
  ///
  /// Like the zero test: an enclosure up to 384 bits, then an exact proof that the
  /// difference is 0 (equal exponents written differently, `4 - 1/(s + 1)` and
  /// `3 + s/(s + 1)`: the ladder to 4096 bits took 0.6 s to give up on them), then the
  /// rest of the ladder.
  private static func certifiedOrder(_ a: Expr, _ b: Expr) -> (sign: Int?, precision: Int) {
    orderCache.value(for: PairKey(a: a, b: b)) { key in
      let difference = key.a - key.b
      let first = CertifiedEvaluator.signAndPrecision(of: difference, upTo: 384)
      if first.sign != nil { return first }
      if LimitEngine.isProvedZeroBySimplification(difference) { return (0, first.precision) }
      return CertifiedEvaluator.signAndPrecision(of: difference, from: 768)
    }
  }

  /// Whether two exponents are proved equal: the same expression, or irrational ones
  /// whose difference is proved 0 (see `certifiedOrder`). Series merge such keys.
  static func provedEqual(_ a: Exponent, _ b: Exponent) -> Bool {
    if a.expr == b.expr { return true }
    if a.rational != nil && b.rational != nil { return false }
    // Ordered without a certified comparison (enclosures, faithful doubles): distinct.
    guard order(a, b).certifiedPrecision != nil else { return false }
    return certifiedOrder(a.expr, b.expr).sign == 0
  }

  private struct PairKey: Hashable {
    let a: Expr
    let b: Expr
  }

  private static let orderCache = BoundedMemo<PairKey, (sign: Int?, precision: Int)>()

  static func + (a: Exponent, b: Exponent) -> Exponent {
    if let x = a.rational, let y = b.rational { return Exponent(x + y) }
    return Exponent(a.expr + b.expr, enclosure: combined(a, b) { $0.add($1, $2) }, normalize: false)
  }
  static func - (a: Exponent, b: Exponent) -> Exponent {
    if let x = a.rational, let y = b.rational { return Exponent(x - y) }
    return Exponent(a.expr - b.expr, enclosure: combined(a, b) { $0.subtract($1, $2) }, normalize: false)
  }

  /// The enclosure of `a op b` from theirs (outward-rounded interval arithmetic at 96
  /// bits), nil when either has none.
  private static func combined(_ a: Exponent, _ b: Exponent, _ op: (IntervalArithmetic, Interval, Interval) -> Interval)
    -> Interval?
  {
    let arithmetic = IntervalArithmetic(precision: CertifiedEvaluator.initialPrecision)
    func enclosure(_ x: Exponent) -> Interval? {
      x.enclosure ?? x.rational.flatMap { try? arithmetic.number($0) }
    }
    guard let p = enclosure(a), let q = enclosure(b) else { return nil }
    return op(arithmetic, p, q)
  }
  static func * (a: Exponent, n: Int) -> Exponent {
    if let x = a.rational { return Exponent(x * Rational(n)) }
    let arithmetic = IntervalArithmetic(precision: CertifiedEvaluator.initialPrecision)
    let enclosure = a.enclosure.flatMap { try? arithmetic.multiply($0, by: n) }
    return Exponent(a.expr * .number(n), enclosure: enclosure, normalize: false)
  }
  static func * (a: Exponent, b: Exponent) -> Exponent {
    if let x = a.rational, let y = b.rational { return Exponent(x * y) }
    return Exponent(a.expr * b.expr)
  }
  /// The certified sign: exact for rationals, else by the enclosure when it excludes 0,
  /// else by `CertifiedEvaluator.sign` up to the precision cap. Nil when undecided (an
  /// irrational within 2^-4096 of 0 and not provably 0): never a guess.
  var signum: Int? {
    if isZero { return 0 }
    if let r = rational { return r.signum }
    if let s = enclosure?.sign { return s }
    return CertifiedEvaluator.sign(of: expr)
  }
}

/// A truncated generalized power series in the variable ω (ω -> 0+):
/// `sum_k c_k ω^(e_k) + O(ω^order)`, exponents increasing, coefficients nonzero
/// expressions that may still depend (more slowly) on the limit variable.
struct Series {
  var terms: [(exponent: Exponent, coefficient: Expr)]
  /// Terms at or beyond this exponent are unknown; nil when the series is exact.
  var order: Exponent?

  static func constant(_ c: Expr) -> Series {
    Series(terms: c.isZero ? [] : [(Exponent.zero, c)], order: nil)
  }

  var leading: (exponent: Exponent, coefficient: Expr)? { terms.first }

  /// `min(a, b)` treating nil as +infinity.
  static func minOrder(_ a: Exponent?, _ b: Exponent?) -> Exponent? {
    switch (a, b) {
    case (nil, nil): return nil
    case (let x?, nil): return x
    case (nil, let y?): return y
    case (let x?, let y?): return x < y ? x : y
    }
  }

  static func plus(_ a: Exponent?, _ b: Exponent) -> Exponent? { a.map { $0 + b } }

  /// Drops terms at or beyond `order` and zero coefficients.
  func truncated(_ isZero: (Expr) -> Bool) -> Series {
    Series(terms: terms.filter { t in (order.map { t.exponent < $0 } ?? true) && !isZero(t.coefficient) }, order: order)
  }
}

/// Counts the work of one limit; once past `limit` it is exhausted and the engine stops
/// (`LimitFailure.budget`). Arithmetic that cannot throw charges it and stops early; the
/// engine checks before it uses any result.
final class WorkMeter {
  var count = 0
  let limit: Int
  init(limit: Int) { self.limit = limit }
  var exhausted: Bool { count > limit }
}

/// Series arithmetic. Coefficients are exact expressions; `isZero` decides whether a
/// coefficient is proved zero (the certified zero test).
struct SeriesArithmetic {
  let isZero: (Expr) -> Bool
  let meter: WorkMeter
  /// The sign of a leading coefficient (free of ω) on a tail of the limit: 1 or -1, nil
  /// when it depends on symbols other than the limit variable (generic constants, whose
  /// sign the result does not assume); throws when it cannot be decided. `power` and
  /// `log` need it: an even root or a log of a negative leading term is undefined.
  let sign: (Expr) throws -> Int?

  func add(_ a: Series, _ b: Series) -> Series { add([a, b]) }

  /// The sum of many series at once: terms merged by exponent, each coefficient one
  /// canonical sum, truncated (and its coefficients zero-tested) once. Folding `add` over
  /// n series zero-tests every partial sum of a coefficient: O(n^2) for a sum of 1,000
  /// terms with one exponent. Exact, so the result is the folded one.
  func add(_ all: [Series]) -> Series {
    guard let first = all.first else { return Series(terms: [], order: nil) }
    if all.count == 1 { return first }
    meter.count += all.reduce(0) { $0 + $1.terms.reduce(0) { $0 + $1.exponent.weight } }
    let order = all.dropFirst().reduce(first.order) { Series.minOrder($0, $1.order) }
    if meter.exhausted { return Series(terms: [], order: order ?? .zero) }
    var merged: [Exponent: [Expr]] = [:]
    var exponents: [Exponent] = []
    for series in all {
      for t in series.terms {
        if merged[t.exponent] == nil { exponents.append(t.exponent) }
        merged[t.exponent, default: []].append(t.coefficient)
      }
    }
    let terms = Self.mergingEqualExponents(exponents.sorted { Exponent.less($0, $1, charging: meter) }, merged)
    return Series(terms: terms, order: order).truncated(isZero)
  }

  /// The terms of sorted exponent keys, with keys proved equal in value (adjacent after
  /// the sort: neither is less) merged into one term whose exponent is the first of them
  /// in the canonical expression order (not the sort's, which follows dictionary order):
  /// two terms with one exponent would let a cancelling pair pass for a leading term.
  static func mergingEqualExponents(_ sorted: [Exponent], _ coefficients: [Exponent: [Expr]]) -> [(
    exponent: Exponent, coefficient: Expr
  )] {
    var terms: [(exponent: Exponent, coefficient: Expr)] = []
    var i = 0
    while i < sorted.count {
      var group = [sorted[i]]
      var j = i + 1
      while j < sorted.count, sorted[j].rational == nil || sorted[i].rational == nil,
        Exponent.provedEqual(sorted[i], sorted[j])
      {
        group.append(sorted[j])
        j += 1
      }
      let exponent = group.first { $0.rational != nil } ?? group.min { Expr.precedes($0.expr, $1.expr) }!
      terms.append((exponent: exponent, coefficient: Expr.sum(group.flatMap { coefficients[$0]! })))
      i = j
    }
    return terms
  }

  func multiply(_ a: Series, _ b: Series) -> Series {
    guard let la = a.leading, let lb = b.leading else {
      // An exact zero stays exact; an unknown-so-far series keeps its order.
      let order: Exponent? =
        a.terms.isEmpty && a.order == nil || b.terms.isEmpty && b.order == nil
        ? nil
        : Series.minOrder(
          Series.plus(a.order, b.leading?.exponent ?? .zero), Series.plus(b.order, a.leading?.exponent ?? .zero))
      return Series(terms: [], order: order)
    }
    let order = Series.minOrder(Series.plus(a.order, lb.exponent), Series.plus(b.order, la.exponent))
    var merged: [Exponent: [Expr]] = [:]
    // Each product of terms adds exponents (charged by their size) and multiplies
    // coefficients (charged by their width: a product of 2,000 symbols is rebuilt each time).
    let weight = (a.terms.map(\.exponent.weight).max() ?? 1) + (b.terms.map(\.exponent.weight).max() ?? 1) - 1
    let width =
      (a.terms.map { Self.width($0.coefficient) }.max() ?? 0) + (b.terms.map { Self.width($0.coefficient) }.max() ?? 0)
    // Exact numbers in the coefficients: a product and its canonical gcds cost about the
    // square of their size in 64-bit words (constants near 5e-324 are 1,074-bit rationals
    // whose powers grew for seconds uncharged).
    let words =
      (a.terms.map { Self.numberWords($0.coefficient) }.max() ?? 0)
      + (b.terms.map { Self.numberWords($0.coefficient) }.max() ?? 0)
    meter.count += a.terms.count * b.terms.count * (weight + width / 32 + words * words / 16)
    if meter.exhausted { return Series(terms: [], order: order ?? .zero) }
    for x in a.terms {
      for y in b.terms {
        let e = x.exponent + y.exponent
        if let o = order, e >= o { continue }
        merged[e, default: []].append(x.coefficient * y.coefficient)
      }
    }
    let terms = Self.mergingEqualExponents(merged.keys.sorted { Exponent.less($0, $1, charging: meter) }, merged)
    return Series(terms: terms, order: order).truncated(isZero)
  }

  /// The number of direct children of a coefficient (what multiplying it costs).
  static func width(_ e: Expr) -> Int { e.children.count }

  /// The size in 64-bit words of the exact numbers in a coefficient and its direct
  /// children (their coefficients included): what its arithmetic multiplies and reduces.
  static func numberWords(_ e: Expr) -> Int {
    func words(_ x: Expr) -> Int {
      switch x.kind {
      case .number(let r): return r.words
      case .product(let fs): if case .number(let r) = fs[0].kind { return r.words }
      default: break
      }
      return 0
    }
    return e.children.reduce(words(e)) { $0 + words($1) }
  }

  func scale(_ a: Series, by c: Expr) -> Series {
    Series(terms: a.terms.map { ($0.exponent, $0.coefficient * c) }, order: a.order).truncated(isZero)
  }

  /// `a = c ω^e (1 + r)`: returns `(c, e, r)` with `r = O(ω^d)`, `d > 0`.
  func factorLeading(_ a: Series) throws -> (Expr, Exponent, Series) {
    guard let l = a.leading else { throw LimitFailure.precisionExhausted }
    let inv = Expr.power(l.coefficient, -1)
    let rest = a.terms.dropFirst().map { (exponent: $0.exponent - l.exponent, coefficient: $0.coefficient * inv) }
    return (
      l.coefficient, l.exponent, Series(terms: Array(rest), order: a.order.map { $0 - l.exponent }).truncated(isZero)
    )
  }

  /// `sum_n coefficient(n) r^n` for `r = O(ω^d)`, up to the relative `order`.
  func compose(_ r: Series, order: Exponent?, coefficient: (Int) -> Expr) -> Series {
    let budget = Series.minOrder(order, r.order)
    var result = Series(terms: [(Exponent.zero, coefficient(0))], order: budget).truncated(isZero)
    guard let d = r.leading?.exponent, Exponent.zero < d else {
      if r.terms.isEmpty { return result }
      return Series(terms: [], order: .zero)  // unreachable: r has positive valuation
    }
    guard let limit = budget else {
      // Exact r: only finitely many terms if r is exact and we need an exact result:
      // cap at a generous number of terms, marking the series inexact beyond.
      return compose(r, order: d * 12, coefficient: coefficient)
    }
    var power = Series(terms: [(Exponent.zero, .one)], order: nil)
    var n = 1
    // Stopping early is sound only if the result says so: every term not added comes from
    // r^n or a higher power, so has exponent >= d*n, and the result is exact below that.
    var reached = limit
    while d * n < limit {
      if meter.exhausted || n > Self.maximumComposedPowers || result.terms.count > Self.maximumComposedTerms {
        reached = d * n
        break
      }
      power = multiply(power, r)
      let c = coefficient(n)
      if !c.isZero { result = add(result, scale(power, by: c)) }
      n += 1
    }
    result.order = reached
    return result.truncated(isZero)
  }

  /// The most powers of `r` a composition adds before it stops (and lowers its order).
  static let maximumComposedPowers = 200
  /// The most terms a composition collects before it stops: r with exponents of sizes
  /// unlike each other (`1/953` and `1/1906` of a huge number) makes r^n with n + 1 terms
  /// of exponents no larger than the first one; 200 powers of it were 20,000 terms (fuzz
  /// seed 9 #549730, 0.3 s per limit) for a leading term that the first one settles.
  static let maximumComposedTerms = 64

  /// `a**p` for a constant `p` (rational or not).
  func power(_ a: Series, _ p: Exponent) throws -> Series {
    if let r = p.rational, r.isInteger, let n = r.numerator.asInt, n >= 0, n <= 8 {
      var result = Series.constant(.one)
      for _ in 0..<n { result = multiply(result, a) }
      return result
    }
    let (c, e, r) = try factorLeading(a)
    // A negative leading term has a real power only for rational exponents with an odd
    // denominator (the real root, as evaluation defines it); even roots and irrational
    // exponents of it are undefined on the whole tail.
    let oddRoot = p.rational.map { !$0.denominator.isEven } ?? false
    if !oddRoot, let s = try sign(c), s < 0 {
      throw LimitFailure.domain("a negative quantity raised to \(p.expr)")
    }
    // (1 + r)^p = sum binomial(p, n) r^n
    var binomials: [Expr] = [.one]
    let body = compose(r, order: r.order) { n in
      while binomials.count <= n {
        let k = binomials.count
        binomials.append(binomials[k - 1] * (p.expr - .number(k - 1)) / .number(k))
        // Huge exponents make huge coefficients (binomial(10**400, k) has ~1,330 k bits),
        // and every product and gcd with them costs about the square of their size in
        // 64-bit words: charge that (linear charging let (t + 10**-400)**(10**400) run
        // for seconds in rational gcds).
        if let r = binomials[k].rationalValue {
          let words = r.words
          meter.count += words * words
        }
      }
      if meter.exhausted { return .zero }
      return binomials[n]
    }
    let head = Expr.power(c, p.expr)
    let shift = e * p
    return Series(
      terms: body.terms.map { ($0.exponent + shift, $0.coefficient * head) },
      order: body.order.map { $0 + shift }
    ).truncated(isZero)
  }

  /// `exp(a)` for `a` with no negative exponents.
  func exp(_ a: Series) throws -> Series {
    if let l = a.leading, l.exponent < .zero { throw LimitFailure.unsupported("exp of an unbounded series") }
    let c0 = a.terms.first { $0.exponent.isZero }?.coefficient ?? .zero
    let rest = Series(terms: a.terms.filter { Exponent.zero < $0.exponent }, order: a.order)
    var factorial = Rational(1)
    var cache: [Rational] = [Rational(1)]
    let body = compose(rest, order: a.order) { n in
      while cache.count <= n {
        factorial = factorial * Rational(numerator: 1, denominator: BigInt(cache.count))!
        cache.append(factorial)
      }
      return .number(cache[n])
    }
    return scale(body, by: SymGrad.exp(c0))
  }

  /// `log(a)`; `logOmega` is the expression of `log(ω)`.
  func log(_ a: Series, logOmega: Expr) throws -> Series {
    let (c, e, r) = try factorLeading(a)
    if let s = try sign(c), s < 0 { throw LimitFailure.domain("log of a negative quantity") }
    let body = compose(r, order: r.order) { n in
      n == 0 ? .zero : .number(Rational(numerator: BigInt(n % 2 == 1 ? 1 : -1), denominator: BigInt(n))!)
    }
    let constant = SymGrad.log(c) + e.expr * logOmega
    return add(body, Series(terms: constant.isZero ? [] : [(Exponent.zero, constant)], order: nil))
  }

  /// `sin(a)` or `cos(a)` for `a` with no negative exponents.
  func trig(_ a: Series, sine: Bool) throws -> Series {
    if let l = a.leading, l.exponent < .zero { throw LimitFailure.oscillates(sine ? "sin" : "cos") }
    let c0 = a.terms.first { $0.exponent.isZero }?.coefficient ?? .zero
    let rest = Series(terms: a.terms.filter { Exponent.zero < $0.exponent }, order: a.order)
    func taylor(_ odd: Bool) -> Series {
      var fact = Rational(1)
      var cache: [Rational] = [Rational(1)]
      return compose(rest, order: a.order) { n in
        while cache.count <= n {
          fact = fact * Rational(numerator: 1, denominator: BigInt(cache.count))!
          cache.append(fact)
        }
        if (n % 2 == 1) != odd { return .zero }
        let sign = ((odd ? n - 1 : n) / 2) % 2 == 0 ? Rational(1) : Rational(-1)
        return .number(sign * cache[n])
      }
    }
    let cosRest = taylor(false)
    let sinRest = taylor(true)
    if sine {
      return add(scale(cosRest, by: SymGrad.sin(c0)), scale(sinRest, by: SymGrad.cos(c0)))
    }
    return add(scale(cosRest, by: SymGrad.cos(c0)), scale(sinRest, by: -SymGrad.sin(c0)))
  }
}

extension BigInt {
  var isOne: Bool { self == BigInt(1) }
}
