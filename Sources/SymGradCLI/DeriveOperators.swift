import SymGrad

/// The matrix operators and tensor methods of `derive`'s EXPR written as calls: every
/// `a @ b` becomes `matmul(a, b)`, with Python's precedence (`@` binds as `*` and `/`, left
/// to right; unary signs and `**` bind tighter), so `-a @ b * c + d` is
/// `matmul(-a, b) * c + d`; a method call `x.f(args)` (`FunctionRegistry.tensorMethods`)
/// becomes `f(x, args)`, its receiver a name (`X.T` included) or a bracketed group before
/// the dot. Brackets are rewritten inside too; strings are kept as they are. `derive` then
/// translates the calls like any other.
enum DeriveOperators {
  private enum Kind: Equatable {
    case atom, string, open, close, comma, op
    /// A bracketed group already rewritten (a call's arguments, an index, a list).
    case group
  }

  private struct Token {
    let text: String
    let kind: Kind
  }

  /// `text` with its `@` operators as `matmul` calls and its method calls as calls
  /// (unchanged when it has neither).
  static func rewritingOperators(_ text: String) throws -> String {
    guard text.contains("@") || text.contains(".") else { return text }
    let tokens = try tokenize(text)
    var position = 0
    let out = try level(tokens, &position, in: text)
    guard position == tokens.count else {
      throw CommandFailure("symgrad: derive: unbalanced brackets in '\(text)'")
    }
    return out
  }

  private static func tokenize(_ text: String) throws -> [Token] {
    let chars = Array(text)
    var tokens: [Token] = []
    var i = 0
    func isIdentifier(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "." }
    while i < chars.count {
      let c = chars[i]
      if c.isWhitespace {
        i += 1
      } else if c == "\"" || c == "'" {
        var j = i + 1
        while j < chars.count, chars[j] != c { j += chars[j] == "\\" ? 2 : 1 }
        guard j < chars.count else { throw CommandFailure("symgrad: derive: unterminated string in '\(text)'") }
        tokens.append(Token(text: String(chars[i...j]), kind: .string))
        i = j + 1
      } else if c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) {
        var j = i
        while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
        if j < chars.count, chars[j] == "e" || chars[j] == "E" {
          var k = j + 1
          if k < chars.count, chars[k] == "+" || chars[k] == "-" { k += 1 }
          if k < chars.count, chars[k].isNumber {
            j = k
            while j < chars.count, chars[j].isNumber { j += 1 }
          }
        }
        tokens.append(Token(text: String(chars[i..<j]), kind: .atom))
        i = j
      } else if isIdentifier(c) {
        var j = i
        while j < chars.count, isIdentifier(chars[j]) { j += 1 }
        tokens.append(Token(text: String(chars[i..<j]), kind: .atom))
        i = j
      } else if "([{".contains(c) {
        tokens.append(Token(text: String(c), kind: .open))
        i += 1
      } else if ")]}".contains(c) {
        tokens.append(Token(text: String(c), kind: .close))
        i += 1
      } else if c == "," {
        tokens.append(Token(text: ",", kind: .comma))
        i += 1
      } else {
        let pair = i + 1 < chars.count ? String(chars[i...(i + 1)]) : ""
        let width = ["**", "//", "==", "!=", "<=", ">="].contains(pair) ? 2 : 1
        tokens.append(Token(text: String(chars[i..<(i + width)]), kind: .op))
        i += width
      }
    }
    return tokens
  }

  /// When the last item is a method name (`x.softmax`, `X.T.sum`, or `.softmax` after a
  /// bracketed receiver), removes it (and its receiver) and returns the call
  /// `method(receiver, arguments)`; nil when it is not (a function such as `F.softmax`).
  private static func methodCall(_ items: inout [Token], arguments: String) -> Token? {
    guard let last = items.last, last.kind == .atom, let dot = last.text.lastIndex(of: ".") else { return nil }
    let method = String(last.text[last.text.index(after: dot)...])
    let base = String(last.text[..<dot])
    guard FunctionRegistry.tensorMethods.contains(method),
      !FunctionRegistry.prefixes.contains(base + ".")
    else { return nil }
    let rest = arguments.trimmingCharacters(in: .whitespaces).isEmpty ? "" : ", " + arguments
    if !base.isEmpty {
      items.removeLast()
      return Token(text: "\(method)(\(base)\(rest))", kind: .group)
    }
    // `.softmax` after its receiver: the groups before it (a call's arguments, indices, a
    // parenthesized expression) and the name they follow, as in `f(x)[0].sum()`.
    var start = items.count - 1
    while start > 0, items[start - 1].kind == .group { start -= 1 }
    if start > 0, items[start - 1].kind == .atom, !items[start - 1].text.hasPrefix(".") { start -= 1 }
    guard start < items.count - 1 else { return nil }
    let receiver = items[start..<(items.count - 1)].map(\.text).joined()
    items.removeSubrange(start...)
    return Token(text: "\(method)(\(receiver)\(rest))", kind: .group)
  }

  /// One bracket level from `position` to its closing bracket (not consumed) or the end:
  /// its segments (between commas, `=`, binary `+`/`-`, comparisons, `&`, `|`) with the
  /// `@` of each product chain folded into calls.
  private static func level(_ tokens: [Token], _ position: inout Int, in text: String) throws -> String {
    // The items of the level: tokens, and nested groups already rewritten.
    var items: [Token] = []
    while position < tokens.count, tokens[position].kind != .close {
      let t = tokens[position]
      position += 1
      guard t.kind == .open else {
        items.append(t)
        continue
      }
      let inner = try level(tokens, &position, in: text)
      guard position < tokens.count else { throw CommandFailure("symgrad: derive: unbalanced brackets in '\(text)'") }
      let close = tokens[position].text
      position += 1
      let group = Token(text: t.text + inner + close, kind: .group)
      if t.text == "(", let call = methodCall(&items, arguments: inner) {
        items.append(call)
      } else {
        items.append(group)
      }
    }
    var out = ""
    var chain: [(op: String?, factor: String)] = []
    var factor = ""
    var pendingOp: String?
    func endFactor() {
      if !factor.isEmpty || pendingOp != nil { chain.append((pendingOp, factor)) }
      factor = ""
      pendingOp = nil
    }
    func endChain() {
      endFactor()
      var acc = ""
      for (op, f) in chain {
        if let op { acc = op == "@" ? "matmul(\(acc), \(f))" : "\(acc) \(op) \(f)" } else { acc = f }
      }
      out += acc
      chain = []
    }
    for (k, t) in items.enumerated() {
      // An operand ends with an atom, a string or a group: a sign after it is binary.
      let afterOperand = k > 0 && [.atom, .string, .group].contains(items[k - 1].kind)
      switch t.kind {
      case .comma:
        endChain()
        out += ", "
      case .op where ["*", "/", "//", "%", "@"].contains(t.text) && afterOperand:
        endFactor()
        pendingOp = t.text
      case .op
      where (["+", "-"].contains(t.text) && afterOperand)
        || ["=", "<", ">", "<=", ">=", "==", "!=", "&", "|"].contains(t.text):
        endChain()
        out += t.text == "=" ? "=" : " \(t.text) "
      case .group where t.text.hasPrefix("(") || t.text.hasPrefix("["):
        // A call's or an index's brackets follow their operand without a space.
        factor += t.text
      default:
        if t.text.hasPrefix(".") || factor.isEmpty || factor.last == "-" || factor.last == "+" || factor.last == "~" {
          factor += t.text
        } else {
          factor += " " + t.text
        }
      }
    }
    endChain()
    return out
  }
}
