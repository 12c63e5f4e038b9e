#if canImport(_Differentiation)
import _Differentiation
import SymGrad

/// Checks your `@differentiable(reverse)` function against a SymGrad expression: its
/// value and its gradient (Swift's automatic differentiation of your code) against the
/// expression's value and symbolic gradient, evaluated by SymGrad with certified
/// arithmetic (limits at `-inf`/`+inf` coordinates).
///
/// ```swift
/// @differentiable(reverse)
/// func myLoss(_ z: [Double]) -> Double { ... }
///
/// let report = try checkGradient(of: myLoss, against: "cross_entropy([[a, b, c]], [1])",
///                                variables: ["a", "b", "c"])
/// #expect(report.passed, "\(report)")
/// ```
///
/// - Parameters:
///   - function: your code; its input is the values of `variables`, in order.
///   - expression: what it should compute, over `variables` and `constants`.
///   - constants: values of the expression's other symbols (targets, weights), held fixed.
///   - points: `.random()` (default: 8 seeded points in [-3, 3], half with `-inf` entries) or
///     `.given([[...]])`.
///   - tolerance: `|yours - SymGrad| <= absolute + relative * |SymGrad|`; infinities and
///     NaN must match exactly.
/// - Returns: the report; `passed` when every number agrees and none is undecided.
/// - Throws: `CheckError` when the check cannot run (unparsable text, unbound symbols,
///   wrong point or gradient sizes).
public func checkGradient(
  of function: @differentiable(reverse) ([Double]) -> Double,
  against expression: Expr,
  variables: [String],
  constants: [String: Double] = [:],
  at points: CheckPoints = .random(),
  tolerance: Tolerance = .float64
) throws -> GradientCheckReport {
  try GradientCheck.run(
    outputs: [expression], variables: variables, constants: constants, points: points, tolerance: tolerance
  ) { k, x in
    let (value, gradient) = valueWithGradient(at: x, of: function)
    return ([value], [try GradientCheck.entries(gradient.base, count: x.count, point: k)])
  }
}

/// `checkGradient(of:against:...)` with the expression as text in SymGrad's language
/// (`"cross_entropy([[a, b]], [1])"`); the text must denote a scalar.
public func checkGradient(
  of function: @differentiable(reverse) ([Double]) -> Double,
  against text: String,
  variables: [String],
  constants: [String: Double] = [:],
  at points: CheckPoints = .random(),
  tolerance: Tolerance = .float64
) throws -> GradientCheckReport {
  let expression: Expr
  do { expression = try Expr(parsing: text) } catch { throw CheckError.parse("\(error)") }
  return try checkGradient(
    of: function, against: expression, variables: variables, constants: constants,
    at: points, tolerance: tolerance)
}

/// Checks a function with several outputs (softmax, a loss with `reduction="none"`):
/// each output's value and its row of the Jacobian (one pullback per output) against the
/// expressions' values and symbolic Jacobian. See `checkGradient(of:against:...)`.
public func checkJacobian(
  of function: @differentiable(reverse) ([Double]) -> [Double],
  against expressions: [Expr],
  variables: [String],
  constants: [String: Double] = [:],
  at points: CheckPoints = .random(),
  tolerance: Tolerance = .float64
) throws -> GradientCheckReport {
  try GradientCheck.run(
    outputs: expressions, variables: variables, constants: constants, points: points, tolerance: tolerance
  ) { k, x in
    let (values, pullback) = valueWithPullback(at: x, of: function)
    guard values.count == expressions.count else {
      throw CheckError.outputCount(point: k, expected: expressions.count, got: values.count)
    }
    let rows = try values.indices.map { i -> [Double] in
      var seed = [Double](repeating: 0, count: values.count)
      seed[i] = 1
      return try GradientCheck.entries(pullback(Array<Double>.TangentVector(seed)).base, count: x.count, point: k)
    }
    return (values, rows)
  }
}

/// `checkJacobian(of:against:...)` with the expressions as text: a list (any nesting),
/// whose entries are compared with the function's outputs in row-major order.
public func checkJacobian(
  of function: @differentiable(reverse) ([Double]) -> [Double],
  against text: String,
  variables: [String],
  constants: [String: Double] = [:],
  at points: CheckPoints = .random(),
  tolerance: Tolerance = .float64
) throws -> GradientCheckReport {
  let value: Expr.Value
  do { value = try Expr.Value(parsing: text) } catch { throw CheckError.parse("\(error)") }
  return try checkJacobian(
    of: function, against: value.flattened, variables: variables, constants: constants,
    at: points, tolerance: tolerance)
}

/// The shared machinery of the checks.
enum GradientCheck {
  /// A gradient from automatic differentiation as `count` numbers: an array's zero tangent
  /// is the empty array (a function that ignores its input), which means all zeros.
  static func entries(_ base: [Double], count: Int, point: Int) throws -> [Double] {
    if base.isEmpty { return [Double](repeating: 0, count: count) }
    guard base.count == count else { throw CheckError.gradientCount(point: point, expected: count, got: base.count) }
    return base
  }

  /// Evaluates SymGrad's values and Jacobian and `claimed(point index, point)` (your
  /// values and Jacobian rows) at every point and compares them.
  static func run(
    outputs: [Expr], variables: [String], constants: [String: Double], points: CheckPoints, tolerance: Tolerance,
    claimed: (Int, [Double]) throws -> (values: [Double], rows: [[Double]])
  ) throws -> GradientCheckReport {
    var seen = Set<String>()
    for v in variables {
      guard ExpressionLanguage.isSymbolName(v) else { throw CheckError.notASymbolName(v) }
      guard seen.insert(v).inserted else { throw CheckError.duplicateVariable(v) }
    }
    let bound = Set(variables).union(constants.keys)
    for e in outputs {
      if let free = e.freeSymbols.first(where: { !bound.contains($0) }) { throw CheckError.unboundSymbol(free) }
    }
    let symbols = variables.map(Expr.symbol)
    let jacobianRows = outputs.jacobian(withRespectTo: symbols)
    // Per output: its value, then its partial derivatives in variable order.
    var compiledExpressions: [Expr] = []
    for (i, e) in outputs.enumerated() { compiledExpressions += [e] + jacobianRows[i] }
    let constantNames = constants.keys.sorted().filter { !variables.contains($0) }
    let compiled = try CompiledFunction(compiledExpressions, inputs: variables + constantNames)
    let fixed = constantNames.map { constants[$0]! }
    let all = points.points(dimension: variables.count)
    guard !all.isEmpty else { throw CheckError.noPoints }
    var entries: [GradientCheckReport.Entry] = []
    var skipped: [GradientCheckReport.SkippedPoint] = []
    let stride = variables.count + 1
    for (k, x) in all.enumerated() {
      guard x.count == variables.count else {
        throw CheckError.pointDimension(point: k, expected: variables.count, got: x.count)
      }
      let reference: [CertifiedValue]
      do {
        reference = try compiled.certifiedValues(at: x + fixed)
      } catch {
        skipped.append(.init(point: k, reason: "\(error)"))
        continue
      }
      let ieee = compiled.values(at: x + fixed)
      let (values, rows) = try claimed(k, x)
      guard values.count == outputs.count else {
        throw CheckError.outputCount(point: k, expected: outputs.count, got: values.count)
      }
      for i in outputs.indices {
        let mine = [values[i]] + rows[i]
        for j in 0..<stride {
          let r = reference[i * stride + j]
          // An uncertified value (beyond the double range, a limit past its budget) decides
          // nothing, even where the numbers happen to match.
          let verdict: GradientCheckReport.Verdict =
            !r.certified ? .undecided : tolerance.accepts(mine[j], reference: r.value) ? .agrees : .disagrees
          entries.append(
            .init(
              point: k, output: i, variable: j == 0 ? nil : variables[j - 1], claimed: mine[j],
              reference: r, ieee: ieee[i * stride + j], verdict: verdict))
        }
      }
    }
    return GradientCheckReport(
      expression: outputs.count == 1
        ? outputs[0].description : "[" + outputs.map(\.description).joined(separator: ", ") + "]",
      variables: variables, outputCount: outputs.count, points: all, tolerance: tolerance, entries: entries,
      skippedPoints: skipped)
  }
}
#endif
