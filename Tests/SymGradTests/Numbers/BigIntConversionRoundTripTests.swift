import Testing

@testable import SymGrad

/// Decimal text and back, at chunk boundaries (short values convert 19 digits at a time)
/// and at the splits of long ones (split by powers 10^(19·2^k) above 40 limbs or 760
/// digits): every length from 1 to 120 digits, lengths around each split, long runs of
/// zeros that make the padded halves, and random values up to 30,000 digits.
@Suite struct BigIntConversionRoundTripTests {
  @Test func decimalTextRoundTrips() {
    var rng = SplitMix64(seed: 19)  // seeded: a failure names reproducible digits
    func randomDigits(_ length: Int) -> String {
      (0..<length).map { i in String(i == 0 ? Int.random(in: 1...9, using: &rng) : Int.random(in: 0...9, using: &rng)) }
        .joined()
    }
    var texts: [String] = []
    var lengths = Array(1...120)
    for split in [760, 1_520, 3_040] { lengths += [split - 1, split, split + 1, split + 19] }
    lengths += [19 * 40 * 2 + 7, 12_345]
    for length in lengths {
      texts.append(String(repeating: "9", count: length))
      texts.append("1" + String(repeating: "0", count: length - 1))
      texts.append(randomDigits(length))
    }
    for length in [500, 1_000, 2_000, 30_000] {
      texts.append("7" + randomDigits(length - 1))
    }
    // Zero runs inside: a low half of all zeros, a high half that is just one digit.
    for zeros in [700, 760, 1_000, 4_864, 9_728] {
      texts.append("3" + String(repeating: "0", count: zeros) + "1")
      texts.append("12" + String(repeating: "0", count: zeros) + randomDigits(300))
      texts.append(randomDigits(800) + String(repeating: "0", count: zeros))
    }
    for t in texts {
      #expect(BigInt(t)?.description == t, "\(t.prefix(40))... (\(t.count) digits)")
      #expect(BigInt("-" + t)?.description == "-" + t)
    }
    // Values at the divisor itself and around it.
    #expect(BigInt("10000000000000000000")?.description == "10000000000000000000")
    #expect(BigInt("9999999999999999999")?.description == "9999999999999999999")
    #expect(BigInt("18446744073709551616")?.description == "18446744073709551616")
    #expect(BigInt("340282366920938463463374607431768211455")?.description == "340282366920938463463374607431768211455")
  }

  /// The parsed value is the number written, not just something that prints back the same:
  /// Horner's rule digit by digit (one small product each) gives the same integers, and
  /// 10^k parses to the power computed by multiplication.
  @Test func parsedValuesAreTheNumbersWritten() {
    var rng = SplitMix64(seed: 23)
    for length in [761, 1_600, 5_000] {
      let text = (0..<length).map { i in
        String(i == 0 ? Int.random(in: 1...9, using: &rng) : Int.random(in: 0...9, using: &rng))
      }.joined()
      var horner = BigInt(0)
      for byte in text.utf8 { horner = horner * BigInt(10) + BigInt(Int(byte - UInt8(ascii: "0"))) }
      #expect(BigInt(text) == horner, "\(length) digits")
    }
    for k in [760, 761, 4_000, 99_998] {
      #expect(BigInt("1" + String(repeating: "0", count: k)) == BigInt(10).power(k), "10^\(k)")
    }
  }

  /// Karatsuba's product equals the schoolbook product limb for limb, for balanced and
  /// unbalanced lengths around the threshold and limbs that make long carry chains.
  @Test func karatsubaProductEqualsSchoolbook() {
    var rng = SplitMix64(seed: 29)
    func limbs(_ count: Int, style: Int) -> [UInt] {
      (0..<count).map { i in
        switch style {
        case 0: return UInt(rng.next())
        case 1: return UInt.max
        default: return i % 7 == 0 ? 0 : UInt(rng.next())
        }
      }
    }
    let t = BigInt.karatsubaThreshold
    let sizes = [
      (t, t), (t - 1, t + 5), (t + 1, t + 1), (2 * t, t), (2 * t + 3, t + 1), (3 * t + 1, 2 * t), (300, 170),
      (511, 512), (1_000, 41),
    ]
    for (m, n) in sizes {
      for style in 0..<3 {
        var a = limbs(m, style: style)
        var b = limbs(n, style: (style + 1) % 3)
        a[m - 1] |= 1
        b[n - 1] |= 1
        #expect(BigInt.multiplyMagnitudes(a, b) == BigInt.schoolbookProduct(a, b), "\(m) x \(n) limbs, style \(style)")
        #expect(BigInt.multiplyMagnitudes(b, a) == BigInt.schoolbookProduct(a, b), "\(n) x \(m) limbs, style \(style)")
      }
    }
  }
}
