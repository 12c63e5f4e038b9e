/// A JSON value with deterministic output (object keys keep their insertion order).
/// Non-finite numbers are written as the strings "inf", "-inf" and "nan" (a contract).
public indirect enum JSON: Equatable, Sendable {
  case string(String)
  case number(Double)
  case bool(Bool)
  case array([JSON])
  case object([(String, JSON)])
  case null

  public static func == (a: JSON, b: JSON) -> Bool { a.serialized() == b.serialized() }

  /// Compact one-line serialization.
  public func serialized() -> String {
    switch self {
    case .string(let s): return JSON.quote(s)
    case .number(let d):
      if d.isNaN { return "\"nan\"" }
      if d.isInfinite { return d > 0 ? "\"inf\"" : "\"-inf\"" }
      if d == d.rounded(), Swift.abs(d) < 1e15 { return String(Int64(d)) }
      return "\(d)"
    case .bool(let b): return b ? "true" : "false"
    case .null: return "null"
    case .array(let xs): return "[" + xs.map { $0.serialized() }.joined(separator: ", ") + "]"
    case .object(let kv):
      return "{" + kv.map { JSON.quote($0.0) + ": " + $0.1.serialized() }.joined(separator: ", ") + "}"
    }
  }

  /// `s` as a JSON string literal (quotes, backslashes and control characters escaped).
  public static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if u.value < 0x20 {
          out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16)
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}
