/// Paper-ready renderings: each result as an equation with its left-hand side, and the
/// named subexpressions as further equations, all in one `align*` environment:
///
/// ```
/// \begin{align*}
/// \nabla_{(a,\, b,\, c)} L &= \begin{pmatrix}
/// \frac{e^{a}}{S} \\[6pt]
/// \frac{e^{b}}{S} - 1 \\[6pt]
/// \frac{e^{c}}{S}
/// \end{pmatrix},\\
/// \text{where}\quad S &= e^{a} + e^{b} + e^{c}
/// \end{align*}
/// ```
///
/// Rows of a matrix that hold fractions are spaced apart (`\\[6pt]`) so stacked fractions
/// do not touch; a matrix too wide for the page becomes one equation per entry. Left-hand
/// sides are built by the `...LHS` helpers from the function's name (`L` by default) and
/// the variables: `L`, `\frac{\partial L}{\partial x}`, `\nabla_{(a,\, b)} L`,
/// `\frac{\partial (y_{1}, y_{2})}{\partial (a,\, b)}`.
extension LatexDocument {
  /// An equation `lhs = value` for a scalar, with its named subexpressions as equations
  /// below (unless `named` is false).
  public static func equation(_ lhs: String, scalar e: Expr, named: Bool = true, lineLength: Int? = nil) -> String {
    guard named else {
      return equations([(lhs, lines(e, lineLength).joined(separator: continuation))], definitions: [], lineLength)
    }
    let n = SubexpressionNaming([e], largeSize: 40)
    return equations(
      [(lhs, lines(n.entries[0], lineLength).joined(separator: continuation))], definitions: n.definitions, lineLength)
  }

  /// An equation `lhs = (matrix)` for rows of expressions (a gradient as one column, a
  /// Jacobian or Hessian), names chosen over all entries together.
  ///
  /// A matrix too wide for the page (a row of more than `maximumRowLength` characters of
  /// LaTeX: a 5 x 5 softmax Jacobian overflowed an A4 line by 45pt) is written as one
  /// equation per entry instead, `entryLHS(i, j) = ...` (rows and columns from 0), when
  /// `entryLHS` is given.
  public static func equation(
    _ lhs: String, rows: [[Expr]], named: Bool = true, lineLength: Int? = nil,
    entryLHS: ((Int, Int) -> String)? = nil
  ) -> String {
    let (cells, definitions) = namedCells(rows, named: named)
    let texts = cells.map { $0.joined(separator: " & ") }
    if let entryLHS, texts.contains(where: { $0.count > maximumRowLength }) {
      let perEntry = cells.enumerated().flatMap { i, row in row.enumerated().map { j, cell in (entryLHS(i, j), cell) } }
      return equations(perEntry, definitions: definitions, lineLength)
    }
    // Stacked fractions in adjacent rows touch at the default row height.
    let separator = texts.contains { $0.contains("\\frac") } ? " \\\\[6pt]\n" : " \\\\\n"
    let matrix = "\\begin{pmatrix}\n" + texts.joined(separator: separator) + "\n\\end{pmatrix}"
    return equations([(lhs, matrix)], definitions: definitions, lineLength)
  }

  /// The longest matrix row, in characters of LaTeX source, printed as a matrix (a proxy
  /// for its printed width: rows of 127 fit a 10pt A4 line, rows of 197 did not).
  public static let maximumRowLength = 160

  /// Between the lines of a long value: a new `align*` row, indented.
  private static let continuation = " \\\\\n&\\quad "

  /// `lhs &= value` for each equation, then `name &= definition` for each definition (the
  /// first introduced by "where"), in an `align*` environment.
  private static func equations(
    _ equations: [(lhs: String, value: String)], definitions: [(name: Expr, definition: Expr)],
    _ lineLength: Int?
  ) -> String {
    var rows = equations.map { "\($0.lhs) &= \($0.value)" }
    if !definitions.isEmpty { rows[rows.count - 1] += "," }
    for (i, d) in definitions.enumerated() {
      let name = (i == 0 ? "\\text{where}\\quad " : "") + d.name.latex
      rows.append("\(name) &= " + lines(d.definition, lineLength).joined(separator: continuation))
    }
    return "\\begin{align*}\n" + rows.joined(separator: "\\\\\n") + "\n\\end{align*}"
  }

  // MARK: Left-hand sides

  /// The LaTeX of a variable name as the expression printer writes the symbol (`x_{0}`).
  public static func variable(_ name: String) -> String { Expr.symbol(name).latex }

  /// `\frac{\partial L}{\partial x}`.
  public static func derivativeLHS(of function: String = "L", withRespectTo name: String) -> String {
    "\\frac{\\partial \(function)}{\\partial \(variable(name))}"
  }

  /// `\nabla_{(a,\, b,\, c)} L`, or `\nabla L` past six variables (the list would not fit).
  public static func gradientLHS(of function: String = "L", withRespectTo names: [String]) -> String {
    guard names.count <= 6 else { return "\\nabla \(function)" }
    return "\\nabla_{(" + names.map(variable).joined(separator: ",\\, ") + ")} \(function)"
  }

  /// `\frac{\partial (y_{1}, \dots, y_{m})}{\partial (a,\, b)}` (every output written
  /// out up to four, the variables up to six).
  public static func jacobianLHS(outputs m: Int, withRespectTo names: [String]) -> String {
    let ys = m <= 4 ? (1...Swift.max(m, 1)).map { "y_{\($0)}" }.joined(separator: ", ") : "y_{1}, \\dots, y_{\(m)}"
    let xs =
      names.count <= 6
      ? names.map(variable).joined(separator: ",\\, ")
      : "\(variable(names[0])), \\dots, \(variable(names[names.count - 1]))"
    return "\\frac{\\partial (\(ys))}{\\partial (\(xs))}"
  }

  /// `\frac{\partial y_{i}}{\partial x}`: one entry of a Jacobian (`i` counts from 1).
  public static func jacobianEntryLHS(output i: Int, withRespectTo name: String) -> String {
    "\\frac{\\partial y_{\(i)}}{\\partial \(variable(name))}"
  }
}
