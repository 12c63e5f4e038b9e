/// A recursive-descent parser for the expression language (Python/sympy syntax).
///
/// ```
/// expression := or (comparison or)?                   comparison: < > <= >= == !=
/// or         := and ("|" and)*
/// and        := sum ("&" sum)*                         (Python's precedence: & above |,
///                                                       both above the comparisons)
/// sum        := product (("+" | "-") product)*
/// product    := unary (("*" | "/") unary)*
/// unary      := ("-" | "+" | "~") unary | power
/// power      := postfix (("**" | "^") unary)?          right-associative
/// postfix    := primary ("[" expression "]")*
/// primary    := number | string | name | name "(" arguments? ")"
///             | "(" expression ")" | "[" (expression ("," expression)*)? "]"
/// arguments  := argument ("," argument)*;   argument := (name "=")? expression
/// ```
/// Nesting (parentheses, brackets, calls, unary and power chains) deeper than
/// `Parser.maxDepth` is an error, never a stack overflow.
struct Parser {
  /// The deepest nesting accepted. Deep text is parsed on a large stack (`DeepInput`);
  /// a derivative prints a few levels deeper than the expression it comes from.
  static let maxDepth = 256

  private let tokens: [Token]
  private var position = 0
  private var depth = 0

  init(_ text: String) throws { tokens = try Lexer.tokens(text) }

  /// Parses the whole text as one expression.
  static func parse(_ text: String) throws -> Syntax {
    var p = try Parser(text)
    if case .end = p.peek.kind { throw ParseError(column: p.peek.column, message: "empty expression") }
    let s = try p.expression()
    guard case .end = p.peek.kind else {
      throw ParseError(column: p.peek.column, message: "unexpected \(describe(p.peek)) after the expression")
    }
    return s
  }

  private var peek: Token { tokens[position] }

  private mutating func advance() -> Token {
    let t = tokens[position]
    if position < tokens.count - 1 { position += 1 }
    return t
  }

  private func isOp(_ op: String) -> Bool { peek.kind == .op(op) }

  private mutating func expect(_ op: String, closing opener: Token? = nil) throws {
    guard isOp(op) else {
      var message = "expected '\(op)' but found \(Parser.describe(peek))"
      if let o = opener { message += " (to close the one at column \(o.column))" }
      throw ParseError(column: peek.column, message: message)
    }
    _ = advance()
  }

  static func describe(_ t: Token) -> String {
    switch t.kind {
    case .number(let s): return "number '\(s)'"
    case .name(let s): return "name '\(s)'"
    case .string(let s): return "string \"\(s)\""
    case .op(let s): return "'\(s)'"
    case .end: return "the end of the input"
    }
  }

  private mutating func nested<T>(_ column: Int, _ body: (inout Parser) throws -> T) throws -> T {
    depth += 1
    defer { depth -= 1 }
    if depth > Parser.maxDepth {
      throw ParseError(column: column, message: "expression nested deeper than \(Parser.maxDepth) levels")
    }
    return try body(&self)
  }

  mutating func expression() throws -> Syntax {
    try nested(peek.column) { p in try p.comparison() }
  }

  /// `a < b` and the other comparisons, below arithmetic (Python's precedence). Chains
  /// (`a < b < c`, which Python reads as `a < b and b < c`) are refused.
  private mutating func comparison() throws -> Syntax {
    let left = try logical(and: false)
    guard case .op(let text) = peek.kind, let op = Expr.Comparison(rawValue: text) else { return left }
    let t = advance()
    let right = try logical(and: false)
    if case .op(let next) = peek.kind, Expr.Comparison(rawValue: next) != nil {
      throw ParseError(
        column: peek.column,
        message: "chained comparisons (a < b < c) are not supported; compare two values at a time")
    }
    return .comparison(left, op, right, column: t.column)
  }

  /// `a | b | ...` (`and: false`) over `a & b & ...` (`and: true`) over sums, left to right.
  private mutating func logical(and: Bool) throws -> Syntax {
    let column = peek.column
    let symbol = and ? "&" : "|"
    func operand(_ p: inout Parser) throws -> Syntax { and ? try p.sum() : try p.logical(and: true) }
    var operands = [try operand(&self)]
    while isOp(symbol) {
      _ = advance()
      operands.append(try operand(&self))
    }
    return operands.count == 1 ? operands[0] : .logical(operands, and: and, column: column)
  }

  private mutating func sum() throws -> Syntax {
    let column = peek.column
    var terms = [try product()]
    var negated = [false]
    while isOp("+") || isOp("-") {
      negated.append(advance().kind == .op("-"))
      terms.append(try product())
    }
    return terms.count == 1 ? terms[0] : .sum(terms, negated: negated, column: column)
  }

  /// `*`, `/` and `@` at one precedence, left to right (Python's): `a * b @ c` is
  /// `(a * b) @ c`.
  private mutating func product() throws -> Syntax {
    let column = peek.column
    var factors = [try unary()]
    var divided = [false]
    func collected() -> Syntax {
      factors.count == 1 ? factors[0] : .product(factors, divided: divided, column: column)
    }
    while isOp("*") || isOp("/") || isOp("@") {
      let op = advance()
      if op.kind == .op("@") {
        let right = try unary()
        factors = [.matmul(collected(), right, column: op.column)]
        divided = [false]
        continue
      }
      divided.append(op.kind == .op("/"))
      factors.append(try unary())
    }
    return collected()
  }

  private mutating func unary() throws -> Syntax {
    if isOp("~") {
      let t = advance()
      return .not(try nested(t.column) { p in try p.unary() }, column: t.column)
    }
    if isOp("-") || isOp("+") {
      let t = advance()
      let operand = try nested(t.column) { p in try p.unary() }
      return t.kind == .op("-") ? .negate(operand, column: t.column) : operand
    }
    return try power()
  }

  private mutating func power() throws -> Syntax {
    let base = try postfix()
    if isOp("**") || isOp("^") {
      let t = advance()
      let exponent = try nested(t.column) { p in try p.unary() }
      return .power(base, exponent, column: t.column)
    }
    return base
  }

  private mutating func postfix() throws -> Syntax {
    var s = try primary()
    // A dotted name ending in a tensor attribute (`X.T`, `W.mT`) is the attribute of the name.
    if case .name(let n, let c) = s, let dot = n.lastIndex(of: "."),
      Self.attributes.contains(String(n[n.index(after: dot)...]))
    {
      s = try Self.dotted(n, column: c)
    }
    while isOp("[") || isOp(".") {
      let open = advance()
      if open.kind == .op(".") {
        guard case .name(let dottedMember) = peek.kind else { throw Self.notAMember(column: peek.column) }
        let memberToken = advance()
        // The lexer reads `T.sum` after a dot as one name: attributes, then perhaps a method.
        let parts = dottedMember.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var column = memberToken.column
        for (k, member) in parts.enumerated() {
          let last = k == parts.count - 1
          if last, Self.methods.contains(member) {
            guard isOp("(") else {
              throw ParseError(column: column, message: "'.\(member)' is a method: call it, as in x.\(member)(...)")
            }
            s = try method(member, of: s, Token(kind: .name(member), column: column))
          } else {
            guard Self.attributes.contains(member) else { throw Self.notAMember(column: column) }
            s = .attribute(s, member, column: column - 1)
          }
          column += member.count + 1
        }
        continue
      }
      let i = try expression()
      try expect("]", closing: open)
      s = .index(s, i, column: open.column)
    }
    return s
  }

  /// The tensor attributes the language reads: `.T` (dimensions reversed) and `.mT` (the
  /// last two swapped).
  static let attributes: Set<String> = ["T", "mT"]

  /// The tensor methods the language reads: `x.f(args)` is the function call `f(x, args)`,
  /// for the functions PyTorch also has as `torch.Tensor` methods with the tensor as their
  /// first argument (`x.view(2, 2)` is `reshape`). Not `where`: `x.where(c, y)` is
  /// `torch.where(c, x, y)`, another argument order.
  static let methods: Set<String> = [
    "abs", "amax", "amin", "clamp", "cos", "diag", "erf", "erfc", "exp", "expm1", "log", "log1p", "log_softmax",
    "logsumexp", "matmul", "max", "maximum", "mean", "min", "minimum", "outer", "relu", "reshape", "sigmoid", "sign",
    "sin", "softmax", "sqrt", "sum", "tanh", "transpose", "view",
  ]

  /// The error for a name after `.` that is neither an attribute nor a method.
  static func notAMember(column: Int) -> ParseError {
    ParseError(
      column: column,
      message:
        "expected a tensor attribute (\(attributes.sorted().joined(separator: ", "))) or method (\(methods.sorted().joined(separator: ", "))) after '.'"
    )
  }

  /// A dotted name without a call: a name, then attributes (`X.T`, `W.T.mT`).
  static func dotted(_ name: String, column: Int) throws -> Syntax {
    let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    var s = Syntax.name(parts[0], column: column)
    var offset = parts[0].count
    for part in parts.dropFirst() {
      guard attributes.contains(part) else { throw notAMember(column: column + offset + 1) }
      s = .attribute(s, part, column: column + offset)
      offset += 1 + part.count
    }
    return s
  }

  /// `base.name(arguments)`: the call `name(base, arguments)`, at the method's column.
  private mutating func method(_ name: String, of base: Syntax, _ nameToken: Token) throws -> Syntax {
    let (arguments, keywords) = try callArguments()
    return .call(name, arguments: [base] + arguments, keywords: keywords, column: nameToken.column)
  }

  private mutating func primary() throws -> Syntax {
    let t = advance()
    switch t.kind {
    case .number(let s): return .number(s, column: t.column)
    case .string(let s): return .string(s, column: t.column)
    case .name(let name):
      if isOp("("), let dot = name.lastIndex(of: "."), !FunctionRegistry.prefixes.contains(String(name[...dot])) {
        // `x.softmax(-1)`, `W.T.sum(0)`: a method call on what precedes the last dot (after
        // one of PyTorch's module prefixes, `F.softmax(...)`, a function call).
        let member = String(name[name.index(after: dot)...])
        let offset = name.distance(from: name.startIndex, to: dot) + 1
        guard Self.methods.contains(member) else { throw Self.notAMember(column: t.column + offset) }
        let base = try Self.dotted(String(name[..<dot]), column: t.column)
        return try method(member, of: base, Token(kind: t.kind, column: t.column + offset))
      }
      if isOp("(") { return try call(name, t) }
      return .name(name, column: t.column)
    case .op("("):
      let e = try expression()
      try expect(")", closing: t)
      return e
    case .op("["):
      var items: [Syntax] = []
      if !isOp("]") {
        items.append(try expression())
        while isOp(",") {
          _ = advance()
          if isOp("]") { break }  // trailing comma
          items.append(try expression())
        }
      }
      try expect("]", closing: t)
      return .list(items, column: t.column)
    case .end:
      throw ParseError(column: t.column, message: "unexpected end of input: expected a value")
    default:
      throw ParseError(column: t.column, message: "unexpected \(Parser.describe(t)): expected a value")
    }
  }

  private mutating func call(_ name: String, _ nameToken: Token) throws -> Syntax {
    let (arguments, keywords) = try callArguments()
    return .call(name, arguments: arguments, keywords: keywords, column: nameToken.column)
  }

  /// `(positional..., keyword=value...)` from the opening parenthesis on.
  private mutating func callArguments() throws -> (arguments: [Syntax], keywords: [Syntax.Keyword]) {
    let open = advance()
    var arguments: [Syntax] = []
    var keywords: [Syntax.Keyword] = []
    if !isOp(")") {
      repeat {
        if isOp(","), !arguments.isEmpty || !keywords.isEmpty { _ = advance() }
        if isOp(")") { break }
        if case .name(let k) = peek.kind, tokens[position + 1].kind == .op("=") {
          let kt = advance()
          _ = advance()
          if keywords.contains(where: { $0.name == k }) {
            throw ParseError(column: kt.column, message: "keyword argument '\(k)' repeated")
          }
          keywords.append(.init(name: k, value: try expression(), column: kt.column))
        } else {
          if !keywords.isEmpty {
            throw ParseError(column: peek.column, message: "positional argument follows keyword argument")
          }
          arguments.append(try expression())
        }
      } while isOp(",")
    }
    try expect(")", closing: open)
    return (arguments, keywords)
  }
}
