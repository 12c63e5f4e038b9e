import Foundation
import Testing

@testable import SymGrad

/// Hash-consing from parallel tasks: every task must get the identical canonical nodes.
@Suite struct ConcurrencyTests {
  static let taskCount = 8

  /// A family of expressions over symbols with a per-call prefix, so the nodes are new
  /// when the tasks start and their creation races in the intern table.
  static func build(prefix: String) -> [Expr] {
    let xs = (0..<24).map { Expr.symbol("\(prefix)x\($0)") }
    let denominator = Expr.sum(xs.map(exp))
    var out: [Expr] = []
    for (i, xi) in xs.enumerated() {
      out.append(exp(xi) / denominator)
      out.append(sin(xi * xs[(i + 1) % xs.count]) ** 2 + Expr.number(i) / 7)
      out.append(sigmoid(xi) * (1 - sigmoid(xi)) - log(1 + xi ** 2))
    }
    var running = Expr.zero
    for xi in xs.reversed() { running += xi * xi }
    out.append(running)
    out.append(log(denominator) - xs[0])
    return out
  }

  @Test func parallelConstructionGivesIdenticalNodes() async {
    let prefix = "cc\(UUID().uuidString.prefix(8))_"
    let results = await withTaskGroup(of: [Expr].self) { group in
      for _ in 0..<ConcurrencyTests.taskCount {
        group.addTask { ConcurrencyTests.build(prefix: prefix) }
      }
      var all: [[Expr]] = []
      for await r in group { all.append(r) }
      return all
    }
    #expect(results.count == ConcurrencyTests.taskCount)
    let first = results[0]
    for r in results.dropFirst() {
      #expect(r.count == first.count)
      for (a, b) in zip(r, first) {
        #expect(a == b)
        #expect(a.node === b.node)
      }
    }
    // And identical to a build done afterwards on this task.
    #expect(ConcurrencyTests.build(prefix: prefix) == first)
  }

  @Test func parallelParsingAndDifferentiation() async throws {
    let prefix = "cp\(UUID().uuidString.prefix(8))_"
    let text = (0..<16).map { "exp(\(prefix)a\($0)) * \(prefix)b\($0)" }.joined(separator: " + ")
    let results = await withTaskGroup(of: (Expr, Expr)?.self) { group in
      for _ in 0..<ConcurrencyTests.taskCount {
        group.addTask {
          guard let e = try? Expr(parsing: text) else { return nil }
          return (e, e.derivative(withRespectTo: "\(prefix)a3"))
        }
      }
      var all: [(Expr, Expr)?] = []
      for await r in group { all.append(r) }
      return all
    }
    let pairs = results.compactMap { $0 }
    #expect(pairs.count == ConcurrencyTests.taskCount)
    let a3 = Expr.symbol("\(prefix)a3")
    let b3 = Expr.symbol("\(prefix)b3")
    for (e, d) in pairs {
      #expect(e == pairs[0].0)
      #expect(d == exp(a3) * b3)
    }
  }

  @Test func churnWhileOthersBuild() async {
    // Tasks repeatedly create and drop expressions (so the weakly held table entries die
    // and are swept) while comparing what they build with what the others build.
    let prefix = "ch\(UUID().uuidString.prefix(8))_"
    let ok = await withTaskGroup(of: Bool.self) { group in
      for t in 0..<ConcurrencyTests.taskCount {
        group.addTask {
          var good = true
          for round in 0..<300 {
            let s = Expr.symbol("\(prefix)\(round % 50)")
            let e1 = exp(s) * s ** 2 + Expr.number(round) / Expr.number(t + 1)
            let e2 = Expr.number(round) / Expr.number(t + 1) + s * s * exp(s)
            if e1 != e2 || e1.hashValue != e2.hashValue { good = false }
          }
          return good
        }
      }
      var all = true
      for await g in group { all = all && g }
      return all
    }
    #expect(ok)
  }

  @Test func largeJacobianMatchesEntrywiseDerivatives() {
    // 64 x 64 = 4096 entries: the size at which `jacobian` computes columns in parallel.
    let n = 64
    let xs = (0..<n).map { Expr.symbol("jz\($0)") }
    let denominator = Expr.sum(xs.map(exp))
    let softmax = xs.map { exp($0) / denominator }
    let j = softmax.jacobian(withRespectTo: xs)
    #expect(j.count == n && j.allSatisfy { $0.count == n })
    for i in 0..<n {
      for k in 0..<n {
        #expect(j[i][k] == softmax[i].derivative(withRespectTo: xs[k]))
      }
    }
    // d softmax_i / d x_k = s_i (delta_ik - s_k).
    #expect(j[3][5] == -softmax[3] * softmax[5])
    #expect((j[3][3]) == (softmax[3] - softmax[3] ** 2))
  }
}
