import Foundation
import SymGrad

/// Hand-rolled option parsing in the shape of swift-argument-parser: one positional
/// EXPR, `--flag` booleans and `--name value` (or `--name=value`) options.
struct Options {
  var positional: [String] = []
  var flags: Set<String> = []
  var values: [String: String] = [:]
  /// Every occurrence of each valued option, in order (`--tensor` and `--at` repeat).
  var repeated: [String: [String]] = [:]

  /// All the values given for `name`.
  func all(_ name: String) -> [String] { repeated[name] ?? [] }

  /// Parses `arguments`, accepting only the listed flags and valued options.
  init(_ arguments: [String], flags allowedFlags: Set<String>, values allowedValues: Set<String>) throws {
    var i = 0
    while i < arguments.count {
      let a = arguments[i]
      i += 1
      if a == "--" {
        positional += arguments[i...]
        break
      }
      if a.hasPrefix("--") || (a.hasPrefix("-") && a.count == 2 && !(a.last!.isNumber) && a != "-") {
        var name = a
        var inline: String?
        if let eq = a.firstIndex(of: "=") {
          name = String(a[..<eq])
          inline = String(a[a.index(after: eq)...])
        }
        if name == "-h" { name = "--help" }
        if allowedFlags.contains(name) {
          guard inline == nil else { throw UsageError("\(name) takes no value") }
          flags.insert(name)
        } else if allowedValues.contains(name) {
          if let v = inline {
            values[name] = v
          } else {
            guard i < arguments.count else { throw UsageError("\(name) needs a value") }
            values[name] = arguments[i]
            i += 1
          }
          repeated[name, default: []].append(values[name]!)
        } else if !a.hasPrefix("--") {
          // `-x`: not an option of this command, so EXPR (a leading minus sign).
          positional.append(a)
        } else {
          throw UsageError("unknown option '\(name)' (an EXPR starting with '-' can follow '--')")
        }
      } else {
        positional.append(a)
      }
    }
  }

  /// The single EXPR argument.
  func expression() throws -> String {
    guard positional.count == 1 else {
      throw UsageError(
        positional.isEmpty
          ? "missing EXPR" : "expected one EXPR, got \(positional.count) arguments (quote the expression)")
    }
    return positional[0]
  }

  /// EXPR from the argument, from a file (`-f FILE`), or from standard input (`-`).
  func expressionText() throws -> String {
    if let path = values["-f"] {
      guard positional.isEmpty else { throw UsageError("give EXPR either as an argument or with -f FILE, not both") }
      guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
        throw CommandFailure("symgrad: cannot read '\(path)'")
      }
      return text.trimmedWhitespace
    }
    let e = try expression()
    if e == "-" {
      var lines: [String] = []
      while let line = readLine() { lines.append(line) }
      return lines.joined(separator: "\n").trimmedWhitespace
    }
    return e
  }

  /// `--at a=1,b=-inf` as a dictionary; values may be decimals, `inf`, `-inf`, `nan`.
  func point() throws -> [String: Double]? {
    guard let text = values["--at"] else { return nil }
    if text.contains("@") {
      throw UsageError("--at @FILE is read by eval, diff and hessian; give NAME=VALUE pairs here")
    }
    var point: [String: Double] = [:]
    for item in text.split(separator: ",", omittingEmptySubsequences: true) {
      let parts = item.split(separator: "=", maxSplits: 1)
      guard parts.count == 2, !parts[0].trimmedWhitespace.isEmpty else {
        throw UsageError("--at expects NAME=VALUE pairs separated by commas, got '\(item)'")
      }
      let name = parts[0].trimmedWhitespace
      let raw = parts[1].trimmedWhitespace
      guard let v = Options.number(raw) else {
        throw UsageError("--at: '\(raw)' is not a number for \(name) (use decimals, inf, -inf or nan)")
      }
      guard point.updateValue(v, forKey: name) == nil else { throw UsageError("--at: '\(name)' is given twice") }
    }
    return point
  }

  static func number(_ raw: String) -> Double? {
    switch raw.lowercased() {
    case "inf", "+inf", "infinity", "+infinity": return .infinity
    case "-inf", "-infinity": return -.infinity
    case "nan": return .nan
    default: return Double(raw)
    }
  }

  /// `--wrt a,b` as names; a name given twice is a usage error.
  func variables() throws -> [String] {
    guard let names = try variableNames() else { throw UsageError("missing --wrt NAME[,NAME...]") }
    return names
  }

  /// The `--wrt` names (nil without `--wrt`): `NAME,NAME,...` or `@FILE` (names one per
  /// line or comma-separated). A name given twice is a usage error.
  func variableNames() throws -> [String]? {
    guard var text = values["--wrt"] else { return nil }
    if text.hasPrefix("@") {
      let path = String(text.dropFirst())
      guard let data = FileManager.default.contents(atPath: path), let t = String(data: data, encoding: .utf8) else {
        throw CommandFailure("symgrad: cannot read '\(path)' (--wrt @FILE)")
      }
      text = t
    }
    let names = text.split(whereSeparator: { $0 == "," || $0.isNewline }).map { $0.trimmedWhitespace }.filter {
      !$0.isEmpty
    }
    guard !names.isEmpty else { throw UsageError("--wrt needs at least one name") }
    var seen: Set<String> = []
    for n in names where !seen.insert(n).inserted { throw UsageError("--wrt: '\(n)' is given twice") }
    return names
  }

  /// `--wrt` names, each of which must be a symbol of `value`: a derivative with respect
  /// to a name EXPR does not use is 0, and a typo would make every check agree vacuously.
  func variables(of value: Expr.Value) throws -> [String] {
    let names = try variables()
    let symbols = Set(value.flattened.flatMap(\.freeSymbols))
    let unknown = names.filter { !symbols.contains($0) }
    guard unknown.isEmpty else {
      let listed =
        symbols.isEmpty ? "EXPR has no symbols" : "EXPR's symbols: " + symbols.sorted().joined(separator: ", ")
      throw UsageError(
        "--wrt: \(unknown.map { "'\($0)'" }.joined(separator: ", ")) \(unknown.count == 1 ? "is not a symbol" : "are not symbols") of EXPR (\(listed))"
      )
    }
    return names
  }
}

extension StringProtocol {
  var trimmedWhitespace: String {
    guard let start = firstIndex(where: { !$0.isWhitespace }), let end = lastIndex(where: { !$0.isWhitespace }) else {
      return ""
    }
    return String(self[start...end])
  }
}
