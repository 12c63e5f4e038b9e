/// Turns a syntax tree into a `Value`, calling the language's functions.
///
/// Names: `inf`, `nan`, `pi`, `E`, `True`, `False` are constants; `torch.float64`,
/// `torch.double`, `torch.float32`, `torch.float` are dtypes (strings); any other plain
/// name is a symbol, and other dotted names are errors (no attributes). Arithmetic on lists is elementwise with NumPy/PyTorch broadcasting
/// (a scalar with anything; equal lengths pair up; a length-1 axis stretches; a lower-rank
/// operand lines up with the trailing axes). Every error points at a column.
struct Interpreter {
  /// PyTorch's dtype names (`torch.float64`, ...): values of `dtype=` arguments.
  static let dtypes: Set<String> = Set(
    [
      "float64", "double", "float32", "float", "float16", "half", "bfloat16",
      "int8", "int16", "short", "int32", "int", "int64", "long", "uint8", "bool",
      "complex64", "complex128", "cfloat", "cdouble",
    ].map { "torch." + $0 })

  let functions: [String: LanguageFunction]
  var warnings: WarningLog? = nil
  /// Names that stand for given values (tensors of symbols, data read from files): looked
  /// up before a name becomes a symbol; constants' names cannot be bound.
  var bindings: [String: Expr.Value] = [:]
  /// Canonical constructions already made in this interpretation: printed DAGs repeat
  /// their shared subexpressions, and a repeat is then a lookup, not a rebuild.
  private let constructed = ConstructionMemo()

  init(functions: [String: LanguageFunction], warnings: WarningLog? = nil, bindings: [String: Expr.Value] = [:]) {
    self.functions = functions
    self.warnings = warnings
    self.bindings = bindings
  }

  /// `body`'s value, a shape error of a tensor operation reported at `column`.
  static func shapeChecked(_ column: Int, _ prefix: String, _ body: () throws -> Expr.Value) throws -> Expr.Value {
    do { return try body() } catch let e as Expr.Tensor.ShapeError {
      throw ParseError(column: column, message: prefix + e.description)
    }
  }

  func value(of syntax: Syntax) throws -> Expr.Value {
    switch syntax {
    case .number(let text, let column):
      guard let r = Rational(decimal: text) else {
        throw ParseError(column: column, message: "number '\(text)' is out of range")
      }
      return .scalar(.number(r))
    case .string(let s, _):
      return .string(s)
    case .name(let name, let column):
      switch name {
      case "inf", "oo": return .scalar(.infinity)
      case "nan": return .scalar(.undefined)
      case "pi": return .scalar(.pi)
      case "E": return .scalar(.e)
      case "True": return .boolean(true)
      case "False": return .boolean(false)
      case _ where Interpreter.dtypes.contains(name):
        // dtypes are their names, as strings (`dtype=` arguments check which they accept).
        return .string(name)
      default:
        if let bound = bindings[name] { return bound }
        if name.utf8.contains(UInt8(ascii: ".")) {
          throw ParseError(
            column: column,
            message:
              "'\(name)': a dotted name is a function call (F.softmax(x, dim=-1)), a tensor attribute (.T, .mT) or a method call (x.softmax(-1)); attributes other than .T and .mT are not supported"
          )
        }
        return .scalar(.symbol(name))
      }
    case .list(let items, _):
      let list = Expr.Value.list(try items.map(value(of:)))
      // `[zeros(0, 3)]` has the shape (1, 0, 3), which lists cannot hold: an empty tensor.
      if let shape = list.shape, shape.dropLast().contains(0) { return .empty(shape: shape) }
      return list
    case .negate(let operand, let column):
      return try Broadcast.unary(try value(of: operand), column: column) { constructed.negate($0) }
    case .power(let base, let exponent, let column):
      return try Broadcast.binary(try value(of: base), try value(of: exponent), column: column) {
        constructed.power($0, $1)
      }
    case .sum(let terms, let negated, let column):
      // Collect scalar sums in one canonical construction (linear, not quadratic).
      let values = try terms.map(value(of:))
      if values.allSatisfy({ if case .scalar = $0 { return true } else { return false } }) {
        return .scalar(
          constructed.sum(
            zip(values, negated).map { v, neg in
              guard case .scalar(let e) = v else { fatalError("unreachable") }
              return neg ? constructed.negate(e) : e
            }))
      }
      var acc = values[0]
      for i in 1..<values.count {
        let neg = negated[i]
        acc = try Broadcast.binary(acc, values[i], column: terms[i].column == 0 ? column : terms[i].column) {
          neg ? $0 - $1 : $0 + $1
        }
      }
      return acc
    case .product(let factors, let divided, _):
      // Scalar products are built in one canonical construction, with leading minus
      // signs as separate -1 factors: `-(x - y)/z` and `2*(x + y)*z` then give the same
      // node as the product they were printed from (building pairwise would distribute
      // the number into the sum first).
      var scalars: [Expr] = []
      var allScalar = true
      for (f, div) in zip(factors, divided) {
        var syntax = f
        var sign = false
        while case .negate(let inner, _) = syntax {
          syntax = inner
          sign.toggle()
        }
        guard case .scalar(let e) = try value(of: syntax) else {
          allScalar = false
          break
        }
        if sign { scalars.append(-1) }
        scalars.append(div ? constructed.power(e, -1) : e)
      }
      if allScalar { return .scalar(constructed.product(scalars)) }
      var acc = try value(of: factors[0])
      for i in 1..<factors.count {
        let v = try value(of: factors[i])
        let div = divided[i]
        acc = try Broadcast.binary(acc, v, column: factors[i].column) { div ? $0 / $1 : $0 * $1 }
      }
      return acc
    case .index(let base, let index, let column):
      let b = try value(of: base)
      let i = try value(of: index)
      guard case .scalar(let e) = i, let r = e.rationalValue, r.isInteger, let k = r.numerator.asInt else {
        throw ParseError(column: index.column, message: "an index must be an integer")
      }
      // Indexing a symbol names an element: `x[0]` and `W[0][1]` are symbols of their own.
      if case .scalar(let s) = b, let name = s.symbolName {
        guard k >= 0 else { throw ParseError(column: index.column, message: "a symbol's index must be non-negative") }
        return .scalar(.symbol("\(name)[\(k)]"))
      }
      guard case .list(let items) = b else {
        throw ParseError(column: column, message: "cannot index \(b.kindName)")
      }
      let j = k < 0 ? k + items.count : k
      guard j >= 0 && j < items.count else {
        throw ParseError(column: index.column, message: "index \(k) is out of range for length \(items.count)")
      }
      return items[j]
    case .matmul(let left, let right, let column):
      let (a, b) = (try value(of: left), try value(of: right))
      // Strings and booleans have no tensor (`Expr.Tensor(_:)` is nil for them).
      guard let x = Expr.Tensor(a), let y = Expr.Tensor(b) else {
        throw ParseError(column: column, message: "@ needs two tensors")
      }
      return try Self.shapeChecked(column, "@: ") { try Expr.Tensor.matmul(x, y).value }
    case .logical(let operands, let and, let column):
      let name = and ? "&" : "|"
      var acc = try Interpreter.condition(try value(of: operands[0]), name, operands[0].column)
      for o in operands.dropFirst() {
        let next = try Interpreter.condition(try value(of: o), name, o.column)
        // a & b: b where a holds, else 0; a | b: 1 where a holds, else b (0 or 1 each).
        acc = try Broadcast.binary(acc, next, column: column) {
          and ? Expr.selection(nonzero: $0, $1, .zero) : Expr.selection(nonzero: $0, .one, $1)
        }
      }
      return acc
    case .not(let operand, let column):
      let v = try Interpreter.condition(try value(of: operand), "~", operand.column)
      return try Broadcast.unary(v, column: column) { Expr.selection(nonzero: $0, .zero, .one) }
    case .comparison(let left, let op, let right, let column):
      return try Broadcast.binary(try value(of: left), try value(of: right), column: column) {
        Expr.comparison($0, op, $1)
      }
    case .attribute(let base, let name, let column):
      let b = try value(of: base)
      guard let t = Expr.Tensor(b) else { throw ParseError(column: column, message: ".\(name) needs a tensor") }
      if name == "T" { return t.transposedT.value }
      return try Self.shapeChecked(column, "") { try t.transposedM().value }
    case .call(let name, let arguments, let keywords, let column):
      guard let f = functions[name] ?? FunctionRegistry.resolve(name) else {
        let close = Suggestions.clause(FunctionRegistry.suggestions(for: name))
        throw ParseError(column: column, message: "unknown function '\(name)'\(close) (symgrad functions lists them)")
      }
      let args = CallArguments(
        function: name, column: column,
        positional: try arguments.map { (try value(of: $0), $0.column) },
        keywords: try keywords.map { ($0.name, try value(of: $0.value), $0.column) },
        warnings: warnings)
      return try f.call(args)
    }
  }
}

extension Interpreter {
  /// `v` as a condition of numbers, 1 where it holds: booleans become 1 and 0; scalars must
  /// take only the values 0 and 1 (comparisons, their combinations, the numbers 0 and 1),
  /// as PyTorch's `&`, `|`, `~` and `where` take bool tensors. `what` names the operator or
  /// function in the error.
  static func condition(_ v: Expr.Value, _ what: String, _ column: Int) throws -> Expr.Value {
    switch v {
    case .boolean(let b): return .scalar(b ? .one : .zero)
    case .list(let items): return .list(try items.map { try condition($0, what, column) })
    case .empty: return v
    case .scalar(let e):
      if e.isBooleanValued { return v }
      throw ParseError(
        column: column,
        message:
          "\(what): a condition must be a comparison (such as x > 0) or True/False, as PyTorch's must be a bool tensor; got \(e)"
      )
    case .string:
      throw ParseError(column: column, message: "\(what): a condition must be a comparison or True/False, got a string")
    }
  }
}

/// Memoized canonical constructors for one interpretation (`Expr.sum`, `Expr.product`,
/// `Expr.power` are pure functions of their hash-consed operands).
private final class ConstructionMemo {
  private enum Operation: Hashable { case sum, product, power }
  private struct Key: Hashable {
    let operation: Operation
    let operands: [Expr]
  }
  private var built: [Key: Expr] = [:]

  /// `build(operands)`, or what it gave for the same operation and operands before.
  private func memoized(_ operation: Operation, _ operands: [Expr], _ build: ([Expr]) -> Expr) -> Expr {
    let key = Key(operation: operation, operands: operands)
    if let known = built[key] { return known }
    let e = build(operands)
    built[key] = e
    return e
  }

  func sum(_ terms: [Expr]) -> Expr {
    terms.count == 1 ? terms[0] : memoized(.sum, terms, Expr.sum)
  }

  func product(_ factors: [Expr]) -> Expr {
    factors.count == 1 ? factors[0] : memoized(.product, factors, Expr.product)
  }

  /// `-e` (`Expr`'s prefix minus).
  func negate(_ e: Expr) -> Expr {
    if let r = e.rationalValue { return .number(-r) }
    return product([.number(-1), e])
  }

  func power(_ base: Expr, _ exponent: Expr) -> Expr {
    memoized(.power, [base, exponent]) { Expr.power($0[0], $0[1]) }
  }
}

/// Elementwise operations with broadcasting.
enum Broadcast {
  static func unary(_ v: Expr.Value, column: Int, _ op: (Expr) -> Expr) throws -> Expr.Value {
    switch v {
    case .scalar, .list, .empty: return v.map(op)
    default: throw ParseError(column: column, message: "arithmetic on \(v.kindName)")
    }
  }

  static func binary(_ a: Expr.Value, _ b: Expr.Value, column: Int, _ op: (Expr, Expr) -> Expr) throws -> Expr.Value {
    switch (a, b) {
    case (.scalar(let x), .scalar(let y)): return .scalar(op(x, y))
    case (.string, _), (.boolean, _): throw ParseError(column: column, message: "arithmetic on \(a.kindName)")
    case (_, .string), (_, .boolean): throw ParseError(column: column, message: "arithmetic on \(b.kindName)")
    default: break
    }
    guard let sa = a.shape, let sb = b.shape else {
      throw ParseError(column: column, message: "arithmetic on a ragged list")
    }
    if case .empty = a { return try empty(broadcasting: [sa, sb], column: column) }
    if case .empty = b { return try empty(broadcasting: [sa, sb], column: column) }
    if sa.count > sb.count, case .list(let xs) = a {
      return .list(try xs.map { try binary($0, b, column: column, op) })
    }
    if sb.count > sa.count, case .list(let ys) = b {
      return .list(try ys.map { try binary(a, $0, column: column, op) })
    }
    // Both are lists now: scalars were handled above, an empty tensor too, and the operand
    // of the higher rank was entered; equal ranks above 0 are lists.
    guard case .list(let xs) = a, case .list(let ys) = b else {
      throw ParseError(column: column, message: "arithmetic on \(a.kindName) and \(b.kindName)")
    }
    if xs.count == ys.count { return .list(try zip(xs, ys).map { try binary($0, $1, column: column, op) }) }
    if xs.count == 1 { return .list(try ys.map { try binary(xs[0], $0, column: column, op) }) }
    if ys.count == 1 { return .list(try xs.map { try binary($0, ys[0], column: column, op) }) }
    throw ParseError(column: column, message: "shapes \(sa) and \(sb) cannot be broadcast together")
  }

  /// The empty tensor that operands of `shapes` broadcast to (one of them has no elements,
  /// so the common shape has a size 0 too), or the error naming the shapes.
  static func empty(broadcasting shapes: [[Int]], column: Int) throws -> Expr.Value {
    var shape = shapes[0]
    for s in shapes.dropFirst() {
      do { shape = try broadcastShape(shape, s, names: ("\(shape)", "\(s)")) } catch {
        throw ParseError(
          column: column,
          message: "shapes \(shapes.map(\.description).joined(separator: " and ")) cannot be broadcast together")
      }
    }
    return Expr.Tensor(shape: shape, elements: []).value
  }

  /// `op` elementwise over three values broadcast together (`torch.where`'s condition,
  /// input and other), by the rules of `binary`.
  static func ternary(
    _ a: Expr.Value, _ b: Expr.Value, _ c: Expr.Value, column: Int, _ op: (Expr, Expr, Expr) -> Expr
  ) throws -> Expr.Value {
    let values = [a, b, c]
    var shapes: [[Int]] = []
    for v in values {
      switch v {
      case .string, .boolean: throw ParseError(column: column, message: "arithmetic on \(v.kindName)")
      default: break
      }
      guard let s = v.shape else { throw ParseError(column: column, message: "arithmetic on a ragged list") }
      shapes.append(s)
    }
    if case .scalar(let x) = a, case .scalar(let y) = b, case .scalar(let z) = c { return .scalar(op(x, y, z)) }
    if values.contains(where: { if case .empty = $0 { true } else { false } }) {
      return try empty(broadcasting: shapes, column: column)
    }
    let rank = shapes.map(\.count).max()!
    // The leading axis of the highest-rank operands: equal lengths, or 1 to stretch.
    let lengths = Set(zip(values, shapes).compactMap { $1.count == rank ? $1[0] : nil })
    let stretched = lengths.subtracting([1])
    guard stretched.count <= 1 else {
      throw ParseError(
        column: column, message: "shapes \(shapes[0]), \(shapes[1]) and \(shapes[2]) cannot be broadcast together")
    }
    let n = stretched.first ?? 1
    func slice(_ v: Expr.Value, _ shape: [Int], _ i: Int) -> Expr.Value {
      guard shape.count == rank, case .list(let items) = v else { return v }
      return items.count == 1 ? items[0] : items[i]
    }
    return .list(
      try (0..<n).map { i in
        try ternary(slice(a, shapes[0], i), slice(b, shapes[1], i), slice(c, shapes[2], i), column: column, op)
      })
  }
}
