/// Tensors of symbols: the inputs of a loss at real batch sizes, named element by element.
///
/// Element names (a contract, stated in the README): the tensor's name, then each index in
/// brackets, row-major: `X[0][0], X[0][1], ..., X[63][999]` for a 64 x 1000 tensor `X`,
/// `v[0], v[1], ...` for a vector. These are the language's element symbols (`x[0]` and
/// `W[0][1]` in text name symbols of their own), so printed results read back, and
/// `X[3][17]` in text is that element whether or not `X` is bound to the tensor.
extension Expr.Tensor {
  /// The most elements a tensor of symbols may have: 262,144, four times a 64 x 1000
  /// batch. Each is an interned symbol (about 1.5 microseconds and 200 bytes to make) that
  /// every command then prints and reads back: 2^20 of them took 3.8 s through parsing,
  /// printing and the command line (fuzz seed 16 #3385), a command that no longer answers
  /// in interactive time for a tensor whose gradient formulas would be far too large to read.
  public static let maximumSymbolCount = 1 << 18

  /// The symbol name of the element of `name` at `index` (`X[2][5]`).
  public static func elementName(_ name: String, index: [Int]) -> String {
    index.reduce(name) { $0 + "[\($1)]" }
  }

  /// A tensor of `shape` whose elements are the symbols `NAME[i][j]...`, made in row-major
  /// order (so their ids increase along the rows: see `ExprNode.lowestSymbolID`).
  /// A shape of rank 0 gives the symbol `name` itself.
  ///
  /// Throws `TensorError` for a negative dimension or more than `maximumSymbolCount`
  /// elements.
  public static func symbols(_ name: String, shape: [Int]) throws(TensorError) -> Expr.Tensor {
    guard shape.allSatisfy({ $0 >= 0 }) else { throw .negativeDimension(shape) }
    var count = 1
    for d in shape {
      let (p, overflow) = count.multipliedReportingOverflow(by: d)
      guard !overflow, p <= maximumSymbolCount else { throw .tooManyElements(shape, limit: maximumSymbolCount) }
      count = p
    }
    if shape.isEmpty { return Expr.Tensor(scalar: .symbol(name)) }
    var elements: [Expr] = []
    elements.reserveCapacity(count)
    var index = [Int](repeating: 0, count: shape.count)
    for _ in 0..<count {
      elements.append(.symbol(elementName(name, index: index)))
      Expr.Tensor.advance(&index, in: shape)
    }
    return Expr.Tensor(shape: shape, elements: elements)
  }
}

/// Why a tensor could not be made.
public enum TensorError: Error, Equatable, CustomStringConvertible {
  case negativeDimension([Int])
  case tooManyElements([Int], limit: Int)

  public var description: String {
    switch self {
    case .negativeDimension(let s): return "shape \(s) has a negative dimension"
    case .tooManyElements(let s, let limit): return "shape \(s) has more than \(limit) elements"
    }
  }
}

extension Expr {
  /// The gradient of this scalar with respect to every element of `tensor` (symbols), as a
  /// tensor of the same shape: one reverse-mode sweep (`gradient(withRespectTo:)`).
  public func gradient(withRespectTo tensor: Tensor) -> Tensor {
    Tensor(shape: tensor.shape, elements: gradient(withRespectTo: tensor.elements))
  }
}
