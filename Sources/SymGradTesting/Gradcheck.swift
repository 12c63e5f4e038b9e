#if canImport(_Differentiation)
import _Differentiation

/// What `gradcheck` found: your function's derivatives from automatic differentiation
/// against central finite differences of the function itself, like
/// `torch.autograd.gradcheck` (which SymGrad's check does not need: use it where there is
/// no SymGrad expression, e.g. for a custom `@derivative` of your own).
public struct GradcheckReport: Sendable, CustomStringConvertible {
  /// One derivative that is out of tolerance.
  public struct Mismatch: Sendable {
    public let output: Int
    public let input: Int
    public let analytical: Double
    public let numerical: Double
  }

  public let point: [Double]
  /// `analytical[i][j]` = d output i / d input j from automatic differentiation.
  public let analytical: [[Double]]
  /// The same from central differences `(f(x + eps e_j) - f(x - eps e_j)) / (2 eps)`.
  public let numerical: [[Double]]
  public let eps: Double
  /// Applied with the numerical value as the reference, as gradcheck does.
  public let tolerance: Tolerance

  public var mismatches: [Mismatch] {
    var out: [Mismatch] = []
    for i in analytical.indices {
      for j in analytical[i].indices where !tolerance.accepts(analytical[i][j], reference: numerical[i][j]) {
        out.append(Mismatch(output: i, input: j, analytical: analytical[i][j], numerical: numerical[i][j]))
      }
    }
    return out
  }

  public var passed: Bool { mismatches.isEmpty }

  public var description: String {
    let bad = mismatches
    let n = analytical.reduce(0) { $0 + $1.count }
    var lines = [
      "gradcheck at \(point): "
        + (bad.isEmpty ? "passed: all \(n) derivatives agree" : "FAILED: \(bad.count) of \(n) derivatives disagree")
        + " (eps \(eps), tolerance \(tolerance))"
    ]
    for m in bad.prefix(GradientCheckReport.shownPerList) {
      let name = analytical.count == 1 ? "df/dx[\(m.input)]" : "df[\(m.output)]/dx[\(m.input)]"
      lines.append("  \(name): automatic differentiation \(m.analytical), finite differences \(m.numerical)")
    }
    if bad.count > GradientCheckReport.shownPerList {
      lines.append("  ... and \(bad.count - GradientCheckReport.shownPerList) more")
    }
    return lines.joined(separator: "\n")
  }
}

/// Compares the gradient automatic differentiation gives for `function` at `point` with
/// central finite differences, input by input (step `eps` added to and subtracted from
/// each coordinate, as `torch.autograd.gradcheck` does; its defaults in float64 are eps
/// 1e-6, relative 1e-3, absolute 1e-5).
///
/// Finite differences assume the function is smooth within `eps` of the point: at a kink
/// (relu at 0, max at a tie) they are a one-sided mix and may disagree with any choice
/// of subgradient. Throws `CheckError.nonFinitePoint` for a point with `inf` or NaN.
public func gradcheck(
  _ function: @differentiable(reverse) ([Double]) -> Double,
  at point: [Double],
  eps: Double = 1e-6,
  tolerance: Tolerance = .finiteDifferences
) throws -> GradcheckReport {
  guard point.allSatisfy(\.isFinite) else { throw CheckError.nonFinitePoint(point) }
  let g = try GradientCheck.entries(gradient(at: point, of: function).base, count: point.count, point: 0)
  let numerical = centralDifferences(point, eps: eps) { [function($0)] }
  return GradcheckReport(point: point, analytical: [g], numerical: numerical, eps: eps, tolerance: tolerance)
}

/// `gradcheck` for a function with several outputs: every row of the Jacobian (one
/// pullback per output) against central differences.
public func gradcheck(
  _ function: @differentiable(reverse) ([Double]) -> [Double],
  at point: [Double],
  eps: Double = 1e-6,
  tolerance: Tolerance = .finiteDifferences
) throws -> GradcheckReport {
  guard point.allSatisfy(\.isFinite) else { throw CheckError.nonFinitePoint(point) }
  let (values, pullback) = valueWithPullback(at: point, of: function)
  let rows = try values.indices.map { i -> [Double] in
    var seed = [Double](repeating: 0, count: values.count)
    seed[i] = 1
    return try GradientCheck.entries(pullback(Array<Double>.TangentVector(seed)).base, count: point.count, point: 0)
  }
  let numerical = centralDifferences(point, eps: eps) { function($0) }
  guard numerical.count == rows.count else {
    throw CheckError.outputCount(point: 0, expected: rows.count, got: numerical.count)
  }
  return GradcheckReport(point: point, analytical: rows, numerical: numerical, eps: eps, tolerance: tolerance)
}

/// `[output][input]` central differences of `f` at `x`.
private func centralDifferences(_ x: [Double], eps: Double, _ f: ([Double]) -> [Double]) -> [[Double]] {
  var columns: [[Double]] = []
  for j in x.indices {
    var plus = x
    var minus = x
    plus[j] += eps
    minus[j] -= eps
    let a = f(plus)
    let b = f(minus)
    columns.append(zip(a, b).map { ($0 - $1) / (2 * eps) })
  }
  let outputs = columns.first?.count ?? 0
  return (0..<outputs).map { i in columns.map { $0[i] } }
}
#endif
