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
  /// The value of the whole text: the call's value, or its item `item`.
  public let result: Expr.Value
  /// For text `f(...)[k]` (an item of a function that returns a tuple, as
  /// `multi_head_attention_forward(...)[0]`): `k`; nil for a plain call.
  public var item: Int? = nil

  /// The call tree of `text`, or nil when the text is not a function call at top level.
  /// `bindings` name values as in `ExpressionLanguage.valueAndWarnings(parsing:bindings:)`.
  public static func parse(_ text: String, bindings: [String: Expr.Value] = [:]) throws -> CallTree? {
    try DeepInput.run(for: text) {
      let syntax = try Parser.parse(text)
      return try tree(syntax, Interpreter(functions: ExpressionLanguage.functions, bindings: bindings))
    }
  }

  private static func tree(_ s: Syntax, _ interpreter: Interpreter) throws -> CallTree? {
    // An item of a call's result, by a literal non-negative integer: the call's tree,
    // with the item's value as its result.
    if case .index(let base, .number(let text, _), _) = s, case .call = base, let k = Int(text), k >= 0,
      var t = try tree(base, interpreter)
    {
      t = CallTree(name: t.name, positional: t.positional, keywords: t.keywords, result: try interpreter.value(of: s))
      t.item = k
      return t
    }
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
