import Foundation
import SymGrad
import SymGradIndexed

/// Checks a `ProofFile`: expands its definitions, verifies every derivation step, symbolic
/// equality, numeric value and cross-check, and collects what the renderers show.
struct ProofChecker {
  struct Result {
    let line: Int
    let statement: String
    let passed: Bool
    let detail: String
  }

  struct Outcome {
    var title = ""
    var claim = ""
    var source = ""
    var paragraphs: [String] = []
    var definitions: [(name: String, value: Expr.Value)] = []
    /// Each derivation: its steps as written and as evaluated values.
    var derivations: [[(text: String, value: Expr.Value)]] = []
    var results: [Result] = []
    /// Each `for:` statement: the call, and the loss and gradient entry in LaTeX.
    var general: [(call: String, loss: String, gradientName: String, gradient: String, matrix: String?)] = []
    var passed: Bool { !results.isEmpty && results.allSatisfy(\.passed) }
  }

  let file: ProofFile
  let records: [PyTorchRecord]

  func run() -> Outcome {
    var out = Outcome()
    var macros: [(String, String)] = []
    var previous: Expr.Value?
    var previousLine = 0
    var derivation: IndexedDerivation?
    for located in file.lines {
      let n = located.number
      func expand(_ text: String) -> String {
        var t = text
        for (name, body) in macros.reversed() { t = replaceWord(name, in: t, with: "(" + body + ")") }
        return t
      }
      func parse(_ text: String) throws -> Expr.Value {
        do { return try Expr.Value(parsing: expand(text)) } catch let e as ParseError {
          throw ProofFailure("\(file.path):\(n): in '\(text)': \(e.message)")
        }
      }
      func record(_ statement: String, _ body: () throws -> (Bool, String)) {
        do {
          let (ok, detail) = try body()
          out.results.append(Result(line: n, statement: statement, passed: ok, detail: detail))
        } catch {
          out.results.append(Result(line: n, statement: statement, passed: false, detail: "\(error)"))
        }
      }
      switch located.line {
      case .title(let t): out.title = t
      case .claim(let c): out.claim = c
      case .source(let s): out.source = s
      case .text(let p): out.paragraphs.append(p)
      case .define(let name, let body):
        let expanded = expand(body)
        macros.append((name, expanded))
        if let v = try? Expr.Value(parsing: expanded) {
          out.definitions.append((name, v))
        } else {
          record("let \(name) = \(body)") { (false, "does not parse: \(body)") }
        }
      case .derive(let text):
        record("derive: \(text)") {
          let v = try parse(text)
          previous = v
          previousLine = n
          out.derivations.append([(text, v)])
          return (true, "start")
        }
      case .step(let text):
        record("= \(text)") {
          let v = try parse(text)
          guard let p = previous else { return (false, "no derivation to continue") }
          let (ok, why) = equal(p, v)
          out.derivations[out.derivations.count - 1].append((text, v))
          previous = v
          return (ok, ok ? "equals line \(previousLine)" + why : "differs from line \(previousLine): \(why)")
        }
        previousLine = n
      case .show(let lhs, let rhs):
        record("show: \(lhs) == \(rhs)") {
          let (ok, why) = equal(try parse(lhs), try parse(rhs))
          return (ok, ok ? "the difference simplifies to 0" + why : why)
        }
      case .value(let e, let pointText, let expectedText, let tolerance, let negate):
        record("\(negate ? "differ" : "value"): \(e) at \(pointText) \(negate ? "!=" : "==") \(expectedText)") {
          let point = try parsePoint(pointText)
          let v = try parse(e)
          let got = Expr.limitValues(of: v.flattened, at: point).map(\.doubleValue)
          let expected = try numbers(try Expr.Value(parsing: expectedText))
          guard got.count == expected.count else { return (false, "\(got.count) values, expected \(expected.count)") }
          let tol = tolerance ?? 1e-12
          let same = zip(got, expected).allSatisfy { a, b in
            if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
            if a.isInfinite || b.isInfinite { return a == b }
            return Swift.abs(a - b) <= tol * Swift.max(1, Swift.abs(b))
          }
          let shown = "[" + got.map { Shared.plain(.number($0)) }.joined(separator: ", ") + "]"
          return (same != negate, "value \(shown)")
        }
      case .general(let call, let shapes, let wrt):
        record("for: \(call) with \(shapes.joined(separator: "; "))\(wrt.map { " wrt \($0)" } ?? "")") {
          let (_, d, report) = try DeriveCommand.derivation(expand(call), shapes: shapes, wrt: wrt)
          derivation = d
          let matrix = d.algebra.matrixForm(of: d)
          out.general.append(
            (
              call, d.lossLatexName + " = " + d.algebra.latex(d.loss), d.gradientLatexName,
              d.algebra.latex(d.gradient),
              matrix.map { ([$0.latex] + $0.latexDefinitions).joined(separator: ", \\quad ") }
            ))
          let summary = "verified by instantiation " + report.summary
          return (
            report.passed, report.passed ? summary : summary + "; " + report.failures.prefix(2).joined(separator: "; ")
          )
        }
      case .showIndexed(.matrix, let text):
        record("show matrix: \(text)") {
          guard let d = derivation else { return (false, "no 'for:' derivation") }
          // The recognized form is printed only when proved equal to the index form.
          guard let m = d.algebra.matrixForm(of: d) else { return (false, "no matrix form recognized") }
          let body = m.text.components(separatedBy: " = ").dropFirst().joined(separator: " = ")
          let squeeze = { (t: String) in t.filter { !$0.isWhitespace } }
          let ok = squeeze(body) == squeeze(text)
          let defined = m.definitions.isEmpty ? "" : " where " + m.definitions.joined(separator: ", ")
          return (
            ok,
            (ok ? "the gradient's matrix form, proved equal to the index form: " : "the matrix form is ")
              + m.text + defined
          )
        }
      case .showIndexed(let part, let text):
        record("show \(part.rawValue): \(text)") {
          guard let d = derivation else { return (false, "no 'for:' derivation") }
          let parser = IndexedParser(
            algebra: d.algebra, variables: d.inputIndices + d.lossIndices, data: d.target.map { [$0] } ?? [])
          let stated = try parser.parse(text)
          let derived = part == .gradient ? d.gradient : d.loss
          if d.algebra.provedEqual(derived, stated) {
            return (true, "equals the derived \(part.rawValue) for every size")
          }
          // As for explicit claims: equal on binary_cross_entropy's domain (guards removed).
          let (u, v) = (d.algebra.removingDomainGuards(derived), d.algebra.removingDomainGuards(stated))
          if u != derived || v != stated, d.algebra.provedEqual(u, v) {
            return (
              true,
              "equals the derived \(part.rawValue) for every size, on the domain of binary_cross_entropy (guarded inputs in [0, 1])"
            )
          }
          return (false, "not proved equal to \(d.algebra.text(derived))")
        }
      case .check(let e, let vars, let pointText):
        record("check: \(e) wrt \(vars.joined(separator: ", ")) at \(pointText)") {
          let report = try Checker(records: records).check(expand(e), variables: vars, at: try parsePoint(pointText))
          let refs = report.comparisons.map {
            "\($0.reference) \($0.agrees ? "agrees" : "DISAGREES") (max rel \(String(format: "%.1e", $0.maxRelativeError)))"
          }
          return (report.agrees && !report.comparisons.isEmpty, refs.joined(separator: "; "))
        }
      }
    }
    return out
  }

  /// Entry-by-entry symbolic equality: same shape and each difference simplifies to 0.
  /// Sides that differ only by `binary_cross_entropy`'s domain guard (`unit_interval`) are
  /// equal on that domain, and the note (second result) says so.
  func equal(_ a: Expr.Value, _ b: Expr.Value) -> (Bool, String) {
    guard a.shape == b.shape else {
      return (false, "shapes \(a.shape.map { "\($0)" } ?? "?") and \(b.shape.map { "\($0)" } ?? "?") differ")
    }
    var note = ""
    for (i, (x, y)) in zip(a.flattened, b.flattened).enumerated() where x != y {
      if equalExactly(x, y) { continue }
      let (u, v) = (x.removingDomainGuards(), y.removingDomainGuards())
      if (u != x || v != y) && (u == v || equalExactly(u, v)) {
        note = " (on the domain of binary_cross_entropy: guarded inputs in [0, 1])"
        continue
      }
      return (false, "entry \(i): the difference simplifies to \((x - y).simplified()), not 0")
    }
    return (true, note)
  }

  private func equalExactly(_ x: Expr, _ y: Expr) -> Bool {
    (x - y).simplified().isZero || (x - y).simplifiedInExponentials().isZero
  }

  func parsePoint(_ text: String) throws -> [String: Double] {
    var point: [String: Double] = [:]
    for item in text.split(separator: ",") {
      let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmedWhitespace }
      guard parts.count == 2, let v = Options.number(parts[1]) else { throw ProofFailure("bad point entry '\(item)'") }
      point[parts[0]] = v
    }
    return point
  }

  func numbers(_ v: Expr.Value) throws -> [Double] {
    try v.flattened.map { e in
      if let r = e.rationalValue { return r.toDouble() }
      if let c = e.constantValue { return c.doubleValue }
      if e.freeSymbols.isEmpty { return try e.evaluateIEEE() }
      throw ProofFailure("expected numbers, got \(e)")
    }
  }

  /// Replaces whole-word occurrences of `name`.
  func replaceWord(_ name: String, in text: String, with body: String) -> String {
    var out = ""
    var i = text.startIndex
    func isWord(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
    while i < text.endIndex {
      if text[i...].hasPrefix(name) {
        let end = text.index(i, offsetBy: name.count)
        let before = i == text.startIndex ? nil : text[text.index(before: i)]
        let after = end == text.endIndex ? nil : text[end]
        if !(before.map(isWord) ?? false) && !(after.map(isWord) ?? false) {
          out += body
          i = end
          continue
        }
      }
      out.append(text[i])
      i = text.index(after: i)
    }
    return out
  }
}

struct ProofFailure: Error, CustomStringConvertible {
  let description: String
  init(_ d: String) { description = d }
}
