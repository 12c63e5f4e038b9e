import Foundation

/// Numeric evaluation with IEEE double semantics.
///
/// Each node is computed once (the DAG is folded bottom-up), so evaluating a Jacobian
/// whose entries share subexpressions costs the size of the DAG, not of the trees.
/// Semantics: numbers are rounded correctly to the nearest double; `+-inf` and NaN
/// propagate as IEEE arithmetic does (`inf - inf` is NaN here: the limit-aware
/// evaluation of a later layer resolves such forms). Functions outside their real domain
/// (`log(-1)`, `sqrt(-2)`, `log1p(-2)`, a negative base to a non-integer power) throw
/// `EvaluationError.domain` instead of returning NaN; a NaN argument gives NaN.
/// `sigmoid` and `softplus` use overflow-free formulas.
public struct Evaluator {
  private let values: [String: Double]
  private var memo: [Expr: Double] = [:]

  public init(values: [String: Double]) { self.values = values }

  /// The value of `expression` at this evaluator's point.
  public mutating func value(of expression: Expr) throws -> Double {
    let values = self.values
    // Selections evaluate the selected branch only (a NaN condition gives NaN).
    return try expression.fold(
      memo: &memo, choosing: { node, u in Evaluator.selectedBranch(node, u) },
      { node, args in try Evaluator.compute(node, args, values) })
  }

  /// The argument index (1 or 2) a selection node takes where its condition is `u`
  /// (1 for NaN, whose result is NaN whatever the branch).
  static func selectedBranch(_ node: Expr, _ u: Double) -> Int {
    guard case .apply(let f, _) = node.kind, !u.isNaN else { return 1 }
    return f.selectsFirstBranch(u) ? 1 : 2
  }

  static func compute(_ node: Expr, _ a: [Double], _ values: [String: Double]) throws -> Double {
    switch node.kind {
    case .number(let r): return r.toDouble()
    case .constant(let c): return c.doubleValue
    case .symbol(let name):
      guard let v = values[name] else { throw EvaluationError.unboundSymbol(name) }
      return v
    case .sum: return a.reduce(0, +)
    case .product: return a.reduce(1, *)
    case .power(_, let e): return try power(a[0], a[1], exactExponent: e.rationalValue)
    case .apply(let f, _):
      // A selection folded lazily sees [condition, selected branch].
      if f.isSelection { return a[0].isNaN ? .nan : a[1] }
      return try apply(f, a)
    }
  }

  static func power(_ b: Double, _ e: Double, exactExponent: Rational?) throws -> Double {
    try power(b, e, ExponentClass(exactExponent))
  }

  /// What `power` needs to know about an exponent, decided once (the compiled tape keeps
  /// it per instruction): `1/2`, another exact rational (the parities of its parts), or
  /// not a number.
  enum ExponentClass: Sendable, Equatable {
    case squareRoot
    case rational(oddDenominator: Bool, evenNumerator: Bool)
    case symbolic

    init(_ exactExponent: Rational?) {
      guard let r = exactExponent else {
        self = .symbolic
        return
      }
      if r == Rational(numerator: 1, denominator: 2)! {
        self = .squareRoot
      } else {
        self = .rational(oddDenominator: !r.denominator.isEven, evenNumerator: r.numerator.isEven)
      }
    }
  }

  static func power(_ b: Double, _ e: Double, _ exponent: ExponentClass) throws -> Double {
    if exponent == .squareRoot {
      if b < 0 { throw EvaluationError.domain(function: "sqrt", argument: b) }
      return b.squareRoot()
    }
    if b < 0 && e.isFinite && e.rounded() != e {
      // A negative base to an exact exponent p/q with q odd has a real value, the real
      // root (as the constructor folds (-8)**(1/3) to -2); other non-integer powers of a
      // negative number are outside the real domain.
      if case .rational(oddDenominator: true, let evenNumerator) = exponent {
        let m = Foundation.pow(-b, e)
        return evenNumerator ? m : -m
      }
      throw EvaluationError.domain(function: "pow", argument: b)
    }
    return Foundation.pow(b, e)
  }

  static func apply(_ f: Expr.Function, _ a: [Double]) throws -> Double {
    try apply(f, a[0], f.arity == 2 ? a[1] : 0)
  }

  /// `f(x)`, or `f(x, y)` for the binary functions (`y` is ignored otherwise).
  static func apply(_ f: Expr.Function, _ x: Double, _ y: Double) throws -> Double {
    switch f {
    case .exp: return Foundation.exp(x)
    case .log:
      if x < 0 { throw EvaluationError.domain(function: "log", argument: x) }
      return Foundation.log(x)
    case .sin: return Foundation.sin(x)
    case .cos: return Foundation.cos(x)
    case .tanh: return Foundation.tanh(x)
    case .sigmoid:
      if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
      let t = Foundation.exp(x)
      return t / (1 + t)
    case .softplus:
      if x.isNaN { return x }
      return Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
    case .log1p:
      if x < -1 { throw EvaluationError.domain(function: "log1p", argument: x) }
      return Foundation.log1p(x)
    case .expm1: return Foundation.expm1(x)
    case .unitInterval:
      guard x >= 0 && x <= 1 else { throw EvaluationError.domain(function: "binary_cross_entropy", argument: x) }
      return x
    case .abs: return Swift.abs(x)
    case .sign:
      if x.isNaN { return x }
      return x > 0 ? 1 : (x < 0 ? -1 : 0)
    case .max:
      if x.isNaN || y.isNaN { return .nan }
      return Swift.max(x, y)
    case .min:
      if x.isNaN || y.isNaN { return .nan }
      return Swift.min(x, y)
    // The activations as ATen's CPU kernels compute them in double (so an infinite input
    // gives what PyTorch gives, NaN for silu(-inf); the limit is the certified evaluator's).
    case .silu: return x / (1 + Foundation.exp(-x))
    case .mish: return x * Foundation.tanh(Foundation.log1p(Foundation.exp(x)))
    case .softsign: return x / (1 + Swift.abs(x))
    case .geluTanh:
      let beta = Foundation.sqrt(2.0) * (2 / Foundation.sqrt(Double.pi)) * 0.5
      return 0.5 * x * (1 + Foundation.tanh(beta * (x + 0.044715 * x * x * x)))
    case .hardswish: return x * Swift.min(Swift.max(x + 3, 0), 6) / 6
    case .elu: return x > 0 ? x : y * Foundation.expm1(x)
    case .gelu: return x * 0.5 * (1 + Foundation.erf(x * (0.5 as Double).squareRoot()))
    case .erf: return Foundation.erf(x)
    case .erfc: return Foundation.erfc(x)
    case .erfcx: return Expr.scaledErfc(x)
    case .wherePositive, .whereNonNegative, .whereZero:
      preconditionFailure("selections are evaluated lazily by the fold, not as functions of two values")
    }
  }
}

extension Expr {
  /// The IEEE double value at the point `values` (symbol name -> value), with no limits:
  /// `inf - inf` is NaN here.
  ///
  /// Throws `EvaluationError.unboundSymbol` for a symbol without a value and
  /// `EvaluationError.domain` for a function outside its real domain.
  public func evaluateIEEE(at values: [String: Double] = [:]) throws -> Double {
    var e = Evaluator(values: values)
    return try e.value(of: self)
  }
}

extension Expr {
  /// `exp(x**2) erfc(x)` in double: the product below 25 (no overflow: `exp(625)` is
  /// finite), above it the continued fraction `1/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x
  /// + ...))))` (modified Lentz), which converges in a few terms there; `inf` at `-inf`,
  /// 0 at `inf`.
  static func scaledErfc(_ x: Double) -> Double {
    if x.isNaN { return .nan }
    if x == .infinity { return 0 }
    if x < 25 { return Foundation.exp(x * x) * Foundation.erfc(x) }
    let tiny = 1e-300
    var f = x
    var c = x
    var d = 0.0
    for k in 1...60 {
      let a = Double(k) / 2
      d = x + a * d
      if d == 0 { d = tiny }
      c = x + a / c
      if c == 0 { c = tiny }
      d = 1 / d
      let delta = c * d
      f *= delta
      if Swift.abs(delta - 1) < 1e-17 { break }
    }
    return 1 / (f * Foundation.sqrt(Double.pi))
  }
}
