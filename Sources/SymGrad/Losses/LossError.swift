/// A loss called with arguments PyTorch would reject; the message follows PyTorch's.
public struct LossError: Error, Equatable, Sendable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
