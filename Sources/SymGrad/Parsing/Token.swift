/// A lexical token of the expression language, with its 1-based column.
struct Token: Equatable, Sendable {
  enum Kind: Equatable, Sendable {
    case number(String)
    case name(String)
    case string(String)
    /// One of `+ - * / ** ^ ( ) [ ] , =`.
    case op(String)
    case end
  }
  let kind: Kind
  let column: Int
}

/// Splits expression text into tokens.
///
/// Numbers: `12`, `3.5`, `.5`, `1e-3`, `2.5E+10`. Names: a letter (not a combining
/// mark) or `_`, then letters, digits or `_`. Strings: `"..."` or `'...'` (no escapes). Whitespace separates.
enum Lexer {
  static func tokens(_ text: String) throws -> [Token] {
    let chars = Array(text)
    var out: [Token] = []
    var i = 0
    func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
    // A name cannot start with a combining mark: printed after a space it would merge with
    // the space into one character and not read back.
    func isNameStart(_ c: Character) -> Bool {
      guard c == "_" || c.isLetter, let first = c.unicodeScalars.first else { return false }
      switch first.properties.generalCategory {
      case .spacingMark, .nonspacingMark, .enclosingMark: return false
      default: return true
      }
    }
    while i < chars.count {
      let c = chars[i]
      let column = i + 1
      if c.isWhitespace { i += 1; continue }
      if isDigit(c) || (c == "." && i + 1 < chars.count && isDigit(chars[i + 1])) {
        var j = i
        while j < chars.count && isDigit(chars[j]) { j += 1 }
        if j < chars.count && chars[j] == "." {
          j += 1
          while j < chars.count && isDigit(chars[j]) { j += 1 }
        }
        if j < chars.count && (chars[j] == "e" || chars[j] == "E") {
          var k = j + 1
          if k < chars.count && (chars[k] == "+" || chars[k] == "-") { k += 1 }
          if k < chars.count && isDigit(chars[k]) {
            while k < chars.count && isDigit(chars[k]) { k += 1 }
            j = k
          } else {
            throw ParseError(column: k + 1, message: "malformed number: exponent has no digits")
          }
        }
        if j < chars.count && isNameStart(chars[j]) {
          throw ParseError(column: j + 1, message: "malformed number: unexpected '\(chars[j])' after '\(String(chars[i..<j]))'")
        }
        out.append(Token(kind: .number(String(chars[i..<j])), column: column))
        i = j
      } else if isNameStart(c) {
        var j = i
        while j < chars.count && (isNameStart(chars[j]) || isDigit(chars[j])) { j += 1 }
        out.append(Token(kind: .name(String(chars[i..<j])), column: column))
        i = j
      } else if c == "\"" || c == "'" {
        var j = i + 1
        while j < chars.count && chars[j] != c { j += 1 }
        guard j < chars.count else { throw ParseError(column: column, message: "unterminated string") }
        out.append(Token(kind: .string(String(chars[(i + 1)..<j])), column: column))
        i = j + 1
      } else if c == "*" && i + 1 < chars.count && chars[i + 1] == "*" {
        out.append(Token(kind: .op("**"), column: column))
        i += 2
      } else if "+-*/^()[],=".contains(c) {
        out.append(Token(kind: .op(String(c)), column: column))
        i += 1
      } else {
        throw ParseError(column: column, message: "unexpected character '\(c)'")
      }
    }
    out.append(Token(kind: .end, column: chars.count + 1))
    return out
  }
}
