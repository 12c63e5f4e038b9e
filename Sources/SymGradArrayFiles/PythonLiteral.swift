/// A Python literal as numpy writes in a `.npy` header: a dict of strings, booleans,
/// integers and tuples (`{'descr': '<f8', 'fortran_order': False, 'shape': (64, 1000), }`).
///
/// The parser reads the subset numpy's `repr` produces, plus `None`, lists, double-quoted
/// strings, a `u` prefix and Python 2's `L` integer suffix: enough to give a precise error
/// on anything else (a structured dtype's list of fields, a header that is not a dict).
/// Integers must fit 64 bits; nesting deeper than `maximumDepth` is an error (a hostile
/// header cannot exhaust the stack); string bytes are Latin-1 (`.npy` 1.0 and 2.0) or
/// UTF-8 (3.0). Errors carry the absolute file offset of the offending byte.
indirect enum PythonLiteral: Equatable {
  case string(String)
  case integer(Int)
  case bool(Bool)
  case none
  case tuple([PythonLiteral])
  case list([PythonLiteral])
  /// Keys in source order (only string keys are accepted).
  case dict([DictItem])

  struct DictItem: Equatable {
    let key: String
    let value: PythonLiteral
    /// Absolute file offset of the key.
    let offset: Int
  }

  static let maximumDepth = 16

  /// What the literal is, for error messages ("a list", "the integer 3").
  var kind: String {
    switch self {
    case .string(let s): "the string '\(s)'"
    case .integer(let i): "the integer \(i)"
    case .bool(let b): b ? "True" : "False"
    case .none: "None"
    case .tuple: "a tuple"
    case .list: "a list"
    case .dict: "a dict"
    }
  }

  /// Parses `bytes[start..<end]` as one literal followed only by whitespace.
  ///
  /// - Throws: `ArrayFileError.malformedHeader` with the offset of the offending byte.
  static func parse(_ bytes: [UInt8], from start: Int, to end: Int, utf8: Bool)
    throws(ArrayFileError) -> PythonLiteral
  {
    var p = Parser(bytes: bytes, position: start, end: Swift.min(end, bytes.count), utf8: utf8)
    let value = try p.value(depth: 0)
    p.skipSpace()
    if p.position < p.end { throw p.error("unexpected text after the header's value") }
    return value
  }

  private struct Parser {
    let bytes: [UInt8]
    var position: Int
    let end: Int
    let utf8: Bool

    func error(_ reason: String) -> ArrayFileError {
      .malformedHeader(offset: position, reason: reason)
    }

    var current: UInt8? { position < end ? bytes[position] : nil }

    mutating func skipSpace() {
      while let c = current, c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D { position += 1 }
    }

    mutating func expect(_ c: UInt8, _ what: String) throws(ArrayFileError) {
      skipSpace()
      guard current == c else {
        throw error(
          current == nil ? "the header ends where \(what) was expected" : "expected \(what)")
      }
      position += 1
    }

    mutating func value(depth: Int) throws(ArrayFileError) -> PythonLiteral {
      guard depth <= PythonLiteral.maximumDepth else {
        throw error("literal nested deeper than \(PythonLiteral.maximumDepth) levels")
      }
      skipSpace()
      guard let c = current else { throw error("the header ends where a value was expected") }
      switch c {
      case UInt8(ascii: "{"): return try dict(depth: depth)
      case UInt8(ascii: "("):
        position += 1
        let (items, trailingComma) = try sequence(closing: UInt8(ascii: ")"), depth: depth)
        // `(x)` is a parenthesized value, not a tuple; `(x,)` and `()` are tuples.
        if items.count == 1 && !trailingComma { return items[0] }
        return .tuple(items)
      case UInt8(ascii: "["):
        position += 1
        return .list(try sequence(closing: UInt8(ascii: "]"), depth: depth).items)
      case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "u")
      where position + 1 < end
        && (bytes[position + 1] == UInt8(ascii: "'") || bytes[position + 1] == UInt8(ascii: "\"")):
        position += 1
        return .string(try string())
      case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
        return .integer(try integer())
      default:
        let start = position
        while let c = current, isIdentifier(c) { position += 1 }
        let word = String(decoding: bytes[start..<position], as: UTF8.self)
        switch word {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .none
        default:
          position = start
          throw error(
            word.isEmpty ? "unexpected character '\(printable(c))'" : "unsupported name '\(word)'")
        }
      }
    }

    func isIdentifier(_ c: UInt8) -> Bool {
      (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
    }

    func printable(_ c: UInt8) -> String {
      c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\x" + String(c, radix: 16)
    }

    /// Items up to the closing bracket (already past the opening one); a trailing comma is
    /// allowed.
    mutating func sequence(closing: UInt8, depth: Int) throws(ArrayFileError) -> (
      items: [PythonLiteral], trailingComma: Bool
    ) {
      var items: [PythonLiteral] = []
      var trailingComma = false
      while true {
        skipSpace()
        if current == closing {
          position += 1
          return (items, trailingComma)
        }
        items.append(try value(depth: depth + 1))
        skipSpace()
        if current == UInt8(ascii: ",") {
          position += 1
          trailingComma = true
        } else {
          trailingComma = false
          guard current == closing else {
            throw error(
              current == nil
                ? "the header ends inside a sequence" : "expected ',' or '\(printable(closing))'")
          }
        }
      }
    }

    mutating func dict(depth: Int) throws(ArrayFileError) -> PythonLiteral {
      position += 1  // '{'
      var items: [DictItem] = []
      while true {
        skipSpace()
        if current == UInt8(ascii: "}") {
          position += 1
          return .dict(items)
        }
        let keyOffset = position
        let key = try value(depth: depth + 1)
        guard case .string(let name) = key else {
          position = keyOffset
          throw error("dictionary key is \(key.kind), not a string")
        }
        try expect(UInt8(ascii: ":"), "':' after the key '\(name)'")
        let v = try value(depth: depth + 1)
        items.append(DictItem(key: name, value: v, offset: keyOffset))
        skipSpace()
        if current == UInt8(ascii: ",") {
          position += 1
        } else if current != UInt8(ascii: "}") {
          throw error(
            current == nil ? "the header ends inside the dictionary" : "expected ',' or '}'")
        }
      }
    }

    mutating func string() throws(ArrayFileError) -> String {
      let start = position
      guard let quote = current else { throw error("the header ends where a string was expected") }
      position += 1
      var content: [UInt8] = []
      while true {
        guard let c = current else {
          position = start
          throw error("unterminated string")
        }
        position += 1
        if c == quote { break }
        if c == 0x0A {
          position -= 1
          throw error("newline inside a string")
        }
        if c == UInt8(ascii: "\\") {
          guard let e = current else { continue }
          position += 1
          switch e {
          case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): content.append(e)
          case UInt8(ascii: "n"): content.append(0x0A)
          case UInt8(ascii: "t"): content.append(0x09)
          default:
            position -= 2
            throw error("unsupported escape '\\\(printable(e))' in a string")
          }
        } else {
          content.append(c)
        }
      }
      if utf8 {
        guard let s = String(validating: content, as: UTF8.self) else {
          position = start
          throw error("string is not valid UTF-8")
        }
        return s
      }
      // Latin-1: each byte is the Unicode scalar of the same value.
      var s = ""
      s.unicodeScalars.append(contentsOf: content.map { UnicodeScalar($0) })
      return s
    }

    mutating func integer() throws(ArrayFileError) -> Int {
      let start = position
      var negative = false
      if let c = current, c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
        negative = c == UInt8(ascii: "-")
        position += 1
      }
      var v = 0
      var digits = 0
      while let c = current, c >= 0x30 && c <= 0x39 {
        let (m, o1) = v.multipliedReportingOverflow(by: 10)
        let (a, o2) = m.addingReportingOverflow(Int(c - 0x30))
        if o1 || o2 {
          position = start
          throw error("integer does not fit 64 bits")
        }
        v = a
        digits += 1
        position += 1
      }
      if digits == 0 { throw error("expected digits") }
      if let c = current, c == UInt8(ascii: "L") || c == UInt8(ascii: "l") { position += 1 }  // Python 2
      if let c = current, isIdentifier(c) || c == UInt8(ascii: ".") {
        throw error("unsupported number syntax (only decimal integers)")
      }
      return negative ? -v : v
    }
  }
}
