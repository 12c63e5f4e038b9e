/// LaTeX renderings of results: a scalar, a gradient (column `pmatrix`) or a Jacobian or
/// Hessian (`pmatrix`), with large or repeated subexpressions named and defined below,
/// and a complete document that pdflatex compiles with amsmath and amssymb only.
///
/// A rendering is display math whose rows are separated by `\\` at the top level, for a
/// `gather*` environment (what `display(_:)` and `standalone` wrap it in), so that
/// `\allowdisplaybreaks` may break a page between the value and its definitions:
///
/// ```
/// \begin{pmatrix} \frac{e^{x_{0}}}{S} - ... & ... \end{pmatrix},\\
/// \text{where }\begin{aligned}[t]
/// S &= e^{x_{0}} + e^{x_{1}} + e^{x_{2}}
/// \end{aligned}
/// ```
///
/// With a `lineLength`, a sum whose LaTeX is longer than that many characters is broken
/// before a `+` or `-` (a scalar inside an `aligned` block, a definition inside the
/// `where` block). Without one (the default) every expression is one line, so committed
/// documents generated earlier stay byte-identical.
public enum LatexDocument {
  /// A line length for `lineLength:` parameters: characters of LaTeX source, a proxy for
  /// the printed width (about one line of an A4 page in 10pt).
  public static let lineLength = 110

  /// A scalar expression. Named: subexpressions of 40 nodes or more, and repeated ones of
  /// 6 or more, are replaced by S, T, ... and defined in a `where` block.
  public static func scalar(_ e: Expr, named: Bool = true, lineLength: Int? = nil) -> String {
    guard named else { return broken(e, lineLength) }
    let n = SubexpressionNaming([e], largeSize: 40)
    return broken(n.entries[0], lineLength) + (n.definitions.isEmpty ? "" : whereBlock(n.definitions, lineLength))
  }

  /// A gradient (or any list of scalars) as a column vector `pmatrix`.
  public static func gradient(_ entries: [Expr], named: Bool = true, lineLength: Int? = nil) -> String {
    matrix(entries.map { [$0] }, named: named, lineLength: lineLength)
  }

  /// A matrix (rows of expressions: a Jacobian or Hessian) as a `pmatrix`. Names are
  /// chosen over all entries together, so a subexpression repeated across entries is
  /// defined once. `lineLength` breaks long definitions (cells are never broken).
  public static func matrix(_ rows: [[Expr]], named: Bool = true, lineLength: Int? = nil) -> String {
    let (cells, definitions) = namedCells(rows, named: named)
    let lines = cells.map { $0.joined(separator: " & ") }
    var body = "\\begin{pmatrix}\n" + lines.joined(separator: " \\\\\n") + "\n\\end{pmatrix}"
    if !definitions.isEmpty { body += whereBlock(definitions, lineLength) }
    return body
  }

  /// The LaTeX of each entry of `rows`, with subexpressions named over all entries
  /// together (see `SubexpressionNaming`) unless `named` is false, and the definitions.
  static func namedCells(_ rows: [[Expr]], named: Bool) -> (
    cells: [[String]], definitions: [(name: Expr, definition: Expr)]
  ) {
    let flat = rows.flatMap { $0 }
    let naming = named ? SubexpressionNaming(flat) : nil
    var entries = (naming?.entries ?? flat)[...]
    var cells: [[String]] = []
    for row in rows {
      cells.append(entries.prefix(row.count).map(\.latex))
      entries = entries.dropFirst(row.count)
    }
    return (cells, naming?.definitions ?? [])
  }

  /// The `where` block: definitions in dependency order in an `aligned` environment.
  private static func whereBlock(_ defs: [(name: Expr, definition: Expr)], _ lineLength: Int?) -> String {
    ",\\\\\n\\text{where }\\begin{aligned}[t]\n"
      + defs.map { "\($0.name.latex) &= " + lines($0.definition, lineLength).joined(separator: " \\\\\n&\\quad ") }
      .joined(separator: " \\\\\n")
      + "\n\\end{aligned}"
  }

  /// `e` on one line, or a long sum in a top-aligned `aligned` block of several lines.
  private static func broken(_ e: Expr, _ lineLength: Int?) -> String {
    let l = lines(e, lineLength)
    guard l.count > 1 else { return l[0] }
    return "\\begin{aligned}[t]\n&" + l.joined(separator: " \\\\\n&\\quad ") + "\n\\end{aligned}"
  }

  /// The LaTeX of `e` in lines of at most about `lineLength` characters: a long sum is
  /// split between terms, each continuation line starting with `{}+` or `{}-` (the `{}`
  /// keeps the binary spacing of the sign). Anything else, or no `lineLength`, is one line.
  static func lines(_ e: Expr, _ lineLength: Int?) -> [String] {
    let whole = e.latex
    guard let limit = lineLength, whole.count > limit, case .sum(let terms) = e.kind else { return [whole] }
    // The sum printer's order: a number term goes last unless the next term is negative.
    var texts = terms.map(\.latex)
    if case .number = terms[0].kind, terms.count > 1, !texts[1].hasPrefix("-") {
      texts.append(texts.removeFirst())
    }
    var result: [String] = []
    var line = ""
    for (i, t) in texts.enumerated() {
      let piece = i == 0 ? t : (t.hasPrefix("-") ? "- " + t.dropFirst() : "+ " + t)
      if !line.isEmpty && line.count + piece.count > limit {
        result.append(line)
        line = "{}" + piece
      } else {
        line += line.isEmpty ? piece : " " + piece
      }
    }
    result.append(line)
    return result
  }

  /// A rendering as a displayed `gather*` environment, ready to paste into a document that
  /// loads amsmath.
  public static func display(_ body: String) -> String {
    "\\begin{gather*}\n" + body + "\n\\end{gather*}"
  }

  /// A complete document around one rendering (or any display math), with an optional
  /// title.
  public static func standalone(body: String, title: String? = nil) -> String {
    standalone(title: title, blocks: [body])
  }

  /// A complete article: an optional title and text paragraphs (both escaped), then one
  /// `gather*` display per block. Only amsmath and amssymb (texlive-latex-base), with
  /// `\allowdisplaybreaks` so long displays may break across pages between rows.
  public static func standalone(title: String? = nil, paragraphs: [String] = [], blocks: [String]) -> String {
    standalone(title: title, paragraphs: paragraphs, rawBlocks: blocks.map(display))
  }

  /// A complete article around math that brings its own environments (an `align*` from
  /// `equation(_:scalar:)`): an optional title and text paragraphs (both escaped), then
  /// each block as it is.
  public static func standalone(title: String? = nil, paragraphs: [String] = [], rawBlocks: [String]) -> String {
    var out = """
      \\documentclass[10pt]{article}
      \\usepackage{amsmath}
      \\usepackage{amssymb}
      \\allowdisplaybreaks
      \\begin{document}

      """
    if let t = title { out += "\\section*{\(escape(t))}\n" }
    for p in paragraphs { out += escape(p) + "\n\n" }
    for b in rawBlocks { out += b + "\n" }
    out += "\\end{document}\n"
    return out
  }

  /// Escapes text for LaTeX paragraphs: `\ { } $ & # _ % ^ ~` become their text forms.
  public static func escape(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "\\": out += "\\textbackslash{}"
      case "{", "}", "$", "&", "#", "_", "%": out += "\\" + String(c)
      case "^": out += "\\^{}"
      case "~": out += "\\~{}"
      default: out.append(c)
      }
    }
    return out
  }
}
