import Testing

@testable import SymGrad

/// A small deterministic generator (SplitMix64) so random tests are reproducible.
struct NumbersTestRNG: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A limb biased toward the values that stress carries and quotient estimates.
  mutating func interestingLimb() -> UInt {
    switch next() % 8 {
    case 0: return 0
    case 1: return .max
    case 2: return 1 << 63
    case 3: return .max - 1
    case 4: return 1
    default: return UInt(next())
    }
  }

  /// A random value with up to `maxLimbs` limbs and a random sign.
  mutating func bigInt(maxLimbs: Int) -> BigInt {
    let count = Int(next() % UInt64(maxLimbs + 1))
    let limbs = (0..<count).map { _ in interestingLimb() }
    return BigInt(negative: next() & 1 == 0, magnitude: limbs)
  }

  /// A random nonzero value with between `minLimbs` and `maxLimbs` limbs.
  mutating func nonzeroBigInt(minLimbs: Int, maxLimbs: Int) -> BigInt {
    while true {
      let count = minLimbs + Int(next() % UInt64(maxLimbs - minLimbs + 1))
      var limbs = (0..<count).map { _ in interestingLimb() }
      if limbs.last == 0 { limbs[limbs.count - 1] = UInt(next()) | 1 }
      let value = BigInt(negative: next() & 1 == 0, magnitude: limbs)
      if !value.isZero { return value }
    }
  }

  /// An `Int` that is often a boundary value or small, otherwise of random width.
  mutating func int() -> Int {
    let boundaries: [Int] = [
      .min, .min + 1, .max, .max - 1, 0, 1, -1, 2, -2, 1 << 32, -(1 << 32),
      3_037_000_499, -3_037_000_500, 1 << 62, -(1 << 62), (1 << 62) - 1,
    ]
    switch next() % 4 {
    case 0: return boundaries[Int(next() % UInt64(boundaries.count))]
    case 1: return Int(truncatingIfNeeded: next()) >> 40
    default: return Int(truncatingIfNeeded: next()) >> Int(next() % 64)
    }
  }
}

/// A row of Python-computed reference results (truncating division, like Int).
struct BigIntReferenceRow: Sendable, CustomStringConvertible {
  let a, b, sum, difference, product, quotient, remainder, gcd: String

  init(
    _ a: String, _ b: String, _ sum: String, _ difference: String, _ product: String,
    _ quotient: String, _ remainder: String, _ gcd: String
  ) {
    (self.a, self.b, self.sum, self.difference) = (a, b, sum, difference)
    (self.product, self.quotient, self.remainder, self.gcd) = (product, quotient, remainder, gcd)
  }

  var description: String { "\(a) op \(b)" }
}

private typealias Row = BigIntReferenceRow

/// Reference rows computed with Python's arbitrary-precision integers.
private let referenceRows: [Row] = [
  Row(
    "18446744073709551616", "3", "18446744073709551619", "18446744073709551613", "55340232221128654848",
    "6148914691236517205", "1", "1"),
  Row(
    "18446744073709551615", "18446744073709551615", "36893488147419103230", "0",
    "340282366920938463426481119284349108225", "1", "0", "18446744073709551615"),
  Row(
    "340282366920938463463374607431768211455", "18446744073709551617", "340282366920938463481821351505477763072",
    "340282366920938463444927863358058659838", "6277101735386680764176071790128604879547283307822093172735",
    "18446744073709551615", "0", "18446744073709551617"),
  Row(
    "170141183460469231731687303715884105728", "-9223372036854775808", "170141183460469231722463931679029329920",
    "170141183460469231740910675752738881536", "-1569275433846670190958947355801916604025588861116008628224",
    "-18446744073709551616", "0", "9223372036854775808"),
  Row(
    "-9223372036854775808", "7", "-9223372036854775801", "-9223372036854775815", "-64563604257983430656",
    "-1317624576693539401", "-1", "1"),
  Row(
    "9223372036854775808", "-18446744073709551616", "-9223372036854775808", "27670116110564327424",
    "-170141183460469231731687303715884105728", "0", "9223372036854775808", "9223372036854775808"),
  Row(
    "10000000000000000000000000000000000000007", "100000000000000000001", "10000000000000000000100000000000000000008",
    "9999999999999999999900000000000000000006", "1000000000000000000010000000000000000000700000000000000000007",
    "99999999999999999999", "8", "1"),
  Row(
    "-100000000000000000000000000000000000003", "10000000000000000000", "-99999999999999999990000000000000000003",
    "-100000000000000000010000000000000000003", "-1000000000000000000000000000000000000030000000000000000000",
    "-10000000000000000000", "-3", "1"),
  Row(
    "-142943672574649591853131986858529508775377295080615739718069830981686223609006812464931937765048629375109004792221798796481962652912364055374920474082227227648803491852583707",
    "-108919662938492266504294991545222714178294372360697929745862023890278264029359",
    "-142943672574649591853131986858529508775377295080615739718069830981686223609006812464931937765048738294771943284488303091473507875626542349747281172011973089672693770116613066",
    "-142943672574649591853131986858529508775377295080615739718069830981686223609006812464931937765048520455446066299955294501490417430198185761002559776152481365624913213588554348",
    "15569376636021034570111817416716453344276448109547078830919912835092591626746349638531127369555908570174672726199709617799650155278557782236557984556105746707550620183557710993988909685015432852946370639446518921744966059964588060056849299944653053813",
    "1312377110966372834263313190881729612538422154220746020865755604426267154514368454636280526537724",
    "-59536660976012543914273706299576840699726837922342216296729319390282095544791", "1"),
  Row(
    "-4822276613459937225224172105779252610899020274490210072888", "-135397564144152215117470601128112320719",
    "-4822276613459937225359569669923404826016490875618322393607",
    "-4822276613459937225088774541635100395781549673362097752169",
    "652924507091786967627696754405455969214329287107063150634941688513279993126780372771511822566472",
    "35615682187058090240", "-51733107911855029519624626579686390328", "3"),
  Row(
    "-1845459622446665346043800807511909268645798708131882775954189365397723823820953214536845710785306",
    "-7660868490996640314",
    "-1845459622446665346043800807511909268645798708131882775954189365397723823820960875405336707425620",
    "-1845459622446665346043800807511909268645798708131882775954189365397723823820945553668354714144992",
    "14137823473008214712671465764838553310459667106252906701934532996106693698377700089667726741262115164174560558426084",
    "240894309126376918937982637179979277597571197360881240265107946629586014032744", "-1029984683324343690", "6"),
  Row(
    "1775205070975390943501546803165461671014483873825548106270552642279354669071447663069840825041085",
    "-49571107677468248356881999044391689413",
    "1775205070975390943501546803165461671014483873825548106270503071171677200823090781070796433351672",
    "1775205070975390943501546803165461671014483873825548106270602213387032137319804545068885216730498",
    "-87998881722908768735098619297721689107214209468438702415165651766948064936115530466829164506832589982287754986832715961486518284533105",
    "-35811285124505739579182254714027399519102384044379355945524", "2790180959089902372263111164469503673", "1"),
  Row(
    "-192910166548132659226136116952292779594291943886059532115188482016899291622014391366836877265138570466105732304691407917216804380760024022683898938902842597185096306524990199",
    "-3981500131555770780257024119638793742814692276148422304803",
    "-192910166548132659226136116952292779594291943886059532115188482016899291622014391366836877265138570466105732304691411898716935936530804279708018577696585411877372454947295002",
    "-192910166548132659226136116952292779594291943886059532115188482016899291622014391366836877265138570466105732304691403935716672824989243765659779300109099782492820158102685396",
    "768071853489835834296207469557375763958786646748566155680159661716605999483594225176770230816541571894658137719903660026666014738054274130883046697093538798471109799000844554303287625979324726457850468337111087916964537052565625797",
    "48451628826834430077360864859672599397057393004844549162908991677300263695502723364654074915380925361002574487956057",
    "-3086718354011837776619661959168072177011550238762000948428", "1"),
  Row(
    "18163911256262422909", "115714261811207770976505131654500379697", "115714261811207770994669042910762802606",
    "-115714261811207770958341220398237956788", "2101823582622693851392096424464001597136814142013691278573", "0",
    "18163911256262422909", "1"),
  Row(
    "2790345554911607574", "6707419158582021701", "9497764713493629275", "-3917073603670414127",
    "18716017234078299304672945436863963374", "0", "2790345554911607574", "1"),
  Row(
    "6940206775428947996", "-118210536870363511767694731554520083079", "-118210536870363511760754524779091135083",
    "118210536870363511774634938329949031075", "-820405568914790313979573742230761635098508014603490559684", "0",
    "6940206775428947996", "1"),
  Row(
    "183448536449677925280045707717962028016528857235559888560164706154346227651537322624581781409475",
    "-13829042992677713843",
    "183448536449677925280045707717962028016528857235559888560164706154346227651523493581589103695632",
    "183448536449677925280045707717962028016528857235559888560164706154346227651551151667574459123318",
    "-2536917697506400685881152534610569723857280859454343409446756348342261929566956562562191954905412296496001258862425",
    "-13265454200034765741582970117765404979707355157690226369417059647101041747078", "11799435490116008721", "7"),
  Row(
    "-1288155462404678093390645026164406890793204848700888702395",
    "34516427357126972757084083711709505944822575653921403268826813446772564147819",
    "34516427357126972755795928249304827851431930627756996378033608598071675445424",
    "-34516427357126972758372239174114184038213220680085810159620018295473452850214",
    "-44462524442777376598101905588730288738318802116589012728356266342498804298349086643103292116547645535939546539042179312763757879326505",
    "0", "-1288155462404678093390645026164406890793204848700888702395", "1"),
  Row(
    "-3343136643399882944404214957685597666336596434787825328596",
    "6182481003155132492790047205439221605682217092688903003069",
    "2839344359755249548385832247753623939345620657901077674473",
    "-9525617646555015437194262163124819272018813527476728331665",
    "-20668878788771590757431139085212916802599456002755489921757416510801826010023418956653484880960359253541606121461124",
    "0", "-3343136643399882944404214957685597666336596434787825328596", "1"),
  Row(
    "-68028564632235263616455583187144823143",
    "-54681663592721183544643578180690960067685485037112126281917508781986512512398",
    "-54681663592721183544643578180690960067753513601744361545533964365173657335541",
    "54681663592721183544643578180690960067617456472479891018301053198799367689255",
    "3719915085915578965452951699167345454204288401989744506617535767829867672778122435797990099561119046378080304826914",
    "0", "-68028564632235263616455583187144823143", "1"),
  Row(
    "-246067692144890815653010848153218155337", "641250810273647474757632474231969223038024849087027407837",
    "641250810273647474511564782087078407385014000933809252500",
    "-641250810273647475003700166376860038691035697240245563174",
    "-157791106970077675473941773454568351792961533369938427670855962387075400930963363781545917176069", "0",
    "-246067692144890815653010848153218155337", "1"),
  Row(
    "-1024149020527947691759343426378307022998310272353093525178156802618884046282172390593607675279021",
    "284016271227216801057824819566832088025",
    "-1024149020527947691759343426378307022998310272353093525177872786347656829481114565774040843190996",
    "-1024149020527947691759343426378307022998310272353093525178440818890111263083230215413174507367046",
    "-290874985991354018947410987306798258639216263593322656133233121193204469682114564151621308798502529638994114905021671618272647907823525",
    "-3605951926988770407948409166374867287834175380619551072830", "-251254820437469853892570073249929418271", "1"),
]

/// `2^1000`, from Python.
let twoToThe1000 =
  "10715086071862673209484250490600018105614048117055336074437503883703510511249361224931983788156958581"
  + "27594672917553146825187145285692314043598457757469857480393456777482423098542107460506237114187795418"
  + "21530464749835819412673987675591655439460770629145711964776865421676604298316526243868372056680693"
  + "76"

/// `(3^i + j).toDouble()` expectations from Python's correctly rounded `float(int)`.
private let threePowerDoubles: [(Int, Int, String)] = [
  (497, 815593, "1.3466774739211087e+237"), (607, 796971, "4.098279888396045e+289"),
  (510, -52439, "2.1470388702543238e+243"), (554, 793160, "2.114341405283632e+264"),
  (635, -601747, "9.375549842917704e+302"), (223, 685901, "2.5005745253694265e+106"),
  (558, -2253, "1.712616538279742e+266"), (224, -802609, "7.50172357610828e+106"),
  (491, -363722, "1.8472942029096144e+234"), (179, -809851, "2.539244934862213e+85"),
  (585, 697947, "1.305972436705314e+279"), (76, 248720, "1.8248003631400732e+36"),
  (439, -50001, "2.8591097196737695e+209"), (195, 306795, "1.0930616826167685e+93"),
  (49, 744204, "2.3929932923061753e+23"), (575, -867534, "2.211675789099416e+274"),
  (94, -925231, "7.069650490151047e+44"), (228, 844581, "6.076396096647707e+108"),
  (281, 257490, "1.1778027831545446e+134"), (64, 631811, "3.4336838202925124e+30"),
  (509, -315714, "7.156796234181079e+242"), (485, 239331, "2.5340112522765627e+231"),
  (234, 88682, "4.4296927544561785e+111"), (273, 342789, "1.795157419836221e+130"),
  (646, 0, "1.6608505280233425e+308"), (647, 1, "inf"),
]

@Suite struct BigIntTests {
  // MARK: Reference values

  @Test(arguments: referenceRows)
  func agreesWithPythonReference(_ row: BigIntReferenceRow) throws {
    let a = try #require(BigInt(row.a))
    let b = try #require(BigInt(row.b))
    #expect((a + b).description == row.sum)
    #expect((a - b).description == row.difference)
    #expect((a * b).description == row.product)
    #expect((b * a).description == row.product)
    let (q, r) = a.quotientAndRemainder(dividingBy: b)
    #expect(q.description == row.quotient)
    #expect(r.description == row.remainder)
    #expect((a / b).description == row.quotient)
    #expect((a % b).description == row.remainder)
    #expect(BigInt.gcd(a, b).description == row.gcd)
    #expect(a.description == row.a)
  }

  @Test func twoToThe1000PrintsAllDigits() {
    let value = BigInt(2).power(1000)
    #expect(value.description == twoToThe1000)
    #expect(value.description.count == 302)
    #expect(BigInt(twoToThe1000) == value)
    #expect((-value).description == "-" + twoToThe1000)
    #expect(value.magnitudeBitWidth == 1001)
    var doubled: BigInt = 1
    for _ in 0..<1000 { doubled += doubled }
    #expect(doubled == value)
  }

  @Test func threeToThe200() {
    #expect(
      BigInt(3).power(200).description
        == "265613988875874769338781322035779626829233452653394495974574961739092490901302182994384699044001")
  }

  @Test func tenToThe30PlusOneOverThree() throws {
    let n = BigInt(10).power(30) + 1
    #expect(n.description == "1" + String(repeating: "0", count: 29) + "1")
    let (q, r) = n.quotientAndRemainder(dividingBy: 3)
    #expect(q.description == String(repeating: "3", count: 30))
    #expect(r == 2)
    #expect(q * 3 + r == n)
    let (nq, nr) = (-n).quotientAndRemainder(dividingBy: 3)
    #expect(nq == -q && nr == -2)
    #expect(BigInt(10).power(300).description == "1" + String(repeating: "0", count: 300))
  }

  // MARK: Agreement with machine integers

  @Test func agreesWithIntAndInt128() {
    var rng = NumbersTestRNG(seed: 1)
    for _ in 0..<20_000 {
      let a = rng.int()
      let b = rng.int()
      let x = BigInt(a)
      let y = BigInt(b)
      let (wa, wb) = (Int128(a), Int128(b))
      expectMatches(x + y, wa + wb)
      expectMatches(x - y, wa - wb)
      expectMatches(x * y, wa * wb)
      expectMatches(-x, -wa)
      expectMatches(x.magnitude, Int128(wa.magnitude))
      #expect((x < y) == (a < b))
      #expect((x == y) == (a == b))
      #expect(x.signum == a.signum())
      #expect(x.isEven == (a % 2 == 0))
      #expect(x.asInt == a)
      if b != 0 {
        let (q, r) = x.quotientAndRemainder(dividingBy: y)
        expectMatches(q, wa / wb)
        expectMatches(r, wa % wb)
      }
    }
  }

  @Test func agreesWithInt128OnTwoLimbValues() throws {
    var rng = NumbersTestRNG(seed: 2)
    for _ in 0..<10_000 {
      let a = Int128(truncatingIfNeeded: (UInt128(rng.next()) << 64) | UInt128(rng.next())) >> Int(rng.next() % 127)
      let b = Int128(truncatingIfNeeded: (UInt128(rng.next()) << 64) | UInt128(rng.next())) >> Int(rng.next() % 127)
      let x = try #require(BigInt(String(a)))
      let y = try #require(BigInt(String(b)))
      #expect(x.description == String(a))
      let (sum, o1) = a.addingReportingOverflow(b)
      if !o1 { expectMatches(x + y, sum) }
      let (difference, o2) = a.subtractingReportingOverflow(b)
      if !o2 { expectMatches(x - y, difference) }
      let (product, o3) = a.multipliedReportingOverflow(by: b)
      if !o3 { expectMatches(x * y, product) }
      #expect((x < y) == (a < b))
      if b != 0 && !(a == .min && b == -1) {
        let (q, r) = x.quotientAndRemainder(dividingBy: y)
        expectMatches(q, a / b)
        expectMatches(r, a % b)
        expectMatches(BigInt.gcd(x, y), Int128(gcd128(a.magnitude, b.magnitude)))
      }
    }
  }

  @Test func overflowTransitionsPromoteAndDemote() {
    let max = BigInt(Int.max)
    let min = BigInt(Int.min)
    #expect((max + 1).asInt == nil)
    #expect((max + 1).description == "9223372036854775808")
    #expect((max + 1) - 1 == max)
    #expect(((max + 1) - 1).asInt == Int.max)
    #expect((min - 1).description == "-9223372036854775809")
    #expect(((min - 1) + 1).asInt == Int.min)
    #expect((-min).description == "9223372036854775808")
    #expect(-(-min) == min)
    #expect((-(-min)).asInt == Int.min)
    #expect(min.magnitude.description == "9223372036854775808")
    #expect(min / -1 == -min)
    #expect(min % -1 == 0)
    #expect((min * -1).description == "9223372036854775808")
    #expect((min * min).description == "85070591730234615865843651857942052864")
    #expect((max * max) / max == max)
    #expect(BigInt(-2).power(63) == min)
    #expect(BigInt(-2).power(63).asInt == Int.min)
    #expect(BigInt(-2).power(64).description == "18446744073709551616")
    #expect(BigInt.gcd(min, 0).description == "9223372036854775808")
    #expect(BigInt.gcd(min, min).description == "9223372036854775808")
    #expect(BigInt(UInt.max).description == "18446744073709551615")
    #expect(BigInt(UInt(Int.max)).asInt == Int.max)
    // Equal values built along different paths hash and compare equally.
    #expect((max + 1) - 1 == BigInt(Int.max))
    #expect(Set([(max + 2) - 2, max, BigInt("9223372036854775807")!]).count == 1)
    #expect(min.magnitudeBitWidth == 64 && BigInt(0).magnitudeBitWidth == 0)
  }

  // MARK: Identities on multi-limb values

  @Test func divisionIdentities() {
    var rng = NumbersTestRNG(seed: 3)
    for _ in 0..<4_000 {
      let a = rng.bigInt(maxLimbs: 9)
      let b = rng.nonzeroBigInt(minLimbs: 1, maxLimbs: 5)
      let (q, r) = a.quotientAndRemainder(dividingBy: b)
      #expect(q * b + r == a)
      #expect(r.magnitude < b.magnitude)
      #expect(r.isZero || r.signum == a.signum)
      #expect(q.isZero || q.signum == a.signum * b.signum)
      #expect(a / b == q && a % b == r)
    }
  }

  @Test func divisionRecoversConstructedQuotient() {
    var rng = NumbersTestRNG(seed: 4)
    for _ in 0..<4_000 {
      let q = rng.bigInt(maxLimbs: 6)
      let b = rng.nonzeroBigInt(minLimbs: 2, maxLimbs: 5)
      let product = q * b
      var r = rng.bigInt(maxLimbs: 5).magnitude % b.magnitude
      if product.signum < 0 { r = -r }
      let a = product + r
      let (quotient, remainder) = a.quotientAndRemainder(dividingBy: b)
      #expect(quotient == q)
      #expect(remainder == r)
    }
  }

  @Test func divisionCornerCases() throws {
    // Divisors whose top limb makes qhat hit b - 1 and need an add-back.
    let b = BigInt(negative: false, magnitude: [0, 1 << 63])
    let a = BigInt(negative: false, magnitude: [UInt.max, UInt.max, (1 << 63) - 1])
    let (q, r) = a.quotientAndRemainder(dividingBy: b)
    #expect(q * b + r == a && r < b)
    let c = BigInt(negative: false, magnitude: [1, 0, 1 << 63])
    let d = BigInt(negative: false, magnitude: [UInt.max, 1 << 63])
    let (q2, r2) = c.quotientAndRemainder(dividingBy: d)
    #expect(q2 * d + r2 == c && r2 < d && r2.signum >= 0)
    let small = BigInt(-7).quotientAndRemainder(dividingBy: BigInt(2).power(100))
    #expect(small.quotient == 0 && small.remainder == -7)
    #expect(BigInt(2).power(100) / BigInt(2).power(100) == 1)
    #expect(BigInt(2).power(200) / BigInt(2).power(100) == BigInt(2).power(100))
    #expect(BigInt(-7) / 2 == -3 && BigInt(-7) % 2 == -1)
    #expect(BigInt(7) / -2 == -3 && BigInt(7) % -2 == 1)
    #expect(BigInt(2).power(64).flooredQuotient(dividingBy: -3) == BigInt("-6148914691236517206"))
    #expect(BigInt(-7).flooredQuotient(dividingBy: 2) == -4 && BigInt(-8).flooredQuotient(dividingBy: -3) == 2)
  }

  @Test func ringIdentities() {
    var rng = NumbersTestRNG(seed: 5)
    for _ in 0..<2_000 {
      let a = rng.bigInt(maxLimbs: 6)
      let b = rng.bigInt(maxLimbs: 6)
      let c = rng.bigInt(maxLimbs: 6)
      #expect(a * (b + c) == a * b + a * c)
      #expect((a + b) * (a - b) == a * a - b * b)
      #expect(a + b - b == a)
      #expect(a - a == 0)
      #expect(a * b == b * a)
      #expect((a * b) * c == a * (b * c))
      #expect((a < b) == ((a - b).signum < 0))
      #expect(a + -a == 0)
      if !b.isZero { #expect((a * b) / b == a && (a * b) % b == 0) }
    }
  }

  /// Lehmer's GCD against Euclid's algorithm written here on `%` (long division, an
  /// independent path), on many-limb operands: random, sharing a large factor, Fibonacci
  /// neighbours (the most quotient steps), powers of two, a divisor of the other, equal.
  @Test func lehmerMatchesEuclid() {
    func euclid(_ a: BigInt, _ b: BigInt) -> BigInt {
      var (x, y) = (a.magnitude, b.magnitude)
      while !y.isZero { (x, y) = (y, x % y) }
      return x
    }
    var rng = NumbersTestRNG(seed: 41)
    var pairs: [(BigInt, BigInt)] = []
    for _ in 0..<300 {
      let a = rng.bigInt(maxLimbs: 12)
      let b = rng.bigInt(maxLimbs: 12)
      let k = rng.nonzeroBigInt(minLimbs: 1, maxLimbs: 6)
      pairs += [(a, b), (a * k, b * k), (a * k, k)]
    }
    var (f0, f1) = (BigInt(1), BigInt(1))
    for _ in 0..<700 { (f0, f1) = (f1, f0 + f1) }
    pairs += [(f1, f0), (f1 * 3, f0 * 3), (BigInt(2).power(1000), BigInt(2).power(999) * 3), (f1, f1), (f1, 0)]
    let third = BigInt(10).power(300) / 3
    pairs.append((third * third, third))
    for (a, b) in pairs {
      #expect(BigInt.gcd(a, b) == euclid(a, b), "gcd(\(a), \(b))")
    }
  }

  @Test func gcdProperties() {
    #expect(BigInt.gcd(0, 0) == 0)
    #expect(BigInt.gcd(0, -5) == 5)
    #expect(BigInt.gcd(-12, 18) == 6)
    #expect(BigInt.gcd(BigInt(2).power(100), BigInt(6).power(50)) == BigInt(2).power(50))
    var rng = NumbersTestRNG(seed: 6)
    for _ in 0..<1_000 {
      let a = rng.bigInt(maxLimbs: 4)
      let b = rng.bigInt(maxLimbs: 4)
      let k = rng.nonzeroBigInt(minLimbs: 1, maxLimbs: 2)
      let g = BigInt.gcd(a, b)
      #expect(g.signum >= 0)
      #expect(g == BigInt.gcd(b, a))
      #expect(g == BigInt.gcd(-a, b))
      if g.isZero {
        #expect(a.isZero && b.isZero)
      } else {
        #expect(a % g == 0 && b % g == 0)
        #expect(BigInt.gcd(a / g, b / g) == 1)
        #expect(BigInt.gcd(a * k, b * k) == g * k.magnitude)
      }
    }
  }

  @Test func powers() {
    #expect(BigInt(0).power(0) == 1)
    #expect(BigInt(0).power(5) == 0)
    #expect(BigInt(-1).power(7) == -1)
    #expect(BigInt(-1).power(8) == 1)
    #expect(BigInt(-3).power(3) == -27)
    #expect(BigInt(10).power(18).asInt == 1_000_000_000_000_000_000)
    #expect(BigInt(10).power(19).description == "10000000000000000000")
    #expect(BigInt(7).power(50) == BigInt(7).power(25) * BigInt(7).power(25))
    #expect(BigInt(2).power(64) == BigInt(negative: false, magnitude: [0, 1]))
  }

  @Test func integerRoots() {
    #expect(BigInt(0).integerRoot(3) == 0)
    #expect(BigInt(1).integerRoot(5) == 1)
    #expect(BigInt(15).integerRoot(2) == 3)
    #expect(BigInt(16).integerRoot(2) == 4)
    #expect(BigInt(2).power(64).integerRoot(64) == 2)
    #expect(BigInt(2).power(64).integerRoot(65) == 1)
    #expect((BigInt(2).power(64) - 1).integerRoot(64) == 1)
    #expect(BigInt(-27).exactRoot(3) == -3)
    #expect(BigInt(-4).exactRoot(2) == nil)
    #expect(BigInt(8).exactRoot(0) == nil)
    var rng = NumbersTestRNG(seed: 7)
    for _ in 0..<300 {
      let root = rng.bigInt(maxLimbs: 3).magnitude
      let k = 2 + Int(rng.next() % 6)
      let power = root.power(k)
      #expect(power.integerRoot(k) == root)
      #expect(power.exactRoot(k) == root)
      if root > 1 {
        #expect((power - 1).integerRoot(k) == root - 1)
        #expect((power - 1).exactRoot(k) == nil)
        #expect((power + 1).integerRoot(k) == root)
      }
    }
  }

  // MARK: Text

  @Test(arguments: ["", "+", "-", " 1", "1 ", "1_000", "0x10", "--1", "+-1", "1.0", "１", "1e3", "١٢"])
  func parsingRejectsMalformedText(_ text: String) {
    #expect(BigInt(text) == nil)
  }

  @Test func parsingAcceptsSignsAndLeadingZeros() {
    #expect(BigInt("+5") == 5)
    #expect(BigInt("-0") == 0)
    #expect(BigInt("-0")?.description == "0")
    #expect(BigInt("000123") == 123)
    #expect(BigInt("-9223372036854775808")?.asInt == Int.min)
    #expect(BigInt("9223372036854775808")?.asInt == nil)
    #expect(BigInt("-" + String(repeating: "0", count: 50) + "42") == -42)
    #expect(BigInt("1" + String(repeating: "0", count: 36)) == BigInt(10).power(36))
  }

  @Test func parsingRoundTrips() throws {
    var rng = NumbersTestRNG(seed: 8)
    for _ in 0..<2_000 {
      let value = rng.bigInt(maxLimbs: 12)
      let text = value.description
      #expect(try #require(BigInt(text)) == value)
      #expect(text.first != "0" || text == "0")
    }
    for digits in 1...80 {
      let text = String((0..<digits).map { index in Character(String((index * 7 + 3) % 10)) })
      let trimmed = String(text.drop { $0 == "0" })
      #expect(try #require(BigInt(text)).description == (trimmed.isEmpty ? "0" : trimmed))
    }
  }

  // MARK: Double conversion

  @Test func toDoubleRoundsToNearestEven() throws {
    let twoTo53 = BigInt(2).power(53)
    #expect((twoTo53 + 1).toDouble() == 9_007_199_254_740_992)
    #expect((twoTo53 + 3).toDouble() == 9_007_199_254_740_996)
    #expect((-(twoTo53 + 1)).toDouble() == -9_007_199_254_740_992)
    #expect(BigInt(2).power(64).toDouble() == 0x1p64)
    #expect((BigInt(2).power(64) - 1).toDouble() == 0x1p64)
    #expect(BigInt(2).power(1000).toDouble() == 0x1p1000)
    #expect(BigInt(2).power(1023).toDouble() == 0x1p1023)
    #expect(BigInt(2).power(1024).toDouble() == .infinity)
    #expect((-BigInt(2).power(1024)).toDouble() == -.infinity)
    #expect(BigInt(10).power(400).toDouble() == .infinity)
    let halfwayToInfinity = BigInt(2).power(1024) - BigInt(2).power(970)
    #expect(halfwayToInfinity.toDouble() == .infinity)
    #expect((halfwayToInfinity - 1).toDouble() == .greatestFiniteMagnitude)
    #expect((-(halfwayToInfinity - 1)).toDouble() == -.greatestFiniteMagnitude)
    for (i, j, expected) in threePowerDoubles {
      let value = BigInt(3).power(i) + BigInt(j)
      #expect(value.toDouble() == Double(expected)!, "3^\(i) + \(j)")
    }
  }

  @Test func toDoubleMatchesMachineConversions() {
    var rng = NumbersTestRNG(seed: 9)
    for _ in 0..<10_000 {
      let i = rng.int()
      #expect(BigInt(i).toDouble() == Double(i))
      let u = UInt(rng.next() >> (rng.next() % 64))
      #expect(BigInt(u).toDouble() == Double(u))
    }
  }

  @Test func toDoubleHalfwayCases() {
    var rng = NumbersTestRNG(seed: 10)
    for _ in 0..<3_000 {
      let exponent = 55 + Int(rng.next() % 960)
      let significand = (rng.next() & ((1 << 52) - 1)) | (1 << 52)
      let d = Double(sign: .plus, exponent: exponent, significand: Double(significand) * 0x1p-52)
      let exact = BigInt(Int(significand)).shiftedLeft(by: exponent - 52)
      #expect(exact.toDouble() == d)
      let halfUlp = BigInt.powerOfTwo(exponent - 53)
      let tieResult = significand & 1 == 0 ? d : d.nextUp
      #expect((exact + halfUlp).toDouble() == tieResult)
      #expect((exact + halfUlp + 1).toDouble() == d.nextUp)
      #expect((exact + halfUlp - 1).toDouble() == d)
      #expect((-(exact + halfUlp)).toDouble() == -tieResult)
      #expect((exact - 1).toDouble() == d)
    }
  }

  @Test func smallValuesStayInline() {
    var rng = NumbersTestRNG(seed: 11)
    for _ in 0..<1_000 {
      let a = rng.bigInt(maxLimbs: 3)
      let b = rng.bigInt(maxLimbs: 3)
      for value in [a + b, a - b, a * b, b.isZero ? a : a / b, b.isZero ? a : a % b, -a] {
        if case .large(_, let limbs) = value.storage {
          #expect(limbs.last != 0)
          #expect(value < BigInt(Int.min) || value > BigInt(Int.max))
        }
      }
    }
  }
}

/// Checks a BigInt against an exact Int128 value, including its storage class.
private func expectMatches(_ value: BigInt, _ expected: Int128, sourceLocation: SourceLocation = #_sourceLocation) {
  #expect(value.description == String(expected), sourceLocation: sourceLocation)
  let fits = expected >= Int128(Int.min) && expected <= Int128(Int.max)
  #expect(value.asInt == (fits ? Int(expected) : nil), sourceLocation: sourceLocation)
}

private func gcd128(_ a: UInt128, _ b: UInt128) -> UInt128 {
  var (x, y) = (a, b)
  while y != 0 { (x, y) = (y, x % y) }
  return x
}
