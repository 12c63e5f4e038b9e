/// `torch.where(condition, input, other)`: the selection of `Expr+Selection.swift`,
/// elementwise with broadcasting of all three.
///
/// The condition is what PyTorch accepts as a bool tensor: comparisons (`x > 0`,
/// `x - y <= 1`, `t == 2`, `t != 0`, each 1 or 0), their combinations with `&`, `|`, `~`,
/// `True`/`False` and lists of them; a comparison of numbers is folded to the number 1 or
/// 0, so those are accepted too (`Interpreter.condition`). Any other value is refused, as
/// PyTorch refuses a float condition. `where(x > 0, log(x), 0)`
/// evaluates the selected branch only (0 at `x = -1`), and its derivative is the selected
/// branch's (0 at `x = 0`, where PyTorch's backward gives NaN: README's divergence
/// table). The one-argument `torch.where(condition)` returns indices: refused.
enum SelectionFunctions {
  static let all: [LanguageFunction] = [select]

  private static let select = LanguageFunction(
    name: "where",
    summary:
      "where(condition, input, other): input where the condition (a comparison such as x > 0, or True/False) holds, else other; only the selected branch is evaluated and differentiated"
  ) { args in
    if args.positional.count + args.keywords.count == 1 {
      throw args.error("where(condition) returns indices in PyTorch (torch.nonzero); give input and other")
    }
    let names = ["condition", "input", "other"]
    try args.expect(positional: 0...3, keywords: Set(names), names: names)
    var operands: [(value: Expr.Value, column: Int)] = []
    for (i, name) in names.enumerated() {
      guard let a = args.argument(i, name) else { throw args.error("missing argument '\(name)'") }
      operands.append(a)
    }
    let condition = try Interpreter.condition(operands[0].value, "where", operands[0].column)
    return try Broadcast.ternary(condition, operands[1].value, operands[2].value, column: args.column) {
      Expr.selection(nonzero: $0, $1, $2)
    }
  }
}
