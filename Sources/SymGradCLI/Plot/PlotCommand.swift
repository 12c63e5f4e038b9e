import Foundation
import SymGrad

/// `symgrad plot EXPR --wrt ... --at ... -o FILE.svg` and `symgrad plot attention ...`.
enum PlotCommand {
  static let help = """
    symgrad plot EXPR --wrt NAME[,NAME...] --at NAME=VALUE,... -o FILE.svg [--title T]
    symgrad plot attention --scores MATRIX [--padding 1,1,0] [--causal] -o FILE.svg

    Draws the Jacobian of EXPR at the point (rows = flattened outputs, columns = names;
    values are limits at +-inf inputs) as an SVG heatmap; or attention weights: the row
    softmax of the scores with a Hugging Face padding mask (1 = attend, 0 = pad) and/or a
    causal mask, masked cells hatched, like the blog's figures.

    Example:
      symgrad plot 'softmax([a, b, c])' --wrt a,b,c --at a=1,b=2,c=-inf -o /tmp/softmax-jacobian.svg
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    if arguments.first == "attention" { return try attention(Array(arguments.dropFirst()), output: output) }
    let o = try Options(arguments, flags: ["--help"], values: ["--wrt", "--at", "-o", "--title", "-f"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    let text = try o.expressionText()
    let names = try o.variables()
    guard let point = try o.point() else { throw UsageError("plot needs --at NAME=VALUE,...") }
    guard let path = o.values["-o"] else { throw UsageError("plot needs -o FILE.svg") }
    let value = try Shared.parse(text)
    let outputs = value.flattened
    guard !outputs.isEmpty else { throw CommandFailure("symgrad: nothing to plot") }
    let jac = jacobian(of: outputs, withRespectTo: names.map(Expr.symbol))
    let values = try jacobianValues(jac, at: point)
    let map = SVGHeatmap(values: values, rowLabels: outputs.indices.map { "out \($0)" }, columnLabels: names,
                         title: o.values["--title"] ?? "Jacobian of \(text)")
    try write(map.svg(), to: path)
    output.out("wrote \(path) (\(values.count) x \(names.count))")
    return CommandLineTool.Status.success
  }

  /// The Jacobian's values at the point: limits where an input is infinite.
  static func jacobianValues(_ jac: [[Expr]], at point: [String: Double]) throws -> [[Double]] {
    do {
      return try jac.map { row in try row.map { try $0.evaluate(at: point) } }
    } catch let e as EvaluationError {
      throw CommandFailure("symgrad: cannot evaluate: \(e)")
    }
  }

  static func write(_ text: String, to path: String) throws {
    do {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
      throw CommandFailure("symgrad: cannot write '\(path)': \(error.localizedDescription)")
    }
  }

  static func attention(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--help", "--causal"], values: ["--scores", "--padding", "-o", "--title"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    guard let scoresText = o.values["--scores"] else { throw UsageError("plot attention needs --scores [[...], ...]") }
    guard let path = o.values["-o"] else { throw UsageError("plot attention needs -o FILE.svg") }
    guard let t = Tensor(try Shared.parse(scoresText)), t.rank == 2 else { throw CommandFailure("symgrad: --scores must be a matrix of numbers") }
    let scores = try t.elements.map { e -> Double in
      guard e.freeSymbols.isEmpty else { throw CommandFailure("symgrad: --scores must be numbers") }
      return try e.evaluateIEEE()
    }
    let (l, s) = (t.shape[0], t.shape[1])
    var padding = Array(repeating: 1, count: s)
    if let p = o.values["--padding"] {
      padding = try p.split(separator: ",").map {
        guard let v = Int($0.trimmedWhitespace), v == 0 || v == 1 else { throw UsageError("--padding takes 0/1 per key") }
        return v
      }
      guard padding.count == s else { throw UsageError("--padding has \(padding.count) entries for \(s) keys") }
    }
    let (weights, masked) = attentionWeights(scores: scores, l: l, s: s, padding: padding, causal: o.flags.contains("--causal"))
    let fullyMasked = masked.contains { $0.allSatisfy { $0 } }
    var title = o.values["--title"] ?? "Attention weights"
    if fullyMasked { title += " (a fully masked row has no defined weights)" }
    let map = SVGHeatmap(values: weights, masked: masked, rowLabels: (0..<l).map { "q\($0)" },
                         columnLabels: (0..<s).map { "k\($0)" }, title: title)
    try write(map.svg(), to: path)
    output.out("wrote \(path) (\(l) x \(s))")
    return CommandLineTool.Status.success
  }

  /// Row softmax of the scores with masked keys removed (stable: max-shifted).
  static func attentionWeights(scores: [Double], l: Int, s: Int, padding: [Int], causal: Bool) -> ([[Double]], [[Bool]]) {
    var weights: [[Double]] = [], masked: [[Bool]] = []
    for i in 0..<l {
      let m = (0..<s).map { j in padding[j] == 0 || (causal && j > i) }
      let live = (0..<s).filter { !m[$0] }
      var row = Array(repeating: 0.0, count: s)
      if let top = live.map({ scores[i * s + $0] }).max() {
        let e = live.map { Foundation.exp(scores[i * s + $0] - top) }
        let total = e.reduce(0, +)
        for (k, j) in live.enumerated() { row[j] = e[k] / total }
      } else {
        row = Array(repeating: .nan, count: s)
      }
      weights.append(row)
      masked.append(m)
    }
    return (weights, masked)
  }
}
