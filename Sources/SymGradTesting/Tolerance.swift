/// How far a claimed number may be from the reference: `|claimed - reference| <=
/// absolute + relative * |reference|` (numpy's `isclose` and `torch.allclose` rule, with
/// the reference on the right).
///
/// Non-finite numbers are never "close": an infinity agrees only with the same infinity,
/// and NaN only with NaN (an undefined reference is matched by a NaN claim).
public struct Tolerance: Sendable, Equatable, CustomStringConvertible {
  public var relative: Double
  public var absolute: Double

  public init(relative: Double, absolute: Double) {
    self.relative = relative
    self.absolute = absolute
  }

  /// Two float64 computations of one function in different operation orders: rounding
  /// (about 1e-16 per operation) grows with cancellation, so 1e-9 relative; 1e-12
  /// absolute for entries near zero. What `symgrad check` uses against the oracle.
  public static let float64 = Tolerance(relative: 1e-9, absolute: 1e-12)

  /// Float32 code (about 6e-8 relative rounding per operation).
  public static let float32 = Tolerance(relative: 1e-4, absolute: 1e-5)

  /// `torch.autograd.gradcheck`'s defaults for finite differences in float64.
  public static let finiteDifferences = Tolerance(relative: 1e-3, absolute: 1e-5)

  /// Whether `claimed` is within this tolerance of `reference`.
  public func accepts(_ claimed: Double, reference: Double) -> Bool {
    if claimed.isNaN || reference.isNaN { return claimed.isNaN && reference.isNaN }
    if claimed.isInfinite || reference.isInfinite { return claimed == reference }
    return Swift.abs(claimed - reference) <= absolute + relative * Swift.abs(reference)
  }

  public var description: String { "relative \(relative), absolute \(absolute)" }
}
