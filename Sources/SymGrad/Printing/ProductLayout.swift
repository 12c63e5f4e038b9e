/// How a product (or a power with a negative exponent) is laid out as a fraction:
/// the sign, numeric numerator and denominator, and the symbolic factors on each side.
/// Shared by the text and LaTeX printers so both read the same way.
///
/// `3*x*y**(-2)/4` lays out as sign +, numbers 3 over 4, numerator `[x]`, denominator
/// `[y**2]` (a factor `b**e` with a negative numeric exponent goes below as `b**(-e)`).
struct ProductLayout {
  var negative = false
  var numeratorNumber: BigInt?
  var denominatorNumber: BigInt?
  /// The coefficient as a terminating decimal, when the printer prefers it.
  var decimalCoefficient: String?
  /// Leading infinity constant, printed first in the numerator.
  var infinity = false
  var numerator: [Int] = []  // indices of factors shown above
  var denominator: [Int] = []  // indices of factors whose reciprocal is shown below

  init(_ factors: [Expr]) {
    for (i, f) in factors.enumerated() {
      switch f.kind {
      case .number(let c):
        negative = c.signum < 0
        let m = c.magnitude
        if m.numerator != BigInt(1) { numeratorNumber = m.numerator }
        if m.denominator != BigInt(1) { denominatorNumber = m.denominator }
      case .constant(.negativeInfinity):
        negative.toggle()
        infinity = true
      case .constant(.infinity):
        infinity = true
      case .power(_, let e) where e.rationalValue.map { $0.signum < 0 } ?? false:
        denominator.append(i)
      default:
        numerator.append(i)
      }
    }
  }

  var hasDenominator: Bool { denominatorNumber != nil || !denominator.isEmpty }
}
