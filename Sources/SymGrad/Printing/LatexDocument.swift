/// LaTeX renderings of results: a scalar, a gradient (column `pmatrix`) or a Jacobian
/// (`pmatrix`), with large or repeated subexpressions named and defined below, and a
/// complete document that pdflatex compiles (amsmath and amssymb only).
public enum LatexDocument {
  /// A matrix (rows of expressions) as `pmatrix`, a single row for a gradient column.
  public static func matrix(_ rows: [[Expr]], named: Bool = true) -> String {
    let flat = rows.flatMap { $0 }
    let naming = named ? SubexpressionNaming(flat) : nil
    var entries = naming?.entries ?? flat
    var lines: [String] = []
    for row in rows {
      let cells = entries.prefix(row.count)
      entries.removeFirst(row.count)
      lines.append(cells.map(\.latex).joined(separator: " & "))
    }
    var body = "\\begin{pmatrix}\n" + lines.joined(separator: " \\\\\n") + "\n\\end{pmatrix}"
    if let n = naming, !n.definitions.isEmpty { body += where_(n.definitions) }
    return body
  }

  /// A scalar with its subexpressions named.
  public static func scalar(_ e: Expr, named: Bool = true) -> String {
    guard named else { return e.latex }
    let n = SubexpressionNaming([e], largeSize: 40)
    return n.entries[0].latex + (n.definitions.isEmpty ? "" : where_(n.definitions))
  }

  private static func where_(_ defs: [(name: Expr, definition: Expr)]) -> String {
    ",\\\\\n\\text{where }\\begin{aligned}[t]\n"
      + defs.map { "\($0.name.latex) &= \($0.definition.latex)" }.joined(separator: " \\\\\n")
      + "\n\\end{aligned}"
  }

  /// A complete document around display math `body` (one `gather*` environment per entry
  /// of `blocks`), with an optional title and text paragraphs.
  public static func standalone(title: String? = nil, paragraphs: [String] = [], blocks: [String]) -> String {
    var out = """
      \\documentclass[10pt]{article}
      \\usepackage{amsmath}
      \\usepackage{amssymb}
      \\allowdisplaybreaks
      \\begin{document}

      """
    if let t = title { out += "\\section*{\(escape(t))}\n" }
    for p in paragraphs { out += escape(p) + "\n\n" }
    for b in blocks { out += "\\begin{gather*}\n" + b + "\n\\end{gather*}\n" }
    out += "\\end{document}\n"
    return out
  }

  /// Escapes text for LaTeX paragraphs.
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
