import SymGrad

/// The main job of `symgrad` with no arguments: a worked example.
enum Walkthrough {
  static func run(output: Output) -> Int32 {
    let a = Expr.symbol("a"), b = Expr.symbol("b")
    let loss = log(exp(a) + exp(b)) - a
    output.out("Cross-entropy of logits [a, b] with target class 0:")
    output.out("  L = \(loss)")
    let g = gradient(of: loss, withRespectTo: [a, b])
    output.out("  dL/da = \(g[0])")
    output.out("  dL/db = \(g[1])")
    do {
      let values = try g.map { try $0.evaluate(at: ["a": 1, "b": 2]) }
      output.out("  at a=1, b=2: \(values)")
    } catch {
      output.err("symgrad: \(error)")
      return CommandLineTool.Status.failure
    }
    return CommandLineTool.Status.success
  }
}
