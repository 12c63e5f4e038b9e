/// An error in expression text: where it is (1-based column) and what is wrong.
///
/// Raised by the lexer and parser (syntax) and by the interpreter (unknown function,
/// wrong arguments, shape mismatch), always pointing at the offending column.
public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
  /// 1-based column (in characters) of the offending text.
  public let column: Int
  /// One-line reason.
  public let message: String

  public init(column: Int, message: String) {
    self.column = column
    self.message = message
  }

  public var description: String { "column \(column): \(message)" }

  /// The source line holding the column with a caret under it, then the message. The
  /// column counts characters of the whole source (newlines included); for a source of
  /// several lines the line number is given and the caret sits in that line.
  public func rendered(source: String) -> String {
    let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    var start = 1  // column of the first character of the current line
    for (n, line) in lines.enumerated() {
      let end = start + line.count  // the newline's column (or one past the end)
      if column <= end || n == lines.count - 1 {
        let caret = String(repeating: " ", count: Swift.max(0, column - start)) + "^"
        let place = lines.count > 1 ? "line \(n + 1), column \(column - start + 1)" : "column \(column)"
        return "\(line)\n\(caret)\nerror: \(place): \(message)"
      }
      start = end + 1
    }
    return "error: \(description)"
  }
}
