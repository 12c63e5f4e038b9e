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
    let u1 = lo.nextUp
    let u2 = u1.nextUp
    let u3 = u2.nextUp
    let u4 = u3.nextUp
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
  func contains(_ enclosure: Interval, _ reference: String, digits: Int = 75) throws -> Bool {
    let r = Rational(decimal: reference)!
    let unit = Rational(numerator: BigInt(1), denominator: BigInt(10).power(digits))!
    let (low, high) = r.signum >= 0 ? (r, r + unit) : (r - unit, r)
    let rlo = try Dyadic.rounding(low, precision: 4 * digits, .down)
    let rhi = try Dyadic.rounding(high, precision: 4 * digits, .up)
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

  /// atan(1/m) and atanh(1/m) in fixed point (ln 2 and pi are built from them), at every
  /// width from 2 to 240 fraction bits, must enclose the true value. References: mpmath
  /// 1.3.0, `mp.dps = 120`, truncated to 75 decimals.
  @Test(arguments: [
    (2, false, "0.463647609000806116214256231461214402028537054286120263810933088720197864165"),
    (2, true, "0.549306144334054845697622618461262852323745278911374725867347166818747146609"),
    (3, false, "0.321750554396642193401404614358661319020755295557656191432803059356756237405"),
    (3, true, "0.346573590279972654708616060729088284037750067180127627060340004746696810984"),
    (5, false, "0.197395559849880758370049765194790293447585103787852101517688940241033969978"),
    (5, true, "0.202732554054082190989006557732174568285995211731247098807007162072050335624"),
    (239, false, "0.004184076002074723864538214959285452741048065307631950827019612887181778341"),
    (239, true, "0.004184124835258304446406786603468391587152286502213480126377182885990854141"),
  ])
  func arctanOfInverseEnclosesTheTrueValue(_ m: Int, _ hyperbolic: Bool, _ reference: String) throws {
    var misses: [Int] = []
    for bits in 2...240 {
      let e = IntervalArithmetic.arctanOfInverse(m, hyperbolic: hyperbolic, bits: bits)
      if try !contains(e, reference) { misses.append(bits) }
    }
    #expect(misses.isEmpty, "\(hyperbolic ? "atanh" : "atan")(1/\(m)) not enclosed at \(misses) bits")
    // And tightly: within (k + 2) units of 2^-bits, k about bits / log2(m^2) terms.
    let e = IntervalArithmetic.arctanOfInverse(m, hyperbolic: hyperbolic, bits: 240)
    let width = Dyadic.sum(e.hi, -e.lo, precision: 1000, .up)
    #expect(width.top < -240 + 8, "width 2^\(width.top)")
  }

  /// The elementary functions at 900 bits, where their argument reductions are at work
  /// (log and log1p by square roots, exp and expm1 by halvings, sin and cos by pi/2 and
  /// halvings), enclose 300 correct decimals. References: mpmath 1.3.0, `mp.dps = 400`,
  /// truncated toward 0.
  @Test(arguments: [
    (
      "log1p", 0.296875,
      "0.259957524436926066972079494542311044576312250501704845463863405978217258070822312203247334992061308975943851940026514677589101941936228489304803195275089725154383370586544771753530503784707702069897458137453833853433551439974665359433375382478310589901227920485578543724050785965208279116623414593109"
    ),
    (
      "log1p", -0.375,
      "-0.470003629245735553650937031148342064700899048812248040449392137006001878201426382187456102896076451826038140039996494301332555477949715471464395637441522158240003074987931059917428259669333495356099895152492614088327635737324504012030040735352392890629127558537663226256532255677025477011855407952856"
    ),
    (
      "expm1", 0.296875,
      "0.345647083049410531482603094316017723141300998611929427692116090486152181168949782848551025184315372032957880424034220448934630678248765660589306292169750425377173050008926159177343372902646566155770347390827612480714818723429858370915020739921747316249658747420354791263591887727807296728095350510515"
    ),
    (
      "expm1", -0.375,
      "-0.312710721209027801454797660853486409565347976227478930817343110254375712942088962691089861061133456961989583198661077741435314024361808223053860947460775299962251464631539913369355861019655186453228138795262100187880046278751222693339978879041977888538593239240120618006551782275172854833962319987389"
    ),
    (
      "sin", 2.5,
      "0.598472144103956494051854702186162271703597171577223573302627032638744272192737075040211471513876350746333242973150955318793519698808235057941214644858729337589441794094848135440963149517264381006530759068295531201561688842558538965690482120365563540417839740472642457551729334598341946865759151076785"
    ),
    (
      "cos", 2.5,
      "-0.801143615546933714833502790467351664428567848767820135074597991662024077171186391880105219563427274998970228811484882047382092208952251106036077434803994015132936282748830274870525986810917710355736302976751726790023912384772007014116926933066700605913603212693120794481301178771303795647267986928242"
    ),
    (
      "sin", 10_000_000_000,
      "-0.487506025087510691527794294348106041676447316922786885745254537845158563447074794434213180143195804456735820740449580278488866903301853974537441134722275714682797681275061137565478903151147659335831819852572872383648697542598390246824950513958995553200289205824151154252139571605545130477132669027620"
    ),
    (
      "cos", -0.75,
      "0.731688868873820886311838753000084543840541276050772482507683220220750082501569499540967562610201174960122884908227300720779858320608699869270449272435955328888609798126761447486175424719796253854857404189223580759185795572406242799983907817502588946046757933631843196046616844175428165553865691669865"
    ),
    (
      "log", 7.25,
      "1.981001468866583408348807789445558469343512645202233570680310332655993537198462902081640460825019047561996622684025463259187262839662923493477933073705467334993410450602646578859677187867995659659371697127834421928293370840566836081129161389756713583961411030030168818248342260486017496290738910526225"
    ),
    (
      "exp", 7.25,
      "1408.104848204695575020086327013637822420071844526450917463590667276782306605942926205950858879277312810340351318271034172337932797995303343347254597538097516485603473102369024629817828446188756298702800230285339248723365824841831020074756676597143253668824388867873136916203316912443868192267794678447864"
    ),
  ])
  func elementaryFunctionsAt900Bits(_ f: String, _ x: Double, _ reference: String) throws {
    let a = IntervalArithmetic(precision: 900)
    let xi = Interval(d(x))
    let e: Interval
    switch f {
    case "log1p": e = try a.log1p(xi)
    case "expm1": e = try a.expm1(xi)
    case "sin": e = try a.sin(xi)
    case "cos": e = try a.cos(xi)
    case "log": e = try a.log(xi)
    default: e = try a.exp(xi)
    }
    #expect(try contains(e, reference, digits: 300), "\(f)(\(x))")
  }

  /// `exp` at the first precision (96 bits: the double-double fast path) encloses the
  /// 300-bit series value and is nearly as tight as the series would be (2^-85 relative),
  /// at 1,200 points: moderate, tiny, near the double range's end, far beyond it (`exp`
  /// of 4,622 and of -3,000, which `x + k` sums reach), and points with more bits than a
  /// double-double holds (the ball's radius carries the rest).
  @Test func expFastPathEnclosesTheSeries() throws {
    var rng = SplitMix64(seed: 20_261_202)
    let fast = IntervalArithmetic(precision: 96)
    let series = IntervalArithmetic(precision: 300)
    for i in 0..<1200 {
      let scale = [1.0, 1e-12, 40, 709, 5000, 600_000][i % 6]
      var x = d((Double(rng.next() % 2_000_001) / 1_000_000 - 1) * scale)
      if i % 5 == 0 { x = Dyadic.sum(x, Dyadic(BigInt(Int(rng.next() % 1000) + 1), -140), precision: 400, .down) }
      let e96 = try fast.exp(Interval(x))
      let e300 = try series.exp(Interval(x))
      #expect(
        Dyadic.compare(e96.lo, e300.lo) <= 0 && Dyadic.compare(e300.hi, e96.hi) <= 0, "exp(\(x.approximateDouble))")
      let width = Dyadic.sum(e96.hi, -e96.lo, precision: 200, .up)
      #expect(
        width.isZero || width.top - e96.lo.top < -85,
        "exp(\(x.approximateDouble)) width 2^\(width.top - e96.lo.top) relative")
    }
  }

  /// pi and ln 2 at 900 bits enclose 300 correct decimals (mpmath 1.3.0, truncated; an
  /// enclosure must be wider than the reference's 10^-300 to contain it), and the pi that
  /// reduces `cos(1e1000)` (about 7,500 bits) lies inside that and is 7,500 bits narrow.
  @Test func piAndLn2AtHighPrecision() throws {
    let pi300 =
      "3.141592653589793238462643383279502884197169399375105820974944592307816406286208998628034825342117067982148086513282306647093844609550582231725359408128481117450284102701938521105559644622948954930381964428810975665933446128475648233786783165271201909145648566923460348610454326648213393607260249141273"
    let ln2300 =
      "0.693147180559945309417232121458176568075500134360255254120680009493393621969694715605863326996418687542001481020570685733685520235758130557032670751635075961930727570828371435190307038623891673471123350115364497955239120475172681574932065155524734139525882950453007095326366642654104239157814952043740"
    let a = IntervalArithmetic(precision: 900)
    let pi = try a.pi()
    #expect(try contains(pi, pi300, digits: 300))
    #expect(try contains(try a.ln2(), ln2300, digits: 300))
    let high = try IntervalArithmetic(precision: 7500).pi()
    #expect(Dyadic.compare(pi.lo, high.lo) <= 0 && Dyadic.compare(high.hi, pi.hi) <= 0)
    let width = Dyadic.sum(high.hi, -high.lo, precision: 20_000, .up)
    #expect(width.top < -7490, "width 2^\(width.top)")
  }
}
