/// A function callable from expression text, e.g. `exp(x)` or (later layers)
/// `cross_entropy(X, target, reduction="sum")`.
public struct LanguageFunction: Sendable {
  /// The name used in expression text (a contract: names never change).
  public let name: String
  /// One-line signature and meaning, shown in help.
  public let summary: String
  let call: @Sendable (CallArguments) throws -> Expr.Value

  public init(name: String, summary: String, call: @escaping @Sendable (CallArguments) throws -> Expr.Value) {
    self.name = name
    self.summary = summary
    self.call = call
  }
}

/// The arguments of one call in expression text, with helpers that check them and
/// report errors at the right column.
public struct CallArguments: Sendable {
  public let function: String
  /// Column of the function name.
  public let column: Int
  public let positional: [(value: Expr.Value, column: Int)]
  public let keywords: [(name: String, value: Expr.Value, column: Int)]
  /// Where warnings go (PyTorch's `UserWarning`s, e.g. an implicit softmax dimension).
  let warnings: WarningLog?

  public init(
    function: String, column: Int, positional: [(value: Expr.Value, column: Int)],
    keywords: [(name: String, value: Expr.Value, column: Int)]
  ) {
    self.init(function: function, column: column, positional: positional, keywords: keywords, warnings: nil)
  }

  init(
    function: String, column: Int, positional: [(value: Expr.Value, column: Int)],
    keywords: [(name: String, value: Expr.Value, column: Int)], warnings: WarningLog?
  ) {
    self.function = function
    self.column = column
    self.positional = positional
    self.keywords = keywords
    self.warnings = warnings
  }

  /// Records a warning (shown by the command line on standard error), prefixed with the
  /// function's name.
  public func warn(_ message: String) { warnings?.append("\(function): \(message)") }

  public func error(_ message: String, at column: Int? = nil) -> ParseError {
    ParseError(column: column ?? self.column, message: "\(function): \(message)")
  }

  /// Checks the number of positional arguments and the keyword names. `names` gives the
  /// names of the parameters that may be passed either way, in order (PyTorch's
  /// signature): a keyword naming a parameter already given by position is an error, as
  /// Python's "got multiple values for argument".
  public func expect(positional range: ClosedRange<Int>, keywords allowed: Set<String> = [], names: [String] = [])
    throws
  {
    for k in keywords {
      if let i = names.firstIndex(of: k.name), i < positional.count {
        throw error("got multiple values for argument '\(k.name)' (position \(i + 1) and keyword)", at: k.column)
      }
    }
    guard range.contains(positional.count) else {
      let want =
        range.lowerBound == range.upperBound
        ? "\(range.lowerBound)"
        : (range.upperBound == Int.max ? "at least \(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)")
      throw error("takes \(want) positional argument(s), got \(positional.count)")
    }
    for k in keywords where !allowed.contains(k.name) {
      let known = allowed.isEmpty ? "it takes none" : "known: " + allowed.sorted().joined(separator: ", ")
      let close = Suggestions.clause(Suggestions.closest(to: k.name, among: allowed.sorted()))
      throw error("unexpected keyword argument '\(k.name)'\(close) (\(known))", at: k.column)
    }
  }

  /// The keyword argument called `name`, if given; `name=None` counts as not given (every
  /// optional parameter's default is PyTorch's, which `None` selects).
  public func keyword(_ name: String) -> (value: Expr.Value, column: Int)? {
    keywords.first { $0.name == name && !$0.value.isNone }.map { ($0.value, $0.column) }
  }

  /// Positional argument `i`, or the keyword `name` (PyTorch allows both); `None` counts as
  /// not given.
  public func argument(_ i: Int, _ name: String) -> (value: Expr.Value, column: Int)? {
    if i < positional.count { return positional[i].value.isNone ? nil : positional[i] }
    return keyword(name)
  }

  /// The scalar at positional index `i`.
  public func scalar(_ i: Int) throws -> Expr {
    let (v, c) = positional[i]
    guard case .scalar(let e) = v else { throw error("argument \(i + 1) must be a scalar, got \(v.kindName)", at: c) }
    return e
  }
}

extension Expr.Value {
  /// Whether this is Python's `None` (read as the symbol `None`), which passes a parameter's
  /// default.
  var isNone: Bool {
    if case .scalar(let e) = self { return e.symbolName == "None" }
    return false
  }

  /// The exact number held by a scalar value, or nil.
  public var rationalValue: Rational? {
    if case .scalar(let e) = self { return e.rationalValue }
    return nil
  }
}

/// The expression language: its functions and the entry points that parse text.
public enum ExpressionLanguage {
  /// Every function callable from text, by name (`FunctionRegistry`).
  public static var functions: [String: LanguageFunction] { FunctionRegistry.byName }

  /// Parses and interprets `text` into a value (scalar, list, string or boolean).
  public static func value(parsing text: String) throws -> Expr.Value {
    try valueAndWarnings(parsing: text).value
  }

  /// `value(parsing:)` and the warnings the calls raised, in order (PyTorch's
  /// `UserWarning`s, e.g. `softmax` without `dim`).
  ///
  /// `bindings` give names values (a tensor of symbols declared with `--tensor`, data read
  /// from a file): a bound name stands for its value wherever it occurs in `text`.
  public static func valueAndWarnings(parsing text: String, bindings: [String: Expr.Value] = [:]) throws -> (
    value: Expr.Value, warnings: [String]
  ) {
    try DeepInput.run(for: text) {
      let syntax = try Parser.parse(text)
      let log = WarningLog()
      let v = try Interpreter(functions: functions, warnings: log, bindings: bindings).value(of: syntax)
      return (v, log.messages)
    }
  }

  /// Whether `name` is a symbol name of the language (one undotted name that reads back
  /// as a symbol, not `inf`, `nan`, `pi`, `E`, `True` or `False`).
  public static func isSymbolName(_ name: String) -> Bool { Lexer.isIdentifier(name) }
}

extension Expr {
  /// Parses expression text (Python/sympy syntax) into a scalar expression.
  ///
  /// Throws `ParseError` (column and message) for malformed text, unknown functions,
  /// bad arguments, or a text whose value is a list rather than a scalar.
  public init(parsing text: String) throws {
    let v = try ExpressionLanguage.value(parsing: text)
    guard case .scalar(let e) = v else {
      throw ParseError(column: 1, message: "expected a scalar expression, got \(v.kindName)")
    }
    self = e
  }
}

extension Expr.Value {
  /// Parses expression text that may denote a list or matrix.
  public init(parsing text: String) throws { self = try ExpressionLanguage.value(parsing: text) }
}

/// The warnings raised while one text is interpreted (one interpretation, one thread).
final class WarningLog: @unchecked Sendable {
  private(set) var messages: [String] = []
  func append(_ message: String) { messages.append(message) }
}
