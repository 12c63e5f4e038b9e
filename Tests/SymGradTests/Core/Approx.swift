import Foundation

/// Approximate equality of doubles for tests: `|a - b| <= absolute + relative * max(|a|, |b|)`.
///
/// Non-finite values compare exactly: NaN equals NaN (a NaN result is a *value* we check
/// for, e.g. `inf - inf`), and an infinity equals only the same infinity. A finite value is
/// never close to a non-finite one.
///
/// Default tolerances (used where the two sides are computed by different but equally exact
/// routes, e.g. a symbolic derivative evaluated in double precision against a closed form):
/// - `relative = 1e-12`: each side is a handful of correctly-rounded or libm operations
///   (libm is accurate to ~1 ulp = 1.1e-16 relative); a few dozen such roundings with mild
///   cancellation stay far below 1e-12, while any wrong formula is off by far more.
/// - `absolute = 1e-300`: only to let exact zeros match values that underflowed to a tiny
///   number; it is negligible for every magnitude the tests use.
/// Tests that need other tolerances pass them explicitly and justify them where used.
func isApprox(
  _ a: Double, _ b: Double, relative: Double = 1e-12, absolute: Double = 1e-300
) -> Bool {
  if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
  if a.isInfinite || b.isInfinite { return a == b }
  let scale = Swift.max(Swift.abs(a), Swift.abs(b))
  return Swift.abs(a - b) <= absolute + relative * scale
}
