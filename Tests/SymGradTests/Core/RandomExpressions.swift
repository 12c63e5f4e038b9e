@testable import SymGrad

/// SplitMix64: a tiny deterministic generator, so every property test is reproducible from
/// its seed (the standard library's generator is seeded randomly per process).
struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A value in `0..<n` (the modulo bias is irrelevant for tests).
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

  /// A double uniformly in `[low, high)`.
  mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * Double(next() >> 11) / Double(1 << 53)
  }
}

/// Random expressions over x, y, z for property tests.
///
/// Every function of the language except the domain guard `unit_interval` occurs, and the
/// constants `pi` and `E`. Domains are respected by construction, so no domain error can
/// occur: `log` sees `1 + g**2`, `log1p` sees `|g|` (> -1), square roots see `1 + g**2`;
/// division by zero can (giving an infinite or undefined value, which the tests skip).
/// The expressions are real-analytic wherever they are finite *except* at the kinks of
/// `abs`, `sign`, `max` and `min` (argument 0, or both arguments equal): numeric
/// comparisons of derivatives must stay away from those (see `EvaluationProfile`).
struct ExprGenerator {
  static let symbols = ["x", "y", "z"].map(Expr.symbol)
  static let rationals: [Expr] = [Expr(1) / 2, Expr(-3) / 4, Expr(5) / 3, Expr(7) / 10]

  var rng: SplitMix64

  init(seed: Int) { rng = SplitMix64(seed: UInt64(seed) &* 0x2545_F491_4F6C_DD1D &+ 12345) }

  mutating func leaf() -> Expr {
    switch rng.below(12) {
    case 0..<6: return ExprGenerator.symbols[rng.below(3)]
    case 6..<9: return Expr.number(rng.below(7) - 3)
    case 9: return ExprGenerator.rationals[rng.below(ExprGenerator.rationals.count)]
    case 10: return Expr.pi
    default: return Expr.e
    }
  }

  /// An expression of depth at most `depth`.
  mutating func expression(depth: Int = 4) -> Expr {
    if depth == 0 || rng.below(5) == 0 { return leaf() }
    let d = depth - 1
    switch rng.below(24) {
    case 0, 1: return expression(depth: d) + expression(depth: d)
    case 2: return expression(depth: d) - expression(depth: d)
    case 3, 4: return expression(depth: d) * expression(depth: d)
    case 5: return expression(depth: d) / expression(depth: d)
    case 6: return exp(expression(depth: d))
    case 7: return log(1 + expression(depth: d) ** 2)
    case 8: return sin(expression(depth: d))
    case 9: return cos(expression(depth: d))
    case 10: return tanh(expression(depth: d))
    case 11: return sigmoid(expression(depth: d))
    case 12: return softplus(expression(depth: d))
    case 13: return sqrt(1 + expression(depth: d) ** 2)
    case 14: return expression(depth: d) ** Expr.number([2, 3, -1, -2][rng.below(4)])
    case 15: return -expression(depth: d)
    case 17: return abs(expression(depth: d))
    case 18: return sign(expression(depth: d)) * expression(depth: d)
    case 19: return max(expression(depth: d), expression(depth: d))
    case 20: return min(expression(depth: d), expression(depth: d))
    case 21: return log1p(abs(expression(depth: d)))
    case 22: return expm1(expression(depth: d))
    default: return expression(depth: d) * ExprGenerator.symbols[rng.below(3)] + leaf()
    }
  }

  /// A point with coordinates in [-2, 2).
  mutating func point() -> [String: Double] {
    ["x": rng.uniform(-2, 2), "y": rng.uniform(-2, 2), "z": rng.uniform(-2, 2)]
  }

  /// The expression of property-test case `seed`.
  static func expression(seed: Int) -> Expr {
    var g = ExprGenerator(seed: seed)
    return g.expression()
  }
}

/// The value of `e` at `point` and the largest magnitude of any intermediate value.
///
/// The scale bounds the rounding error of a double evaluation (about `nodes * eps * scale`
/// absolutely), which is what numeric comparisons between two evaluation routes need.
func valueAndScale(of e: Expr, at point: [String: Double]) throws -> (value: Double, scale: Double) {
  let p = try EvaluationProfile(of: e, at: point)
  return (p.value, p.scale)
}

/// A double evaluation of an expression, with what numeric comparisons need to know.
struct EvaluationProfile {
  /// The value.
  var value = 0.0
  /// The largest magnitude of any intermediate value.
  var scale = 0.0
  /// The kinks: for every `abs(u)` and `sign(u)` node the value of `u`, for every
  /// `max(a, b)` and `min(a, b)` the value of `a - b`, in a fixed (traversal) order.
  var kinks: [Double] = []

  init(of e: Expr, at point: [String: Double]) throws {
    var scale = 0.0
    var kinks: [Double] = []
    value = try e.fold { (node: Expr, args: [Double]) throws -> Double in
      if case .apply(let f, _) = node.kind {
        switch f {
        case .abs, .sign: kinks.append(args[0])
        case .max, .min: kinks.append(args[0] - args[1])
        default: break
        }
      }
      let r = try Evaluator.compute(node, args, point)
      scale = Swift.max(scale, Swift.abs(r))
      return r
    }
    self.scale = scale
    self.kinks = kinks
  }

  /// The distance (in the kink arguments' own units) to the nearest kink; infinite when
  /// the expression has none.
  var kinkDistance: Double { kinks.map { Swift.abs($0) }.min() ?? .infinity }

  /// Whether `other` (the same expression at a nearby point) lies on the same side of
  /// every kink: then the expression is smooth on the segment between the two points
  /// as far as its non-smooth functions go.
  func sameSideOfEveryKink(as other: EvaluationProfile) -> Bool {
    kinks.count == other.kinks.count
      && zip(kinks, other.kinks).allSatisfy { ($0 > 0) == ($1 > 0) && ($0 < 0) == ($1 < 0) }
  }
}
