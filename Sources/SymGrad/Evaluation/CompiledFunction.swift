import Dispatch
import Foundation

/// Expressions compiled once to a flat instruction tape, for fast evaluation at many
/// points: IEEE doubles (one point, or a batch on all cores) and certified values.
///
/// ```swift
/// let xs = (0..<3).map { Expr.symbol("x\($0)") }
/// let g = (log(Expr.sum(xs.map(exp))) - xs[0]).gradient(withRespectTo: xs)
/// let f = try CompiledFunction(g, inputs: ["x0", "x1", "x2"])
/// f.values(at: [1, 2, 3])                  // IEEE, like `Evaluator`
/// try f.certifiedValues(at: [1, 2, 3])     // every value certified or marked
/// ```
///
/// Compilation (`CompiledTape`) walks the DAG once without recursion: each distinct node
/// becomes one instruction (common subexpressions are computed once), registers are
/// reused once their last reader is past, and constants are rounded once.
///
/// Semantics, for a point given as doubles in the order of `inputs`:
/// - `values(at:)` gives, for each expression, exactly the double `Evaluator` gives
///   (same operation order, same libm calls): NaN and `±inf` inputs propagate as IEEE
///   arithmetic does (`inf - inf` is NaN, no limits). Where `Evaluator` throws
///   `EvaluationError.domain` (`log(-1)`, `sqrt(-2)`, `unit_interval(2)`), the entry is NaN
///   instead: exactly the entries whose computation meets a domain error.
/// - `certifiedValues(at:)` gives what `Expr.certifiedValues(of:at:)` gives, up to the
///   choice between the two faithful roundings of a value: each number is certified (a
///   faithful rounding of the exact value: within one ulp, see `CertifiedValue`) or marked
///   uncertified with the reason; `±inf` inputs and masks take limits; a NaN input gives
///   NaN; certain domain errors throw `EvaluationError.domain`.
public struct CompiledFunction: Sendable {
  /// The compiled expressions, in output order.
  public let expressions: [Expr]
  /// The input names, in the order values are given.
  public let inputs: [String]
  let tape: CompiledTape

  /// Compiles `expressions` over `inputs` (symbol names, in the order values will be given).
  ///
  /// Throws `CompilationError.unboundSymbol` for a symbol that is not an input and
  /// `CompilationError.duplicateInput` for a name listed twice. Inputs the expressions do
  /// not use are allowed.
  public init(_ expressions: [Expr], inputs: [String]) throws {
    self.expressions = expressions
    self.inputs = inputs
    self.tape = try CompiledTape(expressions, inputs: inputs)
  }

  /// Number of instructions: the number of distinct nodes of the expressions.
  public var instructionCount: Int { tape.instructions.count }
  /// Number of registers (doubles, or balls for certified evaluation) one evaluation uses.
  public var registerCount: Int { tape.registerCount }

  // MARK: IEEE

  /// The IEEE double values at `point` (one value per input, in `inputs` order), with
  /// `Evaluator`'s semantics; NaN where `Evaluator` throws a domain error.
  public func values(at point: [Double]) -> [Double] {
    var registers = [Double](repeating: 0, count: tape.registerCount)
    return values(at: point, registers: &registers)
  }

  private func values(at point: [Double], registers: inout [Double]) -> [Double] {
    precondition(point.count == inputs.count, "expected \(inputs.count) input values, got \(point.count)")
    if tape.outputCount == 0 { return [] }
    var raised = false
    // Every output slot is written by the tape: no need to zero the array first.
    var out = [Double](unsafeUninitializedCapacity: tape.outputCount) { o, initialized in
      point.withUnsafeBufferPointer { x in
        registers.withUnsafeMutableBufferPointer { r in
          raised = tape.runIEEE(x, registers: r.baseAddress!, outputs: o.baseAddress!)
        }
      }
      initialized = tape.outputCount
    }
    if raised {
      // Rare: run again tracking which values depend on a domain error.
      var taint = [Bool](repeating: false, count: tape.registerCount)
      var outTaint = [Bool](repeating: false, count: tape.outputCount)
      point.withUnsafeBufferPointer { x in
        registers.withUnsafeMutableBufferPointer { r in
          out.withUnsafeMutableBufferPointer { o in
            taint.withUnsafeMutableBufferPointer { t in
              outTaint.withUnsafeMutableBufferPointer { ot in
                _ = tape.runIEEE(
                  x, registers: r.baseAddress!, outputs: o.baseAddress!,
                  taint: t.baseAddress!, outputTaint: ot.baseAddress!)
              }
            }
          }
        }
      }
      for k in out.indices where outTaint[k] { out[k] = .nan }
    }
    return out
  }

  /// `values(at:)` at each of `points`, computed on all cores
  /// (`DispatchQueue.concurrentPerform`, each worker with its own registers).
  public func values(atBatch points: [[Double]]) -> [[Double]] {
    let count = points.count
    let cores = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)
    if count < 2 || cores < 2 {
      var registers = [Double](repeating: 0, count: tape.registerCount)
      return points.map { values(at: $0, registers: &registers) }
    }
    let workers = Swift.min(count, cores)
    var results = [[Double]](repeating: [], count: count)
    results.withUnsafeMutableBufferPointer { buffer in
      let shared = SharedBuffer(base: buffer.baseAddress!)
      DispatchQueue.concurrentPerform(iterations: workers) { w in
        var registers = [Double](repeating: 0, count: tape.registerCount)
        // Contiguous blocks: each worker writes its own slots.
        let start = count * w / workers
        let end = count * (w + 1) / workers
        for i in start..<end { shared.base[i] = values(at: points[i], registers: &registers) }
      }
    }
    return results
  }

  // MARK: Certified

  /// What a certified evaluation did: the values, and which entries the fast path proved.
  public struct CertifiedEvaluation: Sendable {
    /// One value per expression, as `certifiedValues(at:)` returns them.
    public let values: [CertifiedValue]
    /// The entries handed to `Expr.certifiedValues(of:at:)` because the fast path could not
    /// prove a faithful rounding (in increasing order).
    public let fallbackEntries: [Int]
    /// How many entries the double-double fast path certified.
    public var fastPathCount: Int { values.count - fallbackEntries.count }
  }

  /// The certified values at `point` (one value per input, in `inputs` order): see
  /// `certifiedEvaluation(at:)`.
  public func certifiedValues(at point: [Double]) throws -> [CertifiedValue] {
    try certifiedEvaluation(at: point).values
  }

  /// The certified values at `point`, with which entries needed the multi-precision
  /// evaluator.
  ///
  /// **Fast path.** The tape runs in double-double ball arithmetic (`DDBall`: a 106-bit
  /// center and a radius bounding every rounding error, series truncation and constant
  /// error on the way, no trust in libm). An entry is accepted when its ball proves a
  /// faithful rounding: the double `d` nearest the center has the whole ball strictly
  /// between its neighbours `d.nextDown` and `d.nextUp`, so `d` is within one ulp of the
  /// exact value and no other double lies between them (`DDBall.faithfulDouble`).
  ///
  /// **Fallback.** Every other entry — ball too wide, poisoned by a non-finite or NaN
  /// input, an infinite or undefined constant (a mask), an overflow or underflow, an
  /// argument whose domain or sign the ball does not settle — is evaluated by
  /// `Expr.certifiedValues(of:at:)` (one call for all of them, sharing work), so hard
  /// cases keep that function's semantics: limits at `±inf`, NaN for NaN inputs, values
  /// beyond the double range marked uncertified, domain errors thrown.
  ///
  /// Both paths return faithful roundings, so an entry may differ from what
  /// `Expr.certifiedValues(of:at:)` alone returns by the choice between the two doubles
  /// bracketing the exact value (one ulp), never more.
  public func certifiedEvaluation(at point: [Double]) throws -> CertifiedEvaluation {
    precondition(point.count == inputs.count, "expected \(inputs.count) input values, got \(point.count)")
    if tape.outputCount == 0 { return CertifiedEvaluation(values: [], fallbackEntries: []) }
    if !point.allSatisfy(\.isFinite) || tape.constants.contains(where: \.isInfinite) {
      return try extendedEvaluation(at: point)
    }
    let balls = run(filling: DDBall.zero, point) { tape.runBalls($0, registers: $1, outputs: $2) }
    return try finishing(balls.map { $0.faithfulDouble.map { CertifiedValue(value: $0, certified: true) } }, at: point)
  }

  /// Runs the tape at `point` on registers of type `R` (all set to `fill` first) and
  /// returns its outputs.
  private func run<R>(
    filling fill: R, _ point: [Double],
    _ body: (UnsafeBufferPointer<Double>, UnsafeMutablePointer<R>, UnsafeMutablePointer<R>) -> Void
  ) -> [R] {
    var outputs = [R](repeating: fill, count: tape.outputCount)
    var registers = [R](repeating: fill, count: tape.registerCount)
    point.withUnsafeBufferPointer { x in
      registers.withUnsafeMutableBufferPointer { r in
        outputs.withUnsafeMutableBufferPointer { o in body(x, r.baseAddress!, o.baseAddress!) }
      }
    }
    return outputs
  }

  /// The certified evaluation from the fast path's values: the entries it left (nil) come
  /// from `Expr.certifiedValues(of:at:)`, one call for all of them.
  private func finishing(_ fast: [CertifiedValue?], at point: [Double]) throws -> CertifiedEvaluation {
    var values = fast
    let fallback = fast.indices.filter { fast[$0] == nil }
    if !fallback.isEmpty {
      let named = Dictionary(uniqueKeysWithValues: zip(inputs, point))
      let slow = try Expr.certifiedValues(of: fallback.map { expressions[$0] }, at: named)
      for (j, k) in fallback.enumerated() { values[k] = slow[j] }
    }
    return CertifiedEvaluation(values: values.map { $0! }, fallbackEntries: fallback)
  }

  /// The fast path at a point with `+-inf` inputs or a tape with `+-inf` constants (masks):
  /// the ball tape over the extended reals (`ExtendedBall`: limits where every operation
  /// on the way is continuous), infinities certified as such, the rest as above.
  private func extendedEvaluation(at point: [Double]) throws -> CertifiedEvaluation {
    let outputs = run(filling: ExtendedBall.poison, point) { tape.runExtendedBalls($0, registers: $1, outputs: $2) }
    return try finishing(
      outputs.map { v -> CertifiedValue? in
        switch v.state {
        case .plusInfinity: return CertifiedValue(value: .infinity, certified: true)
        case .minusInfinity: return CertifiedValue(value: -.infinity, certified: true)
        case .finite, .limit: return v.ball.faithfulDouble.map { CertifiedValue(value: $0, certified: true) }
        }
      }, at: point)
  }

}

extension CompiledFunction {
  /// The certified values of `expressions` at a named point, as
  /// `Expr.certifiedValues(of:at:)` gives them (same semantics, up to the choice between
  /// the two faithful roundings of a value), computed through one compiled tape: the
  /// double-double fast path proves most entries, and only the rest go to the
  /// multi-precision evaluator and the limit engine. What the CLI and the checker print.
  ///
  /// Symbols missing from `point` throw `EvaluationError.unboundSymbol`, as
  /// `Expr.certifiedValues(of:at:)` does.
  public static func certifiedValues(of expressions: [Expr], at point: [String: Double]) throws -> [CertifiedValue] {
    if expressions.isEmpty { return [] }
    let inputs = point.keys.sorted()
    let compiled: CompiledFunction
    do {
      compiled = try CompiledFunction(expressions, inputs: inputs)
    } catch CompilationError.unboundSymbol(let name, _) {
      throw EvaluationError.unboundSymbol(name)
    }
    return try compiled.certifiedValues(at: inputs.map { point[$0]! })
  }
}

/// A buffer written at disjoint indices by concurrent workers.
private struct SharedBuffer<T>: @unchecked Sendable {
  let base: UnsafeMutablePointer<T>
}
