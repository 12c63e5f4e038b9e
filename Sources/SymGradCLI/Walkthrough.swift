import Foundation
import SymGrad

/// The main job of `symgrad` with no arguments: the forum walkthrough.
///
/// The forum's 2x2 `nn.Linear(2, 2, bias=False)` with `CrossEntropyLoss(reduction='sum')`:
/// the symbolic loss in the weights w00..w11, its symbolic gradient, the numeric gradient
/// at the forum's weights beside the autograd oracle and the recorded PyTorch values, then
/// the forum's -inf logit example, and a one-line verdict.
enum Walkthrough {
  static let inputs = "[[1.3032, 0.5701], [0.2671, 1.3900]]"
  static let weights = ["w00": -0.0473, "w01": 0.0679, "w10": -0.6429, "w11": -0.5586]
  static let layer = "cross_entropy(linear(\(inputs), [[w00, w01], [w10, w11]]), [0, 1], reduction=\"sum\")"
  static let masked = "cross_entropy([[x0, x1], [x2, x3]], [0, 1], reduction=\"sum\")"
  static let maskedPoint = ["x0": -Double.infinity, "x1": 2, "x2": 1, "x3": 2]

  static func run(output: Output) -> Int32 {
    do {
      return try walk(output)
    } catch {
      output.err("symgrad: walkthrough failed: \(error)")
      return CommandLineTool.Status.failure
    }
  }

  private static func walk(_ out: Output) throws -> Int32 {
    let records = try PyTorchRecord.defaultDirectory().map { try PyTorchRecord.load(directory: $0) } ?? []
    let checker = Checker(records: records)
    out.out("SymGrad walkthrough: why the forum's gradient is what it is")
    out.out("")
    out.out("1. nn.Linear(2, 2, bias=False) with weights W = [[w00, w01], [w10, w11]], input")
    out.out("   x = \(inputs), targets [0, 1], CrossEntropyLoss(reduction='sum').")
    let logits = try Expr.Value(parsing: "linear(\(inputs), [[w00, w01], [w10, w11]])")
    let names = ["o00", "o01", "o10", "o11"]
    out.out("   Logits o = x W^T:")
    for (n, o) in zip(names, logits.flattened) { out.out("     \(n) = \(o.decimalDescription)") }
    let loss = try Expr(parsing: layer)
    let o = names.map(Expr.symbol)
    let lossInLogits = try Expr(parsing: "cross_entropy([[o00, o01], [o10, o11]], [0, 1], reduction=\"sum\")")
    out.out("   Loss:")
    out.out("     L = \(lossInLogits)")
    out.out("   Gradient with respect to the logits (softmax minus one-hot, row by row):")
    for (n, g) in zip(names, lossInLogits.gradient(withRespectTo: o)) { out.out("     dL/d\(n) = \(g)") }
    let w = ["w00", "w01", "w10", "w11"]
    let g = loss.gradient(withRespectTo: w.map(Expr.symbol))
    out.out("   Gradient with respect to the weights, in full:")
    for (n, e) in zip(w, g) { out.out("     dL/d\(n) = \(e.decimalDescription)") }
    out.out("")
    out.out("2. At the forum's weights W = [[-0.0473, 0.0679], [-0.6429, -0.5586]]:")
    let first = try checker.check(layer, variables: w, at: weights)
    table(first, w, out)
    out.out("   The forum printed [[-0.1206, 0.8855], [0.1206, -0.8855]].")
    out.out("")
    out.out("3. The forum's -inf logit: o = [[-inf, 2], [1, 2]], targets [0, 1], sum.")
    let maskedLoss = try Expr(parsing: masked)
    let lossValue = try maskedLoss.evaluate(at: maskedPoint)
    out.out("   L = \(maskedLoss) = \(lossValue) (the target logit is -inf)")
    let second = try checker.check(masked, variables: ["x0", "x1", "x2", "x3"], at: maskedPoint)
    table(second, ["x0", "x1", "x2", "x3"], out)
    out.out("   The -inf entry's softmax weight is 0, so its row of the gradient is 0 - 1 and 1 - 0:")
    out.out("   the -inf terms vanish rather than poisoning the gradient.")
    out.out("")
    let all = [first, second]
    let compared = all.flatMap(\.comparisons)
    let agree = all.allSatisfy(\.agrees)
    let refs = Set(compared.map { $0.reference.hasPrefix("PyTorch") ? "PyTorch" : $0.reference }).sorted()
    out.out(
      agree
        ? "verdict: the symbolic gradients agree with \(refs.joined(separator: ", ")) at every entry"
        : "verdict: DISAGREEMENT — see the entries above")
    return agree ? CommandLineTool.Status.success : CommandLineTool.Status.failure
  }

  private static func table(_ r: Checker.Report, _ names: [String], _ out: Output) {
    let columns =
      ["symbolic"]
      + r.comparisons.map {
        $0.reference.hasPrefix("PyTorch")
          ? "PyTorch" : ($0.reference == "autograd oracle" ? "autograd" : "finite diff.")
      }
    out.out(
      "     " + "".padding(toLength: 10, withPad: " ", startingAt: 0)
        + columns.map { $0.padding(toLength: 24, withPad: " ", startingAt: 0) }.joined())
    for (j, n) in names.enumerated() {
      var cells = ["\(r.symbolic[0][j])"]
      for c in r.comparisons { cells.append("\(c.values[0][j])") }
      out.out(
        "     " + "dL/d\(n)".padding(toLength: 10, withPad: " ", startingAt: 0)
          + cells.map { $0.padding(toLength: 24, withPad: " ", startingAt: 0) }.joined())
    }
    for s in r.skipped { out.out("     (\(s.reference) not consulted: \(s.reason))") }
    for c in r.comparisons where !c.agrees {
      for d in c.disagreements { out.out("     DISAGREE \(c.reference): \(d)") }
    }
  }
}
