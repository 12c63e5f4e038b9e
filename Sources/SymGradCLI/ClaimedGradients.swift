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
///
/// `--semantics pytorch` (a contract) also takes PyTorch's own result, computed by the
/// autograd oracle (PyTorch's forward and backward formulas in float64, `SymGradOracle`):
/// where it differs from the limit (beyond the same tolerance, or NaN against a number, or
/// where the limit is undecided) the element is compared with PyTorch's result instead and
/// listed with both values — an all -inf row PyTorch leaves NaN, BCE's backward clamp
/// (`-1/EPSILON` at x = 0, y = 1, where the clamped forward's derivative is 0) — so a test
/// can assert equality with its framework at the edge cases too.
struct ClaimedGradients {
  /// Whose result an element is compared with (a contract: the values of `--semantics`).
  enum Semantics: String, CaseIterable {
    /// The limit-aware value SymGrad certifies (the default).
    case limit
    /// PyTorch's own result where it differs from the limit, the limit elsewhere.
    case pytorch
  }

  struct Entry {
    let index: String
    let claimed: Double
    let symbolic: CertifiedValue
    /// PyTorch's result (`--semantics pytorch`), when the oracle could compute it.
    let pytorch: Double?
    /// Whether the claimed value is compared with PyTorch's result (it differs from the limit).
    let pytorchIsReference: Bool
    /// The value the claimed one is compared with.
    var reference: Double { pytorchIsReference ? pytorch! : symbolic.value }
  }

  struct TensorReport {
    let name: String
    let shape: [Int]
    let entries: Int
    let maxAbsoluteError: Double
    let maxRelativeError: Double
    let disagreements: [Entry]
    let undecided: [Entry]
    /// Elements where PyTorch's result differs from the limit (`--semantics pytorch`).
    let pytorchDiffers: [Entry]
    var agrees: Bool { disagreements.isEmpty && undecided.isEmpty }
  }

  let rtol: Double
  let atol: Double
  var semantics: Semantics = .limit
  /// Why PyTorch's result could not be computed (`--semantics pytorch`), if it could not.
  var pytorchUnavailable: String?

  static let defaultRelativeTolerance = 1e-5
  static let defaultAbsoluteTolerance = 1e-8

  /// `torch.allclose`'s rule for one element: NaN only with NaN, infinities exactly.
  func close(_ a: Double, _ b: Double) -> Bool {
    if a.isFinite && b.isFinite { return Swift.abs(a - b) <= atol + rtol * Swift.abs(b) }
    return a == b || (a.isNaN && b.isNaN)
  }

  /// Compares, for each `--wrt` variable, the claimed array with the symbolic values
  /// (`symbolic`: the gradient's entries in `--wrt` order, row-major within a tensor;
  /// `pytorch`: PyTorch's, in the same order, for `--semantics pytorch`).
  func compare(
    _ wrt: [(name: String, symbols: [Expr], shape: [Int]?)], symbolic: [CertifiedValue],
    pytorch: [Double]? = nil, claimed: [(name: String, value: ArrayValue)], file: String
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
      var differs: [Entry] = []
      for (k, s) in v.symbols.enumerated() {
        let c = array.values[k]
        let r = symbolic[offset + k]
        let p = pytorch?[offset + k]
        // PyTorch's result is the reference where the limit is undecided or differs from it.
        let pytorchIsReference = p.map { !r.certified || !close($0, r.value) } ?? false
        let entry = Entry(
          index: s.symbolName!, claimed: c, symbolic: r, pytorch: p, pytorchIsReference: pytorchIsReference)
        if pytorchIsReference { differs.append(entry) }
        if !r.certified && !pytorchIsReference {
          open.append(entry)
          continue
        }
        let reference = entry.reference
        if c.isFinite && reference.isFinite {
          let d = Swift.abs(c - reference)
          maxAbs = Swift.max(maxAbs, d)
          if reference != 0 { maxRel = Swift.max(maxRel, d / Swift.abs(reference)) }
        }
        if !close(c, reference) { bad.append(entry) }
      }
      offset += v.symbols.count
      reports.append(
        TensorReport(
          name: v.name, shape: shape, entries: v.symbols.count, maxAbsoluteError: maxAbs,
          maxRelativeError: maxRel, disagreements: bad, undecided: open, pytorchDiffers: differs))
    }
    return reports
  }

  /// How many entries each list shows in text output.
  static let shownPerList = 20

  func text(_ reports: [TensorReport], expression: String, file: String) -> [String] {
    var lines = ["expression: \(expression)", "claimed: \(file) (rtol \(rtol), atol \(atol))"]
    func number(_ v: Double) -> String { Shared.plain(.number(v)) }
    func limit(_ e: Entry) -> String {
      e.symbolic.certified ? number(e.symbolic.value) : "undecided (\(e.symbolic.reason ?? "uncertified"))"
    }
    if semantics == .pytorch {
      if let why = pytorchUnavailable {
        lines.append("semantics: pytorch, but PyTorch's result is unavailable (\(why)); compared with the limit")
      } else {
        let n = reports.reduce(0) { $0 + $1.pytorchDiffers.count }
        lines.append(
          "semantics: pytorch (PyTorch's own result, from the autograd oracle, where it differs from the limit: \(n) entries)"
        )
      }
    }
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
          e.pytorchIsReference
            ? "    \(e.index): claimed \(number(e.claimed)), PyTorch \(number(e.pytorch!)) (limit \(limit(e)))"
            : "    \(e.index): claimed \(number(e.claimed)), symbolic \(number(e.symbolic.value))")
      }
      if r.disagreements.count > Self.shownPerList {
        lines.append("    ... and \(r.disagreements.count - Self.shownPerList) more")
      }
      for e in r.undecided.prefix(Self.shownPerList) {
        lines.append("    \(e.index): claimed \(number(e.claimed)), symbolic \(limit(e))")
      }
      if !r.pytorchDiffers.isEmpty {
        lines.append("  PyTorch's own result differs from the limit (the claimed value is compared with PyTorch's):")
        for e in r.pytorchDiffers.prefix(Self.shownPerList) {
          lines.append("    \(e.index): PyTorch \(number(e.pytorch!)), limit \(limit(e)), claimed \(number(e.claimed))")
        }
        if r.pytorchDiffers.count > Self.shownPerList {
          lines.append("    ... and \(r.pytorchDiffers.count - Self.shownPerList) more")
        }
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
      if let p = e.pytorch, e.pytorchIsReference { fields.append(("pytorch", .number(p))) }
      return .object(fields)
    }
    var semanticsFields: [(String, JSON)] = [("semantics", .string(semantics.rawValue))]
    if let why = pytorchUnavailable { semanticsFields.append(("pytorch_unavailable", .string(why))) }
    return .object(
      [
        ("expression", .string(expression)),
        ("claimed", .string(file)),
        ("rtol", .number(rtol)), ("atol", .number(atol)),
      ] + semanticsFields + [
        (
          "tensors",
          .array(
            reports.map { r in
              .object(
                [
                  ("name", .string(r.name)), ("shape", .array(r.shape.map { .number(Double($0)) })),
                  ("entries", .number(Double(r.entries))), ("agrees", .bool(r.agrees)),
                  ("max_abs_error", .number(r.maxAbsoluteError)), ("max_rel_error", .number(r.maxRelativeError)),
                  ("disagreements", .array(r.disagreements.map(entry))), ("undecided", .array(r.undecided.map(entry))),
                ] + (semantics == .pytorch ? [("pytorch_differs", .array(r.pytorchDiffers.map(entry)))] : []))
            })
        ),
        ("agrees", .bool(reports.allSatisfy(\.agrees))),
      ])
  }
}
