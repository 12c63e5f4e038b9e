import Foundation
import SymGrad

/// Checks a symbolic Jacobian against independent references.
///
/// At a point, the symbolic derivative is evaluated numerically and compared with:
/// - the autograd oracle (Swift `_Differentiation`, PyTorch's formulas) when the
///   expression is a loss call it knows;
/// - the recorded PyTorch value, when a fixture has this expression, variables and point;
/// - central finite differences of the expression itself (third opinion; finite points only).
/// Every entry's absolute and relative error is measured; disagreements are named.
package struct Checker {
  /// One comparison: a reference's values and how far the symbolic values are from them.
  package struct Comparison: Sendable {
    package let reference: String
    package let values: [[Double]]
    package let maxAbsoluteError: Double
    package let maxRelativeError: Double
    /// "row i, column NAME: symbolic S vs reference R" for each entry out of tolerance.
    package let disagreements: [String]
    /// The tolerance used, for the report.
    package let tolerance: String
    package var agrees: Bool { disagreements.isEmpty }
  }

  package struct Report: Sendable {
    package let expression: String
    package let variables: [String]
    package let symbolic: [[Double]]
    /// Plain IEEE evaluation of the same entries (differs from `symbolic` at limits).
    package let ieee: [[Double]]
    package let comparisons: [Comparison]
    /// References that could not be consulted, and why.
    package let skipped: [(reference: String, reason: String)]
    /// True when at least one reference was consulted and every one agrees.
    package var agrees: Bool { !comparisons.isEmpty && comparisons.allSatisfy(\.agrees) }
  }

  package var records: [PyTorchRecord] = []

  package init(records: [PyTorchRecord] = []) { self.records = records }

  /// Checks `text` differentiated with respect to `variables` at `point`.
  package func check(_ text: String, variables: [String], at point: [String: Double]) throws -> Report {
    let value = try Expr.Value(parsing: text)
    let outputs = value.flattened
    let vars = variables.map(Expr.symbol)
    let jac = outputs.jacobian(withRespectTo: vars)
    var evaluator = Evaluator(values: point)
    // The numbers SymGrad prints (`CompiledFunction.certifiedValues`: certified, limits
    // at +-inf) are what is compared; IEEE values are kept for the report.
    let ieee = try jac.map { try $0.map { try evaluator.value(of: $0) } }
    let certified = try CompiledFunction.certifiedValues(of: jac.flatMap { $0 }, at: point).map(\.value)
    var symbolic = ieee
    var cursor = 0
    for i in symbolic.indices {
      for j in symbolic[i].indices {
        symbolic[i][j] = certified[cursor]
        cursor += 1
      }
    }
    var comparisons: [Comparison] = []
    var skipped: [(String, String)] = []

    // Relative 1e-9 between two float64 computations of the same function in different
    // orders (rounding ~1e-15 grows with cancellation); absolute 1e-12 for entries near 0.
    let exact = (rtol: 1e-9, atol: 1e-12)
    do {
      if let tree = try CallTree.parse(text) {
        let oracle = try OracleBridge.evaluate(tree, variables: variables, at: point)
        comparisons.append(compare("autograd oracle", symbolic, oracle.jacobian, variables, exact))
      } else {
        skipped.append(("autograd oracle", "the expression is not a loss call"))
      }
    } catch let e as OracleBridge.NotApplicable {
      skipped.append(("autograd oracle", e.description))
    }

    if let record = records.first(where: { $0.dtype == "float64" && $0.matches(value, wrt: variables, at: point) })
      ?? records.first(where: { $0.matches(value, wrt: variables, at: point) })
    {
      // float32 records carry float32 rounding (~6e-8 relative per operation).
      let tol = record.dtype == "float32" ? (rtol: 1e-4, atol: 1e-5) : exact
      comparisons.append(compare("PyTorch record \(record.id)", symbolic, record.jacobian, variables, tol))
    } else {
      skipped.append(
        ("PyTorch record", records.isEmpty ? "no recorded fixtures found" : "no record for this expression and point"))
    }

    if variables.allSatisfy({ point[$0]?.isFinite ?? false }) {
      let fd = try finiteDifferences(outputs, variables, point)
      // Central differences with h = 1e-6 max(1, |x|): truncation O(h^2) ~ 1e-12 and
      // rounding ~ eps |f| / h ~ 1e-10 |f|, so 1e-6 relative with 1e-6 absolute is safe.
      comparisons.append(compare("central finite differences", symbolic, fd, variables, (1e-6, 1e-6)))
    } else {
      skipped.append(("central finite differences", "the point has non-finite variables"))
    }
    return Report(
      expression: value.description, variables: variables, symbolic: symbolic, ieee: ieee,
      comparisons: comparisons, skipped: skipped)
  }

  func finiteDifferences(_ outputs: [Expr], _ variables: [String], _ point: [String: Double]) throws -> [[Double]] {
    var columns: [[Double]] = []
    for v in variables {
      let x = point[v]!
      let h = 1e-6 * Swift.max(1, Swift.abs(x))
      var plus = point
      var minus = point
      plus[v] = x + h
      minus[v] = x - h
      var ep = Evaluator(values: plus)
      var em = Evaluator(values: minus)
      columns.append(try outputs.map { (try ep.value(of: $0) - em.value(of: $0)) / (2 * h) })
    }
    return outputs.indices.map { i in columns.map { $0[i] } }
  }

  func compare(
    _ name: String, _ s: [[Double]], _ r: [[Double]], _ variables: [String],
    _ tol: (rtol: Double, atol: Double)
  ) -> Comparison {
    var maxAbs = 0.0
    var maxRel = 0.0
    var bad: [String] = []
    if s.count != r.count || zip(s, r).contains(where: { $0.count != $1.count }) {
      bad.append(
        "shape differs: symbolic \(s.count)x\(s.first?.count ?? 0), reference \(r.count)x\(r.first?.count ?? 0)")
    } else {
      for i in s.indices {
        for j in s[i].indices {
          let a = s[i][j]
          let b = r[i][j]
          if a.isNaN || b.isNaN || a.isInfinite || b.isInfinite {
            if !(a == b || (a.isNaN && b.isNaN)) {
              bad.append("row \(i), \(variables[j]): symbolic \(a) vs \(b)")
            }
            continue
          }
          let d = Swift.abs(a - b)
          maxAbs = Swift.max(maxAbs, d)
          if b != 0 { maxRel = Swift.max(maxRel, d / Swift.abs(b)) }
          if d > tol.atol + tol.rtol * Swift.abs(b) { bad.append("row \(i), \(variables[j]): symbolic \(a) vs \(b)") }
        }
      }
    }
    return Comparison(
      reference: name, values: r, maxAbsoluteError: maxAbs, maxRelativeError: maxRel,
      disagreements: bad, tolerance: "rtol \(tol.rtol), atol \(tol.atol)")
  }
}
