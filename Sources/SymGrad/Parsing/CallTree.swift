/// The call structure of expression text whose top level is a function call, with its
/// arguments evaluated except nested calls, which stay trees. Tools that re-run a call
/// elsewhere (the autograd oracle bridge) read it:
/// `cross_entropy(linear(X, W), [0, 1], reduction="sum")` is a `cross_entropy` node whose
/// first argument is a `linear` node.
public struct CallTree: Sendable {
  public indirect enum Argument: Sendable {
    case value(Expr.Value)
    case call(CallTree)

    /// The argument's value (a nested call is evaluated).
    public var value: Expr.Value {
      switch self {
      case .value(let v): return v
      case .call(let c): return c.result
      }
    }
  }

  public let name: String
  public let positional: [Argument]
  public let keywords: [String: Expr.Value]
  /// The value of the whole call.
  public let result: Expr.Value

  /// The call tree of `text`, or nil when the text is not a function call at top level.
  /// `bindings` name values as in `ExpressionLanguage.valueAndWarnings(parsing:bindings:)`.
  public static func parse(_ text: String, bindings: [String: Expr.Value] = [:]) throws -> CallTree? {
    try DeepInput.run(for: text) {
      let syntax = try Parser.parse(text)
      return try tree(syntax, Interpreter(functions: ExpressionLanguage.functions, bindings: bindings))
    }
  }

  private static func tree(_ s: Syntax, _ interpreter: Interpreter) throws -> CallTree? {
    guard case .call(let name, let arguments, let keywords, _) = s else { return nil }
    let positional = try arguments.map { a -> Argument in
      if let t = try tree(a, interpreter) { return .call(t) }
      return .value(try interpreter.value(of: a))
    }
    var kw: [String: Expr.Value] = [:]
    for k in keywords { kw[k.name] = try interpreter.value(of: k.value) }
    // The registered name (`F.softmax` is `softmax`).
    let registered = FunctionRegistry.resolve(name)?.name ?? name
    return CallTree(name: registered, positional: positional, keywords: kw, result: try interpreter.value(of: s))
  }
}
