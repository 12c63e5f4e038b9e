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

let sizes = CommandLine.arguments.count > 1
  ? CommandLine.arguments.dropFirst().compactMap { Int($0) } : [10, 100, 200, 1000]

for n in sizes {
  let xs = logits(n)
  let (loss, tBuild) = measure { crossEntropy(xs) }
  report("build-cross-entropy", n, tBuild, loss.nodeCount)
  let (g, tGrad) = measure { gradient(of: loss, withRespectTo: xs) }
  report("gradient", n, tGrad, Expr.nodeCount(of: g))
  let s = softmax(xs)
  let (j, tJac) = measure { jacobian(of: s, withRespectTo: xs) }
  report("softmax-jacobian", n, tJac, Expr.nodeCount(of: j.joined()))
  if n <= 100 {
    let (h, tHess) = measure { hessian(of: loss, withRespectTo: xs) }
    report("hessian", n, tHess, Expr.nodeCount(of: h.joined()))
  }
}

// Limits: the n = 10 softmax cross-entropy gradient (target class 1) with one masked
// logit x0 = -inf, every entry evaluated as a limit. Median of 20 runs.
do {
  let n = 10
  let xs = logits(n)
  let loss = log(Expr.sum(xs.map(exp))) - xs[1]
  let g = gradient(of: loss, withRespectTo: xs)
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
  let g = gradient(of: log(Expr.sum(xs.map(exp))) - xs[1], withRespectTo: xs)
  for (label, scale) in [("ordinary", 0.25), ("large-logits", 100.0)] {
    var point: [String: Double] = [:]
    for i in 0..<n { point["x\(i)"] = Double(i) * scale }
    var ieeeTimes: [Double] = [], certifiedTimes: [Double] = []
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

// A 10^5-term sum built with `+` in a loop (quadratic: each step copies the sum), and the
// same sum built at once with Expr.sum (n log n).
// SYMGRAD_BENCH_LOOP=100000 runs the full 10^5-term loop (minutes: it is O(n^2)).
let loopN = ProcessInfo.processInfo.environment["SYMGRAD_BENCH_LOOP"].flatMap(Int.init)
  ?? (CommandLine.arguments.count > 1 ? 2_000 : 20_000)
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
  print("peak memory: \(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().joined(separator: " "))")
}
