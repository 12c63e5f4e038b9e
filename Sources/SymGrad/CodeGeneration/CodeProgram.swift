import Foundation

/// A straight-line program in IEEE doubles: the form `CodeGenerator` prints in each language.
///
/// Nodes are hash-consed (one node per distinct operation on distinct operands) and numbered
/// in topological order (every operand before its reader), so a subexpression shared by the
/// value and the gradient entries is one node, computed once. `CodeProgramBuilder` makes it
/// from expressions, choosing the numerically stable form of each pattern it recognizes.
struct CodeProgram {
  /// The operations. Each states its IEEE semantics; every language prints the same ones.
  enum Op: Hashable {
    /// Input number `k` (a scalar parameter or a tensor's entry, in signature order).
    case input(Int)
    /// A double, by bit pattern (so NaN is one hashable value).
    case number(UInt64)
    /// `a + b + ...`, left to right.
    case sum
    /// `-a`.
    case negate
    /// `a * b * ...`, left to right; `reciprocal` operands print as a denominator.
    case product
    /// `1 / a`.
    case reciprocal
    /// `a * a`.
    case square
    /// `pow(a, e)` for a constant `e` (a double, by bit pattern), C's `pow`: NaN for a
    /// negative `a` and a non-integer `e`.
    case power(UInt64)
    /// The real root: `pow(a, e)` for `a >= 0`, `-pow(-a, e)` (odd numerator) or
    /// `pow(-a, e)` (even numerator) for `a < 0`; `e = p/q` with `q` odd, not an integer.
    case realRoot(UInt64, evenNumerator: Bool)
    /// `pow(a, b)`, both computed.
    case powerOf
    /// `sqrt(a)`, NaN below 0.
    case squareRoot
    /// One of the C library's functions of one argument (NaN outside its domain).
    case elementary(Elementary)
    /// `sign(a)`: 1, -1, or `a` itself for zero and NaN.
    case sign
    /// `max(a, b)` / `min(a, b)`, NaN when either is NaN (as `torch.maximum`).
    case maximum, minimum
    /// `max(a, 0)`; a NaN `a` may give 0 (used only where a NaN operand reaches the result
    /// through another path).
    case positivePart
    /// The largest operand; a NaN operand may be ignored (used only for the shift of a
    /// log-sum-exp, whose sum then carries the NaN).
    case largest
    /// `a` when finite, else 0 (the shift of a log-sum-exp: `-inf` for an all-masked row,
    /// `+inf` when an operand is `+inf`, where shifting would make `inf - inf`).
    case finiteOrZero
    /// `a >= 0 ? b : c`, both branches safe to compute (NumPy and PyTorch compute both).
    case selectNonNegative
    /// `where(a ▷ 0, b, c)` for `▷` one of `>`, `>=`, `==` (a selection,
    /// `Expr+Selection.swift`): `b` where the comparison holds, `c` where it fails, `a`
    /// (NaN) where `a` is NaN. Swift, C and Python evaluate the selected branch only, but
    /// shared temporaries of both are computed first (NaN, never a trap, outside their
    /// domains); NumPy and PyTorch compute both.
    case selection(Expr.Comparison)
    /// `a` for `0 <= a <= 1`, NaN elsewhere (the domain guard of binary cross-entropy).
    case unitInterval

    /// Whether the printed form names an operand more than once, so a computed operand
    /// must be held in a temporary (`selectNonNegative` names each operand once).
    var readsOperandsTwice: Bool {
      switch self {
      case .square, .realRoot, .sign, .maximum, .minimum, .finiteOrZero, .unitInterval, .selection: return true
      default: return false
      }
    }
  }

  /// The C library functions of one argument that print as a call in every language.
  enum Elementary: String {
    case exp, log, log1p, expm1, sin, cos, tanh, abs, erf, erfc
  }

  struct Node: Hashable {
    var op: Op
    var args: [Int]
  }

  private(set) var nodes: [Node] = []
  private var ids: [Node: Int] = [:]
  /// The nodes whose values the program returns, in order.
  var outputs: [Int] = []

  /// The node computing `op(args)`, made once.
  mutating func node(_ op: Op, _ args: [Int] = []) -> Int {
    let n = Node(op: op, args: args)
    if let id = ids[n] { return id }
    nodes.append(n)
    ids[n] = nodes.count - 1
    return nodes.count - 1
  }

  /// The node of the double `d`.
  mutating func number(_ d: Double) -> Int { node(.number(d.bitPattern)) }

  /// The value of a number node, nil for other nodes.
  func numberValue(_ id: Int) -> Double? {
    if case .number(let bits) = nodes[id].op { return Double(bitPattern: bits) }
    return nil
  }

  /// How many readers each node has among the nodes the outputs need (an output counts
  /// as one reader); nodes the outputs do not need have none.
  func readerCounts() -> [Int] {
    var counts = [Int](repeating: 0, count: nodes.count)
    var needed = [Bool](repeating: false, count: nodes.count)
    for o in outputs { needed[o] = true }
    for id in stride(from: nodes.count - 1, through: 0, by: -1) where needed[id] {
      for a in nodes[id].args {
        needed[a] = true
        counts[a] += nodes[id].op.readsOperandsTwice ? 2 : 1
      }
    }
    for o in outputs { counts[o] += 1 }
    return counts
  }
}
