import Testing
@testable import SymGrad

/// Decimal text and back, at chunk boundaries (the conversion works 19 digits at a time,
/// dividing by 10^19 through its reciprocal): every length from 1 to 120 digits and
/// random values up to 2,000 digits print as they were written.
@Suite struct BigIntConversionRoundTripTests {
  @Test func decimalTextRoundTrips() {
    var rng = SplitMix64(seed: 19)  // seeded: a failure names reproducible digits
    var texts: [String] = []
    for length in 1...120 {
      texts.append(String(repeating: "9", count: length))
      texts.append("1" + String(repeating: "0", count: length - 1))
      texts.append((0..<length).map { i in String(i == 0 ? Int.random(in: 1...9, using: &rng) : Int.random(in: 0...9, using: &rng)) }.joined())
    }
    for length in [500, 1_000, 2_000] {
      texts.append("7" + (1..<length).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined())
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
}
