import Testing

@testable import SymGrad

/// `(sign * (3^i + j)) / (7^k + l)` to Double, from Python's correctly rounded `float(Fraction)`.
private let fractionDoubles: [(Int, Int, Int, Int, Int, String)] = [
  (-1, 301, 23, 3, 679, "-4.018340872561303e+140"), (1, 670, -431, 209, 565, "1.1110927126708316e+143"),
  (1, 85, 449, 131, 323, "7.0382292611023e-71"), (1, 525, -409, 16, 72, "9.270220996633429e+236"),
  (-1, 110, -180, 56, 867, "-143829.4363020776"), (1, 68, 962, 9, 868, "6.892132519223544e+24"),
  (-1, 218, -571, 27, 482, "-1.565980855873728e+81"), (1, 406, -141, 38, 580, "3.9582561539351166e+161"),
  (-1, 691, -448, 173, 90, "-3.0819535493284563e+183"), (1, 15, 974, 210, 777, "4.855790002263032e-171"),
  (-1, 137, -496, 362, 104, "-2.7549987835789013e-241"), (1, 476, 632, 250, 182, "6842380841284699.0"),
  (1, 192, -84, 261, 196, "1.0881592607337164e-129"), (-1, 134, -142, 330, 393, "-1.1269247774418061e-215"),
  (1, 430, -565, 1, 277, "5.11471205879702e+202"), (-1, 606, -378, 11, 216, "-6.908788098569666e+279"),
  (-1, 616, 314, 296, 103, "-5.723649923680112e+43"), (-1, 149, -564, 227, 265, "-1.793956342886662e-121"),
  (-1, 624, -327, 152, 396, "-1.8567817672809372e+169"), (-1, 92, -573, 299, 652, "-1.6249554916990946e-209"),
  (-1, 615, -245, 191, 638, "-1.0371605989996702e+132"), (1, 601, -10, 295, 139, "2.792237030023317e+37"),
  (1, 187, 284, 79, 319, "2.8769311689676394e+22"), (-1, 625, -490, 372, 195, "-6.672879993642339e-17"),
  (1, 644, 925, 284, 202, "1.8123608637138713e+67"), (-1, 397, 806, 248, 619, "-6.804938430634967e-21"),
  (1, 48, -788, 56, 40, "3.769901349299028e-25"), (-1, 261, -512, 379, 722, "-1.7238136542991817e-196"),
  (-1, 430, 686, 306, 503, "-3.648709480321972e-54"), (-1, 179, 903, 369, 71, "-3.6603939558438307e-227"),
  (1, 490, 145, 335, 873, "4.803650566522506e-50"), (1, 75, -427, 109, 940, "4.6602341969907135e-57"),
  (-1, 16, -859, 138, 422, "-1.024240364619562e-109"), (-1, 61, -905, 91, 289, "-1.5866272049488425e-48"),
  (-1, 585, 992, 68, 95, "-4.459306155432392e+221"), (1, 461, -323, 337, 751, "1.4284299284828605e-65"),
  (-1, 598, 939, 72, 605, "-2.961088866158866e+224"), (-1, 18, -28, 184, 718, "-1.2306744687828917e-147"),
  (-1, 34, -957, 307, 652, "-5.984451836640658e-244"), (-1, 68, 496, 160, 327, "-1.6926178582330077e-103"),
  // Subnormal results.
  (-1, 4, 668, 377, 542, "-1.8729265e-316"), (-1, 6, 6, 372, 384, "-3.088989654467e-312"),
  (1, 10, 824, 374, 472, "5.13527912209e-312"), (1, 0, 672, 378, 640, "2.404119e-317"),
  (1, 5, 161, 377, 348, "1.01023006e-316"), (1, 9, 833, 370, 205, "4.224914116738464e-309"),
  (-1, 10, 833, 378, 346, "-2.139129965e-315"), (1, 1, 14, 382, 941, "2.5e-322"),
  (1, 10, 516, 383, 229, "1.26604e-319"), (-1, 7, 110, 376, 677, "-4.02066556e-315"),
  (1, 8, 315, 372, 904, "2.8897813420577e-311"), (1, 0, 563, 381, 176, "5.874e-320"),
  (-1, 9, 423, 376, 685, "-3.519351404e-314"), (1, 9, 388, 377, 555, "5.01889287e-315"),
  // Near and beyond the top of the range (7^1 - 6 == 1, 7^1 - 5 == 2).
  (1, 652, 487, 1, -6, "inf"), (-1, 652, -465, 1, -5, "-inf"), (1, 649, 47, 1, -6, "inf"),
  (1, 646, 0, 1, -6, "1.6608505280233425e+308"), (-1, 646, 12345, 1, -6, "-1.6608505280233425e+308"),
  (1, 647, 1, 1, -5, "inf"),
]

/// Builds a rational from parts, failing the test on a zero denominator.
private func q(_ n: BigInt, _ d: BigInt) -> Rational {
  Rational(numerator: n, denominator: d)!
}

@Suite struct RationalTests {
  // MARK: Construction and normal form

  @Test func normalizesSignAndLowestTerms() {
    let half = q(2, -4)
    #expect(half.numerator == -1 && half.denominator == 2)
    #expect(q(-6, -9) == q(2, 3))
    #expect(q(0, -7).numerator == 0 && q(0, -7).denominator == 1)
    #expect(Rational(numerator: 5, denominator: 0) == nil)
    #expect(Rational(numerator: 0, denominator: 0) == nil)
    #expect(q(BigInt(Int.min), -1).numerator.description == "9223372036854775808")
    #expect(q(BigInt(Int.min), BigInt(Int.min)) == 1)
    #expect(q(3, BigInt(Int.min)) == q(-3, BigInt(2).power(63)))
    #expect(Set([q(1, 2), q(2, 4), q(-3, -6)]).count == 1)
    #expect(Rational(BigInt(5)) == 5)
    #expect(Rational(7).isInteger && !q(7, 2).isInteger && Rational(0).isInteger)
  }

  @Test(arguments: [
    (Rational(3), "3"), (Rational(-3), "-3"), (Rational(0), "0"), (q(-3, 4), "-3/4"),
    (q(6, 8), "3/4"), (q(1, BigInt(10).power(20)), "1/100000000000000000000"),
  ])
  func printsLikePython(_ value: Rational, _ expected: String) {
    #expect(value.description == expected)
  }

  // MARK: Decimal parsing

  @Test(arguments: [
    ("12", "12"), ("-0.0473", "-473/10000"), ("1.5e-3", "3/2000"), ("2E10", "20000000000"),
    (".5", "1/2"), ("5.", "5"), ("+7", "7"), ("-0", "0"), ("0.000", "0"), ("1e+2", "100"),
    ("-.25E1", "-5/2"), ("000.1000", "1/10"), ("1e-0", "1"), ("3.14159", "314159/100000"),
    ("1.7976931348623157e+308", "17976931348623157" + String(repeating: "0", count: 292)),
  ])
  func parsesDecimals(_ text: String, _ expected: String) throws {
    let value = try #require(Rational(decimal: text))
    #expect(value.description == expected)
  }

  @Test(arguments: [
    "", ".", "-", "+.", "e5", ".e5", "1e", "1e+", "1e-", "1.2.3", "1..2", "--1", " 1", "1 ",
    "1,5", "0x1p3", "inf", "-inf", "nan", "1e5.5", "1f", "1e100001", "1e-100001", "1/2", "١",
  ])
  func rejectsMalformedDecimals(_ text: String) {
    #expect(Rational(decimal: text) == nil)
  }

  @Test func decimalExponentBound() throws {
    let tiny = try #require(Rational(decimal: "1e-100000"))
    #expect(tiny.denominator == BigInt(10).power(100_000))
    let huge = try #require(Rational(decimal: "1e100000"))
    #expect(huge.description == "1" + String(repeating: "0", count: 100_000))
    #expect(huge.toDouble() == .infinity)
    #expect(Rational(decimal: "1e0000000000000000000000000000000000005") == 100_000)
    #expect(Rational(decimal: "1e99999999999999999999999999") == nil)
    #expect(tiny.toDouble() == 0)
  }

  // MARK: Exact doubles

  @Test func exactlyFromDouble() {
    #expect(Rational(exactly: 0.5) == q(1, 2))
    #expect(Rational(exactly: -0.0) == 0)
    #expect(Rational(exactly: 3.0) == 3)
    #expect(Rational(exactly: 0.1) == q(3_602_879_701_896_397, 36_028_797_018_963_968))
    #expect(Rational(exactly: .leastNonzeroMagnitude) == q(1, BigInt(2).power(1074)))
    #expect(Rational(exactly: 0x1p1023)?.numerator == BigInt(2).power(1023))
    #expect(Rational(exactly: .nan) == nil)
    #expect(Rational(exactly: .infinity) == nil)
    #expect(Rational(exactly: -.infinity) == nil)
    var rng = NumbersTestRNG(seed: 20)
    for _ in 0..<5_000 {
      let d = Double(bitPattern: rng.next())
      guard d.isFinite else { continue }
      let exact = Rational(exactly: d)!
      #expect(exact.toDouble().bitPattern == (d == 0 ? 0 : d.bitPattern))
      #expect(exact.denominator.magnitudeBitWidth <= 1075)
    }
  }

  // MARK: Arithmetic

  @Test func tenToThe30PlusOneOverThree() {
    let big = BigInt(10).power(30) + 1
    let third = Rational(big).dividing(by: 3)!
    #expect(third.description == "1" + String(repeating: "0", count: 29) + "1/3")
    #expect(third * 3 == Rational(big))
    let integerPart = BigInt(String(repeating: "3", count: 30))!
    #expect(third.floor() == integerPart)
    #expect((-third).floor() == -integerPart - 1)
    #expect(third - Rational(integerPart) == q(2, 3))
    #expect(third + third + third == Rational(big))
    #expect(third.reciprocal == q(3, big))
    #expect((third * third).denominator == 9)
    #expect(third.toDouble() == 3.3333333333333333e29)
  }

  @Test func twoToThe1000AsRational() throws {
    let value = try #require(Rational(2).power(1000))
    #expect(value.description == twoToThe1000)
    #expect(value.isInteger)
    #expect(value.toDouble() == 0x1p1000)
    let inverse = try #require(Rational(2).power(-1000))
    #expect(inverse.description == "1/" + twoToThe1000)
    #expect(inverse.toDouble() == 0x1p-1000)
    #expect(value * inverse == 1)
    #expect(Rational(2).power(-1074)?.toDouble() == .leastNonzeroMagnitude)
    #expect(Rational(2).power(-1075)?.toDouble() == 0)
    #expect((Rational(2).power(-1075)! + q(1, BigInt(2).power(1200))).toDouble() == .leastNonzeroMagnitude)
    #expect(Rational(-2).power(-1076)?.toDouble().bitPattern == (0.0).bitPattern)
    #expect(Rational(-2).power(-1077)?.toDouble().bitPattern == (-0.0).bitPattern)
    #expect(Rational(2).power(1024)?.toDouble() == .infinity)
  }

  @Test func fieldIdentities() {
    var rng = NumbersTestRNG(seed: 21)
    for round in 0..<3_000 {
      let limbs = round % 3 == 0 ? 2 : 1
      let a = randomRational(&rng, maxLimbs: limbs)
      let b = randomRational(&rng, maxLimbs: limbs)
      let c = randomRational(&rng, maxLimbs: 1)
      #expect(a + b - b == a)
      #expect(a + b == b + a)
      #expect(a * b == b * a)
      #expect(a * (b + c) == a * b + a * c)
      #expect(a - a == 0)
      #expect((a < b) == ((a - b).signum < 0))
      #expect((a < b) || (b < a) || a == b)
      #expect(a.denominator.signum > 0)
      #expect(BigInt.gcd(a.numerator, a.denominator) == 1)
      if let quotient = a.dividing(by: b) {
        #expect(quotient * b == a)
      } else {
        #expect(b.isZero)
      }
      let floor = Rational(a.floor())
      #expect(floor <= a && a < floor + 1)
      #expect(a.magnitude == (a.signum < 0 ? -a : a))
    }
  }

  @Test func fastPathAgreesWithGenericFormula() {
    var rng = NumbersTestRNG(seed: 22)
    for _ in 0..<10_000 {
      let (a, b) = (rng.int(), rng.int())
      let (c, d) = (rng.int(), rng.int())
      guard b != 0, d != 0 else { continue }
      let x = q(BigInt(a), BigInt(b))
      let y = q(BigInt(c), BigInt(d))
      let (xn, xd, yn, yd) = (x.numerator, x.denominator, y.numerator, y.denominator)
      #expect(x + y == q(xn * yd + yn * xd, xd * yd))
      #expect(x - y == q(xn * yd - yn * xd, xd * yd))
      #expect(x * y == q(xn * yn, xd * yd))
      #expect((x < y) == (xn * yd < yn * xd))
      if !y.isZero { #expect(x.dividing(by: y) == q(xn * yd, xd * yn)) }
    }
  }

  @Test func largeAdditionAgreesWithGenericFormula() {
    var rng = NumbersTestRNG(seed: 27)
    for _ in 0..<1_000 {
      // Denominators sharing a random factor exercise every branch of Henrici's method.
      let shared = rng.nonzeroBigInt(minLimbs: 1, maxLimbs: 2)
      let x = q(rng.bigInt(maxLimbs: 3), rng.nonzeroBigInt(minLimbs: 1, maxLimbs: 2) * shared)
      let y = q(rng.bigInt(maxLimbs: 3), rng.nonzeroBigInt(minLimbs: 1, maxLimbs: 2) * shared)
      let (xn, xd, yn, yd) = (x.numerator, x.denominator, y.numerator, y.denominator)
      let sum = x + y
      #expect(sum == q(xn * yd + yn * xd, xd * yd))
      #expect(sum.denominator.signum > 0 && BigInt.gcd(sum.numerator, sum.denominator) == 1)
      #expect(x - x == 0 && (x - x).denominator == 1)
    }
  }

  @Test func harmonicNumber() {
    var sum = Rational(0)
    for i in 1...100 { sum += q(1, BigInt(i)) }
    #expect(sum.description == "14466636279520351160221518043104131447711/2788815009188499086581352357412492142272")
  }

  @Test func overflowTransitions() {
    let max = Rational(Int.max)
    let min = Rational(Int.min)
    #expect((max + 1).description == "9223372036854775808")
    #expect((min - 1).description == "-9223372036854775809")
    #expect((-min).description == "9223372036854775808")
    #expect((max * max).description == "85070591730234615847396907784232501249")
    #expect(
      q(1, BigInt(Int.max)) + q(1, BigInt(Int.max - 1))
        == q(BigInt(2) * BigInt(Int.max) - 1, BigInt(Int.max) * BigInt(Int.max - 1)))
    #expect(q(BigInt(Int.max), 2) + q(BigInt(Int.max), 2) == max)
    #expect(min * q(1, 2) == Rational(Int.min / 2))
    #expect(min.reciprocal == q(-1, BigInt(2).power(63)))
    #expect(min.magnitude.description == "9223372036854775808")
    #expect(q(BigInt(Int.min), 3) < q(BigInt(Int.max), 3))
    #expect(q(BigInt(Int.max), BigInt(Int.max - 1)) < q(BigInt(Int.max - 1), BigInt(Int.max - 2)))
    #expect(!(q(BigInt(Int.max - 1), BigInt(Int.max - 2)) < q(BigInt(Int.max), BigInt(Int.max - 1))))
  }

  @Test func reciprocalDivisionAndPowers() throws {
    #expect(Rational(0).reciprocal == nil)
    #expect(q(-2, 3).reciprocal == q(-3, 2))
    #expect(Rational(5).dividing(by: 0) == nil)
    #expect(Rational(0).dividing(by: 5) == 0)
    #expect(q(1, 2).dividing(by: q(-1, 4)) == -2)
    #expect(Rational(0).power(0) == 1)
    #expect(Rational(0).power(3) == 0)
    #expect(Rational(0).power(-1) == nil)
    #expect(q(-2, 3).power(3) == q(-8, 27))
    #expect(q(-2, 3).power(-3) == q(-27, 8))
    #expect(q(-2, 3).power(-2) == q(9, 4))
    #expect(Rational(-1).power(Int.min) == 1)
    #expect(Rational(1).power(Int.min) == 1)
    #expect(Rational(0).power(Int.min) == nil)
    #expect(q(3, 7).power(40)?.numerator == BigInt(3).power(40))
  }

  @Test func signsAndFloor() {
    #expect(q(-1, 2).floor() == -1)
    #expect(q(1, 2).floor() == 0)
    #expect(q(-4, 2).floor() == -2)
    #expect(q(7, 3).floor() == 2)
    #expect(q(-7, 3).floor() == -3)
    #expect(Rational(0).signum == 0 && q(-1, 9).signum == -1 && q(1, 9).signum == 1)
    #expect(Rational(0).isZero && !q(1, 9).isZero)
    #expect(q(-3, 4).magnitude == q(3, 4))
  }

  // MARK: Roots

  @Test func exactRoots() throws {
    #expect(q(9, 4).exactRoot(2) == q(3, 2))
    #expect(Rational(2).exactRoot(2) == nil)
    #expect(q(-27, 8).exactRoot(3) == q(-3, 2))
    #expect(Rational(-4).exactRoot(2) == nil)
    #expect(Rational(0).exactRoot(5) == 0)
    #expect(Rational(1).exactRoot(7) == 1)
    #expect(q(1, 4).exactRoot(2) == q(1, 2))
    #expect(q(9, 2).exactRoot(2) == nil)
    #expect(q(2, 9).exactRoot(2) == nil)
    #expect(q(5, 7).exactRoot(1) == q(5, 7))
    #expect(Rational(16).exactRoot(4) == 2)
    #expect(Rational(16).exactRoot(3) == nil)
    #expect(Rational(2).power(1000)?.exactRoot(10) == Rational(2).power(100))
    #expect(Rational(2).power(1000)?.exactRoot(3) == nil)
    var rng = NumbersTestRNG(seed: 23)
    for _ in 0..<200 {
      let base = randomRational(&rng, maxLimbs: 2)
      let k = 2 + Int(rng.next() % 5)
      let raised = try #require(base.power(k))
      let expected = k % 2 == 0 ? base.magnitude : base
      #expect(raised.exactRoot(k) == expected)
      if !base.isZero && base.magnitude != 1 {
        #expect((raised + q(1, BigInt(3).power(200))).exactRoot(k) == nil)
      }
    }
  }

  // MARK: Double conversion

  @Test(arguments: [
    "0.1234567890123457", "1e-310", "5e-324", "2.2250738585072014e-308", "2.225073858507201e-308",
    "1.7976931348623157e308", "1.7976931348623157e+308", "0.1", "0.3", "-2.5", "1e23", "8.98846567431158e307",
    "4.9406564584124654e-324", "2.4703282292062328e-324", "9007199254740993", "123456789012345678901234567890",
    "0.30000000000000004", "1e-320", "-1e-400", "2.4703282292062327e-324",
  ])
  func decimalToDoubleMatchesSwiftParser(_ text: String) throws {
    let value = try #require(Rational(decimal: text))
    let expected = try #require(Double(text))
    #expect(value.toDouble().bitPattern == expected.bitPattern)
  }

  @Test func decimalOverflowAndUnderflow() throws {
    #expect(try #require(Rational(decimal: "1.7976931348623158e308")).toDouble() == .greatestFiniteMagnitude)
    #expect(try #require(Rational(decimal: "1.7976931348623159e308")).toDouble() == .infinity)
    #expect(try #require(Rational(decimal: "-1e400")).toDouble() == -.infinity)
    #expect(try #require(Rational(decimal: "2.4703282292062327e-324")).toDouble() == 0)
    #expect(try #require(Rational(decimal: "2.4703282292062328e-324")).toDouble() == .leastNonzeroMagnitude)
    #expect(try #require(Rational(decimal: "1e-400")).toDouble() == 0)
  }

  @Test func shortestDescriptionsRoundTrip() throws {
    var rng = NumbersTestRNG(seed: 24)
    for round in 0..<6_000 {
      let d: Double
      switch round % 3 {
      case 0: d = Double(bitPattern: rng.next())
      case 1: d = Double(rng.next() >> 11) * 0x1p-53
      default: d = Double(bitPattern: rng.next() >> 12)  // subnormals
      }
      guard d.isFinite else { continue }
      let value = try #require(Rational(decimal: d.description), "\(d)")
      #expect(value.toDouble().bitPattern == d.bitPattern, "\(d)")
    }
  }

  @Test func randomDecimalsMatchSwiftParser() throws {
    var rng = NumbersTestRNG(seed: 25)
    for _ in 0..<3_000 {
      let digitCount = 1 + Int(rng.next() % 40)
      var digits = String((0..<digitCount).map { _ in Character(String(rng.next() % 10)) })
      let point = Int(rng.next() % UInt64(digitCount + 1))
      digits.insert(".", at: digits.index(digits.startIndex, offsetBy: point))
      let exponent = Int(rng.next() % 660) - 345
      let text = (rng.next() & 1 == 0 ? "-" : "") + digits + "e" + String(exponent)
      guard let expected = Double(text), digits != "." else { continue }
      let value = try #require(Rational(decimal: text), "\(text)")
      if value.isZero {
        // A rational has no negative zero: "-0.0" converts to +0.0.
        #expect(value.toDouble().bitPattern == 0, "\(text)")
      } else {
        #expect(value.toDouble().bitPattern == expected.bitPattern, "\(text)")
      }
    }
  }

  @Test func halfwayCasesRoundToEven() {
    var rng = NumbersTestRNG(seed: 26)
    let tiny = q(1, BigInt(2).power(1300))
    for round in 0..<2_000 {
      // Positive finite doubles, a third of them subnormal, excluding the largest.
      let bits = round % 3 == 0 ? rng.next() >> 13 : rng.next() % 0x7FEF_FFFF_FFFF_FFFF
      let d = Double(bitPattern: bits == 0 ? 1 : bits)
      let exact = Rational(exactly: d)!
      let halfUlp = Rational(exactly: d.ulp)! * q(1, 2)
      let tie = (d.bitPattern & 1 == 0) ? d : d.nextUp
      #expect((exact + halfUlp).toDouble() == tie)
      #expect((exact + halfUlp + tiny).toDouble() == d.nextUp)
      #expect((exact + halfUlp - tiny).toDouble() == d)
      #expect((-(exact + halfUlp)).toDouble() == -tie)
      #expect((exact * q(3, 3)).toDouble() == d)
    }
  }

  @Test func hugePartsConvertCorrectly() throws {
    for (sign, i, j, k, l, expected) in fractionDoubles {
      let n = BigInt(sign) * (BigInt(3).power(i) + BigInt(j))
      let d = BigInt(7).power(k) + BigInt(l)
      let value = q(n, d)
      #expect(value.toDouble().bitPattern == Double(expected)!.bitPattern, "\(sign) (3^\(i) + \(j)) / (7^\(k) + \(l))")
    }
  }
}

/// A random rational with parts of up to `maxLimbs` limbs.
private func randomRational(_ rng: inout NumbersTestRNG, maxLimbs: Int) -> Rational {
  let n = rng.bigInt(maxLimbs: maxLimbs)
  let d = rng.nonzeroBigInt(minLimbs: 1, maxLimbs: maxLimbs)
  if rng.next() % 4 == 0 { return q(BigInt(rng.int()), d.asInt.map { BigInt($0) } ?? 1) }
  return q(n, d)
}
