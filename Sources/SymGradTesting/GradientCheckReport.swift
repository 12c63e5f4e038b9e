import Foundation
import SymGrad

/// What `checkGradient` / `checkJacobian` found: every compared number, the ones that
/// disagree, the ones SymGrad could not decide, and where IEEE arithmetic and the limit
/// part ways. Its `description` is written to be read in a failed `#expect`.
public struct GradientCheckReport: Sendable, CustomStringConvertible {
  /// One compared number: the function's value (`variable == nil`) or one partial
  /// derivative, of one output at one point.
  public struct Entry: Sendable {
    /// The index of the point in `points`.
    public let point: Int
    /// The output (0 for a scalar function).
    public let output: Int
    /// The variable differentiated by, or nil for the function's value itself.
    public let variable: String?
    /// What your code computed.
    public let claimed: Double
    /// SymGrad's value: certified (a faithful rounding of the exact value), the limit at
    /// `-inf`/`+inf` coordinates, NaN where undefined; or uncertified with the reason.
    public let reference: CertifiedValue
    /// SymGrad's formula in plain IEEE double arithmetic (NaN where it meets a domain
    /// error): what naive code computing the right formula gives.
    public let ieee: Double
    public let verdict: Verdict
  }

  public enum Verdict: Sendable, Equatable {
    case agrees
    case disagrees
    /// SymGrad could not certify its value (the reason is in `reference.reason`): neither
    /// agreement nor disagreement is claimed.
    case undecided
  }

  /// The largest errors of one entry (output and variable) over the points where both
  /// numbers are finite.
  public struct EntryErrors: Sendable {
    public let output: Int
    public let variable: String?
    public let maxAbsolute: Double
    public let maxRelative: Double
  }

  /// A point that was not compared, and why (a certain domain error of the expression).
  public struct SkippedPoint: Sendable {
    public let point: Int
    public let reason: String
  }

  /// The expression, printed.
  public let expression: String
  public let variables: [String]
  public let outputCount: Int
  public let points: [[Double]]
  public let tolerance: Tolerance
  public let entries: [Entry]
  public let skippedPoints: [SkippedPoint]

  public var disagreements: [Entry] { entries.filter { $0.verdict == .disagrees } }
  public var undecided: [Entry] { entries.filter { $0.verdict == .undecided } }
  /// Entries where SymGrad's formula in IEEE arithmetic differs from the certified value or
  /// limit (NaN against a finite limit at masked inputs, overflow, cancellation).
  public var limitDifferences: [Entry] {
    entries.filter { !Tolerance.float64.accepts($0.ieee, reference: $0.reference.value) }
  }

  /// True when something was compared, everything agrees and nothing is undecided.
  public var passed: Bool { !entries.isEmpty && disagreements.isEmpty && undecided.isEmpty }

  /// Per output and variable (the value first), the largest absolute and relative errors.
  public var entryErrors: [EntryErrors] {
    var order: [String] = []
    var table: [String: (output: Int, variable: String?, abs: Double, rel: Double)] = [:]
    for e in entries {
      let key = "\(e.output)/\(e.variable ?? "")"
      if table[key] == nil {
        order.append(key)
        table[key] = (e.output, e.variable, 0, 0)
      }
      let a = e.claimed
      let b = e.reference.value
      guard a.isFinite, b.isFinite else { continue }
      let d = Swift.abs(a - b)
      table[key]!.abs = Swift.max(table[key]!.abs, d)
      if b != 0 { table[key]!.rel = Swift.max(table[key]!.rel, d / Swift.abs(b)) }
    }
    return order.map { k in
      let t = table[k]!
      return EntryErrors(output: t.output, variable: t.variable, maxAbsolute: t.abs, maxRelative: t.rel)
    }
  }

  /// How many entries each list shows in `description` before "... and N more".
  static let shownPerList = 10

  public var description: String {
    let bad = disagreements
    let open = undecided
    var lines: [String] = []
    let verdict: String
    if entries.isEmpty {
      verdict = "NOTHING COMPARED"
    } else if passed {
      verdict = "passed: all \(entries.count) numbers agree"
    } else {
      var parts: [String] = []
      if !bad.isEmpty { parts.append("\(bad.count) of \(entries.count) numbers disagree") }
      if !open.isEmpty { parts.append("\(open.count) undecided") }
      verdict = "FAILED: " + parts.joined(separator: ", ")
    }
    lines.append(
      "SymGrad check of \(expression): \(verdict) (\(points.count) points, \(variables.count) variables, tolerance \(tolerance))"
    )
    func list(_ title: String, _ items: [Entry], _ line: (Entry) -> String) {
      guard !items.isEmpty else { return }
      lines.append(title)
      for e in items.prefix(Self.shownPerList) { lines.append("  " + line(e)) }
      if items.count > Self.shownPerList { lines.append("  ... and \(items.count - Self.shownPerList) more") }
    }
    list("disagreements (yours vs SymGrad):", bad) { e in
      var s = "\(place(e)): yours \(show(e.claimed)), SymGrad \(show(e.reference.value))\(kind(e))"
      if !Tolerance.float64.accepts(e.ieee, reference: e.reference.value)
        && Tolerance.float64.accepts(e.claimed, reference: e.ieee)
      {
        s += "; yours is what IEEE arithmetic gives on SymGrad's formula"
      }
      return s
    }
    list("undecided (SymGrad could not certify its value):", open) { e in
      "\(place(e)): yours \(show(e.claimed)), SymGrad about \(show(e.reference.value)) (\(e.reference.reason ?? "uncertified"))"
    }
    if !skippedPoints.isEmpty {
      lines.append("points not compared:")
      for s in skippedPoints.prefix(Self.shownPerList) {
        lines.append("  point \(s.point) \(coordinates(s.point)): \(s.reason)")
      }
    }
    let errors = entryErrors.map { e in
      "\(name(output: e.output, variable: e.variable)) \(short(e.maxAbsolute)) abs, \(short(e.maxRelative)) rel"
    }
    if !errors.isEmpty {
      lines.append(
        "largest errors where both are finite: " + errors.prefix(Self.shownPerList).joined(separator: "; ")
          + (errors.count > Self.shownPerList ? "; ..." : ""))
    }
    let differ = limitDifferences
    if !differ.isEmpty {
      list("where IEEE arithmetic on SymGrad's formula differs from the exact value or limit:", differ) { e in
        "\(place(e)): IEEE \(show(e.ieee)), SymGrad \(show(e.reference.value))"
      }
    }
    return lines.joined(separator: "\n")
  }

  private func name(output: Int, variable: String?) -> String {
    let f = outputCount == 1 ? "f" : "f[\(output)]"
    guard let v = variable else { return f }
    return "d\(f)/d\(v)"
  }

  private func coordinates(_ k: Int) -> String {
    "(" + zip(variables, points[k]).map { "\($0) = \($1)" }.joined(separator: ", ") + ")"
  }

  private func place(_ e: Entry) -> String {
    "point \(e.point) \(coordinates(e.point)), \(name(output: e.output, variable: e.variable))"
  }

  private func kind(_ e: Entry) -> String {
    points[e.point].contains(where: { !$0.isFinite }) ? " (limit)" : ""
  }

  /// A number as Swift prints it, but NaN always as `nan` (its sign bit says nothing).
  private func show(_ x: Double) -> String { x.isNaN ? "nan" : "\(x)" }

  private func short(_ x: Double) -> String {
    x == 0 ? "0" : String(format: "%.2g", x)
  }
}
