/// The syntax tree of expression text, before interpretation. Sums and products are
/// n-ary so that long flat inputs (`x0 + x1 + ... + x99999`) stay shallow.
indirect enum Syntax: Sendable {
  case number(String, column: Int)
  case name(String, column: Int)
  case string(String, column: Int)
  case list([Syntax], column: Int)
  case call(String, arguments: [Syntax], keywords: [Keyword], column: Int)
  /// `first (+|-) second ...`; `negated[i]` marks subtracted terms.
  case sum([Syntax], negated: [Bool], column: Int)
  /// `first (*|/) second ...`; `divided[i]` marks divisors.
  case product([Syntax], divided: [Bool], column: Int)
  case negate(Syntax, column: Int)
  case power(Syntax, Syntax, column: Int)
  case index(Syntax, Syntax, column: Int)
  /// `a @ b`: `torch.matmul`, at the precedence of `*` (Python's).
  case matmul(Syntax, Syntax, column: Int)
  /// `t.T` or `t.mT`: the attribute `name` of a tensor.
  case attribute(Syntax, String, column: Int)
  /// `a < b` (any of `Expr.Comparison`): 1 where it holds, 0 elsewhere, elementwise.
  case comparison(Syntax, Expr.Comparison, Syntax, column: Int)
  /// `a & b & ...` (`and: true`) or `a | b | ...`: conditions combined, elementwise.
  case logical([Syntax], and: Bool, column: Int)
  /// `~a`: a condition negated, elementwise.
  case not(Syntax, column: Int)

  struct Keyword: Sendable {
    let name: String
    let value: Syntax
    let column: Int
  }

  var column: Int {
    switch self {
    case .number(_, let c), .name(_, let c), .string(_, let c), .list(_, let c),
      .call(_, _, _, let c), .sum(_, _, let c), .product(_, _, let c), .negate(_, let c),
      .power(_, _, let c), .index(_, _, let c), .matmul(_, _, let c), .attribute(_, _, let c),
      .comparison(_, _, _, let c), .logical(_, _, let c), .not(_, let c):
      return c
    }
  }
}
