/// A lexical token of the expression language, with its 1-based column.
struct Token: Equatable, Sendable {
  enum Kind: Equatable, Sendable {
    case number(String)
    case name(String)
    case string(String)
    /// One of `+ - * / ** ^ ( ) [ ] , = @ .`, a comparison `< > <= >= == !=` or `& | ~`.
    case op(String)
    case end
  }
  let kind: Kind
  let column: Int
}

/// Splits expression text into tokens.
///
/// Numbers: `12`, `3.5`, `.5`, `1e-3`, `2.5E+10`. Names: a letter (not a combining
/// mark) or `_`, then letters, digits or `_`, possibly dotted (`F.softmax`). Strings: `"..."` or `'...'` (no escapes). Whitespace separates.
enum Lexer {
  /// Names the interpreter reads as constants, never as symbols.
  static let reservedNames: Set<String> = ["inf", "oo", "nan", "pi", "E", "True", "False"]

  /// Whether `name` reads back as one undotted symbol name (not a constant's name).
  static func isIdentifier(_ name: String) -> Bool {
    guard !reservedNames.contains(name), !name.utf8.contains(UInt8(ascii: ".")), let t = try? tokens(name),
      t.count == 2,
      case .name(let n) = t[0].kind
    else { return false }
    return n == name
  }

  static func tokens(_ text: String) throws -> [Token] {
    // Columns count characters. ASCII text without carriage returns (a "\r\n" is one
    // character) has one byte per character: lex its bytes, which is several times faster
    // than grapheme breaking (a printed 1000 x 1000 matrix is 3 MB of text).
    let bytes = Array(text.utf8)
    if bytes.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) { return try tokens(of: bytes) }
    return try tokens(of: Array(text))
  }

  static func tokens<Unit: LexerUnit>(of chars: [Unit]) throws -> [Token] {
    var out: [Token] = []
    var i = 0
    func isDigit(_ c: Unit) -> Bool { c.isASCIIDigit }
    func isNameStart(_ c: Unit) -> Bool { c.isNameStart }
    while i < chars.count {
      let c = chars[i]
      let column = i + 1
      if c.isWhitespace {
        i += 1
        continue
      }
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
          throw ParseError(
            column: j + 1,
            message: "malformed number: unexpected '\(Unit.string(chars[j...j]))' after '\(Unit.string(chars[i..<j]))'")
        }
        out.append(Token(kind: .number(Unit.string(chars[i..<j])), column: column))
        i = j
      } else if isNameStart(c) {
        var j = i
        while j < chars.count && (isNameStart(chars[j]) || isDigit(chars[j])) { j += 1 }
        // Dotted names (`F.softmax`, `torch.nn.functional.softmax`): a dot between names.
        while j + 1 < chars.count && chars[j] == "." && isNameStart(chars[j + 1]) {
          j += 2
          while j < chars.count && (isNameStart(chars[j]) || isDigit(chars[j])) { j += 1 }
        }
        out.append(Token(kind: .name(Unit.string(chars[i..<j])), column: column))
        i = j
      } else if c == "\"" || c == "'" {
        var j = i + 1
        while j < chars.count && chars[j] != c { j += 1 }
        guard j < chars.count else { throw ParseError(column: column, message: "unterminated string") }
        out.append(Token(kind: .string(Unit.string(chars[(i + 1)..<j])), column: column))
        i = j + 1
      } else if c == "." && i + 1 < chars.count && isNameStart(chars[i + 1]) {
        // An attribute after a bracket or a call: `[[a, b]].T`, `f(x).mT`.
        out.append(Token(kind: .op("."), column: column))
        i += 1
      } else if c == "*" && i + 1 < chars.count && chars[i + 1] == "*" {
        out.append(Token(kind: .op("**"), column: column))
        i += 2
      } else if c == "&" || c == "|" || c == "~" {
        // Logical operators on comparisons (PyTorch's &, | and ~ of bool tensors).
        out.append(Token(kind: .op(Unit.string(chars[i...i])), column: column))
        i += 1
      } else if c == "<" || c == ">" || c == "!" || (c == "=" && i + 1 < chars.count && chars[i + 1] == "=") {
        // Comparisons: < > <= >= == != (a lone '=' names a keyword argument).
        let two = i + 1 < chars.count && chars[i + 1] == "="
        guard two || c != "!" else {
          throw ParseError(column: column, message: "unexpected character '!' (did you mean '!='?)")
        }
        out.append(Token(kind: .op(Unit.string(chars[i...(two ? i + 1 : i)])), column: column))
        i += two ? 2 : 1
      } else if c.isOperator {
        out.append(Token(kind: .op(Unit.string(chars[i...i])), column: column))
        i += 1
      } else {
        throw ParseError(column: column, message: "unexpected character '\(Unit.string(chars[i...i]))'")
      }
    }
    out.append(Token(kind: .end, column: chars.count + 1))
    return out
  }
}

/// What the lexer reads: characters, or the bytes of ASCII text (the fast path). Both
/// classify alike on ASCII.
protocol LexerUnit: Equatable {
  static func == (unit: Self, ascii: Unicode.Scalar) -> Bool
  var isWhitespace: Bool { get }
  var isASCIIDigit: Bool { get }
  /// A letter (not a combining mark: printed after a space it would merge with the space
  /// into one character and not read back) or `_`.
  var isNameStart: Bool { get }
  /// One of `+-*/^()[],=@`.
  var isOperator: Bool { get }
  static func string(_ units: ArraySlice<Self>) -> String
}

extension LexerUnit {
  static func != (unit: Self, ascii: Unicode.Scalar) -> Bool { !(unit == ascii) }
}

extension Character: LexerUnit {
  static func == (unit: Character, ascii: Unicode.Scalar) -> Bool { unit == Character(ascii) }
  var isASCIIDigit: Bool { isASCII && isNumber }
  var isNameStart: Bool {
    guard self == "_" || isLetter, let first = unicodeScalars.first else { return false }
    switch first.properties.generalCategory {
    case .spacingMark, .nonspacingMark, .enclosingMark: return false
    default: return true
    }
  }
  var isOperator: Bool { "+-*/^()[],=@".contains(self) }
  static func string(_ units: ArraySlice<Character>) -> String { String(units) }
}

extension UInt8: LexerUnit {
  static func == (unit: UInt8, ascii: Unicode.Scalar) -> Bool { UInt32(unit) == ascii.value }
  var isWhitespace: Bool { self == 0x20 || (0x09...0x0D).contains(self) }
  var isASCIIDigit: Bool { (0x30...0x39).contains(self) }
  var isNameStart: Bool { self == 0x5F || (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) }
  var isOperator: Bool {
    switch self {
    case 0x2B, 0x2D, 0x2A, 0x2F, 0x5E, 0x28, 0x29, 0x5B, 0x5D, 0x2C, 0x3D, 0x40: return true
    default: return false
    }
  }
  static func string(_ units: ArraySlice<UInt8>) -> String { String(decoding: units, as: UTF8.self) }
}
