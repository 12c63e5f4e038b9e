import Foundation
import Testing
@testable import SymGrad

/// The certified evaluator's building blocks against their definitions: directed rounding,
/// interval operations that must contain every exact result, the faithful-rounding test,
/// and series enclosures that must contain the true value (references from mpmath).
/// Written for `Scripts/mutation-check`: each test pins one property a mutation broke
/// unnoticed.
@Suite struct IntervalSemanticsTests {
  func d(_ x: Double) -> Dyadic { Dyadic(exactly: x)! }
  func iv(_ lo: Double, _ hi: Double) -> Interval { Interval(d(lo), d(hi)) }

  // MARK: Directed rounding

  /// 11 = 1011b rounded to 2 significant bits: 8 (10b * 2^2) below, 12 (11b * 2^2) above;
  /// -11: -12 below, -8 above.
  @Test func roundingToFewerBitsFollowsTheDirection() {
    #expect(Dyadic.compare(Dyadic(11).rounded(2, .down), Dyadic(8)) == 0)
    #expect(Dyadic.compare(Dyadic(11).rounded(2, .up), Dyadic(12)) == 0)
    #expect(Dyadic.compare(Dyadic(-11).rounded(2, .down), Dyadic(-12)) == 0)
    #expect(Dyadic.compare(Dyadic(-11).rounded(2, .up), Dyadic(-8)) == 0)
  }

  /// -1/3 is not a dyadic: rounded down it is below -1/3 (times 3 below -1), rounded up above.
  @Test func inexactNegativeQuotientsFollowTheDirection() throws {
    for precision in [8, 53, 100] {
      let down = try Dyadic.quotient(Dyadic(-1), Dyadic(3), precision: precision, .down)
      let up = try Dyadic.quotient(Dyadic(-1), Dyadic(3), precision: precision, .up)
      let three = Dyadic(3)
      #expect(Dyadic.compare(try Dyadic.product(down, three, precision: 400, .down), Dyadic(-1)) < 0)
      #expect(Dyadic.compare(try Dyadic.product(up, three, precision: 400, .down), Dyadic(-1)) > 0)
      // and 1/(-3) likewise (negative divisor)
      let down2 = try Dyadic.quotient(Dyadic(1), Dyadic(-3), precision: precision, .down)
      #expect(Dyadic.compare(try Dyadic.product(down2, three, precision: 400, .down), Dyadic(-1)) < 0)
    }
  }

  // MARK: Interval operations

  /// [-2, 3] * [-5, 7]: the products of the endpoints are 10, -14, -15, 21, so the exact
  /// range is [-15, 21].
  @Test func productOfIntervalsWithNegativeMembers() throws {
    let a = IntervalArithmetic(precision: 53)
    let p = try a.multiply(iv(-2, 3), iv(-5, 7))
    #expect(Dyadic.compare(p.lo, Dyadic(-15)) == 0)
    #expect(Dyadic.compare(p.hi, Dyadic(21)) == 0)
  }

  /// x**2 for x in [-1, 2] takes every value of [0, 4] (0 at x = 0).
  @Test func evenPowerOfAnIntervalAroundZeroStartsAtZero() throws {
    let a = IntervalArithmetic(precision: 53)
    let p = try a.power(iv(-1, 2), BigInt(2))
    #expect(p.lo.isZero)
    #expect(Dyadic.compare(p.hi, Dyadic(4)) == 0)
    let q = try a.power(iv(-3, -2), BigInt(2))  // [4, 9], away from 0
    #expect(Dyadic.compare(q.lo, Dyadic(4)) == 0 && Dyadic.compare(q.hi, Dyadic(9)) == 0)
  }

  /// |x| for x in [-1, 2] takes every value of [0, 2].
  @Test func absOfAnIntervalStraddlingZero() {
    let a = IntervalArithmetic(precision: 53)
    let r = a.abs(iv(-1, 2))
    #expect(r.lo.isZero)
    #expect(Dyadic.compare(r.hi, Dyadic(2)) == 0)
  }

  /// `sign` is 1 only when every member is positive: [0, 1] contains 0, so it is undecided
  /// (a zero test must not call a possibly-zero constant positive).
  @Test func intervalSignIsUndecidedWhenZeroIsAMember() {
    #expect(iv(0, 1).sign == nil)
    #expect(iv(-1, 0).sign == nil)
    #expect(iv(-1, 1).sign == nil)
    #expect(iv(0, 0).sign == 0)
    #expect(iv(0.5, 1).sign == 1)
    #expect(iv(-1, -0.5).sign == -1)
  }

  // MARK: Faithful rounding

  /// A faithful double is within one ulp of every member. In [1.5, 2) one ulp is 2^-52.
  /// - [lo, lo + 2 ulp]: only lo + 1 ulp is within one ulp of both ends.
  /// - [lo, lo + 3 ulp] or wider: no double is within one ulp of both ends.
  @Test func faithfulRoundingOfNarrowEnclosures() {
    let lo = 1.5
    let u1 = lo.nextUp, u2 = u1.nextUp, u3 = u2.nextUp, u4 = u3.nextUp
    #expect(CertifiedEvaluator.faithful(iv(lo, lo)) == lo)
    let one = CertifiedEvaluator.faithful(iv(lo, u1))
    #expect(one == lo || one == u1)
    #expect(CertifiedEvaluator.faithful(iv(lo, u2)) == u1)
    #expect(CertifiedEvaluator.faithful(iv(lo, u3)) == nil)
    #expect(CertifiedEvaluator.faithful(iv(lo, u4)) == nil)
    // The same below zero.
    #expect(CertifiedEvaluator.faithful(iv(-u2, -lo)) == -u1)
    #expect(CertifiedEvaluator.faithful(iv(-u3, -lo)) == nil)
  }

  // MARK: Series enclosures contain the true value

  /// Whether `enclosure` contains every number of `[reference, reference + 10^-75]`
  /// (`reference` is the value truncated to 75 decimals, so the true value is inside).
  func contains(_ enclosure: Interval, _ reference: String) throws -> Bool {
    let r = Rational(decimal: reference)!
    let unit = Rational(numerator: BigInt(1), denominator: BigInt(10).power(75))!
    let (low, high) = r.signum >= 0 ? (r, r + unit) : (r - unit, r)
    let rlo = try Dyadic.rounding(low, precision: 300, .down)
    let rhi = try Dyadic.rounding(high, precision: 300, .up)
    return Dyadic.compare(enclosure.lo, rlo) <= 0 && Dyadic.compare(rhi, enclosure.hi) <= 0
  }

  /// atanh(z) at exact dyadic z, at every working precision from 2 to 160 bits, must
  /// enclose the true value. References: mpmath 1.3.0, `mp.dps = 80; mp.atanh(z)`.
  @Test(arguments: [
    (0.25, "0.255412811882995341602757048151830967439055398222884135088976778918342347245"),
    (0.125, "0.125657214140453038842568865200935839828948193031818857504999258668704361843"),
    (0.375, "0.394228680182135084730592122369470830148052749834449726652959908828197318103"),
    (-0.25, "-0.255412811882995341602757048151830967439055398222884135088976778918342347245"),
  ])
  func atanhSeriesEnclosesTheTrueValue(_ z: Double, _ reference: String) throws {
    var misses: [Int] = []
    for precision in 2...160 {
      let e = try IntervalArithmetic(precision: precision).atanhSeries(Interval(d(z)))
      if try !contains(e, reference) { misses.append(precision) }
    }
    #expect(misses.isEmpty, "atanh(\(z)) not enclosed at precisions \(misses)")
  }

  /// atan(z) likewise. References: mpmath 1.3.0, `mp.dps = 80; mp.atan(z)`.
  @Test(arguments: [
    (0.125, "0.124354994546761435031354849163871025573170191769804089915114119115722267428"),
    (0.0625, "0.0624188099959573484739791129855051136062738877974991946075278168986902672168"),
    (0.1875, "0.18534794999569476488602596122854464451526643871056919337192938313079936577"),
  ])
  func atanSeriesEnclosesTheTrueValue(_ z: Double, _ reference: String) throws {
    var misses: [Int] = []
    for precision in 2...160 {
      let e = try IntervalArithmetic(precision: precision).atanSeries(Interval(d(z)))
      if try !contains(e, reference) { misses.append(precision) }
    }
    #expect(misses.isEmpty, "atan(\(z)) not enclosed at precisions \(misses)")
  }
}
