/// The one approximate-equality helper of the test suites (SymGradTests, SymGradOracleTests,
/// SymGradCLITests all depend on this target; nothing else does).
///
/// `isApprox(a, b, rtol:, atol:)` holds when
///
///     |a - b| <= atol + rtol * max(|a|, |b|)
///
/// (symmetric: the order of the arguments never matters). Non-finite values compare exactly:
/// NaN equals NaN (a NaN result is a *value* the tests check for, e.g. IEEE `inf - inf`), an
/// infinity equals only the same infinity, and a finite value is never close to a non-finite
/// one, whatever the tolerances.
///
/// Default tolerances (for two routes to the same value that are each a handful of
/// correctly rounded or libm operations, libm being accurate to about 1 ulp = 1.1e-16
/// relative):
/// - `rtol = 1e-12`: a few dozen such roundings with mild cancellation stay far below it,
///   while a wrong formula is off by far more;
/// - `atol = 1e-300`: only lets an exact zero match a value that underflowed to a tiny
///   number; negligible at every magnitude the tests use.
/// Every call that passes other tolerances justifies them where it does.
package func isApprox(_ a: Double, _ b: Double, rtol: Double = 1e-12, atol: Double = 1e-300) -> Bool {
  if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
  if a.isInfinite || b.isInfinite { return a == b }
  let scale = Swift.max(Swift.abs(a), Swift.abs(b))
  return Swift.abs(a - b) <= atol + rtol * scale
}

/// Element-wise `isApprox` of two arrays; arrays of different lengths are never close.
package func isApprox(_ a: [Double], _ b: [Double], rtol: Double = 1e-12, atol: Double = 1e-300) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { isApprox($0, $1, rtol: rtol, atol: atol) }
}

/// Element-wise `isApprox` of two matrices given as arrays of rows; different shapes are
/// never close.
package func isApprox(_ a: [[Double]], _ b: [[Double]], rtol: Double = 1e-12, atol: Double = 1e-300) -> Bool {
  a.count == b.count && zip(a, b).allSatisfy { isApprox($0, $1, rtol: rtol, atol: atol) }
}
