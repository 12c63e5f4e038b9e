/// A sparse multivariate polynomial with exact rational coefficients over numbered
/// "kernels" (symbols, exponentials, function applications: anything treated as an
/// indeterminate). Used by `simplified()` for rational-function normalization.
struct Polynomial: Hashable {
  /// A monomial: (kernel index, exponent) pairs, sorted by kernel, exponents > 0.
  typealias Monomial = [Int]  // flattened pairs: k0, e0, k1, e1, ...

  var terms: [Monomial: Rational] = [:]

  static let zero = Polynomial()
  static func constant(_ c: Rational) -> Polynomial { c.isZero ? .zero : Polynomial(terms: [[]: c]) }
  static func kernel(_ k: Int, power n: Int = 1) -> Polynomial { Polynomial(terms: [[k, n]: Rational(1)]) }

  var isZero: Bool { terms.isEmpty }
  var constantValue: Rational? {
    if terms.isEmpty { return Rational(0) }
    if terms.count == 1, let c = terms[[]] { return c }
    return nil
  }

  static func + (a: Polynomial, b: Polynomial) -> Polynomial {
    var r = a
    r += b
    return r
  }

  /// What multiplying `a` by `b` costs in the simplifier's work units: per pair of terms,
  /// 4 for the monomial (an array hashed into a dictionary, a rational allocated) plus
  /// `wa wb` for the largest coefficients' sizes in 64-bit words (a product and the gcd
  /// that reduces it cost about that many word operations: terms with 10**308
  /// denominators multiplied for seconds while counted as small ones). One unit is about
  /// 0.1 microsecond here: a simplification stops after about 0.1 s (it took 0.3 s with
  /// one unit per pair, fuzz seed 9 #176387).
  static func productCost(_ a: Polynomial, _ b: Polynomial) -> Int {
    func words(_ p: Polynomial) -> Int {
      p.terms.values.reduce(0) { Swift.max($0, $1.words) }
    }
    let (wa, wb) = (words(a), words(b))
    return a.terms.count * b.terms.count * (4 + wa * wb)
  }

  /// `a * b`, the only polynomial product, charged to the normalization in progress
  /// (`Simplifier.charge`; nothing outside one): the estimate `productCost` first, then,
  /// as it goes, each monomial by its length and each addition into a coefficient that
  /// already holds a sum by the square of that coefficient's size in words (the gcd that
  /// reduces the sum: when many pairs of terms meet in one monomial, a coefficient grows
  /// far past either factor's, and the estimate undercounted a Hessian's products 2 s
  /// long, fuzz seed 32 #645152). A coefficient past `Simplifier.coefficientBitBudget`
  /// stops the product at once (the result would be refused). Throws
  /// `Simplifier.TooLarge`; never returns a partial product.
  static func product(_ a: Polynomial, _ b: Polynomial) throws -> Polynomial {
    try Simplifier.charge(productCost(a, b))
    var r = Polynomial()
    var pending = 0
    for (m1, c1) in a.terms {
      for (m2, c2) in b.terms {
        let m = multiply(m1, m2)
        // Merging and hashing the monomial: about one unit per entry (a Hessian's
        // products of 100-kernel monomials spent 60% of 1.8 s hashing them, fuzz seed 32
        // #749442, charged 4 per pair).
        pending += m.count
        let p = c1 * c2
        guard let old = r.terms[m] else {
          r.terms[m] = p.isZero ? nil : p
          continue
        }
        let s = old + p
        if s.bitSize > Simplifier.coefficientBitBudget { throw Simplifier.TooLarge() }
        let w = s.words
        pending += w * w
        r.terms[m] = s.isZero ? nil : s
      }
      try Simplifier.charge(pending)
      pending = 0
    }
    return r
  }

  /// Adds `b` in place: linear in `b`'s terms when `a`'s storage is not shared.
  static func += (a: inout Polynomial, b: Polynomial) {
    for (m, c) in b.terms {
      let s = (a.terms[m] ?? Rational(0)) + c
      a.terms[m] = s.isZero ? nil : s
    }
  }

  static prefix func - (a: Polynomial) -> Polynomial { Polynomial(terms: a.terms.mapValues { -$0 }) }
  static func - (a: Polynomial, b: Polynomial) -> Polynomial { a + (-b) }

  static func multiply(_ x: Monomial, _ y: Monomial) -> Monomial {
    var out: Monomial = []
    out.reserveCapacity(x.count + y.count)
    var i = 0
    var j = 0
    while i < x.count || j < y.count {
      if j >= y.count || (i < x.count && x[i] < y[j]) {
        out.append(x[i])
        out.append(x[i + 1])
        i += 2
      } else if i >= x.count || y[j] < x[i] {
        out.append(y[j])
        out.append(y[j + 1])
        j += 2
      } else {
        out.append(x[i])
        out.append(x[i + 1] + y[j + 1])
        i += 2
        j += 2
      }
    }
    return out
  }

  func scaled(_ c: Rational) -> Polynomial {
    c.isZero ? .zero : Polynomial(terms: terms.mapValues { $0 * c })
  }

  /// Lexicographic order on monomials (a smaller kernel index with a larger exponent is
  /// larger), the order of the division algorithm.
  static func lexGreater(_ x: Monomial, _ y: Monomial) -> Bool {
    var i = 0
    while i < x.count && i < y.count {
      if x[i] != y[i] { return x[i] < y[i] }
      if x[i + 1] != y[i + 1] { return x[i + 1] > y[i + 1] }
      i += 2
    }
    return x.count > y.count
  }

  var leading: (Monomial, Rational)? {
    terms.max { Polynomial.lexGreater($1.key, $0.key) }.map { ($0.key, $0.value) }
  }

  /// `x / y` when `y` divides the monomial `x`.
  static func divide(_ x: Monomial, _ y: Monomial) -> Monomial? {
    var out: Monomial = []
    var j = 0
    var i = 0
    while i < x.count {
      if j < y.count && y[j] == x[i] {
        let e = x[i + 1] - y[j + 1]
        if e < 0 { return nil }
        if e > 0 { out += [x[i], e] }
        j += 2
      } else if j < y.count && y[j] < x[i] {
        return nil
      } else {
        out += [x[i], x[i + 1]]
      }
      i += 2
    }
    return j >= y.count ? out : nil
  }

  /// The exact quotient `self / d`, or nil when `d` does not divide `self` (or the work
  /// exceeds `budget` steps).
  func exactlyDivided(by d: Polynomial, budget: Int = 4000) -> Polynomial? {
    guard let (dm, dc) = d.leading else { return nil }
    // The remainder is updated in place (`r = r - t * d` copied the whole remainder at
    // every step: quadratic in its size).
    var r = self
    var q = Polynomial()
    var steps = 0
    while let (rm, rc) = r.leading {
      steps += 1
      if steps > budget { return nil }
      // Each step scans the remainder for its leading term and updates it by the divisor:
      // charged to the normalization in progress (past its budget: not divided).
      do { try Simplifier.charge(r.terms.count + d.terms.count) } catch { return nil }
      guard let m = Polynomial.divide(rm, dm) else { return nil }
      let coefficient = rc.dividing(by: dc)!
      let sum = (q.terms[m] ?? Rational(0)) + coefficient
      q.terms[m] = sum.isZero ? nil : sum
      for (n, c) in d.terms {
        let key = Polynomial.multiply(m, n)
        let value = (r.terms[key] ?? Rational(0)) - coefficient * c
        r.terms[key] = value.isZero ? nil : value
      }
    }
    return q
  }

  /// `self ** n` for n >= 0, each product charged to the normalization in progress
  /// (`Simplifier.charge`), which may stop it.
  func power(_ n: Int) throws -> Polynomial {
    var result = Polynomial.constant(Rational(1))
    var base = self
    var k = n
    while k > 0 {
      if k & 1 == 1 { result = try Polynomial.product(result, base) }
      k >>= 1
      if k > 0 { base = try Polynomial.product(base, base) }
    }
    return result
  }
}
