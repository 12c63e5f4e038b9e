extension Expr {
  /// A value of the expression language: a scalar expression, a (nested) list of values
  /// for vectors and matrices, a string (keyword options such as `reduction="sum"`) or a
  /// boolean (`True`/`False`).
  public enum Value: Sendable, Equatable {
    case scalar(Expr)
    case list([Value])
    case string(String)
    case boolean(Bool)
    /// A tensor with no elements whose shape nested lists cannot hold: a size 0 before its
    /// last dimension, as `(1, 0, 3)` or `(0, 2)` (`[]` is `(0,)` and `[[], []]` is `(2, 0)`,
    /// both lists). Written `zeros(1, 0, 3)`; `Tensor.value` makes it, and only for such shapes.
    case empty(shape: [Int])

    /// The shape of a rectangular nested list (`[]` for a scalar), nil if ragged or if it
    /// holds strings or booleans.
    public var shape: [Int]? {
      switch self {
      case .scalar: return []
      case .string, .boolean: return nil
      case .empty(let shape): return shape
      case .list(let items):
        guard let first = items.first else { return [0] }
        guard let inner = first.shape else { return nil }
        for item in items.dropFirst() where item.shape != inner { return nil }
        return [items.count] + inner
      }
    }

    /// The scalar leaves in row-major order (empty for strings and booleans).
    public var flattened: [Expr] {
      switch self {
      case .scalar(let e): return [e]
      case .list(let items): return items.flatMap(\.flattened)
      case .string, .boolean, .empty: return []
      }
    }

    /// Applies `transform` to every scalar leaf, keeping the shape.
    public func map(_ transform: (Expr) throws -> Expr) rethrows -> Value {
      switch self {
      case .scalar(let e): return .scalar(try transform(e))
      case .list(let items): return .list(try items.map { try $0.map(transform) })
      case .string, .boolean, .empty: return self
      }
    }

    /// A short human name of the kind of value, for error messages.
    var kindName: String {
      switch self {
      case .scalar: return "a scalar"
      case .list: return shape.map { "a list of shape \($0)" } ?? "a ragged list"
      case .empty(let shape): return "an empty tensor of shape \(shape)"
      case .string: return "a string"
      case .boolean: return "a boolean"
      }
    }
  }
}

extension Expr.Value: CustomStringConvertible {
  /// Scalars in the text syntax, lists as `[a, b]`, strings quoted.
  public var description: String { text(printing: \.description) }

  /// Text that `sympy.sympify` reads: scalars as `Expr.sympyDescription`, lists as Python
  /// lists (`[a, b]`, `[[a, b], [c, d]]`).
  /// An empty tensor of shape `(1, 0, 3)` is `Array([], (1, 0, 3))` (sympy's N-dimensional
  /// array keeps the shape; its `zeros` builds matrices only).
  public var sympyDescription: String {
    text(printing: \.sympyDescription) { "Array([], (" + $0.map(String.init).joined(separator: ", ") + "))" }
  }

  /// The text with each scalar printed by `print` (each distinct scalar once).
  func text(
    printing print: (Expr) -> String,
    empty: ([Int]) -> String = { "zeros(" + $0.map(String.init).joined(separator: ", ") + ")" }
  ) -> String {
    var out = ""
    var printed: [Expr: String] = [:]
    write(to: &out, printed: &printed, print, empty)
    return out
  }

  /// Appends the text to `out`, printing each distinct scalar once (a 716 x 716 mask
  /// has two distinct entries).
  private func write(
    to out: inout String, printed: inout [Expr: String], _ print: (Expr) -> String, _ empty: ([Int]) -> String
  ) {
    switch self {
    case .scalar(let e):
      if let text = printed[e] {
        out += text
      } else {
        let text = print(e)
        printed[e] = text
        out += text
      }
    case .list(let items):
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += ", " }
        item.write(to: &out, printed: &printed, print, empty)
      }
      out += "]"
    // The quote the string does not contain, so the text reads back (the language has no
    // escapes; a string holding both quotes cannot be written in it).
    case .string(let s): out += s.contains("\"") ? "'\(s)'" : "\"\(s)\""
    case .boolean(let b): out += b ? "True" : "False"
    case .empty(let shape): out += empty(shape)
    }
  }
}
