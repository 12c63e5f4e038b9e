import Foundation
import SymGrad

/// `symgrad plot EXPR --wrt ... --at ... -o FILE.svg` (a Jacobian heatmap) and
/// `symgrad plot attention ...` (attention weights with masks), as SVG.
enum PlotCommand {
  static let help = """
    symgrad plot EXPR --wrt NAME[,NAME...] --at NAME=VALUE,... -o FILE.svg [--title T] [--colors auto|sequential|diverging]
    symgrad plot attention (--scores MATRIX | --query MATRIX --key MATRIX) [--padding 1,1,0] [--causal] -o FILE.svg

    Draws the Jacobian of EXPR at the point as an SVG heatmap: rows are the outputs
    (EXPR flattened, labelled by index), columns the names. Values at +-inf inputs are
    limits. Both signs use a blue-white-red map centred on 0, one sign a viridis map.
    Every cell is a <rect> with data-row, data-col and data-value attributes.
    'plot attention --help' describes the attention picture.

    Example:
      symgrad plot 'softmax([a, b, c])' --wrt a,b,c --at a=1,b=2,c=-inf -o /tmp/symgrad-softmax-jacobian.svg
    """

  static let attentionHelp = """
    symgrad plot attention (--scores MATRIX | --query MATRIX --key MATRIX) [--padding 1,1,0] [--causal] -o FILE.svg [--title T]

    Draws attention weights: the softmax over keys of each query's scores (rows q0, q1,
    ...; columns k0, k1, ...), with --query/--key the scores are Q K^T / sqrt(d). Masks:
    --padding gives one 0/1 per key in the Hugging Face convention (1 = attend, 0 = pad),
    --causal masks key j > query i, and a -inf score masks its cell. Masked cells are
    drawn black and hatched; a query whose keys are all masked has no defined weights
    (PyTorch gives NaN) and the title says so.

    Example:
      symgrad plot attention --scores '[[1, 2, 0.5], [0.3, 0.1, 2], [1, 1, 1]]' --padding 1,1,0 --causal -o /tmp/symgrad-attention.svg
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    if arguments.first == "attention" { return try attention(Array(arguments.dropFirst()), output: output) }
    let o = try Options(arguments, flags: ["--help"], values: ["--wrt", "--at", "-o", "--title", "--colors", "-f"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    let text = try o.expressionText()
    guard let point = try o.point() else { throw UsageError("plot needs --at NAME=VALUE,...") }
    guard let path = o.values["-o"] else { throw UsageError("plot needs -o FILE.svg") }
    let colors = try colorMap(o)
    let value = try Shared.parse(text, warnings: output)
    let names = try o.variables(of: value)
    guard let shape = value.shape else { throw CommandFailure("symgrad: cannot plot \(value)") }
    let outputs = value.flattened
    guard !outputs.isEmpty else { throw CommandFailure("symgrad: nothing to plot: EXPR is empty") }
    let jac = outputs.jacobian(withRespectTo: names.map(Expr.symbol))
    let values = try evaluate(jac, at: point)
    let at = point.keys.sorted().map { "\($0)=\(SVGHeatmap.text(point[$0]!))" }.joined(separator: ", ")
    let map = SVGHeatmap(
      values: values, rowLabels: outputLabels(shape: shape, count: outputs.count),
      columnLabels: names, title: o.values["--title"] ?? "Jacobian of \(text) at \(at)",
      colorMap: colors)
    try write(map.svg(), to: path)
    output.out("wrote \(path) (\(values.count) x \(names.count))")
    return CommandLineTool.Status.success
  }

  /// Row labels: `f` for a scalar, `f[i]` for a vector, `f[i,j,...]` for higher shapes.
  static func outputLabels(shape: [Int], count: Int) -> [String] {
    guard !shape.isEmpty else { return ["f"] }
    return (0..<count).map { flat in
      var rest = flat
      var index: [Int] = []
      for size in shape.reversed() {
        index.append(rest % size)
        rest /= size
      }
      return "f[" + index.reversed().map(String.init).joined(separator: ",") + "]"
    }
  }

  /// The Jacobian's numbers at `point`: the one place that decides how a plot evaluates.
  ///
  /// The values `eval` and `diff` print (`Expr.certifiedValues`: certified numbers,
  /// limits at infinite inputs, NaN where undefined).
  static func evaluate(_ jac: [[Expr]], at point: [String: Double]) throws -> [[Double]] {
    let flat = jac.flatMap { $0 }
    let numbers: [Double]
    do {
      numbers = try Expr.certifiedValues(of: flat, at: point).map(\.value)
    } catch let e as EvaluationError {
      throw CommandFailure("symgrad: cannot evaluate: \(e)")
    }
    var rows: [[Double]] = []
    var cursor = 0
    for row in jac {
      rows.append(Array(numbers[cursor..<(cursor + row.count)]))
      cursor += row.count
    }
    return rows
  }

  static func colorMap(_ o: Options) throws -> SVGHeatmap.ColorMap {
    guard let c = o.values["--colors"] else { return .automatic }
    if c == "auto" { return .automatic }
    guard let m = SVGHeatmap.ColorMap(rawValue: c) else {
      throw UsageError("--colors takes auto, sequential or diverging, not '\(c)'")
    }
    return m
  }

  static func write(_ text: String, to path: String) throws {
    do {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
      throw CommandFailure("symgrad: cannot write '\(path)': \(error.localizedDescription)")
    }
  }

  static func attention(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(
      arguments, flags: ["--help", "--causal"],
      values: ["--scores", "--query", "--key", "--padding", "-o", "--title", "--colors"])
    if o.flags.contains("--help") {
      output.out(attentionHelp)
      return CommandLineTool.Status.success
    }
    guard let path = o.values["-o"] else { throw UsageError("plot attention needs -o FILE.svg") }
    let colors = try colorMap(o)
    let scores: [[Double]]
    switch (o.values["--scores"], o.values["--query"], o.values["--key"]) {
    case (let s?, nil, nil):
      scores = try matrix(s, "--scores")
    case (nil, let q?, let k?):
      scores = try Weights.scaledScores(query: matrix(q, "--query"), key: matrix(k, "--key"))
    default:
      throw UsageError("plot attention needs --scores MATRIX, or --query MATRIX and --key MATRIX")
    }
    let (l, s) = (scores.count, scores[0].count)
    var padding = Array(repeating: true, count: s)
    if let p = o.values["--padding"] {
      padding = try p.split(separator: ",").map {
        switch $0.trimmedWhitespace {
        case "1": return true
        case "0": return false
        default: throw UsageError("--padding takes 1 (attend) or 0 (pad) per key, not '\($0)'")
        }
      }
      guard padding.count == s else { throw UsageError("--padding has \(padding.count) entries for \(s) keys") }
    }
    let w = Weights(scores: scores, attend: padding, causal: o.flags.contains("--causal"))
    var title = o.values["--title"] ?? "Attention weights"
    let empty = w.fullyMaskedRows
    if !empty.isEmpty {
      let names = empty.map { "q\($0)" }.joined(separator: ", ")
      title +=
        empty.count == 1
        ? " (\(names) is fully masked: no defined weights)"
        : " (\(names) are fully masked: no defined weights)"
    }
    let map = SVGHeatmap(
      values: w.weights, masked: w.masked, rowLabels: (0..<l).map { "q\($0)" },
      columnLabels: (0..<s).map { "k\($0)" }, title: title, colorMap: colors, fixedRange: 0...1)
    try write(map.svg(), to: path)
    output.out("wrote \(path) (\(l) x \(s))")
    return CommandLineTool.Status.success
  }

  /// A non-empty rectangular matrix of numbers (`inf`, `-inf` allowed) from `text`.
  static func matrix(_ text: String, _ option: String) throws -> [[Double]] {
    let value = try Shared.parse(text)
    guard let t = Expr.Tensor(value), t.rank == 2, t.shape[0] > 0, t.shape[1] > 0 else {
      throw UsageError("\(option) must be a non-empty matrix [[...], ...]")
    }
    let numbers = try t.elements.map { e -> Double in
      guard e.freeSymbols.isEmpty else { throw UsageError("\(option) must hold numbers, not '\(e)'") }
      do { return try e.evaluateIEEE() } catch {
        throw CommandFailure("symgrad: \(option): cannot evaluate '\(e)': \(error)")
      }
    }
    return (0..<t.shape[0]).map { i in Array(numbers[(i * t.shape[1])..<((i + 1) * t.shape[1])]) }
  }
}

extension PlotCommand {
  /// Attention weights with plain Doubles: for each query row i, the softmax of its
  /// scores over the keys that are not masked.
  ///
  /// ```
  /// masked(i, j) = !attend[j] || (causal && j > i) || score(i, j) == -inf
  /// weight(i, j) = exp(score(i, j) - m_i) / sum over unmasked k of exp(score(i, k) - m_i)
  /// ```
  ///
  /// with `m_i` the largest unmasked score of the row (so no exp overflows); masked cells
  /// have weight 0, which is the limit of a `-inf` score. A row with every key masked has
  /// no defined weights: its cells are NaN, as in PyTorch, and listed in
  /// `fullyMaskedRows`. A `+inf` or NaN score gives NaN across its row (`inf - inf`).
  struct Weights {
    var weights: [[Double]] = []
    var masked: [[Bool]] = []

    init(scores: [[Double]], attend: [Bool], causal: Bool) {
      for (i, row) in scores.enumerated() {
        let m = row.indices.map { j in !attend[j] || (causal && j > i) || row[j] == -.infinity }
        let live = row.indices.filter { !m[$0] }
        var w = Array(repeating: 0.0, count: row.count)
        if let top = live.map({ row[$0] }).max() {
          let e = live.map { Foundation.exp(row[$0] - top) }
          let total = e.reduce(0, +)
          for (k, j) in live.enumerated() { w[j] = e[k] / total }
        } else {
          w = Array(repeating: .nan, count: row.count)
        }
        weights.append(w)
        masked.append(m)
      }
    }

    /// Rows whose keys are all masked.
    var fullyMaskedRows: [Int] { masked.indices.filter { masked[$0].allSatisfy { $0 } } }

    /// Scaled dot-product scores `Q K^T / sqrt(d)` for Q (L x d) and K (S x d).
    static func scaledScores(query: [[Double]], key: [[Double]]) throws -> [[Double]] {
      let d = query[0].count
      guard query.allSatisfy({ $0.count == d }), key.allSatisfy({ $0.count == d }) else {
        throw UsageError("--query and --key need the same number of columns (d), got \(d) and \(key[0].count)")
      }
      let scale = 1 / Double(d).squareRoot()
      return query.map { q in key.map { k in zip(q, k).reduce(0) { $0 + $1.0 * $1.1 } * scale } }
    }
  }
}
