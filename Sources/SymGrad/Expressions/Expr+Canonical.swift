import Synchronization

/// Canonical constructors: every `Expr` is built through these, so every `Expr` is in
/// canonical form. The rules (all applied on construction, as sympy auto-evaluates):
///
/// - **Sums** flatten, fold numbers, collect like terms (`2*x + 3*x = 5*x`), drop zeros
///   and sort. `inf` absorbs numbers (`1 + inf = inf`) but not symbols (`x + inf` stays,
///   since `x` may itself be infinite at evaluation); `inf + -inf = undefined`.
/// - **Products** flatten, fold numbers, collect equal bases (`x*x**2 = x**3`), merge
///   exponentials (`exp(a)*exp(b) = exp(a + b)`), and sort with the coefficient first.
///   `0*x = 0` for any non-constant `x` (symbols are real); `0*inf = undefined`;
///   `2*inf = inf`, `-1*inf = -inf`. A number times a sum distributes: `2*(x + y) = 2*x + 2*y`.
/// - **Numbers beside sums**: a number times a lone sum distributes (`2*(x + y) = 2*x + 2*y`);
///   a sum among several factors, or raised to an integer power, gives up its rational content
///   instead (`(2*x + 2)*y = 2*y*(x + 1)`), so the result never depends on the order of
///   construction.
/// - **Powers**: `x**0 = 1` (also `0**0`), `x**1 = x`, `1**x = 1`; exact numeric powers
///   (`2**1000`, `(9/4)**(1/2) = 3/2`, `2**(3/2) = 2*2**(1/2)`); `0**(-1) = undefined`
///   (division by zero has no value on the extended real line); `(x**a)**n = x**(a*n)`
///   for integer `n` unless an even root would become an odd power of an `x` not provably
///   `>= 0` (`(x**(1/2))**2` stays); `(x**(2k))**e = abs(x)**(2k*e)` (`sqrt(x**2) = abs(x)`);
///   `abs(x)**(2k) = x**(2k)`; `(x*y)**n = x**n*y**n` for integer `n`; `exp(a)**b = exp(a*b)`.
/// - **Functions** fold at exact special points (`exp(0) = 1`, `log(1) = 0`,
///   `sigmoid(0) = 1/2`, ...) and at `+-inf` (`exp(-inf) = 0`, `tanh(inf) = 1`, ...);
///   `log(exp(x)) = x` (symbols are real); `exp(log(x)) = x` and `exp(c*log(x)) = x**c`
///   only for provably positive `x` (`Expr+Sign.swift`), so no rule widens the real domain;
///   odd functions pull out a minus sign (`sin(-x) = -sin(x)`), even ones drop it.
/// - **undefined** absorbs everything.
extension Expr {
  // MARK: Atoms

  /// The exact number `value`.
  public static func number(_ value: Rational) -> Expr { InternTable.intern(.number(value)) }
  /// The exact integer `value`.
  public static func number(_ value: Int) -> Expr { number(Rational(value)) }
  /// The real variable called `name`.
  public static func symbol(_ name: String) -> Expr { InternTable.intern(.symbol(name)) }
  /// A named constant.
  public static func constant(_ c: Expr.Constant) -> Expr { InternTable.intern(.constant(c)) }

  public static var zero: Expr { number(0) }
  public static var one: Expr { number(1) }
  /// `+inf`.
  public static var infinity: Expr { constant(.infinity) }
  /// `-inf`.
  public static var negativeInfinity: Expr { constant(.negativeInfinity) }
  /// The undefined value (an indeterminate form; prints as `nan`).
  public static var undefined: Expr { constant(.undefined) }
  /// pi.
  public static var pi: Expr { constant(.pi) }
  /// Euler's number, `exp(1)`.
  public static var e: Expr { apply(.exp, [one]) }

  /// The exact value if this is a number.
  public var rationalValue: Rational? {
    if case .number(let r) = kind { return r } else { return nil }
  }
  /// The constant if this is one.
  public var constantValue: Expr.Constant? {
    if case .constant(let c) = kind { return c } else { return nil }
  }
  /// The name if this is a symbol.
  public var symbolName: String? {
    if case .symbol(let s) = kind { return s } else { return nil }
  }
  public var isZero: Bool { rationalValue?.isZero ?? false }
  public var isOne: Bool { rationalValue == Rational(1) }
  public var isUndefined: Bool { constantValue == .undefined }

  // MARK: Sums

  /// The canonical sum of `terms` (0 when empty).
  public static func sum(_ terms: [Expr]) -> Expr {
    // Fast path: two plain terms (no numbers, constants, sums or coefficients) that are not
    // alike, the common case inside derivatives (exp(x_i) exp(x_j) = exp(x_i + x_j)).
    if terms.count == 2, terms[0] != terms[1], terms.allSatisfy(\.isPlainTerm) {
      let c = compare(terms[0], terms[1])
      return InternTable.intern(.sum(c < 0 ? terms : [terms[1], terms[0]]))
    }
    // A large sum and one more operand: O(log n) per term of the smaller (`growingSum`).
    if terms.count == 2, let grown = growingSum(terms[0], terms[1]) { return grown }
    var builder = SumBuilder()
    for t in terms { builder.add(t) }
    return builder.build()
  }

  /// A term that is its own rest: not a number, constant, sum or product (a symbol, power
  /// or function application).
  var isPlainTerm: Bool {
    switch kind {
    case .symbol, .power, .apply: return true
    default: return false
    }
  }

  /// Splits a term into its numeric coefficient and the rest: `3*x*y -> (3, x*y)`.
  var coefficientAndRest: (Rational, Expr) {
    if case .product(let fs) = kind, case .number(let c) = fs[0].kind {
      return (c, fs.count == 2 ? fs[1] : InternTable.intern(.product(Array(fs.dropFirst()))))
    }
    return (Rational(1), self)
  }

  /// `c * rest` where `rest` is a non-number canonical term with no coefficient.
  static func scaled(_ rest: Expr, by c: Rational) -> Expr {
    if c == Rational(1) { return rest }
    if c.isZero { return zero }
    switch rest.kind {
    case .product(let fs):
      if fs.contains(where: { $0.constantValue != nil }) { return product([number(c), rest]) }
      return InternTable.intern(.product([number(c)] + fs))
    case .sum, .constant:
      return product([number(c), rest])
    default:
      return InternTable.intern(.product([number(c), rest]))
    }
  }

  // MARK: Products

  /// The canonical product of `factors` (1 when empty).
  public static func product(_ factors: [Expr]) -> Expr {
    var builder = ProductBuilder()
    for f in factors { builder.add(f) }
    return builder.build()
  }

  // MARK: Powers

  /// The canonical `base ** exponent`.
  public static func power(_ base: Expr, _ exponent: Expr) -> Expr {
    if base.isUndefined || exponent.isUndefined { return undefined }
    if let e = exponent.rationalValue {
      if e.isZero { return one }
      if e == Rational(1) { return base }
      switch base.kind {
      case .number(let b):
        return numericPower(b, e) ?? InternTable.intern(.power(base, exponent))
      case .constant(.infinity):
        return e.signum > 0 ? infinity : zero
      case .constant(.negativeInfinity):
        if e.signum < 0 { return zero }
        guard e.isInteger else { return undefined }
        return e.numerator.isEven ? infinity : negativeInfinity
      case .power(let b, let e1) where e.isInteger:
        // (u**a)**n = u**(a*n), unless that widens the domain: (u**(1/2))**2 is not u
        // for u < 0, so an even root folded to an odd one needs u >= 0 proved; and
        // (u**y)**2 is defined for u < 0 only at integer y, u**(2y) at half-integers too.
        let folded = product([e1, exponent])
        if !b.isProvablyNonnegative {
          if let a = e1.rationalValue {
            if a.denominator.isEven, let r = folded.rationalValue, !r.denominator.isEven {
              // Kept as an even root raised to a power, written `(u**(1/2))**(2r)`: the
              // form the product builder gives it (`(u**(1/4))**4` and
              // `1/(1/u**(5/2**63))**2**63` read back as sqrt(u)**2 and sqrt(u)**10;
              // fuzz seed 11 #44565).
              if a == Rational(numerator: 1, denominator: 2)! { return InternTable.intern(.power(base, exponent)) }
              return power(power(b, number(Rational(numerator: 1, denominator: 2)!)), number(r * Rational(2)))
            }
          } else if e.magnitude != Rational(1) {
            // (u**y)**(-k) is written (u**(-y))**k, the form a product gives it (the
            // product builder unfolds it to k factors u**(-y)): `1/(u**y)**3` reads back
            // as the node `(u**y)**(-3)` printed as (fuzz seed 9 #548001). The same domain:
            // u**(-y) is defined exactly where u**y is and is nonzero.
            if e.signum < 0 {
              return InternTable.intern(.power(power(b, product([e1, number(-1)])), number(-e)))
            }
            return InternTable.intern(.power(base, exponent))
          }
        }
        return power(b, folded)
      case .power(let u, let m)
      where (m.rationalValue.map { $0.isInteger && $0.numerator.isEven } ?? false)
        && (!e.isInteger):
        // (u**(2k))**e = |u|**(2k*e): the base is |u|**(2k) >= 0 (sqrt(x**2) = abs(x)).
        return power(apply(.abs, [u]), product([m, exponent]))
      case .power(let u, let m)
      where !e.isInteger
        && (m.rationalValue.map { a in
          !a.isInteger && a.denominator.isEven && (a * e).denominator.isEven
        } ?? false):
        // (u**a)**e = u**(a*e) when both a and a*e are even roots: both sides need u >= 0
        // and agree there (sqrt(sqrt(u)) = u**(1/4); (u**(1/2))**(2/3) stays, as u**(1/3)
        // is real for u < 0).
        return power(u, product([m, exponent]))
      case .power(let u, let m) where (m.rationalValue.map { $0.isInteger && !$0.numerator.isEven } ?? false):
        // (u**a)**e = u**(a*e) for an odd integer a: u**a has u's sign, so both sides have
        // the same real domain and value (sqrt(1/u) = u**(-1/2)).
        return power(u, product([m, exponent]))
      case .product(let fs) where e.isInteger:
        return product(fs.map { power($0, exponent) })
      case .sum where e.isInteger:
        // (2*x + 2)**n = 2**n * (x + 1)**n: the same canonical placement as in products.
        if let (c, p) = base.sumContent { return product([power(number(c), exponent), power(p, exponent)]) }
        return InternTable.intern(.power(base, exponent))
      // exp(u)**e = exp(e*u) for a finite u. With +-inf in u the rate of the infinity
      // would change (exp(-inf + x)**2 is exp(-2t + 2x) as t -> inf, exp(-inf + 2*x)
      // is exp(-t + 2x)): such a power stays a power (`ProductBuilder.isRateCarrying`).
      case .apply(.exp, let a) where !a[0].containsInfinity:
        return apply(.exp, [product([a[0], exponent])])
      case .apply(.abs, let a) where e.isInteger && e.numerator.isEven:
        return power(a[0], exponent)
      default:
        return InternTable.intern(.power(base, exponent))
      }
    }
    if let c = exponent.constantValue, c == .infinity || c == .negativeInfinity {
      let toPlus = c == .infinity
      if let b = base.rationalValue {
        if b.isZero { return toPlus ? zero : undefined }
        if b.signum < 0 { return undefined }
        if b == Rational(1) { return undefined }
        let large = b > Rational(1)
        return large == toPlus ? infinity : zero
      }
      if base.constantValue == .infinity { return toPlus ? infinity : zero }
    }
    if base.isOne { return one }
    if case .apply(.exp, let a) = base.kind, !a[0].containsInfinity {
      return apply(.exp, [product([a[0], exponent])])
    }
    return InternTable.intern(.power(base, exponent))
  }

  /// Exact `b ** e` for rationals when it is a rational times at most one irrational
  /// power; nil to keep `b ** e` as a node (also when the result would be astronomically
  /// large: more than about 10^5 bits).
  private static func numericPower(_ b: Rational, _ e: Rational) -> Expr? {
    if e.isInteger {
      guard let n = e.numerator.asInt else { return nil }
      if b.isZero { return n > 0 ? zero : undefined }
      if b.magnitude == Rational(1) { return number(b.power(n)!) }
      let digits = b.numerator.description.count + b.denominator.description.count
      // A reciprocal is always cheap (1/N for a 25,000-digit N must be the number, so that
      // its printed form reads back as itself).
      guard n.magnitude == 1 || n.magnitude <= 100_000 / Swift.max(1, digits * 4) else { return nil }
      return b.power(n).map(number) ?? undefined
    }
    if b.isZero { return e.signum > 0 ? zero : undefined }
    guard let q = e.denominator.asInt, let p = e.numerator.asInt, q <= 64 else { return nil }
    if let root = b.exactRoot(q) { return numericPower(root, Rational(p)) }
    if b.signum < 0 { return nil }
    // Split off the integer part of the exponent: 2**(3/2) = 2 * 2**(1/2).
    let whole = e.floor()
    if !whole.isZero, let w = whole.asInt, let intPart = numericPower(b, Rational(w)) {
      let frac = e - Rational(whole)
      return product([intPart, InternTable.intern(.power(number(b), number(frac)))])
    }
    return nil
  }

  // MARK: Function application

  /// The canonical application of `function` to `arguments` (`function.arity` of them).
  public static func apply(_ function: Expr.Function, _ arguments: [Expr]) -> Expr {
    precondition(arguments.count == function.arity, "\(function) takes \(function.arity) argument(s)")
    // A selection's unselected branch may be undefined (`Expr+Selection.swift`).
    if function.isSelection { return selection(function, arguments[0], arguments[1], arguments[2]) }
    if arguments.contains(where: \.isUndefined) { return undefined }
    let x = arguments[0]
    let r = x.rationalValue
    let c = x.constantValue
    switch function {
    case .exp:
      if r?.isZero == true { return one }
      if c == .infinity { return infinity }
      if c == .negativeInfinity { return zero }
      if let merged = expOfLogs(x) { return merged }
    case .log:
      if r == Rational(1) { return zero }
      if r?.isZero == true { return negativeInfinity }
      if let r, r.signum > 0, r != Rational(1), let folded = logOfRational(r) { return folded }
      if c == .infinity { return infinity }
      if c == .negativeInfinity { return undefined }
      if case .apply(.exp, let a) = x.kind { return a[0] }
    case .sin:
      if r?.isZero == true || c == .pi { return zero }
      if x.hasNegativeSign { return -apply(.sin, [-x]) }
    case .cos:
      if r?.isZero == true { return one }
      if c == .pi { return number(-1) }
      if x.hasNegativeSign { return apply(.cos, [-x]) }
    case .tanh:
      if r?.isZero == true { return zero }
      if c == .infinity { return one }
      if c == .negativeInfinity { return number(-1) }
      if x.hasNegativeSign { return -apply(.tanh, [-x]) }
    case .sigmoid:
      if r?.isZero == true { return number(Rational(numerator: 1, denominator: 2)!) }
      if c == .infinity { return one }
      if c == .negativeInfinity { return zero }
    case .softplus:
      if r?.isZero == true { return apply(.log, [number(2)]) }
      if c == .infinity { return infinity }
      if c == .negativeInfinity { return zero }
    case .log1p:
      if r?.isZero == true { return zero }
      if r == Rational(-1) { return negativeInfinity }
      if c == .infinity { return infinity }
    case .expm1:
      if r?.isZero == true { return zero }
      if c == .infinity { return infinity }
      if c == .negativeInfinity { return number(-1) }
    case .abs:
      if let r { return number(r.magnitude) }
      if c == .infinity || c == .negativeInfinity { return infinity }
      if c == .pi { return x }
      if x.isPositiveFunction { return x }
      if case .apply(.abs, _) = x.kind { return x }
      if x.hasNegativeSign { return apply(.abs, [-x]) }
    case .sign:
      if let r { return number(r.signum) }
      if c == .infinity || c == .pi { return one }
      if c == .negativeInfinity { return number(-1) }
      // Only where the argument is defined everywhere: sign(exp(log(x))) is undefined at
      // x = -1, not 1 (the fold drops the argument, and its domain with it).
      if x.isPositiveFunction && !x.hasDomainRestriction { return one }
      if case .apply(.sign, _) = x.kind { return x }
      if x.hasNegativeSign { return -apply(.sign, [-x]) }
    case .max, .min:
      return extremum(function, x, arguments[1])
    case .erf:
      if r?.isZero == true { return zero }
      if c == .infinity { return one }
      if c == .negativeInfinity { return number(-1) }
      if x.hasNegativeSign { return -apply(.erf, [-x]) }
    case .erfc:
      if r?.isZero == true { return one }
      if c == .infinity { return zero }
      if c == .negativeInfinity { return number(2) }
    case .erfcx:
      if r?.isZero == true { return one }
      if c == .infinity { return zero }
      if c == .negativeInfinity { return infinity }
    case .silu, .mish, .softsign, .geluTanh, .hardswish, .elu, .gelu:
      // Numbers fold into the definition's constant (`silu(2) = 2*sigmoid(2)`, exact);
      // infinities into the textbook values. hardswish folds only where it is 0 or x:
      // between -3 and 3 it is a polynomial, and folding would double a rational's size
      // per level of a nest (`hardswish(2/3)` stays a node; a 63-level nest of it at 1 was
      // a 2^63-digit number).
      if c == .infinity || c == .negativeInfinity, let v = function.valueAtInfinity(positive: c == .infinity, arguments)
      {
        return v
      }
      if let r, function != .hardswish || r.isZero || r.magnitude >= Rational(3), let v = function.definition(arguments)
      {
        return v
      }
      if function == .softsign && x.hasNegativeSign { return -apply(.softsign, [-x]) }
    case .unitInterval:
      if let r { return r.signum >= 0 && r <= Rational(1) ? x : undefined }
      if c != nil { return undefined }
      if x.isProvablyInUnitInterval { return x }
      if case .apply(.unitInterval, _) = x.kind { return x }
    case .wherePositive, .whereNonNegative, .whereZero:
      preconditionFailure("selections are built by Expr.selection")
    }
    return InternTable.intern(.apply(function, arguments))
  }

  /// `log` of a positive rational in terms of the logs of its prime factors below 1000
  /// and of the log of the rest (itself reduced when it is a perfect power), so that
  /// logarithms of commensurate numbers are combinations of the same kernels and equal
  /// values get equal forms: `log(1/2) = -log(2)`, `log(27) = 3*log(3)`,
  /// `log(4/3) = 2*log(2) - log(3)`, `log(6) = log(2) + log(3)`. Nil when nothing applies
  /// (a prime, or a number above 4096 bits, stays `log(p)`).
  private static func logOfRational(_ r: Rational) -> Expr? {
    guard r.numerator.magnitudeBitWidth <= 4096 && r.denominator.magnitudeBitWidth <= 4096 else { return nil }
    var terms: [Expr] = []
    func decompose(_ n: BigInt, sign: Int) {
      var rest = n
      for p in smallPrimes {
        if rest == BigInt(1) { break }
        var k = 0
        while true {
          let (q, m) = rest.quotientAndRemainder(dividingBy: BigInt(p))
          guard m.isZero else { break }
          rest = q
          k += 1
        }
        if k > 0 { terms.append(product([number(sign * k), InternTable.intern(.apply(.log, [number(p)]))])) }
      }
      if rest != BigInt(1) {
        let (base, multiple) = perfectPower(rest)
        terms.append(product([number(sign * multiple), InternTable.intern(.apply(.log, [.number(Rational(base))]))]))
      }
    }
    decompose(r.numerator, sign: 1)
    decompose(r.denominator, sign: -1)
    let result = sum(terms)
    if case .apply(.log, let a) = result.kind, a[0].rationalValue == r { return nil }
    return result
  }

  /// The primes below 1000.
  private static let smallPrimes: [Int] = (2..<1000).filter { n in (2..<n).allSatisfy { n % $0 != 0 || $0 * $0 > n } }

  /// `n = base^multiple` with the largest `multiple` (prime exponents up to 61 tried).
  private static func perfectPower(_ n: BigInt) -> (BigInt, Int) {
    var base = n
    var multiple = 1
    var found = true
    while found {
      found = false
      for k in [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61] where k < base.magnitudeBitWidth {
        if let s = base.exactRoot(k) {
          base = s
          multiple *= k
          found = true
          break
        }
      }
    }
    return (base, multiple)
  }

  /// `exp` of an argument holding logarithms: `exp(a + 2*log(y)) = y**2 * exp(a)`.
  private static func expOfLogs(_ x: Expr) -> Expr? {
    // Without interning anything: `log(y)` or `c*log(y)`.
    func logPart(_ t: Expr) -> (Expr, Rational)? {
      switch t.kind {
      case .apply(.log, let a): return (a[0], Rational(1))
      case .product(let fs) where fs.count == 2:
        if case .number(let c) = fs[0].kind, case .apply(.log, let a) = fs[1].kind { return (a[0], c) }
        return nil
      default: return nil
      }
    }
    // Only for a provably positive y: exp(log(y)) is undefined for y <= 0, y**c is not.
    if let (y, c) = logPart(x) { return y.isProvablyPositive ? power(y, number(c)) : nil }
    guard case .sum(let terms) = x.kind else { return nil }
    var powers: [Expr] = []
    var rest: [Expr] = []
    for t in terms {
      if let (y, c) = logPart(t), y.isProvablyPositive { powers.append(power(y, number(c))) } else { rest.append(t) }
    }
    if powers.isEmpty { return nil }
    return product(powers + [apply(.exp, [sum(rest)])])
  }

  private static func extremum(_ f: Expr.Function, _ a: Expr, _ b: Expr) -> Expr {
    if a == b { return a }
    let isMax = f == .max
    if let p = a.rationalValue, let q = b.rationalValue { return isMax == (p > q) ? a : b }
    for (u, v) in [(a, b), (b, a)] {
      switch u.constantValue {
      case .infinity: return isMax ? u : v
      case .negativeInfinity: return isMax ? v : u
      default: break
      }
    }
    let (first, second) = precedes(a, b) ? (a, b) : (b, a)
    return InternTable.intern(.apply(f, [first, second]))
  }

  /// Whether the expression carries a leading minus sign: a negative number, `-inf`, or a
  /// product whose coefficient is negative.
  var hasNegativeSign: Bool {
    switch kind {
    case .number(let r): return r.signum < 0
    case .constant(let c): return c == .negativeInfinity
    case .product(let fs):
      if case .number(let c) = fs[0].kind { return c.signum < 0 }
      return fs[0].constantValue == .negativeInfinity
    default: return false
    }
  }

  /// Functions whose value is positive for every real argument.
  private var isPositiveFunction: Bool {
    if case .apply(let f, _) = kind { return f == .exp || f == .sigmoid || f == .softplus }
    return false
  }
}

/// The rational contents of recent non-primitive sums by node id (ids are never reused):
/// a canonical product asks a sum for its content each time it meets it, and building the
/// primitive sum again each time dominated series arithmetic in the limit engine. Bounded:
/// emptied when full.
struct SumContentCache {
  static let capacity = 1 << 14
  static let shared = Mutex(SumContentCache())
  var entries: [UInt64: (Rational, Expr)] = [:]
}

extension Expr {
  /// The rational content of a sum: `c` and the primitive sum `p` with `self = c*p`, the
  /// gcd of the coefficients taken out and the first non-numeric term made positive:
  /// `2*x + 2 -> (2, x + 1)`, `-x + y -> (-1, x - y)`. Nil when there is nothing to take
  /// out (or the sum holds a constant such as `inf`).
  var sumContent: (Rational, Expr)? {
    guard case .sum(let terms) = kind else { return nil }
    switch node.primitiveState.load(ordering: .relaxed) {
    case 1: return nil
    case 0:
      if InternTable.isPrimitive(kind) {
        node.primitiveState.store(1, ordering: .relaxed)
        return nil
      }
      node.primitiveState.store(2, ordering: .relaxed)
    default: break
    }
    if let known = SumContentCache.shared.withLock({ $0.entries[node.id] }) { return known }
    guard let found = computedSumContent(terms) else { return nil }
    SumContentCache.shared.withLock { cache in
      if cache.entries.count >= SumContentCache.capacity { cache.entries.removeAll(keepingCapacity: true) }
      cache.entries[node.id] = found
    }
    return found
  }

  private func computedSumContent(_ terms: [Expr]) -> (Rational, Expr)? {
    var numerators: [BigInt] = []
    var denominators: [BigInt] = []
    var firstSign = 0
    for t in terms {
      if t.constantValue != nil { return nil }
      let c = t.rationalValue ?? t.coefficientAndRest.0
      if firstSign == 0 && t.rationalValue == nil { firstSign = c.signum }
      numerators.append(c.numerator.magnitude)
      denominators.append(c.denominator)
    }
    let g = numerators.reduce(BigInt(0)) { BigInt.gcd($0, $1) }
    var l = BigInt(1)
    for d in denominators { l = l / BigInt.gcd(l, d) * d }
    guard !g.isZero, var content = Rational(numerator: g, denominator: l) else { return nil }
    if firstSign < 0 { content = -content }
    if content == Rational(1) { return nil }
    let inverse = content.reciprocal!
    return (
      content,
      Expr.sum(
        terms.map { t in
          if let r = t.rationalValue { return .number(r * inverse) }
          let (c, rest) = t.coefficientAndRest
          return Expr.scaled(rest, by: c * inverse)
        })
    )
  }
}

/// Accumulates the terms of a canonical sum.
///
/// Terms are matched by their *rest* (the term without its numeric coefficient), compared
/// as a slice of factors so that no intermediate product is interned; a term whose
/// coefficient did not change is reused as is. Small sums use a linear scan, large ones
/// a hash index.
struct SumBuilder {
  private struct Entry {
    let original: Expr
    /// The rest's factors: the original's factors without the coefficient, or the
    /// original itself.
    let rest: ArraySlice<Expr>
    var coefficient: Rational
    var merged = false
  }

  private var constant = Rational(0)
  private var positiveInfinity = false, negativeInfinity = false, undefined = false
  private var entries: [Entry] = []
  private var index: [UInt64: [Int]]?

  mutating func add(_ term: Expr) {
    switch term.kind {
    case .sum(let inner): for u in inner { addTerm(u) }
    default: addTerm(term)
    }
  }

  /// A term's coefficient and the factors of its rest: `3*x*y -> (3, [x, y])`,
  /// `x*y -> (1, [x, y])`, `x -> (1, [x])`.
  private static func split(_ t: Expr) -> (Rational, ArraySlice<Expr>) {
    if case .product(let fs) = t.kind {
      if case .number(let c) = fs[0].kind { return (c, fs.dropFirst()) }
      return (Rational(1), fs[...])
    }
    return (Rational(1), [t][...])
  }

  private static func sameRest(_ a: ArraySlice<Expr>, _ b: ArraySlice<Expr>) -> Bool {
    guard a.count == b.count else { return false }
    return zip(a, b).allSatisfy { $0 == $1 }
  }

  private static func restHash(_ r: ArraySlice<Expr>) -> UInt64 {
    r.count == 1 ? r.first!.node.structuralHash : r.reduce(5) { StructuralHash.mix($0, $1.node.structuralHash) }
  }

  private mutating func addTerm(_ t: Expr) {
    switch t.kind {
    case .number(let r): constant = constant + r
    case .constant(.infinity): positiveInfinity = true
    case .constant(.negativeInfinity): negativeInfinity = true
    case .constant(.undefined): undefined = true
    default:
      let (c, rest) = SumBuilder.split(t)
      if let i = find(rest) {
        entries[i].coefficient = entries[i].coefficient + c
        entries[i].merged = true
        return
      }
      entries.append(Entry(original: t, rest: rest, coefficient: c))
      if index != nil {
        index![SumBuilder.restHash(rest), default: []].append(entries.count - 1)
      } else if entries.count > 16 {
        var built: [UInt64: [Int]] = [:]
        for (i, e) in entries.enumerated() { built[SumBuilder.restHash(e.rest), default: []].append(i) }
        index = built
      }
    }
  }

  private func find(_ rest: ArraySlice<Expr>) -> Int? {
    if let index {
      return index[SumBuilder.restHash(rest)]?.first { SumBuilder.sameRest(entries[$0].rest, rest) }
    }
    return entries.firstIndex { SumBuilder.sameRest($0.rest, rest) }
  }

  func build() -> Expr {
    if undefined || (positiveInfinity && negativeInfinity) { return .undefined }
    var live = entries.filter { !$0.coefficient.isZero }
    if live.count > 1 {
      let keys = live.map { SortKey(productOf: $0.rest) }
      var sorted = true
      for i in 1..<keys.count where SortKey.compare(keys[i - 1], keys[i]) > 0 {
        sorted = false
        break
      }
      if !sorted {
        let order = keys.indices.sorted { SortKey.compare(keys[$0], keys[$1]) < 0 }
        live = order.map { live[$0] }
      }
    }
    var terms: [Expr] = []
    terms.reserveCapacity(live.count + 1)
    if positiveInfinity {
      terms.append(.infinity)
    } else if negativeInfinity {
      terms.append(.negativeInfinity)
    } else if !constant.isZero {
      terms.append(.number(constant))
    }
    for e in live {
      if !e.merged {
        terms.append(e.original)
      } else {
        let rest = e.rest.count == 1 ? e.rest.first! : InternTable.intern(.product(Array(e.rest)))
        terms.append(Expr.scaled(rest, by: e.coefficient))
      }
    }
    switch terms.count {
    case 0: return .zero
    case 1: return terms[0]
    default: return InternTable.intern(.sum(terms))
    }
  }
}

/// Accumulates the factors of a canonical product. Bases are matched by a linear scan
/// while there are few of them, then through a hash index.
struct ProductBuilder {
  private struct Entry {
    let base: Expr
    var exponents: [Expr]
    let original: Expr
    /// Whether a factor held an even root of the base (`b**(1/2)`, `(b**(1/2))**3`): then
    /// the product is undefined for `b < 0`.
    var evenRoot = false
    /// Whether the entry came from a single factor that is already in canonical form.
    var single: Bool { exponents.count == 1 && !unfolded }
    /// Whether a power of an even root was unfolded into this entry.
    var unfolded = false
  }

  private var coefficient = Rational(1)
  private var infinities = 0
  private var negativeSign = false
  private var undefined = false
  private var entries: [Entry] = []
  private var index: [Expr: Int]?
  private var expArguments: [Expr] = []
  private var expOriginal: Expr?

  mutating func add(_ factor: Expr) {
    switch factor.kind {
    case .number(let r): coefficient = coefficient * r
    case .constant(.infinity): infinities += 1
    case .constant(.negativeInfinity):
      infinities += 1
      negativeSign.toggle()
    case .constant(.undefined): undefined = true
    case .product(let fs): for f in fs { add(f) }
    case .apply(.exp, let a) where !ProductBuilder.isRateCarrying(factor):
      expArguments.append(a[0])
      expOriginal = factor
    case .power(let b, let e):
      // (u**y)**n for a non-rational y and a small integer n is n factors u**y (the form
      // `domainKeepingFactors` gives a repeated u**y): unfolded, so that the product
      // merges it with other powers of u as it did when it was built, and a printed
      // product reads back as the same node.
      if case .power(let u, let inner) = b.kind, inner.rationalValue == nil, let n = e.rationalValue, n.isInteger,
        let k = n.numerator.asInt, k != 0, k.magnitude <= 64
      {
        let y = k > 0 ? inner : -inner  // (u**y)**(-k) = (u**(-y))**k
        for _ in 0..<k.magnitude { addBase(u, y, original: factor, evenRoot: false, unfolded: true) }
        return
      }
      // (u**(p/2k))**q with rational q: an even root raised to a power is u**(p*q/2k) on
      // u >= 0, where it is defined; unfolded so it merges with other powers of u.
      if case .power(let u, let inner) = b.kind, let a = inner.rationalValue, a.denominator.isEven,
        let q = e.rationalValue
      {
        // Nested even roots unfold all the way down: ((u**(1/2))**(2/3))**3 is u**1 on u >= 0.
        var (base, exponent) = (u, a * q)
        while case .power(let v, let m) = base.kind, let c = m.rationalValue, c.denominator.isEven {
          (base, exponent) = (v, c * exponent)
        }
        addBase(base, .number(exponent), original: factor, evenRoot: true, unfolded: true)
      } else {
        addBase(b, e, original: factor, evenRoot: e.rationalValue?.denominator.isEven ?? false)
      }
    default: addBase(factor, .one, original: factor, evenRoot: false)
    }
  }

  /// Whether `e` is an `exp` whose argument holds `+inf` or `-inf`. Such an exp is a base
  /// like any other, not merged with other exps: under the same-rate rule every infinity
  /// is `+-t` (t -> inf), so `exp(-inf + x) * exp(-inf + 2*x)` is `exp(-2t + 3x)`, and
  /// merging the arguments would make it `exp(-inf + 3*x)`, `exp(-t + 3x)` (a derivative
  /// of a fully masked softmax row came out infinite that way), or, with `inf` and `-inf`,
  /// undefined. Equal ones still combine into powers, which stay powers.
  static func isRateCarrying(_ e: Expr) -> Bool {
    if case .apply(.exp, let a) = e.kind { return a[0].containsInfinity }
    return false
  }

  private mutating func addBase(_ base: Expr, _ exponent: Expr, original: Expr, evenRoot: Bool, unfolded: Bool = false)
  {
    let found: Int? = index.map { $0[base] } ?? entries.firstIndex { $0.base == base }
    if let i = found {
      entries[i].exponents.append(exponent)
      if evenRoot { entries[i].evenRoot = true }
      return
    }
    entries.append(Entry(base: base, exponents: [exponent], original: original, evenRoot: evenRoot, unfolded: unfolded))
    if index != nil {
      index![base] = entries.count - 1
    } else if entries.count > 16 {
      index = Dictionary(uniqueKeysWithValues: entries.enumerated().map { ($1.base, $0) })
    }
  }

  func build() -> Expr {
    if undefined { return .undefined }
    if coefficient.isZero { return infinities > 0 ? .undefined : .zero }
    var coefficient = self.coefficient
    var factors: [Expr] = []
    var extra: [Expr] = []  // results that need another round (numbers, products)
    factors.reserveCapacity(entries.count + 2)
    for entry in entries {
      if !entry.single,
        let kept = ProductBuilder.domainKeepingFactors(entry.base, entry.exponents, evenRoot: entry.evenRoot)
      {
        // A kept power of a product base distributes (`(a/b)**(-1)` is `b/a`): its
        // factors go through another round, not into this product as one nested factor
        // (fuzz seed 11 #71783 printed `sign(w)*(l/sign(w))`, read back merged).
        for f in kept {
          if case .product = f.kind {
            extra.append(f)
          } else if case .number = f.kind {
            extra.append(f)
          } else {
            factors.append(f)
          }
        }
        continue
      }
      let f = entry.single ? entry.original : Expr.power(entry.base, Expr.sum(entry.exponents))
      switch f.kind {
      case .number(let r): coefficient = coefficient * r
      // Only the infinities need the coefficient's sign: pi is an ordinary factor (a
      // second round for it would rebuild the same product forever).
      case .apply(.exp, _) where ProductBuilder.isRateCarrying(f): factors.append(f)
      case .product, .constant(.infinity), .constant(.negativeInfinity), .constant(.undefined), .apply(.exp, _):
        extra.append(f)
      // A merged power that folded to a power of another base ((w**2)**(z - 1) times
      // (w**2)**(-z) is w**(-2)) may meet that base among the other factors: another
      // round merges them (the base is smaller each time, so the rounds end).
      case .power(let b, _) where !entry.single && b != entry.base:
        extra.append(f)
      default: factors.append(f)
      }
    }
    if !expArguments.isEmpty {
      let e = expArguments.count == 1 ? expOriginal! : Expr.apply(.exp, [Expr.sum(expArguments)])
      switch e.kind {
      case .number(let r): coefficient = coefficient * r
      case .apply(.exp, _): factors.append(e)
      default: extra.append(e)
      }
    }
    if !extra.isEmpty {
      var again = ProductBuilder()
      again.add(.number(coefficient))
      for _ in 0..<infinities { again.add(.infinity) }
      if negativeSign { again.add(.number(-1)) }
      for f in factors + extra { again.add(f) }
      return again.build()
    }
    if coefficient.isZero { return .zero }
    if factors.count >= 2 || (factors.count == 1 && infinities > 0) {
      // Canonical placement of numbers: a sum beside other factors gives up its rational
      // content, so (2*x + 2)*y and 2*((x + 1)*y) are the same node 2*y*(x + 1).
      var changed = false
      for i in factors.indices {
        if let (c, p) = factors[i].sumContent {
          coefficient = coefficient * c
          factors[i] = p
          changed = true
        }
      }
      // A sum that gave up its content may now equal another factor's base
      // ((-t - 1)*(t + 1)**-2): merge them in a second round (the factors are primitive
      // now, so that round changes no content and ends).
      if changed {
        var bases = Set<Expr>()
        let repeated = factors.contains { f in
          if case .power(let b, _) = f.kind { return !bases.insert(b).inserted }
          return !bases.insert(f).inserted
        }
        if repeated {
          var again = ProductBuilder()
          again.add(.number(coefficient))
          for _ in 0..<infinities { again.add(.infinity) }
          if negativeSign { again.add(.number(-1)) }
          for f in factors { again.add(f) }
          return again.build()
        }
      }
    }
    ProductBuilder.sortIfNeeded(&factors)
    if infinities > 0 {
      let negative = negativeSign != (coefficient.signum < 0)
      coefficient = Rational(1)
      factors.insert(negative ? .negativeInfinity : .infinity, at: 0)
    } else if factors.count == 1, case .sum(let terms) = factors[0].kind, coefficient != Rational(1) {
      // A number times a sum distributes, as in sympy: 2*(x + y) = 2*x + 2*y.
      return Expr.sum(
        terms.map { t in
          if let r = t.rationalValue { return Expr.number(r * coefficient) }
          let (c, rest) = t.coefficientAndRest
          return Expr.scaled(rest, by: c * coefficient)
        })
    }
    if coefficient != Rational(1) { factors.insert(.number(coefficient), at: 0) }
    switch factors.count {
    case 0: return .number(coefficient)
    case 1: return factors[0]
    default: return InternTable.intern(.product(factors))
    }
  }

  /// The factors `base**e_1 * ... * base**e_k` become when merging them into
  /// `base**(e_1 + ... + e_k)` would widen the real domain; nil when merging is safe.
  ///
  /// For `b < 0`: `b**n` (integer n) and `b**(p/q)` (odd q: the real odd root) are
  /// defined, `b**(p/q)` with even q never is, and `b**y` for a non-rational `y` only
  /// where `y` is an integer. Merging is safe when the base is provably nonnegative, or
  /// when the merged power is undefined for `b < 0` wherever the factors are: no even
  /// root and at most one non-rational exponent beside an integer rest; or an even root
  /// and a merged exponent with an even denominator. Otherwise (`sqrt(x)*sqrt(x)`,
  /// `sqrt(x)*x**(-3/2)`, `x**y*x**z`): rational exponents with an even root become one
  /// factor `(base**(1/2))**(2s)`, defined for `b >= 0` only, like the factors, or for a
  /// sum `s = 0` (`sqrt(x)/sqrt(x)`, which would be 1) the two factors
  /// `sqrt(base)**2 * base**(-1)`; non-rational exponents each keep their own factor
  /// (repeats as an integer power of it).
  /// The `b = 0` cases (`x*x**(-1)`) follow the 0/0 convention and merge as before.
  static func domainKeepingFactors(_ base: Expr, _ exponents: [Expr], evenRoot: Bool) -> [Expr]? {
    var rational = Rational(0)
    var symbolic: [Expr] = []
    for e in exponents {
      if let r = e.rationalValue { rational = rational + r } else { symbolic.append(e) }
    }
    if evenRoot {
      if symbolic.isEmpty && rational.denominator.isEven { return nil }
    } else {
      if symbolic.count <= 1 && rational.isInteger { return nil }
      if symbolic.isEmpty { return nil }  // integers and odd roots: real everywhere
    }
    if base.isProvablyNonnegative { return nil }
    var kept: [Expr] = []
    var listed = exponents
    if evenRoot {
      // The rational exponents together carry the even root: (base**(1/2))**(2s), or for
      // s = 0 the pair sqrt(base)**2 / base (1 where base > 0, undefined where base < 0,
      // as the factors are: `W/sqrt(W)**2` was 1, and `sqrt(x)/sqrt(x)` read back as
      // `x**(1/2)*x**(-1/2)`, whose exponents no longer said "root"; fuzz seed 9 #135538).
      kept =
        rational.isZero
        ? [Expr.power(sqrt(base), .number(2)), Expr.power(base, .number(-1))]
        : [Expr.power(sqrt(base), .number(rational * Rational(2)))]
      listed = symbolic
    }
    // Distinct exponents, each with its multiplicity, in first-seen order (the canonical
    // sort puts the factors in order afterwards).
    var order: [Expr] = []
    var count: [Expr: Int] = [:]
    for e in listed {
      if count[e] == nil { order.append(e) }
      count[e, default: 0] += 1
    }
    return kept
      + order.map { e in
        let f = Expr.power(base, e)
        return count[e]! == 1 ? f : Expr.power(f, .number(count[e]!))
      }
  }

  static func sortIfNeeded(_ xs: inout [Expr]) {
    guard xs.count > 1 else { return }
    for i in 1..<xs.count where Expr.compare(xs[i - 1], xs[i]) > 0 {
      xs.sort(by: Expr.precedes)
      return
    }
  }
}
