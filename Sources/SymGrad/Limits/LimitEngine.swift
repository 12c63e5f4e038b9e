import Foundation

/// Limits as a variable `t -> +inf`, by the Gruntz algorithm (D. Gruntz, "On Computing
/// Limits in a Symbolic Manipulation System", 1996):
///
/// 1. **Rewrite** into exp/log form: `sigmoid(u) = 1/(1 + exp(-u))`,
///    `softplus(u) = log(1 + exp(u))`, `tanh(u) = 1 - 2/(exp(2u) + 1)`,
///    `log1p(u) = log(1 + u)`, `expm1(u) = exp(u) - 1`, `b**u = exp(u log b)` when `u`
///    depends on `t`; `abs`, `sign`, `max`, `min` are resolved by the asymptotic sign of
///    their argument (or of the difference); the constants `+-inf` become `+-t`.
/// 2. **MRV**: the set of most rapidly varying subexpressions (`t` or `exp(g)` with
///    `g -> +-inf`), comparing `f` and `g` by `lim log f / log g`.
/// 3. If the set is `{t}`, move up: `t -> exp(t)` (same limit) and start again.
/// 4. Pick `ω` (from the set, tending to 0) and **rewrite** every member as
///    `A ω^c` with `A` of a lower class.
/// 5. **Series** in ω with cancellation handled (precision doubled until a nonzero
///    leading term appears): leading term `c0 ω^e0`.
/// 6. `e0 > 0`: 0; `e0 < 0`: `+-inf` by the sign of `c0`; `e0 = 0`: the limit of `c0`
///    (a lower class, so the recursion ends).
///
/// Coefficients free of `t` are decided zero only when proved: canonically 0, or exactly
/// simplified to 0; nonzero only when an interval enclosure excludes 0 (the certified
/// zero test, `zeroTest`). Otherwise the limit is `undefined(.undecided(...))`: a zero test
/// is undecidable in general, and a threshold would guess.
final class LimitEngine {
  /// The limit variable and the series variable: names no parser can produce.
  let t = Expr.symbol(ExprNode.limitVariableName)
  let omega = Expr.symbol(ExprNode.seriesVariableName)
  private var limits: [Expr: LimitValue] = [:]
  /// Expressions found to oscillate without a limit the squeeze rules decide, with the
  /// oscillating function: asked again (the squeeze rules ask each factor and term up to
  /// four times), they fail at once instead of redoing the work, which grew like 4^depth
  /// in nests of sin/cos (a 30-level mixed nest ran 3 s into its budget).
  private var oscillating: [Expr: String] = [:]
  /// The MRV set of every node seen and the rewrites of whole limits (`rewrite(_:shared:)`),
  /// across the limits this engine computes: pure functions of the node (given the limits
  /// above), and the entries of a Jacobian or of attention's output share most of their
  /// nodes (six entries of a `multi_head_attention_forward` rewrote and ranked the same
  /// softmax denominators six times). Cleared with `limits`.
  private var rewrites: [Expr: Expr] = [:]
  private var mrvSets: [Expr: [Expr]] = [:]
  private var depth = 0
  /// Work done for the current limit (recursions, MRV and series nodes, rewrites, term
  /// products in series).
  private let meter = WorkMeter(limit: LimitEngine.workBudget)
  private var work: Int {
    get { meter.count }
    set { meter.count = newValue }
  }
  /// The work budget of one limit: past it the limit is `undefined(.budget)`. A count of
  /// steps, not a time, so results do not depend on the machine or its load. The 421
  /// sympy limits take at most `SYMGRAD_LIMIT_BUDGET_REPORT`-printed steps (see README).
  static let workBudget = 100_000
  /// `SYMGRAD_LIMIT_BUDGET_REPORT` set: every limit prints its work (read once per process).
  static let reportsWork = ProcessInfo.processInfo.environment["SYMGRAD_LIMIT_BUDGET_REPORT"] != nil

  func spend(_ steps: Int = 1) throws {
    work += steps
    if meter.exhausted { throw LimitFailure.budget }
  }

  // MARK: Entry point

  /// The limit of `e` as `t -> +inf`.
  ///
  /// A result that depended on ordering two series exponents whose difference could not
  /// be certified (equal to 4096 bits, not provably equal) is discarded: the limit is
  /// `undecided`, and the memos that may hold such results are cleared.
  func limitAtInfinity(_ e: Expr) -> LimitValue {
    let comparisons = Exponent.UncertifiedComparisons()
    let value = Exponent.$uncertified.withValue(comparisons) { limitAtInfinityOrdered(e) }
    guard let pair = comparisons.first else { return value }
    limits.removeAll()
    oscillating.removeAll()
    seriesMemos.removeAll()
    rewrites.removeAll()
    mrvSets.removeAll()
    return .undefined(
      LimitFailure.undecided(
        "cannot order the series exponents \(pair.0) and \(pair.1) (their difference is within 2^-4096 of 0 and not provably 0)"
      ).reason)
  }

  /// The work of every limit this engine has computed (each limit has its own budget;
  /// callers that run many, such as mask resolution over a matrix, bound their total).
  private(set) var workAcrossLimits = 0

  private func limitAtInfinityOrdered(_ e: Expr) -> LimitValue {
    work = 0
    defer {
      workAcrossLimits += work
      if LimitEngine.reportsWork {
        FileHandle.standardError.write("limit work: \(work)\n".data(using: .utf8)!)
      }
    }
    // The limit laws first (cheap, and enough for most evaluation at infinite inputs);
    // Gruntz on the whole expression when they do not decide it, with a fresh budget
    // (unless a part alone ran out of it).
    do {
      if let v = try limitByContinuity(e) { return v.checkingDomain() }
    } catch LimitFailure.budget {
      // A part alone used up the budget: the whole would too.
      return .undefined(LimitFailure.budget.reason)
    } catch {}
    workAcrossLimits += work
    work = 0
    do {
      return try limitInf(try rewrite(e, shared: true)).checkingDomain()
    } catch let f as LimitFailure {
      return .undefined(f.reason)
    } catch {
      return .undefined(.unsupported("\(error)"))
    }
  }

  func limitInf(_ e: Expr) throws -> LimitValue {
    if e.isUndefined { throw LimitFailure.undefinedInput }
    if !e.contains(t) {
      if let c = e.constantValue {
        switch c {
        case .infinity: return .infinity
        case .negativeInfinity: return .negativeInfinity
        case .undefined: throw LimitFailure.undefinedInput
        case .pi: return .finite(e)
        }
      }
      return .finite(e)
    }
    if e == t { return .infinity }
    if let done = limits[e] { return done }
    if let f = oscillating[e] { throw LimitFailure.oscillates(f) }
    depth += 1
    try spend()
    defer { depth -= 1 }
    guard depth < 64 else { throw LimitFailure.unsupported("the limit recursion is too deep") }
    let c0: Expr
    let e0: Exponent
    do {
      (c0, e0) = try leadingTerm(e)
    } catch LimitFailure.oscillates(let f) {
      do {
        let r = try boundedOscillation(e, f)
        limits[e] = r
        return r
      } catch LimitFailure.oscillates(let g) {
        oscillating[e] = g
        throw LimitFailure.oscillates(g)
      }
    }
    let result: LimitValue
    guard let exponentSign = e0.signum else {
      throw LimitFailure.undecided("cannot decide the sign of the leading exponent \(e0.expr)")
    }
    if exponentSign > 0 {
      result = .finite(.zero)
    } else if exponentSign < 0 {
      let s = try sign(c0)
      if s == 0 { throw LimitFailure.precisionExhausted }
      result = s > 0 ? .infinity : .negativeInfinity
    } else {
      result = try limitInf(c0)
    }
    limits[e] = result
    return result
  }

  /// Beyond Gruntz: oscillating parts that are bounded and dominated. Each rule is a
  /// squeeze, so it is sound whenever it applies:
  /// - a product with bounded factors (`bounds`) and the rest tending to 0 tends to 0;
  /// - a sum `A + sum_i B_i g_i` with `B_i` bounded, `A` with a limit `L`, tends to `L`
  ///   when every `g_i/A -> 0` (`L = +-inf`) or every `g_i -> 0` (`L` finite);
  /// - a factor that is such a sum with `L != 0` may be replaced by `A` (their ratio -> 1);
  /// - `exp`, `log` and rational powers of an expression with a limit take it through.
  /// Otherwise the oscillation stays undecided.
  private func boundedOscillation(_ e: Expr, _ f: String) throws -> LimitValue {
    switch e.kind {
    case .product(let fs):
      var boundedFactors: [Expr] = []
      var rest: [Expr] = []
      for x in fs {
        if let a = try dominantPart(x) {
          rest.append(a)
          continue
        }
        if case .power(let b, let p) = x.kind, p.rationalValue != nil, let a = try dominantPart(b) {
          // (A + o(A))**p ~ A**p.
          rest.append(.power(a, p))
          continue
        }
        if try limitOrNil(x) != nil {
          rest.append(x)
          continue
        }
        if try bounds(x) != nil {
          boundedFactors.append(x)
          continue
        }
        throw LimitFailure.oscillates(f)
      }
      // Nothing replaced or set aside: the same product again would not terminate.
      guard Expr.product(rest + boundedFactors) != e || !boundedFactors.isEmpty else {
        throw LimitFailure.oscillates(f)
      }
      let r = try limitInf(.product(rest))
      if boundedFactors.isEmpty { return r }
      if case .finite(let z) = r, zeroTest(z) == .zero { return .finite(.zero) }
      // A bounded factor away from 0 times something unbounded: the sign is that of the
      // product of signs, if the bounds fix it.
      if case .infinity = r, let (lo, hi) = try bounds(.product(boundedFactors)) {
        if lo > 0 { return .infinity }
        if hi < 0 { return .negativeInfinity }
      }
      if case .negativeInfinity = r, let (lo, hi) = try bounds(.product(boundedFactors)) {
        if lo > 0 { return .negativeInfinity }
        if hi < 0 { return .infinity }
      }
    case .sum(let ts):
      if let a = try dominantPart(e) { return try limitInf(a) }
      // Every term has a limit (some through the rules above): their sum, unless inf - inf.
      var finite: [Expr] = []
      var plus = false
      var minus = false
      for term in ts {
        switch try limitOrNil(term) {
        case .finite(let v): finite.append(v)
        case .infinity: plus = true
        case .negativeInfinity: minus = true
        default: throw LimitFailure.oscillates(f)
        }
      }
      if plus && minus { break }
      if plus { return .infinity }
      if minus { return .negativeInfinity }
      return .finite(.sum(finite))
    case .apply(.exp, let a):
      switch try limitInf(a[0]) {
      case .finite(let v): return .finite(exp(v))
      case .infinity: return .infinity
      case .negativeInfinity: return .finite(.zero)
      case .undefined(let why): return .undefined(why)
      }
    case .apply(.log, let a):
      switch try limitInf(a[0]) {
      case .finite(let v):
        guard try sign(v) > 0 else { break }
        return .finite(log(v))
      case .infinity: return .infinity
      default: break
      }
    case .power(let b, let p) where p.rationalValue != nil:
      if case .finite(let v) = try limitInf(b), try sign(v) > 0 { return .finite(Expr.power(v, p)) }
    default: break
    }
    throw LimitFailure.oscillates(f)
  }

  /// The limit of `x`, or nil when `x` oscillates (other failures are thrown).
  private func limitOrNil(_ x: Expr) throws -> LimitValue? {
    do {
      let v = try limitInf(x)
      if case .undefined = v { return nil }
      return v
    } catch LimitFailure.oscillates {
      return nil
    }
  }

  /// For a sum `S = A + sum_i B_i g_i` (A: the terms with limits; B_i: bounded factors,
  /// g_i: the rest of an oscillating term, with a limit), the part `A` when the
  /// oscillating terms are negligible against it, so that `S/A -> 1` and `S` has A's
  /// limit: `lim A` finite nonzero and every `g_i -> 0`, or (`lim A` infinite or 0) every
  /// `g_i/A -> 0`. Nil when that cannot be shown.
  private func dominantPart(_ e: Expr) throws -> Expr? {
    guard case .sum(let ts) = e.kind else { return nil }
    var regular: [Expr] = []
    var scales: [Expr] = []
    for term in ts {
      let factors: [Expr]
      if case .product(let fs) = term.kind { factors = fs } else { factors = [term] }
      var g: [Expr] = []
      var hasBounded = false
      var unknown = false
      for x in factors {
        if try limitOrNil(x) != nil {
          g.append(x)
        } else if try bounds(x) != nil {
          hasBounded = true
        } else {
          unknown = true
        }
      }
      if hasBounded && !unknown {
        scales.append(.product(g))
      } else if try limitOrNil(term) != nil {
        regular.append(term)
      } else {
        return nil
      }
    }
    guard !scales.isEmpty else { return nil }
    let a = Expr.sum(regular)
    func negligible(_ x: Expr) throws -> Bool {
      guard case .finite(let z) = try limitInf(try rewrite(x)) else { return false }
      return zeroTest(z) == .zero
    }
    switch try limitInf(a) {
    case .finite(let v) where zeroTest(v) != .zero:
      // A finite nonzero limit: g_i -> 0 makes the rest negligible in both senses.
      for g in scales where !(try negligible(g)) { return nil }
      return a
    case .undefined: return nil
    default:
      // +-inf or 0: the oscillating part must vanish against A itself (then S/A -> 1).
      if a.isZero { return nil }
      for g in scales where !(try negligible(g / a)) { return nil }
      return a
    }
  }

  /// Bounds `[lo, hi]` that hold for all large `t`, for an expression whose oscillating
  /// parts are bounded: sin, cos, tanh, sigmoid, constants, parts with a finite limit
  /// (within any margin of it for large t), and sums, products, integer powers, exp and log
  /// of those (widened outward for rounding). Nil when no bound is known.
  private func bounds(_ x: Expr) throws -> (Double, Double)? {
    func widen(_ lo: Double, _ hi: Double) -> (Double, Double) {
      (lo - Swift.abs(lo) * 1e-12 - 1e-300, hi + Swift.abs(hi) * 1e-12 + 1e-300)
    }
    switch x.kind {
    case .apply(.sin, _), .apply(.cos, _), .apply(.tanh, _): return (-1, 1)
    case .apply(.sigmoid, _): return (0, 1)
    case .apply(.softsign, _): return (-1, 1)
    case .sum(let ts):
      var lo = 0.0
      var hi = 0.0
      for u in ts {
        guard let (a, b) = try bounds(u) else { return nil }
        lo += a
        hi += b
      }
      return widen(lo, hi)
    case .product(let fs):
      var lo = 1.0
      var hi = 1.0
      for u in fs {
        guard let (a, b) = try bounds(u) else { return nil }
        let c = [lo * a, lo * b, hi * a, hi * b]
        lo = c.min()!
        hi = c.max()!
      }
      return widen(lo, hi)
    case .power(let b, let p):
      guard let r = p.rationalValue, r.isInteger, let n = r.numerator.asInt, n > 0, n <= 64,
        let (lo, hi) = try bounds(b)
      else { break }
      let a = Foundation.pow(lo, Double(n))
      let c = Foundation.pow(hi, Double(n))
      if n % 2 == 0 && lo < 0 && hi > 0 { return widen(0, Swift.max(a, c)) }
      return widen(Swift.min(a, c), Swift.max(a, c))
    case .apply(.exp, let a):
      if let (lo, hi) = try bounds(a[0]) { return widen(Foundation.exp(lo), Foundation.exp(hi)) }
    case .apply(.log, let a):
      if let (lo, hi) = try bounds(a[0]), lo > 0 { return widen(Foundation.log(lo), Foundation.log(hi)) }
    default: break
    }
    if let v = try limitOrNil(x), case .finite(let c) = v, c.isSymbolFree {
      let d = try c.certifiedValue().value
      guard d.isFinite else { return nil }
      return widen(d - 1e-9 * Swift.max(1, Swift.abs(d)), d + 1e-9 * Swift.max(1, Swift.abs(d)))
    }
    return nil
  }

  /// The sign (-1, 0, 1) of `e` for all large `t`.
  func sign(_ e: Expr) throws -> Int {
    if !e.contains(t) {
      if !e.isSymbolFree {
        // Other symbols: generic constants; the sign must not depend on their values.
        let names = e.freeSymbols
        let listed =
          names.count > 8
          ? names.prefix(8).joined(separator: ", ") + ", ... (\(names.count) symbols)" : names.joined(separator: ", ")
        throw LimitFailure.unsupported("the sign of \(e) depends on the symbols \(listed)")
      }
      return try certifiedSign(e)
    }
    let (c0, _) = try leadingTerm(e)
    return try sign(c0)
  }

  /// The sign of a series coefficient (free of ω) on a tail: a rational's sign, a sign by
  /// structure, the certified sign of a constant, or the asymptotic sign (`sign`) of a
  /// coefficient in `t`; nil when other symbols occur (generic constants).
  func coefficientSign(_ c: Expr) throws -> Int? {
    if let r = c.rationalValue { return r.signum }
    if let s = c.signWhereDefined, s != 0 { return s }
    let names = c.freeSymbols
    if names.contains(where: { $0 != ExprNode.limitVariableName }) { return nil }
    return try sign(c)
  }

  // MARK: Rewriting into exp/log form

  /// `e` in exp/log form. `shared`: with the engine's memo of the rewrites of whole
  /// limits (an entry's, or a node's that the limit laws did not decide), shared across
  /// the limits it computes; the rewrites inside a limit (growth comparisons, moving up)
  /// build new expressions each time and keep their own memo, so that a step of the
  /// budget stays a step of work (shared, they made a 200-level tower of powers spend
  /// seconds inside its budget).
  func rewrite(_ e: Expr, shared: Bool = false) throws -> Expr {
    func run(_ memo: inout [Expr: Expr]) throws -> Expr {
      // A selection is its branch on the tail: the one its rewritten condition's eventual
      // sign selects (the other is never rewritten, so it cannot fail).
      try e.fold(
        memo: &memo,
        choosing: { node, u in
          guard case .apply(let f, _) = node.kind else { return 1 }
          return f.selectsFirstBranch(sign: try self.sign(u)) ? 1 : 2
        }
      ) { node, kids in try self.rewriteNode(node, kids) }
    }
    guard shared else {
      var memo: [Expr: Expr] = [:]
      return try run(&memo)
    }
    return try withMemo(\.rewrites, run)
  }

  /// Runs `body` on one of the engine's memos, taken out while in use: nested calls (a
  /// rewrite asks a limit, which rewrites) see what is left behind, and on the way out
  /// the two are merged (the smaller into the larger). Entries are results of finished
  /// nodes only, so a body that throws leaves none that is wrong.
  private func withMemo<V, R>(
    _ key: ReferenceWritableKeyPath<LimitEngine, [Expr: V]>, _ body: (inout [Expr: V]) throws -> R
  )
    rethrows -> R
  {
    var memo = self[keyPath: key]
    self[keyPath: key] = [:]
    defer {
      var nested = self[keyPath: key]
      if nested.count > memo.count { swap(&nested, &memo) }
      for (k, v) in nested where memo[k] == nil { memo[k] = v }
      self[keyPath: key] = memo
    }
    return try body(&memo)
  }

  private func rewriteNode(_ node: Expr, _ k: [Expr]) throws -> Expr {
    // Parts free of t are rebuilt as they are: only the others are charged.
    if node.contains(t) || node.containsNonFinite { try spend() }
    switch node.kind {
    case .constant(.infinity): return t
    case .constant(.negativeInfinity): return -t
    case .constant(.undefined): throw LimitFailure.undefinedInput
    case .power(_, let e) where e.rationalValue == nil && k[1].contains(t):
      return exp(k[1] * log(k[0]))
    case .apply(let f, _) where f.isSelection:
      return k[1]  // folded lazily: [condition, the branch selected on the tail]
    case .apply(let f, _):
      let u = k[0]
      // An activation the continuity rules did not decide: its definition, rewritten.
      if let d = try f.transformedDefinition(k, rewriteNode) { return d }
      switch f {
      case .sigmoid: return 1 / (1 + exp(-u))
      case .softplus: return log(1 + exp(u))
      case .tanh: return 1 - 2 / (exp(2 * u) + 1)
      case .log1p: return log(1 + u)
      case .expm1: return exp(u) - 1
      case .log:
        // log of a product of provably positive factors (t is positive) splits, so that
        // log(2t/3) - log(t) + log(3/2) is 0 before any series is taken.
        return Simplifier.logRules(log(u))
      case .unitInterval:
        // The guard's condition at the limit: the argument's limit must lie in [0, 1].
        switch try limitInf(u) {
        case .finite(let v):
          if v.isSymbolFree, let s = try? certifiedSign(v), s < 0 || (try? certifiedSign(v - 1)) ?? 0 > 0 {
            throw LimitFailure.domain("binary_cross_entropy: the input tends to \(v), outside [0, 1]")
          }
          return u
        case .infinity, .negativeInfinity:
          throw LimitFailure.domain("binary_cross_entropy: the input tends to infinity, outside [0, 1]")
        case .undefined(let why): throw LimitFailure.unsupported(why.message)
        }
      case .abs:
        guard u.contains(t) else { return abs(u) }
        let s = try sign(u)
        return s < 0 ? -u : u
      case .sign:
        guard u.contains(t) else { return SymGrad.sign(u) }
        return .number(try sign(u))
      case .erf, .erfc:
        // Of an argument tending to +-inf: erfc(u) = exp(-u**2) erfcx(u), the exponential
        // in its own class and erfcx(u) ~ 1/(u sqrt(pi)) in u's (Series+ErrorFunction.swift);
        // erfc(u) = 2 - erfc(-u) for u -> -inf, erf = 1 - erfc. Of an argument with a
        // finite limit: as it is (Taylor's series).
        guard u.contains(t) else { return node.rebuilt(with: k) }
        switch try limitInf(u) {
        case .finite: return node.rebuilt(with: k)
        case .infinity:
          let tail = exp(-(u ** 2)) * Expr.apply(.erfcx, [u])
          return f == .erfc ? tail : 1 - tail
        case .negativeInfinity:
          let tail = exp(-(u ** 2)) * Expr.apply(.erfcx, [-u])
          return f == .erfc ? 2 - tail : tail - 1
        case .undefined(let why): throw LimitFailure.unsupported(why.message)
        }
      case .max, .min:
        let d = k[0] - k[1]
        guard d.contains(t) else { return node.rebuilt(with: k) }
        let s = try sign(d)
        return (s >= 0) == (f == .max) ? k[0] : k[1]
      default: return node.rebuilt(with: k)
      }
    case .sum where k.count > 1:
      return collectingByGrowth(k)
    default: return node.rebuilt(with: k)
    }
  }

  /// A sum with its terms grouped by their `t`-dependent part: `sum_i c_i exp(u + k_i)`
  /// (`c_i`, `k_i` free of `t`) is `exp(u) * sum_i c_i exp(k_i)`, one MRV member and one
  /// constant instead of n of each (a sum of 5,800 `exp(x + k)` ran out of the budget in
  /// its MRV set and series). Exact algebra (`exp(a + b) = exp(a) exp(b)` for reals), so
  /// the limit is unchanged. The sum itself when no two terms share a part.
  private func collectingByGrowth(_ terms: [Expr]) -> Expr {
    var parts: [Expr] = []
    var coefficients: [Expr: [Expr]] = [:]
    for term in terms {
      let (c, d) = separatingGrowth(term)
      if coefficients[d] == nil { parts.append(d) }
      coefficients[d, default: []].append(c)
    }
    if parts.count == terms.count { return .sum(terms) }
    return .sum(parts.map { $0 * .sum(coefficients[$0]!) })
  }

  /// `term = c * d` with `c` free of `t` and `d` its `t`-dependent factors, where an
  /// `exp(u + k)` factor gives `exp(k)` to `c` and `exp(u)` to `d`.
  private func separatingGrowth(_ term: Expr) -> (Expr, Expr) {
    let factors: [Expr]
    if case .product(let fs) = term.kind { factors = fs } else { factors = [term] }
    var free: [Expr] = []
    var dependent: [Expr] = []
    for f in factors {
      if !f.contains(t) {
        free.append(f)
        continue
      }
      if case .apply(.exp, let a) = f.kind, case .sum(let addends) = a[0].kind {
        let constant = addends.filter { !$0.contains(t) }
        if !constant.isEmpty && constant.allSatisfy(isFiniteConstant) {
          free.append(exp(.sum(constant)))
          dependent.append(exp(.sum(addends.filter { $0.contains(t) })))
          continue
        }
      }
      dependent.append(f)
    }
    return (.product(free), .product(dependent))
  }

  // MARK: Most rapidly varying subexpressions

  private enum Comparison { case slower, same, faster }

  /// The MRV set of `e` (members are `t` or `exp(g)` with `g -> +-inf`).
  func mrv(_ e: Expr) throws -> [Expr] {
    try withMemo(\.mrvSets) { memo in try mrvFold(e, &memo) }
  }

  private func mrvFold(_ e: Expr, _ memo: inout [Expr: [Expr]]) throws -> [Expr] {
    try e.fold(memo: &memo, shortcut: { $0.contains(self.t) ? nil : [] }) { node, sets in
      try self.spend()
      switch node.kind {
      case .symbol: return node == self.t ? [node] : []
      case .apply(.exp, let a):
        let inner = sets[0]
        // An argument +-t + c (c a finite constant) tends to +-inf without a Gruntz limit
        // of its own (a sum of 2,500 exp(t + k) spent most of its budget on them).
        switch try self.linearInT(a[0]) ?? self.limitInf(a[0]) {
        case .infinity, .negativeInfinity: return try self.merge([node], inner)
        default: return inner
        }
      default:
        return try sets.reduce([Expr]()) { try self.merge($0, $1) }
      }
    }
  }

  private func merge(_ a: [Expr], _ b: [Expr]) throws -> [Expr] {
    if a.isEmpty { return b }
    if b.isEmpty { return a }
    // No shortcut for t: exp(g) with g ~ -log t is in t's own class (exp(-log t + 1) = e/t),
    // so t is compared like any member (assuming exp(g) outranks t gave 0 for x*e/x).
    switch try compare(a[0], b[0]) {
    case .faster: return a
    case .slower: return b
    case .same: return a + b.filter { !a.contains($0) }
    }
  }

  private func logOf(_ f: Expr) -> Expr {
    if case .apply(.exp, let a) = f.kind { return a[0] }
    return log(f)
  }

  private func compare(_ f: Expr, _ g: Expr) throws -> Comparison {
    if f == g { return .same }
    // Against t itself: exp(h) outranks t when h grows at least like t (h/t has a nonzero
    // or infinite limit: then h/log t -> inf). Deciding that first keeps the general test,
    // lim h/log t, from moving up into exp(t) against t forever. Only when h = o(t) is the
    // general test used (exp(-log t + 1) = e/t is in t's own class).
    if g == t, case .apply(.exp, let a) = f.kind, try growsLikeT(a[0]) { return .faster }
    if f == t, case .apply(.exp, let a) = g.kind, try growsLikeT(a[0]) { return .slower }
    // log f = log g + c with c a finite constant: log f / log g -> 1 (|log g| -> inf for
    // every member), the same class without a limit (a sum of 3,000 exp(t + k) took 3,000
    // limits to merge).
    if isFiniteConstant(logOf(f) - logOf(g)) { return .same }
    switch try limitInf(try rewrite(logOf(f) / logOf(g))) {
    case .finite(let c):
      switch zeroTest(c) {
      case .zero: return .slower
      case .nonzero: return .same
      case .undecided: throw LimitFailure.undecided("cannot decide whether the growth ratio \(c) is zero")
      }
    case .infinity, .negativeInfinity: return .faster
    case .undefined(let why): throw LimitFailure.unsupported("cannot compare growth rates: \(why.message)")
    }
  }

  /// Whether `d` is a constant of the limit: free of `t` and of `+-inf`/`undefined`.
  /// Exponents or arguments that differ by such a `d` grow alike.
  private func isFiniteConstant(_ d: Expr) -> Bool { !d.contains(t) && d.node.nonFinite == 0 }

  /// The limit of `h = +-t + c` with `c` a finite constant free of `t` (`+-inf`), found
  /// without a limit; nil for any other `h`.
  private func linearInT(_ h: Expr) -> LimitValue? {
    for (sign, limit) in [(Expr.one, LimitValue.infinity), (Expr(-1), .negativeInfinity)] {
      if isFiniteConstant(h - sign * t) { return limit }
    }
    return nil
  }

  /// Whether `h/t` tends to a nonzero constant or to +-inf.
  private func growsLikeT(_ h: Expr) throws -> Bool {
    // h = +-t + c with c a finite constant: h/t -> +-1, without a limit (each exp(t + k)
    // of a long sum was compared with t by a limit of its own).
    if linearInT(h) != nil { return true }
    switch try limitInf(try rewrite(h / t)) {
    case .infinity, .negativeInfinity: return true
    case .finite(let c):
      switch zeroTest(c) {
      case .zero: return false
      case .nonzero: return true
      case .undecided: throw LimitFailure.undecided("cannot decide whether \(c) is zero")
      }
    case .undefined(let why): throw LimitFailure.unsupported("cannot compare growth rates: \(why.message)")
    }
  }

  // MARK: Leading term

  /// The leading term `c0 ω^e0` of `e` in its MRV class.
  func leadingTerm(_ e: Expr) throws -> (Expr, Exponent) {
    let set = try mrv(e)
    if set.isEmpty { return (e, .zero) }
    if set.contains(t) {
      // Move up: t -> exp(t) has the same limit at +inf.
      let up = try rewrite(e.substituting([t: exp(t)]))
      return try leadingTerm(up)
    }
    // ω from the member with the smallest argument; ω -> 0.
    let members = set.sorted(by: { $0.nodeCount < $1.nodeCount })
    let chosen = members[0]
    guard case .apply(.exp, let ga) = chosen.kind else { throw LimitFailure.unsupported("unexpected MRV member") }
    var g = ga[0]
    var toPlus: Bool
    switch try limitInf(g) {
    case .infinity: toPlus = true
    case .negativeInfinity: toPlus = false
    default: throw LimitFailure.unsupported("MRV member does not grow")
    }
    // The growth ratios: nonzero constants, rational or not (3**t against 5**t: log 3/log 5).
    var ratios: [Expr] = []
    for f in members {
      guard case .apply(.exp, let ha) = f.kind else {
        ratios.append(.one)
        continue
      }
      // h = g + d with d a finite constant: h/g -> 1 (|g| -> inf), without a limit (each
      // exp(t + k) of a 2,500-term sum took a Gruntz limit of (t + k)/t: the budget).
      if isFiniteConstant(ha[0] - g) {
        ratios.append(.one)
        continue
      }
      guard case .finite(let c) = try limitInf(try rewrite(ha[0] / g)), c.isSymbolFree, zeroTest(c) == .nonzero else {
        throw LimitFailure.unsupported("growth ratio of \(f) is not a nonzero constant")
      }
      ratios.append(c)
    }
    // Prefer the slowest member as ω when the ratios are rational and no member is nested
    // in another: every other member is then ω**c with |c| >= 1, so series stay short
    // (masks of very different scales, exp(-t) against exp(-10**400 t), would otherwise
    // need hundreds of terms of ω**(10**-400)).
    if members.count <= 32, let rs = Optional(ratios.compactMap(\.rationalValue)), rs.count == ratios.count,
      let slowest = rs.indices.min(by: { rs[$0].magnitude < rs[$1].magnitude }), rs[slowest].magnitude < Rational(1),
      !members.contains(where: { f in members.contains { $0 != f && f.contains($0) } }),
      case .apply(.exp, let sa) = members[slowest].kind
    {
      let scale = rs[slowest]
      g = sa[0]
      if scale.signum < 0 { toPlus.toggle() }
      let inverse = scale.reciprocal!  // nonzero: the zero test above
      ratios = rs.map { .number($0 * inverse) }
    }
    let logOmega = toPlus ? -g : g
    var replacements: [Expr: Expr] = [:]
    for (f, c) in zip(members, ratios) {
      guard case .apply(.exp, let ha) = f.kind else { continue }
      let h = ha[0]
      let rest = (h - c * g).substituting(replacements)
      let k = toPlus ? -c : c
      replacements[f] = exp(rest) * Expr.power(omega, k)
    }
    let rewritten = e.substituting(replacements)
    let arithmetic = SeriesArithmetic(
      isZero: { self.isNegligible($0) }, meter: meter, sign: { try self.coefficientSign($0) })
    var precision = Rational(3)
    while precision <= Rational(96) {
      do {
        let s = try series(rewritten, precision: precision, logOmega: logOmega, arithmetic)
        try spend(0)  // a series cut short by the budget is never used
        if let l = s.leading, !l.coefficient.contains(omega) { return (l.coefficient, l.exponent) }
      } catch LimitFailure.precisionExhausted {}
      precision = precision * Rational(2)
    }
    throw LimitFailure.precisionExhausted
  }

  /// The series of `e` in ω with relative precision `precision`.
  /// Series already computed, per (precision, log ω): shared by every expression the
  /// engine sees at one point (the entries of a Jacobian share their denominators).
  private var seriesMemos: [SeriesContext: [Expr: Series]] = [:]

  private struct SeriesContext: Hashable {
    let precision: Rational
    let logOmega: Expr
  }

  private func series(_ e: Expr, precision: Rational, logOmega: Expr, _ a: SeriesArithmetic) throws -> Series {
    let context = SeriesContext(precision: precision, logOmega: logOmega)
    // Taken out while in use (a copy left behind made every call copy the whole memo);
    // series cut short by the work budget must not be remembered for later limits.
    var memo = seriesMemos.removeValue(forKey: context) ?? [:]
    defer { if !meter.exhausted { seriesMemos[context] = memo } }
    let w = omega
    return try e.fold(memo: &memo, shortcut: { $0.contains(w) ? nil : Series.constant($0) }) { node, s in
      try self.spend(1 + s.reduce(0) { $0 + $1.terms.count })
      func relative(_ x: Series) -> Series {
        guard let l = x.leading else { return x }
        var y = x
        let cap = l.exponent + Exponent(precision)
        y.order = Series.minOrder(x.order, cap)
        return y.truncated(a.isZero)
      }
      switch node.kind {
      case .symbol: return Series(terms: [(Exponent(Rational(1)), .one)], order: nil)
      case .sum:
        let r = a.add(s)
        if r.terms.isEmpty, r.order != nil { throw LimitFailure.precisionExhausted }
        return r
      case .product:
        // Factors free of ω form one coefficient, built once: multiplied into the series
        // one at a time, a product of n symbols is rebuilt n times (O(n^2)).
        var free: [Expr] = []
        var factors: [Series] = []
        for (child, series) in zip(node.children, s) {
          if child.contains(w) { factors.append(series) } else { free.append(child) }
        }
        if !free.isEmpty { factors.append(Series.constant(Expr.product(free))) }
        return relative(factors.dropFirst().reduce(factors[0]) { a.multiply($0, $1) })
      case .power(_, let p):
        guard p.isSymbolFree else { throw LimitFailure.unsupported("symbolic exponent in a series") }
        return relative(try a.power(relative(s[0]), Exponent(p)))
      case .apply(let f, _):
        switch f {
        case .exp: return relative(try a.exp(relative(s[0])))
        case .log: return try a.log(relative(s[0]), logOmega: logOmega)
        case .sin: return try a.trig(relative(s[0]), sine: true)
        case .cos: return try a.trig(relative(s[0]), sine: false)
        case .erf, .erfc: return try a.analytic(f, relative(s[0]), variable: w)
        case .erfcx: return try a.erfcx(relative(s[0]), variable: w)
        default: throw LimitFailure.unsupported("\(f) in a series")
        }
      default:
        return Series.constant(node)
      }
    }
  }

  // MARK: Zero test

  /// What the zero test knows about a coefficient.
  enum ZeroTest: Equatable {
    case zero
    case nonzero
    /// A constant whose enclosure contains 0 at the precision cap and which no exact
    /// rule proves to be 0.
    case undecided
  }

  /// Whether a coefficient is proved zero: canonically, by a structural rule (a product
  /// with a zero factor), or, for a symbol-free constant, by exact simplification. Never
  /// by a threshold: an unproved zero is kept (and `sign` then reports "undecided").
  func isNegligible(_ c: Expr) -> Bool { zeroTest(c) == .zero }

  /// The certified zero test of a coefficient free of `t` and ω.
  ///
  /// Symbolic coefficients (other symbols) are zero only when canonically zero; they
  /// stand for generic constants. Symbol-free constants are decided by (a) an interval
  /// enclosure that excludes 0 (`CertifiedEvaluator.sign`), or (b) an exact proof of zero
  /// (`simplifiedInExponentials()` gives 0); otherwise `.undecided`.
  func zeroTest(_ c: Expr) -> ZeroTest {
    if c.isZero { return .zero }
    switch c.kind {
    case .number, .symbol, .constant: return .nonzero
    // A product vanishes only through a vanishing factor; a power through its base.
    case .product(let fs):
      var undecided = false
      for f in fs {
        switch zeroTest(f) {
        case .zero: return .zero
        case .undecided: undecided = true
        case .nonzero: break
        }
      }
      return undecided ? .undecided : .nonzero
    case .power(let b, let p):
      return (p.rationalValue?.signum ?? 0) > 0 ? zeroTest(b) : .nonzero
    case .apply(.exp, _), .apply(.sigmoid, _), .apply(.softplus, _): return .nonzero
    default: break
    }
    if c.contains(t) || c.contains(omega) || !c.isSymbolFree { return .nonzero }
    if c.isProvablyPositive { return .nonzero }  // sums of exponentials: no enclosure needed
    if let known = zeroTests[c] { return known }
    let result = certifiedZeroTest(c)
    zeroTests[c] = result
    return result
  }

  private var zeroTests: [Expr: ZeroTest] = [:]
  /// Signs the zero test certified on the way (an enclosure that excludes 0, at the
  /// precision it took): `certifiedSign` reads them instead of climbing the precision
  /// ladder again, unmetered.
  private var certifiedSigns: [Expr: Int] = [:]

  /// The polynomial term budget of the exact proof in a zero test (`Simplifier.termBudget`).
  static let zeroTestTermBudget = 400
  /// The monomial products the exact proof in a zero test may compute, per normalized node
  /// (`Simplifier.workBudget`).
  static let zeroTestWorkBudget = 100_000

  /// Whether exact simplification proves the constant `c` to be 0 (`simplified()` or
  /// `simplifiedInExponentials()` gives 0), tried with the zero test's small budgets and
  /// a fresh work counter: a failed proof proves nothing, and the answer is a pure
  /// function of `c` (exponent comparisons remember it across limits and threads).
  static func isProvedZeroBySimplification(_ c: Expr) -> Bool {
    Simplifier.$counter.withValue(nil) {
      Simplifier.$termBudget.withValue(zeroTestTermBudget) {
        Simplifier.$workBudget.withValue(zeroTestWorkBudget) {
          c.simplified().isZero || c.simplifiedInExponentials().isZero
        }
      }
    }
  }

  private func certifiedZeroTest(_ c: Expr) -> ZeroTest {
    // Interval evaluation costs about the constant's size per precision step: charge it
    // by the precision each attempt reached (4 steps per node at 96 bits, 16 up to 384: a
    // 2,500-term constant decided at 96 bits in ~10 ms was charged 80,000 steps, most of
    // a limit's budget), and once the budget is spent, decide nothing more (the engine
    // then stops).
    let nodes = c.nodeCount
    work += 4 * nodes
    if meter.exhausted { return .undecided }
    // Cheap first: an enclosure at moderate precision, or the sign by structure (terms
    // of one sign, a log-sum-exp above its largest term: no precision would separate
    // such a constant from 0 when it holds exp(-10**400), and the ladder to 4096 bits is
    // costly); then an exact proof; then the cap.
    let (first, _) = CertifiedEvaluator.signAndPrecision(of: c, upTo: 384) { precision in
      self.work += 2 * nodes * (precision / CertifiedEvaluator.initialPrecision)
      return !self.meter.exhausted
    }
    if let s = first {
      certifiedSigns[c] = s
      return s == 0 ? .zero : .nonzero
    }
    if meter.exhausted { return .undecided }  // the budget ran out on the way
    // An exact proof, tried with a small polynomial budget: a zero test only tries (a
    // failed proof leaves the answer undecided), and large normal forms of constants with
    // huge coefficients cost seconds.
    if Self.isProvedZeroBySimplification(c) { return .zero }
    // Past 384 bits each doubling costs more than all before it: charge each attempt
    // before making it, by its precision to the power 3/2 (products grow quadratically,
    // series shorten with the argument reductions; measured, a 4096-bit attempt on a
    // 50-node nest of exp/sin/softplus took ~0.25 s, which linear charging counted as
    // 34,000 steps: a third of the budget for most of a second), and stop when the budget
    // is spent.
    work += Self.precisionCharge(768, nodes: nodes)
    if meter.exhausted { return .undecided }
    let (s, _) = CertifiedEvaluator.signAndPrecision(of: c, from: 768) { precision in
      self.work += Self.precisionCharge(precision, nodes: nodes)
      return !self.meter.exhausted
    }
    if let s {
      certifiedSigns[c] = s
      return s == 0 ? .zero : .nonzero
    }
    return .undecided
  }

  /// What one attempt of the precision ladder on a constant of `nodes` nodes costs in
  /// work steps: its precision relative to the first, to the power 3/2 (see
  /// `certifiedZeroTest`), per node.
  private static func precisionCharge(_ precision: Int, nodes: Int) -> Int {
    let r = precision / CertifiedEvaluator.initialPrecision
    return 16 * nodes * r * Int(Double(r).squareRoot())
  }

  /// The sign of a symbol-free constant, certified; throws `.undecided` when its
  /// enclosure contains 0 and it is not provably 0.
  func certifiedSign(_ c: Expr) throws -> Int {
    switch zeroTest(c) {
    case .zero: return 0
    case .undecided:
      throw LimitFailure.undecided(
        "cannot decide whether \(c) is zero (its enclosure contains 0 at \(CertifiedEvaluator.maximumPrecision) bits)")
    case .nonzero:
      if c.isProvablyPositive { return 1 }
      if let s = certifiedSigns[c] { return s }
      if let r = c.rationalValue { return r.signum }
      // Nonzero by a route that found no sign here: a product of nonzero factors has
      // their signs' product; otherwise the precision ladder again, charged like the
      // zero test's (unmetered, a 60-level nest of exp and log climbed to 4096 bits for
      // seconds).
      if case .product(let fs) = c.kind { return try fs.reduce(1) { $0 * (try certifiedSign($1)) } }
      let nodes = c.nodeCount
      let (s, _) = CertifiedEvaluator.signAndPrecision(of: c) { precision in
        self.work += Self.precisionCharge(precision, nodes: nodes)
        return !self.meter.exhausted
      }
      if let s { return s }
      throw LimitFailure.undecided("cannot decide the sign of \(c)")
    }
  }
}
