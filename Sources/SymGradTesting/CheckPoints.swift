import SymGrad

/// Where a check evaluates: points you give, or seeded random ones (`.random()`: 8 points
/// in [-3, 3], the last 4 with `-inf` entries).
///
/// Random points are reproducible (`SplitMix64`, the same stream on every platform):
/// each coordinate is uniform in `range`; when `negativeInfinity` is on, the second half
/// of the points also sets each coordinate to `-inf` with probability 1/4 (at least one per
/// point, never all of them), the way additive masks do, so a check covers the limits that
/// masked softmax and attention take there.
public enum CheckPoints: Sendable, Equatable {
  case given([[Double]])
  case random(count: Int = 8, range: ClosedRange<Double> = -3...3, negativeInfinity: Bool = true, seed: UInt64 = 1)

  /// The points, each with `dimension` coordinates.
  public func points(dimension: Int) -> [[Double]] {
    switch self {
    case .given(let points):
      return points
    case .random(let count, let range, let negativeInfinity, let seed):
      var rng = SplitMix64(seed: seed)
      return (0..<Swift.max(0, count)).map { k in
        var p = (0..<dimension).map { _ in range.lowerBound + (range.upperBound - range.lowerBound) * rng.unit() }
        if negativeInfinity && dimension > 1 && 2 * k >= count {
          var masked = (0..<dimension).filter { _ in rng.chance(0.25) }
          if masked.isEmpty { masked = [rng.below(dimension)] }
          if masked.count == dimension { masked.removeLast() }
          for i in masked { p[i] = -.infinity }
        }
        return p
      }
    }
  }
}
