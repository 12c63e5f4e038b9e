import Foundation
import SymGrad

/// Compiled evaluation of the gradient of a 64 x 1000 softmax cross-entropy (64,000
/// entries sharing the 64 row sums): compilation, certified values at one ordinary point
/// (all on the double-double fast path), IEEE values at one point and per point of a batch
/// on all cores. `SYMGRAD_BENCH_ONLY=compiled` runs these alone.
///
/// `SYMGRAD_BENCH_LARGE_LOGITS=1` adds the certified values at logits 700..1000, where exp
/// overflows doubles and every entry goes to the multi-precision evaluator (slow).
func runCompiledBenchmarks() {
  let (rows, columns) = (64, 1000)
  let n = rows * columns
  let names = (0..<n).map { "l\($0)" }
  let symbols = names.map(Expr.symbol)
  let targets = (0..<rows).map { ($0 * 37) % columns }
  let (loss, tLoss) = measure {
    try! crossEntropy(Expr.Tensor(shape: [rows, columns], elements: symbols), target: .classIndices(targets)).elements[
      0]
  }
  report("compiled-build-loss-64x1000", n, tLoss, loss.nodeCount)
  let (g, tGradient) = measure { loss.gradient(withRespectTo: symbols) }
  report("compiled-symbolic-gradient-64x1000", n, tGradient, Expr.nodeCount(of: g))
  let (f, tCompile) = measure { try! CompiledFunction(g, inputs: names) }
  report("compiled-compile-64x1000", n, tCompile, f.instructionCount)
  print("compiled-registers n=\(n): \(f.registerCount) registers for \(f.instructionCount) instructions")

  // An ordinary point: logits in [-3, 3).
  var state: UInt64 = 0x9E37_79B9_7F4A_7C15
  func uniform(_ low: Double, _ high: Double) -> Double {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return low + (high - low) * Double(state >> 11) / Double(1 << 53)
  }
  let point = (0..<n).map { _ in uniform(-3, 3) }
  var certifiedTimes: [Double] = []
  var evaluation: CompiledFunction.CertifiedEvaluation?
  for _ in 0..<5 {
    let (c, t) = measure { try! f.certifiedEvaluation(at: point) }
    certifiedTimes.append(t)
    evaluation = c
  }
  certifiedTimes.sort()
  let certified = evaluation!
  precondition(certified.values.allSatisfy(\.certified), "uncertified gradient entries")
  report("compiled-certified-64x1000", n, certifiedTimes[2], f.instructionCount)
  print("compiled-certified-fast-path n=\(n): \(certified.fastPathCount) of \(n) entries")
  report("compiled-gradient-64x1000", n, tCompile + certifiedTimes[2], f.instructionCount)

  var ieeeTimes: [Double] = []
  var ieee: [Double] = []
  for _ in 0..<5 {
    let (v, t) = measure { f.values(at: point) }
    ieeeTimes.append(t)
    ieee = v
  }
  ieeeTimes.sort()
  report("compiled-ieee-one-point", n, ieeeTimes[2], f.instructionCount)
  let ieeeError = zip(ieee, certified.values)
    .map { Swift.abs($0 - $1.value) / Swift.max(Swift.abs($1.value), 1e-300) }.max()!
  print("compiled-ieee-max-relative-error n=\(n): \(ieeeError)")

  let batchSize = 64
  let batch = (0..<batchSize).map { _ in (0..<n).map { _ in uniform(-3, 3) } }
  var batchTimes: [Double] = []
  for _ in 0..<3 {
    let (values, t) = measure { f.values(atBatch: batch) }
    precondition(values.count == batchSize)
    batchTimes.append(t)
  }
  batchTimes.sort()
  report("compiled-batch-per-point", batchSize, batchTimes[1] / Double(batchSize), f.instructionCount)

  if ProcessInfo.processInfo.environment["SYMGRAD_BENCH_LARGE_LOGITS"] != nil {
    let large = (0..<n).map { _ in uniform(700, 1000) }
    let (c, t) = measure { try! f.certifiedEvaluation(at: large) }
    precondition(c.values.allSatisfy(\.certified), "uncertified gradient entries at large logits")
    report("compiled-certified-large-logits-64x1000", n, t, f.instructionCount)
    print("compiled-certified-fast-path-large-logits n=\(n): \(c.fastPathCount) of \(n) entries")
  }
}
