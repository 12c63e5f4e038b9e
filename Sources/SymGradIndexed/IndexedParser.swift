import SymGrad

/// Why index-notation text could not be read: the column (1-based) and what was expected.
public struct IndexedParseError: Error, CustomStringConvertible, Equatable {
  public let column: Int
  public let message: String
  public var description: String { "column \(column): \(message)" }
}

/// Reads index notation in the syntax `IndexedAlgebra.text` prints (sympy's): entries
/// `X[n, c]` and `w[t[n]]`, `Sum(body, (k, 1, C))`, `KroneckerDelta(a, b)` (or `delta`),
/// `ignore_index`, sizes as `N` or `Symbol('N')`, numbers (`0.1` exactly 1/10), `+ - * /
/// **`, and the core's functions by name (`exp`, `log`, ...). So a printed result reads
/// back, and a claim can state a formula (`Proofs/`).
///
/// Free index variables and data tensors are declared by the caller; every other name
/// followed by `[` is an entry of a real tensor, and every other bare name a scalar symbol.
public struct IndexedParser {
  let algebra: IndexedAlgebra
  let variables: [String: IndexVariable]
  let data: [String: DataTensor]

  public init(algebra: IndexedAlgebra, variables: [IndexVariable], data: [DataTensor]) {
    self.algebra = algebra
    self.variables = Dictionary(variables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    self.data = Dictionary(data.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
  }

  public func parse(_ text: String) throws -> Expr {
    var reader = Reader(tokens: try Self.tokens(text), end: text.count + 1, parser: self, scope: variables)
    let e = try reader.expression()
    guard reader.position == reader.tokens.count else { throw reader.error("unexpected '\(reader.peek!.text)'") }
    return e
  }

  struct Token {
    enum Kind { case number, name, string, symbol }
    let kind: Kind
    let text: String
    let column: Int
  }

  static func tokens(_ text: String) throws -> [Token] {
    let chars = Array(text)
    var out: [Token] = []
    var i = 0
    while i < chars.count {
      let c = chars[i]
      let column = i + 1
      if c == " " || c == "\t" || c == "\n" {
        i += 1
      } else if c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) {
        var j = i
        while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
        out.append(Token(kind: .number, text: String(chars[i..<j]), column: column))
        i = j
      } else if c.isLetter || c == "_" {
        var j = i
        while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" { j += 1 }
        out.append(Token(kind: .name, text: String(chars[i..<j]), column: column))
        i = j
      } else if c == "'" || c == "\"" {
        var j = i + 1
        while j < chars.count, chars[j] != c { j += 1 }
        guard j < chars.count else { throw IndexedParseError(column: column, message: "unterminated string") }
        out.append(Token(kind: .string, text: String(chars[(i + 1)..<j]), column: column))
        i = j + 1
      } else if c == "*" && i + 1 < chars.count && chars[i + 1] == "*" {
        out.append(Token(kind: .symbol, text: "**", column: column))
        i += 2
      } else if "+-*/()[],".contains(c) {
        out.append(Token(kind: .symbol, text: String(c), column: column))
        i += 1
      } else {
        throw IndexedParseError(column: column, message: "unexpected character '\(c)'")
      }
    }
    return out
  }

  /// A recursive-descent reader over the tokens, with the index variables in scope.
  struct Reader {
    let tokens: [Token]
    let end: Int
    let parser: IndexedParser
    var scope: [String: IndexVariable]
    var position = 0

    var peek: Token? { position < tokens.count ? tokens[position] : nil }

    func error(_ message: String) -> IndexedParseError {
      IndexedParseError(column: peek?.column ?? end, message: message)
    }

    mutating func accept(_ symbol: String) -> Bool {
      guard let t = peek, t.kind == .symbol, t.text == symbol else { return false }
      position += 1
      return true
    }

    mutating func expect(_ symbol: String) throws {
      guard accept(symbol) else { throw error("expected '\(symbol)'") }
    }

    mutating func name() throws -> String {
      guard let t = peek, t.kind == .name else { throw error("expected a name") }
      position += 1
      return t.text
    }

    mutating func expression() throws -> Expr {
      var e = try product()
      while true {
        if accept("+") {
          e = e + (try product())
        } else if accept("-") {
          e = e - (try product())
        } else {
          return e
        }
      }
    }

    mutating func product() throws -> Expr {
      var e = try unary()
      while true {
        if accept("*") {
          e = e * (try unary())
        } else if accept("/") {
          e = e / (try unary())
        } else {
          return e
        }
      }
    }

    mutating func unary() throws -> Expr {
      if accept("-") { return -(try unary()) }
      if accept("+") { return try unary() }
      let base = try primary()
      if accept("**") { return .power(base, try unary()) }
      return base
    }

    mutating func primary() throws -> Expr {
      guard let t = peek else { throw error("expected an expression") }
      if accept("(") {
        let e = try expression()
        try expect(")")
        return e
      }
      if t.kind == .number {
        position += 1
        guard let r = Rational(decimal: t.text) else {
          throw IndexedParseError(column: t.column, message: "bad number")
        }
        return .number(r)
      }
      let n = try name()
      if accept("[") { return parser.algebra.element(n, try indexList()) }
      guard accept("(") else { return .symbol(n) }
      switch n {
      case "Symbol": return .symbol(try symbolName())
      case "KroneckerDelta", "delta":
        let a = try indexTerm()
        try expect(",")
        let b = try indexTerm()
        try expect(")")
        return parser.algebra.delta(a, b)
      case "Sum":
        return try sum()
      default:
        guard let f = Expr.Function(rawValue: n) else {
          throw IndexedParseError(column: t.column, message: "unknown function '\(n)'")
        }
        var arguments = [try expression()]
        while accept(",") { arguments.append(try expression()) }
        try expect(")")
        return .apply(f, arguments)
      }
    }

    /// `Sum(body, (k, 1, SIZE))`: the range is read first, so that the body knows `k`.
    mutating func sum() throws -> Expr {
      let bodyStart = position
      var depth = 0
      while let t = peek, !(depth == 0 && t.kind == .symbol && t.text == ",") {
        if t.kind == .symbol && "([".contains(t.text) { depth += 1 }
        if t.kind == .symbol && ")]".contains(t.text) {
          depth -= 1
          if depth < 0 { throw error("expected ', (k, 1, SIZE)' in Sum") }
        }
        position += 1
      }
      let bodyEnd = position
      try expect(",")
      try expect("(")
      let k = try name()
      try expect(",")
      guard let one = peek, one.kind == .number, one.text == "1" else { throw error("a Sum starts at 1") }
      position += 1
      try expect(",")
      let size = try sizeTerm()
      try expect(")")
      try expect(")")
      let variable = IndexVariable(k, size)
      var inner = Reader(
        tokens: Array(tokens[bodyStart..<bodyEnd]), end: tokens[bodyEnd].column, parser: parser, scope: scope)
      inner.scope[k] = variable
      let body = try inner.expression()
      guard inner.position == inner.tokens.count else { throw inner.error("unexpected '\(inner.peek!.text)'") }
      return parser.algebra.sum(variable, body)
    }

    mutating func sizeTerm() throws -> IndexSize {
      guard let t = peek else { throw error("expected a size") }
      if t.kind == .number, let n = Int(t.text) {
        position += 1
        return .fixed(n)
      }
      let n = try name()
      if n == "Symbol" {
        try expect("(")
        return .symbolic(try symbolName())
      }
      return .symbolic(n)
    }

    /// The rest of `Symbol('name')` after its `(`: the name.
    mutating func symbolName() throws -> String {
      guard let s = peek, s.kind == .string else { throw error("expected Symbol('name')") }
      position += 1
      try expect(")")
      return s.text
    }

    mutating func indexList() throws -> [IndexTerm] {
      var terms = [try indexTerm()]
      while accept(",") { terms.append(try indexTerm()) }
      try expect("]")
      return terms
    }

    mutating func indexTerm() throws -> IndexTerm {
      guard let t = peek else { throw error("expected an index") }
      if t.kind == .number, let k = Int(t.text) {
        position += 1
        return .value(k)
      }
      let n = try name()
      if n == "ignore_index" { return .ignored }
      if let d = parser.data[n] {
        try expect("[")
        return .gather(d, try indexList())
      }
      guard let v = scope[n] else {
        throw IndexedParseError(column: t.column, message: "'\(n)' is not an index variable here")
      }
      return .variable(v)
    }
  }
}
