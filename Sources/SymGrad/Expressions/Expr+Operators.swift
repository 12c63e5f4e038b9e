import Foundation

precedencegroup ExponentiationPrecedence {
  associativity: right
  higherThan: MultiplicationPrecedence
}

/// `base ** exponent`, as in Python and sympy.
infix operator ** : ExponentiationPrecedence

extension Expr {
  /// The canonical sum. Growing a large sum by a term is O(log n) (`growingSum`), so a
  /// sum built by `+` in a loop costs O(n log n) in all, like `Expr.sum` of the terms.
  public static func + (lhs: Expr, rhs: Expr) -> Expr {
    if let grown = growingSum(lhs, rhs) { return grown }
    if let fast = inserting(rhs, into: lhs) ?? inserting(lhs, into: rhs) { return fast }
    return sum([lhs, rhs])
  }
  public static func - (lhs: Expr, rhs: Expr) -> Expr { lhs + (-rhs) }
  public static func * (lhs: Expr, rhs: Expr) -> Expr { product([lhs, rhs]) }
  /// `lhs * rhs**(-1)`; dividing by exactly 0 gives `undefined`.
  public static func / (lhs: Expr, rhs: Expr) -> Expr { product([lhs, power(rhs, number(-1))]) }
  public static prefix func - (operand: Expr) -> Expr {
    if let r = operand.rationalValue { return number(-r) }
    return product([number(-1), operand])
  }
  public static func ** (base: Expr, exponent: Expr) -> Expr { power(base, exponent) }
  public static func += (lhs: inout Expr, rhs: Expr) { lhs = lhs + rhs }
  public static func -= (lhs: inout Expr, rhs: Expr) { lhs = lhs - rhs }
  public static func *= (lhs: inout Expr, rhs: Expr) { lhs = lhs * rhs }
  public static func /= (lhs: inout Expr, rhs: Expr) { lhs = lhs / rhs }
}

extension Expr {
  /// `sum + term` by binary insertion when `term` is new to a sum of 8 to
  /// `LargeSum.threshold` terms: O(n) instead of a full rebuild (larger sums grow through
  /// `growingSum`). Nil when the general construction is needed (like terms, numbers,
  /// constants, small sums).
  private static func inserting(_ term: Expr, into total: Expr) -> Expr? {
    guard total.node.large == nil, case .sum(let terms) = total.kind, terms.count >= 8 else { return nil }
    switch term.kind {
    case .sum, .number, .constant: return nil
    default: break
    }
    func restKey(_ t: Expr) -> SortKey {
      if case .product(let fs) = t.kind, case .number = fs[0].kind { return SortKey(productOf: fs.dropFirst()) }
      return SortKey(t)
    }
    let key = restKey(term)
    var low = 0
    switch terms[0].kind {
    case .number, .constant: low = 1
    default: break
    }
    var high = terms.count
    while low < high {
      let mid = (low + high) / 2
      let c = SortKey.compare(restKey(terms[mid]), key)
      if c == 0 { return nil }
      if c < 0 { low = mid + 1 } else { high = mid }
    }
    var updated = terms
    updated.insert(term, at: low)
    return InternTable.intern(.sum(updated))
  }
}

extension Expr: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int) { self = .number(value) }
}

extension Expr: ExpressibleByFloatLiteral {
  /// A float literal is taken exactly as written: `-0.0473` is `-473/10000`.
  /// (Swift hands over a `Double`; its shortest round-trip text is what was written.)
  public init(floatLiteral value: Double) {
    if value.isNaN {
      self = .undefined
    } else if value.isInfinite {
      self = value > 0 ? .infinity : .negativeInfinity
    } else {
      self = .number(Rational(decimal: "\(value)") ?? Rational(exactly: value)!)
    }
  }
}

extension Expr {
  /// The exact value of a finite double, written in its shortest decimal form
  /// (`0.1` is `1/10`); `inf`, `-inf` and `nan` map to the constants.
  public init(_ value: Double) { self.init(floatLiteral: value) }
}

// MARK: Elementary functions on expressions

/// `exp(x)`.
public func exp(_ x: Expr) -> Expr { .apply(.exp, [x]) }
/// Natural logarithm.
public func log(_ x: Expr) -> Expr { .apply(.log, [x]) }
/// `x ** (1/2)`.
public func sqrt(_ x: Expr) -> Expr { .power(x, .number(Rational(numerator: 1, denominator: 2)!)) }
/// `|x|`.
public func abs(_ x: Expr) -> Expr { .apply(.abs, [x]) }
public func sin(_ x: Expr) -> Expr { .apply(.sin, [x]) }
public func cos(_ x: Expr) -> Expr { .apply(.cos, [x]) }
public func tanh(_ x: Expr) -> Expr { .apply(.tanh, [x]) }
/// The logistic function `1/(1 + exp(-x))`.
public func sigmoid(_ x: Expr) -> Expr { .apply(.sigmoid, [x]) }
/// `log(1 + exp(x))`.
public func softplus(_ x: Expr) -> Expr { .apply(.softplus, [x]) }
public func log1p(_ x: Expr) -> Expr { .apply(.log1p, [x]) }
public func expm1(_ x: Expr) -> Expr { .apply(.expm1, [x]) }
/// `sign(x)` in {-1, 0, 1}.
public func sign(_ x: Expr) -> Expr { .apply(.sign, [x]) }
/// Binary maximum (ties split the derivative evenly, like `torch.maximum`).
public func max(_ a: Expr, _ b: Expr) -> Expr { .apply(.max, [a, b]) }
/// Binary minimum (ties split the derivative evenly, like `torch.minimum`).
public func min(_ a: Expr, _ b: Expr) -> Expr { .apply(.min, [a, b]) }
/// `base ** exponent`.
public func pow(_ base: Expr, _ exponent: Expr) -> Expr { .power(base, exponent) }
