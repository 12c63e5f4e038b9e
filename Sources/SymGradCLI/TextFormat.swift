import SymGrad

/// `--format text|sympy` (eval, diff, simplify, hessian; a contract): the syntax formulas
/// are printed in. `text` is SymGrad's expression language (the default, read back by
/// every command); `sympy` is text that `sympy.sympify` loads unchanged: `oo` and `nan`,
/// `Abs`/`Max`/`Min`, sigmoid, softplus, log1p, expm1 and the [0, 1] guard written out,
/// names sympy would misread as `Symbol('...')`, lists as Python lists (a gradient or a
/// Jacobian prints as one list, in `--wrt` order). Numbers (`= ...` lines, JSON "value")
/// are the same in both.
enum TextFormat: String, CaseIterable {
  case text
  case sympy

  /// The format `--format` names (text when absent).
  init(_ o: Options) throws {
    guard let name = o.values["--format"] else {
      self = .text
      return
    }
    guard let f = TextFormat(rawValue: name) else {
      throw UsageError(
        "--format must be one of \(TextFormat.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
    }
    self = f
  }

  func print(_ e: Expr) -> String {
    switch self {
    case .text: return e.description
    case .sympy: return e.sympyDescription
    }
  }

  func print(_ v: Expr.Value) -> String {
    switch self {
    case .text: return v.description
    case .sympy: return v.sympyDescription
    }
  }

  /// The line for `--help`.
  static let help = """
      --format text|sympy   the syntax of printed formulas: SymGrad's (default) or text
                            that sympy.sympify loads (oo, nan, Abs, sigmoid written out)
    """
}
