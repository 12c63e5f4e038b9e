import Foundation
import SymGrad

// symgrad-bench: prints one line per measurement, `TASK n=N: SECONDS s (NODES nodes)`.
// Run with `swift run -c release symgrad-bench`. Figures go in the README.

func measure<T>(_ body: () -> T) -> (T, Double) {
  let clock = ContinuousClock()
  var result: T?
  let d = clock.measure { result = body() }
  let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  return (result!, seconds)
}

func report(_ task: String, _ n: Int, _ seconds: Double, _ nodes: Int) {
  print("\(task) n=\(n): \(String(format: "%.6f", seconds)) s (\(nodes) nodes)")
}

func logits(_ n: Int) -> [Expr] { (0..<n).map { Expr.symbol("x\($0)") } }

/// Softmax cross-entropy with target class 0: log(sum_j exp(x_j)) - x_0.
func crossEntropy(_ xs: [Expr]) -> Expr { log(Expr.sum(xs.map(exp))) - xs[0] }

func softmax(_ xs: [Expr]) -> [Expr] {
  let s = Expr.sum(xs.map(exp))
  return xs.map { exp($0) / s }
}

// SYMGRAD_BENCH_ONLY=compiled runs only the compiled-evaluation tasks (CompiledBenchmarks.swift).
if ProcessInfo.processInfo.environment["SYMGRAD_BENCH_ONLY"] == "compiled" {
  runCompiledBenchmarks()
  exit(0)
}

let sizes =
  CommandLine.arguments.count > 1
  ? CommandLine.arguments.dropFirst().compactMap { Int($0) } : [10, 100, 200, 1000]

for n in sizes {
  let xs = logits(n)
  let (loss, tBuild) = measure { crossEntropy(xs) }
  report("build-cross-entropy", n, tBuild, loss.nodeCount)
  let (g, tGrad) = measure { loss.gradient(withRespectTo: xs) }
  report("gradient", n, tGrad, Expr.nodeCount(of: g))
  let s = softmax(xs)
  let (j, tJac) = measure { s.jacobian(withRespectTo: xs) }
  report("softmax-jacobian", n, tJac, Expr.nodeCount(of: j.joined()))
  if n <= 100 {
    let (h, tHess) = measure { loss.hessian(withRespectTo: xs) }
    report("hessian", n, tHess, Expr.nodeCount(of: h.joined()))
  }
}

// A real batch: the 64 x 1000 cross-entropy (mean) through the library's loss, its gradient
// with respect to the tensor (one reverse sweep), and its certified value at a point, with
// no masked logit and with 10% of the logits at -inf. Min and median of 3 runs.
if CommandLine.arguments.count == 1 || ProcessInfo.processInfo.environment["SYMGRAD_BENCH_BATCH"] != nil {
  let (rows, columns) = (64, 1000)
  var build: [Double] = []
  var derive: [Double] = []
  var evaluate: [Double] = []
  var masked: [Double] = []
  // What the CLI and the checker print since 2026-12-03: the same values through one
  // compiled tape (`CompiledFunction.certifiedValues(of:at:)`: compile, fast path, fallback).
  var compiledEvaluate: [Double] = []
  var compiledMasked: [Double] = []
  var nodes = 0
  for _ in 0..<3 {
    let x = try! Expr.Tensor.symbols("X", shape: [rows, columns])
    let targets = (0..<rows).map { ($0 * 7919) % columns }
    let (loss, tb) = measure { try! crossEntropy(x, target: .classIndices(targets)).elements[0] }
    let (g, tg) = measure { loss.gradient(withRespectTo: x) }
    nodes = Expr.nodeCount(of: g.elements)
    var point: [String: Double] = [:]
    var maskedPoint: [String: Double] = [:]
    for (k, e) in x.elements.enumerated() {
      let v = Double((k * 2_654_435_761) % 257) / 16 - 8
      point[e.symbolName!] = v
      // 10% at -inf, never a target.
      maskedPoint[e.symbolName!] = k % 10 == 3 && targets[k / columns] != k % columns ? -.infinity : v
    }
    let (values, te) = measure { (try? Expr.certifiedValues(of: g.elements, at: point)) ?? [] }
    let (maskedValues, tm) = measure { (try? Expr.certifiedValues(of: g.elements, at: maskedPoint)) ?? [] }
    let (compiledValues, tc) = measure { (try? CompiledFunction.certifiedValues(of: g.elements, at: point)) ?? [] }
    let (compiledMaskedValues, tcm) = measure {
      (try? CompiledFunction.certifiedValues(of: g.elements, at: maskedPoint)) ?? []
    }
    precondition(
      compiledValues.count == rows * columns && compiledValues.allSatisfy(\.certified), "uncertified compiled values")
    precondition(
      compiledMaskedValues.count == rows * columns && compiledMaskedValues.allSatisfy(\.certified),
      "uncertified compiled masked values")
    compiledEvaluate.append(tc)
    compiledMasked.append(tcm)
    precondition(values.count == rows * columns && values.allSatisfy(\.certified), "uncertified batch values")
    precondition(
      maskedValues.count == rows * columns && maskedValues.allSatisfy(\.certified), "uncertified masked values")
    build.append(tb)
    derive.append(tg)
    evaluate.append(te)
    masked.append(tm)
  }
  for (task, times) in [
    ("batch-64x1000-build-loss", build), ("batch-64x1000-gradient", derive),
    ("batch-64x1000-certified-values", evaluate), ("batch-64x1000-masked-certified-values", masked),
    ("batch-64x1000-compiled-certified-values", compiledEvaluate),
    ("batch-64x1000-compiled-masked-certified-values", compiledMasked),
  ] {
    let sorted = times.sorted()
    print(
      "\(task) n=\(rows * columns): \(String(format: "%.6f", sorted[0])) s min, \(String(format: "%.6f", sorted[1])) s median (\(nodes) nodes)"
    )
  }
}

// Limits: the n = 10 softmax cross-entropy gradient (target class 1) with one masked
// logit x0 = -inf, every entry evaluated as a limit. Median of 20 runs.
do {
  let n = 10
  let xs = logits(n)
  let loss = log(Expr.sum(xs.map(exp))) - xs[1]
  let g = loss.gradient(withRespectTo: xs)
  var point: [String: Double] = [:]
  for i in 0..<n { point["x\(i)"] = i == 0 ? -.infinity : Double(i) / 4 }
  var times: [Double] = []
  var values: [Double] = []
  for _ in 0..<20 {
    // What the command line prints: the limits, their finite constants evaluated certified together.
    let (v, t) = measure { ((try? Expr.certifiedValues(of: g, at: point)) ?? []).map(\.value) }
    times.append(t)
    values = v
  }
  times.sort()
  report("limit-masked-cross-entropy-gradient", n, times[times.count / 2], Expr.nodeCount(of: g))
  precondition(values[0] == 0 && values.allSatisfy(\.isFinite), "unexpected limit values \(values)")
}

// Certified evaluation against IEEE evaluation: the gradient of a 10-class cross-entropy
// at an ordinary point (every entry certified), and at large logits where IEEE overflows.
do {
  let n = 10
  let xs = logits(n)
  let g = (log(Expr.sum(xs.map(exp))) - xs[1]).gradient(withRespectTo: xs)
  for (label, scale) in [("ordinary", 0.25), ("large-logits", 100.0)] {
    var point: [String: Double] = [:]
    for i in 0..<n { point["x\(i)"] = Double(i) * scale }
    var ieeeTimes: [Double] = []
    var certifiedTimes: [Double] = []
    var certified: [CertifiedValue] = []
    for _ in 0..<20 {
      let (_, ti) = measure { () -> [Double] in
        var e = Evaluator(values: point)
        return g.map { (try? e.value(of: $0)) ?? .nan }
      }
      let (c, tc) = measure { (try? Expr.certifiedValues(of: g, at: point)) ?? [] }
      ieeeTimes.append(ti)
      certifiedTimes.append(tc)
      certified = c
    }
    ieeeTimes.sort()
    certifiedTimes.sort()
    report("ieee-gradient-\(label)", n, ieeeTimes[10], Expr.nodeCount(of: g))
    report("certified-gradient-\(label)", n, certifiedTimes[10], Expr.nodeCount(of: g))
    precondition(certified.count == n && certified.allSatisfy(\.certified), "uncertified values \(certified)")
  }
}

// Compiled evaluation: the 64 x 1000 cross-entropy gradient (CompiledBenchmarks.swift).
runCompiledBenchmarks()

// A 10^5-term sum built with `+` in a loop (O(log n) per step: a large sum grows through a
// persistent tree, see Expr+SumGrowth.swift), and the same sum built at once with Expr.sum
// (n log n). SYMGRAD_BENCH_LOOP sets the loop's length.
let loopN = ProcessInfo.processInfo.environment["SYMGRAD_BENCH_LOOP"].flatMap(Int.init) ?? 100_000
let terms = (0..<Swift.max(100_000, loopN)).map { Expr.symbol("t\($0)") }
let (_, tSum) = measure { Expr.sum(terms) }
report("sum-at-once", terms.count, tSum, terms.count + 1)

let (loopSum, tLoop) = measure { () -> Expr in
  var acc: Expr = 0
  for t in terms.prefix(loopN) { acc = acc + t }
  return acc
}
report("sum-by-plus-loop", loopN, tLoop, loopSum.children.count + 1)

if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
  let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM") })
{
  print(
    "peak memory: \(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().joined(separator: " "))")
}
