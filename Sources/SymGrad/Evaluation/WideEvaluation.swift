import Foundation

/// A double with an unbounded binary exponent: `mantissa * 2^exponent`.
///
/// Used to evaluate exact (symbol-free) expressions whose intermediate values overflow or
/// underflow IEEE doubles, e.g. `exp(-10^9 + a)/(exp(-10^9 + a) + exp(-10^9 + b))`, where
/// IEEE gives `0/0 = NaN` but the value is the softmax of `a, b`. Precision is that of a
/// double (53 bits); only the range is extended. Non-finite mantissas carry IEEE
/// semantics.
struct WideDouble {
  var mantissa: Double
  var exponent: Int

  init(_ m: Double, _ e: Int = 0) {
    if m == 0 || !m.isFinite {
      mantissa = m
      exponent = 0
    } else {
      // Swift's frexp(Double) drops the sign (it uses `significand`), so split it here.
      let f = frexp(Swift.abs(m))
      mantissa = m < 0 ? -f.0 : f.0
      exponent = e + f.1
    }
  }

  var double: Double {
    if mantissa == 0 || !mantissa.isFinite { return mantissa }
    if exponent > 4000 { return mantissa > 0 ? .infinity : -.infinity }
    if exponent < -4000 { return mantissa > 0 ? 0 : -0.0 }
    return scalbn(mantissa, exponent)
  }

  static func + (a: WideDouble, b: WideDouble) -> WideDouble {
    switch (a.mantissa.isFinite, b.mantissa.isFinite) {
    case (false, false): return WideDouble(a.mantissa + b.mantissa)
    case (false, true): return a
    case (true, false): return b
    case (true, true): break
    }
    if a.mantissa == 0 { return b }
    if b.mantissa == 0 { return a }
    let (hi, lo) = a.exponent >= b.exponent ? (a, b) : (b, a)
    let shift = hi.exponent - lo.exponent
    if shift > 1100 { return hi }
    return WideDouble(hi.mantissa + scalbn(lo.mantissa, -shift), hi.exponent)
  }

  static prefix func - (a: WideDouble) -> WideDouble { WideDouble(-a.mantissa, a.exponent) }

  static func * (a: WideDouble, b: WideDouble) -> WideDouble { WideDouble(a.mantissa * b.mantissa, a.exponent + b.exponent) }

  static func / (a: WideDouble, b: WideDouble) -> WideDouble { WideDouble(a.mantissa / b.mantissa, a.exponent - b.exponent) }

  /// Natural log (a double: logs of wide numbers are moderate).
  var log: Double { Foundation.log(mantissa) + Double(exponent) * M_LN2 }

  static func exp(_ x: Double) -> WideDouble {
    if !x.isFinite { return WideDouble(Foundation.exp(x)) }
    let k = (x / M_LN2).rounded(.down)
    guard Swift.abs(k) < 1e15 else { return WideDouble(x > 0 ? .infinity : 0) }
    return WideDouble(Foundation.exp(x - k * M_LN2), Int(k))
  }
}

extension Expr {
  /// The value of a symbol-free expression with an unbounded exponent range (see
  /// `WideDouble`); nil when the expression has symbols or leaves the real domain.
  func wideValue() -> Double? {
    var memo: [Expr: WideDouble] = [:]
    do {
      return try fold(memo: &memo) { node, a -> WideDouble in
        switch node.kind {
        case .number(let r):
          // Huge or tiny rationals: scale numerator and denominator separately.
          let n = r.numerator.toDouble(), d = r.denominator.toDouble()
          if n.isFinite && d.isFinite && d != 0 { return WideDouble(n) / WideDouble(d) }
          return WideDouble(r.toDouble())
        case .constant(let c): return WideDouble(c.doubleValue)
        case .symbol: throw EvaluationError.unboundSymbol(node.symbolName!)
        case .sum: return a.dropFirst().reduce(a[0], +)
        case .product: return a.dropFirst().reduce(a[0], *)
        case .power(_, let e):
          let base = a[0], p = a[1].double
          if base.mantissa < 0 {
            return WideDouble(try Evaluator.power(base.double, p, exactExponent: e.rationalValue))
          }
          if base.mantissa == 0 || !base.mantissa.isFinite { return WideDouble(Foundation.pow(base.double, p)) }
          return WideDouble.exp(p * base.log)
        case .apply(let f, _):
          switch f {
          case .exp: return WideDouble.exp(a[0].double)
          case .log:
            if a[0].mantissa < 0 { throw EvaluationError.domain(function: "log", argument: a[0].double) }
            if a[0].mantissa == 0 || !a[0].mantissa.isFinite { return WideDouble(Foundation.log(a[0].double)) }
            return WideDouble(a[0].log)
          default:
            return WideDouble(try Evaluator.apply(f, a.map(\.double)))
          }
        }
      }.double
    } catch {
      return nil
    }
  }
}
