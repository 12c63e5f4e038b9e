/// SplitMix64 (Steele, Lea and Flood 2014): a small, fast, seedable generator.
///
/// The fuzzer's determinism and `SymGradTesting`'s random check points rest on it: the
/// same seed gives the same stream on every platform and toolchain. The helpers below
/// (`below`, `chance`, `pick`, ...) are written here rather than taken from the standard
/// library's `random(in:using:)`, whose algorithm may change between Swift versions.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  /// The generator of input `index` in the run seeded `seed`, independent of every other
  /// index: a run started at `--start K` sees exactly the inputs a run from 0 sees at K.
  /// `stream` separates independent uses of one input (the text, the evaluation points).
  public static func forInput(seed: UInt64, index: Int, stream: UInt64 = 0) -> SplitMix64 {
    var outer = SplitMix64(seed: seed ^ (stream &* 0xA076_1D64_78BD_642F))
    let a = outer.next()
    var g = SplitMix64(seed: a ^ (UInt64(bitPattern: Int64(index)) &* 0xD1B5_4A32_D192_ED03))
    _ = g.next()
    return g
  }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A number in `0..<n` (`n > 0`), by the multiply-high method (bias below 2^-40 for
  /// the small `n` used here).
  public mutating func below(_ n: Int) -> Int {
    precondition(n > 0, "below(\(n))")
    return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
  }

  /// A number in `range`.
  public mutating func int(in range: ClosedRange<Int>) -> Int {
    range.lowerBound + below(range.upperBound - range.lowerBound + 1)
  }

  /// A number in `range` (non-negative bounds) whose square root is uniform: small sizes
  /// more often than large ones. (Square roots are correctly rounded everywhere, unlike
  /// `log`/`exp`, so the stream is the same on every platform.)
  public mutating func sqrtUniform(_ range: ClosedRange<Int>) -> Int {
    let lo = Double(range.lowerBound).squareRoot()
    let hi = Double(range.upperBound).squareRoot()
    let r = lo + (hi - lo) * unit()
    return Swift.min(range.upperBound, Swift.max(range.lowerBound, Int(r * r)))
  }

  /// A double in `[0, 1)` with 53 random bits.
  public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

  /// True with probability `p`.
  public mutating func chance(_ p: Double) -> Bool { unit() < p }

  /// One element of a non-empty array.
  public mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }

  /// An index drawn with the given (non-negative, not all zero) weights.
  public mutating func weighted(_ weights: [Double]) -> Int {
    let total = weights.reduce(0, +)
    var r = unit() * total
    for (i, w) in weights.enumerated() {
      if r < w { return i }
      r -= w
    }
    return weights.count - 1
  }
}
