import SymGrad
import SymGradArrayFiles

/// `symgrad check EXPR --wrt X --at @inputs.npz --claimed @grads.npz`: a gradient computed
/// elsewhere (PyTorch's `x.grad`, saved with `np.savez`) against SymGrad's symbolic
/// gradient, certified at the same inputs, element by element.
///
/// Each `--wrt` name needs an array of that name in the claimed file, of the tensor's shape
/// (a scalar symbol: shape `()` or `(1,)`). An element agrees when
/// `|claimed - symbolic| <= atol + rtol |symbolic|` (torch.allclose's rule and defaults:
/// rtol 1e-5, atol 1e-8, which float32 gradients meet); NaN agrees only with NaN and an
/// infinity only with itself. A symbolic value SymGrad cannot certify (beyond the double
/// range, a limit past its budget) is *undecided*: listed, and the check does not pass.
struct ClaimedGradients {
  struct Entry {
    let index: String
    let claimed: Double
    let symbolic: CertifiedValue
  }

  struct TensorReport {
    let name: String
    let shape: [Int]
    let entries: Int
    let maxAbsoluteError: Double
    let maxRelativeError: Double
    let disagreements: [Entry]
    let undecided: [Entry]
    var agrees: Bool { disagreements.isEmpty && undecided.isEmpty }
  }

  let rtol: Double
  let atol: Double

  static let defaultRelativeTolerance = 1e-5
  static let defaultAbsoluteTolerance = 1e-8

  /// Compares, for each `--wrt` variable, the claimed array with the symbolic values
  /// (`symbolic`: the gradient's entries in `--wrt` order, row-major within a tensor).
  func compare(
    _ wrt: [(name: String, symbols: [Expr], shape: [Int]?)], symbolic: [CertifiedValue],
    claimed: [(name: String, value: ArrayValue)], file: String
  ) throws -> [TensorReport] {
    var reports: [TensorReport] = []
    var offset = 0
    for v in wrt {
      guard let array = claimed.first(where: { $0.name == v.name })?.value else {
        let names = claimed.map(\.name).sorted().joined(separator: ", ")
        throw CommandFailure(
          "symgrad: '\(file)' has no array named '\(v.name)' (it has: \(names.isEmpty ? "none" : names))")
      }
      let shape = v.shape ?? []
      let fits = array.shape == shape || (v.shape == nil && array.shape == [1])
      guard fits, array.values.count == v.symbols.count else {
        throw CommandFailure(
          "symgrad: '\(file)': array '\(v.name)' has shape \(Inputs.shapeText(array.shape).isEmpty ? "()" : Inputs.shapeText(array.shape)), but \(v.name) has shape \(shape.isEmpty ? "()" : Inputs.shapeText(shape))"
        )
      }
      var maxAbs = 0.0
      var maxRel = 0.0
      var bad: [Entry] = []
      var open: [Entry] = []
      for (k, s) in v.symbols.enumerated() {
        let c = array.values[k]
        let r = symbolic[offset + k]
        let entry = Entry(index: s.symbolName!, claimed: c, symbolic: r)
        if !r.certified {
          open.append(entry)
          continue
        }
        if c.isFinite && r.value.isFinite {
          let d = Swift.abs(c - r.value)
          maxAbs = Swift.max(maxAbs, d)
          if r.value != 0 { maxRel = Swift.max(maxRel, d / Swift.abs(r.value)) }
          if d > atol + rtol * Swift.abs(r.value) { bad.append(entry) }
        } else if !(c.isNaN && r.value.isNaN) && c != r.value {
          bad.append(entry)
        }
      }
      offset += v.symbols.count
      reports.append(
        TensorReport(
          name: v.name, shape: shape, entries: v.symbols.count, maxAbsoluteError: maxAbs,
          maxRelativeError: maxRel, disagreements: bad, undecided: open))
    }
    return reports
  }

  /// How many entries each list shows in text output.
  static let shownPerList = 20

  func text(_ reports: [TensorReport], expression: String, file: String) -> [String] {
    var lines = ["expression: \(expression)", "claimed: \(file) (rtol \(rtol), atol \(atol))"]
    for r in reports {
      let verdict =
        r.agrees
        ? "agree"
        : "DISAGREE (\(r.disagreements.count) entries"
          + (r.undecided.isEmpty ? ")" : ", \(r.undecided.count) undecided)")
      lines.append(
        "\(r.name) (\(r.shape.isEmpty ? "scalar" : Inputs.shapeText(r.shape)), \(r.entries) entries): max abs error \(r.maxAbsoluteError), max rel error \(r.maxRelativeError): \(verdict)"
      )
      for e in r.disagreements.prefix(Self.shownPerList) {
        lines.append(
          "    \(e.index): claimed \(Shared.plain(.number(e.claimed))), symbolic \(Shared.plain(.number(e.symbolic.value)))"
        )
      }
      if r.disagreements.count > Self.shownPerList {
        lines.append("    ... and \(r.disagreements.count - Self.shownPerList) more")
      }
      for e in r.undecided.prefix(Self.shownPerList) {
        lines.append(
          "    \(e.index): claimed \(Shared.plain(.number(e.claimed))), symbolic undecided (\(e.symbolic.reason ?? "uncertified"))"
        )
      }
    }
    lines.append(reports.allSatisfy(\.agrees) ? "verdict: the claimed gradient agrees" : "verdict: DISAGREEMENT")
    return lines
  }

  func json(_ reports: [TensorReport], expression: String, file: String) -> JSON {
    func entry(_ e: Entry) -> JSON {
      var fields: [(String, JSON)] = [
        ("index", .string(e.index)), ("claimed", .number(e.claimed)), ("symbolic", .number(e.symbolic.value)),
      ]
      if let reason = e.symbolic.reason, !e.symbolic.certified { fields.append(("reason", .string(reason))) }
      return .object(fields)
    }
    return .object([
      ("expression", .string(expression)),
      ("claimed", .string(file)),
      ("rtol", .number(rtol)), ("atol", .number(atol)),
      (
        "tensors",
        .array(
          reports.map { r in
            .object([
              ("name", .string(r.name)), ("shape", .array(r.shape.map { .number(Double($0)) })),
              ("entries", .number(Double(r.entries))), ("agrees", .bool(r.agrees)),
              ("max_abs_error", .number(r.maxAbsoluteError)), ("max_rel_error", .number(r.maxRelativeError)),
              ("disagreements", .array(r.disagreements.map(entry))), ("undecided", .array(r.undecided.map(entry))),
            ])
          })
      ),
      ("agrees", .bool(reports.allSatisfy(\.agrees))),
    ])
  }
}
