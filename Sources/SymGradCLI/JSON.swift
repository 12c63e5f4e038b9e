/// A JSON value with deterministic output (object keys keep their insertion order).
/// Non-finite numbers are written as the strings "inf", "-inf" and "nan" (a contract).
package indirect enum JSON: Equatable, Sendable {
  case string(String)
  case number(Double)
  case bool(Bool)
  case array([JSON])
  case object([(String, JSON)])
  case null

  package static func == (a: JSON, b: JSON) -> Bool { a.serialized() == b.serialized() }

  /// Compact one-line serialization.
  package func serialized() -> String {
    var out = ""
    write(to: &out)
    return out
  }

  /// Appends the serialized text to `out`: one buffer for the whole document (a 716 x
  /// 716 array was 512k nested strings joined level by level).
  func write(to out: inout String) {
    switch self {
    case .string(let s): JSON.quote(s, into: &out)
    case .number(let d):
      if d.isNaN {
        out += "\"nan\""
      } else if d.isInfinite {
        out += d > 0 ? "\"inf\"" : "\"-inf\""
      } else if d == d.rounded(), Swift.abs(d) < 1e15 {
        out += String(Int64(d))
      } else {
        out += "\(d)"
      }
    case .bool(let b): out += b ? "true" : "false"
    case .null: out += "null"
    case .array(let xs):
      out += "["
      for (i, x) in xs.enumerated() {
        if i > 0 { out += ", " }
        x.write(to: &out)
      }
      out += "]"
    case .object(let kv):
      out += "{"
      for (i, (k, v)) in kv.enumerated() {
        if i > 0 { out += ", " }
        JSON.quote(k, into: &out)
        out += ": "
        v.write(to: &out)
      }
      out += "}"
    }
  }

  /// `s` as a JSON string literal (quotes, backslashes and control characters escaped).
  package static func quote(_ s: String) -> String {
    var out = ""
    quote(s, into: &out)
    return out
  }

  /// Appends `s` as a JSON string literal to `out`.
  static func quote(_ s: String, into out: inout String) {
    out += "\""
    // Text without quotes, backslashes or control characters (nearly all) goes in whole.
    if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
      out += s
      out += "\""
      return
    }
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      default:
        if u.value < 0x20 {
          out +=
            "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16)
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    out += "\""
  }
}
