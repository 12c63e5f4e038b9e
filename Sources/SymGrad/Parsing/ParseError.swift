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

  /// The source line with a caret under the column, then the message.
  public func rendered(source: String) -> String {
    let line = source.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? source
    let caret = String(repeating: " ", count: Swift.max(0, column - 1)) + "^"
    return "\(line)\n\(caret)\nerror: \(description)"
  }
}
