/// The languages `CodeGenerator` writes (a contract: `symgrad codegen --lang`).
///
/// Every language computes the same `CodeProgram` in IEEE double precision; they differ in
/// how a domain error or an overflow surfaces, and each generated function makes them IEEE:
/// - `swift`: Foundation's functions; results as IEEE (NaN for domain errors).
/// - `c`: C99 `<math.h>`; results as IEEE.
/// - `python`: the `math` module, whose functions raise on overflow and domain errors;
///   the generated function defines small local helpers that return IEEE's `inf` and NaN
///   instead, so it never raises on numeric input.
/// - `numpy`: parameters converted with `np.asarray(..., dtype=np.float64)` (arrays
///   broadcast: one call evaluates many points), warnings of IEEE results suppressed.
/// - `torch`: parameters converted with `torch.as_tensor(..., dtype=torch.float64)`
///   (tensors broadcast); the gradient is computed by the generated formulas, not autograd.
public enum CodeLanguage: String, Sendable, CaseIterable {
  case swift, python, numpy, torch, c

  /// Whether the language is one of the Python ones (indentation, `def`, `**`-free calls).
  var isPython: Bool { self == .python || self == .numpy || self == .torch }

  /// Names a parameter may not take (keywords, and the names generated code uses), for
  /// every language at once so a symbol keeps its name across languages.
  static let reservedNames: Set<String> = [
    // Swift
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
    "inout", "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows", "static",
    "struct", "subscript", "typealias", "var", "break", "case", "continue", "default", "defer", "do",
    "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while",
    "as", "Any", "catch", "false", "is", "nil", "super", "self", "Self", "throw", "throws", "true", "try",
    "Double", "Swift", "Foundation", "some", "any", "await", "async",
    // C
    "auto", "char", "const", "double", "extern", "float", "goto", "int", "long", "register", "short",
    "signed", "sizeof", "unsigned", "void", "volatile", "union", "typedef", "restrict", "inline",
    "NAN", "INFINITY", "isnan", "isfinite", "fmax", "fabs", "pow", "sqrt", "exp", "log", "log1p",
    "expm1", "sin", "cos", "tanh",
    // Python
    "False", "None", "True", "and", "assert", "del", "elif", "except", "finally", "from", "global",
    "lambda", "nonlocal", "not", "or", "pass", "raise", "with", "yield", "def", "math", "np", "torch",
    "abs", "max", "min", "float",
    // The generated function's own names.
    "value", "gradient", "values", "jacobian",
  ]
}
