/// A loss called with arguments PyTorch would reject; the message follows PyTorch's.
///
/// `argument` names the offending parameter as PyTorch's signature does (`input`, `target`,
/// `weight`, `dim`, `attn_mask`, ...), nil when the error concerns the call as a whole. The
/// expression language reports the error at that argument's column.
public struct LossError: Error, Equatable, Sendable, CustomStringConvertible {
  public let message: String
  public let argument: String?
  public init(_ message: String, argument: String? = nil) {
    self.message = message
    self.argument = argument
  }
  public var description: String { argument.map { "\($0): \(message)" } ?? message }
}
