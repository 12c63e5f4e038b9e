/// The elementary functions of the expression language. Each applies elementwise to lists.
/// `max` and `min` take two or more scalars and fold left: `max(a, b, c) = max(max(a, b), c)`.
enum ElementaryFunctions {
  static let all: [LanguageFunction] =
    Expr.Function.allCases.filter {
      $0.arity == 1 && $0 != .unitInterval && $0 != .softplus && $0 != .erfcx && !$0.isActivation
    }
    .map(unary) + [softplus]
    + [
      unary(
        name: "unit_interval",
        summary: "unit_interval(x): x for 0 <= x <= 1, else a domain error (binary_cross_entropy's guard)"
      ) { .apply(.unitInterval, [$0]) }
    ]
    + [
      unary(name: "sqrt", summary: "sqrt(x): x**(1/2)") { sqrt($0) }, extremum(.max), extremum(.min), elementwise(.max),
      elementwise(.min),
    ] + SelectionFunctions.all

  /// `softplus(x)`: the exact `log(1 + e^x)`, elementwise. With `beta` or `threshold` given
  /// (PyTorch's `F.softplus(input, beta=1.0, threshold=20.0)`), PyTorch's function exactly:
  /// `x` where `beta x > threshold`, else `log(1 + e^(beta x))/beta`, as
  /// `x [beta x > threshold] + softplus(beta x)/beta (1 - [beta x > threshold])`; the
  /// derivative is 1 above the threshold and `sigmoid(beta x)` at and below it (PyTorch's
  /// `softplus_backward`: at exactly the threshold the log branch). Plain `softplus(x)`
  /// stays exact: PyTorch's default threshold 20 changes its value by less than 2.1e-9
  /// (README "Divergences from PyTorch").
  private static let softplus = LanguageFunction(
    name: "softplus",
    summary:
      "softplus(x, beta=None, threshold=None): log(1 + e^x), exact; with beta or threshold, F.softplus exactly (x where beta*x > threshold, default 20)"
  ) { args in
    try args.expect(positional: 1...3, keywords: ["beta", "threshold"], names: ["input", "beta", "threshold"])
    let beta = try args.scalar(1, "beta")
    let threshold = try args.scalar(2, "threshold")
    let f: (Expr) -> Expr
    if beta == nil && threshold == nil {
      f = { .apply(.softplus, [$0]) }
    } else {
      let b = beta ?? 1
      let t = threshold ?? 20
      if b.isZero { throw args.error("beta must not be 0 (softplus divides by it)", at: args.column(of: "beta")) }
      f = { x in
        let above = Expr.indicatorPositive(b * x - t)
        return above * x + (1 - above) * SymGrad.softplus(b * x) / b
      }
    }
    let (v, c) = args.positional[0]
    switch v {
    case .scalar, .list, .empty: return v.map(f)
    default: throw args.error("expects a number or a list, got \(v.kindName)", at: c)
    }
  }

  private static func unary(_ f: Expr.Function) -> LanguageFunction {
    unary(name: f.rawValue, summary: "\(f.rawValue)(x): \(meaning(f)), elementwise") { .apply(f, [$0]) }
  }

  /// What an elementary function computes, for the listing.
  private static func meaning(_ f: Expr.Function) -> String {
    switch f {
    case .exp: return "e^x"
    case .log: return "the natural logarithm (x > 0)"
    case .sin: return "the sine"
    case .cos: return "the cosine"
    case .tanh: return "the hyperbolic tangent"
    case .sigmoid: return "1/(1 + e^-x)"
    case .softplus: return "log(1 + e^x)"
    case .log1p: return "log(1 + x), exact near 0"
    case .expm1: return "e^x - 1, exact near 0"
    case .abs: return "|x| (derivative sign(x): 0 at 0, as PyTorch)"
    case .sign: return "-1, 0 or 1 (derivative 0)"
    case .erf: return "the error function 2/sqrt(pi) int_0^x exp(-s^2) ds"
    case .erfc: return "1 - erf(x), exact for large x"
    default: return f.rawValue
    }
  }

  private static func unary(name: String, summary: String, _ op: @escaping @Sendable (Expr) -> Expr) -> LanguageFunction
  {
    LanguageFunction(name: name, summary: summary) { args in
      try args.expect(positional: 1...1)
      let (v, c) = args.positional[0]
      switch v {
      case .scalar, .list, .empty: return v.map(op)
      default: throw args.error("expects a number or a list, got \(v.kindName)", at: c)
      }
    }
  }

  /// `max(a, b, ...)`: binary, folded left, elementwise with broadcasting on lists (as
  /// `torch.max(a, b)` = `torch.maximum`: a tie splits the derivative evenly); `max(x)` of
  /// one list is the largest entry, its gradient split evenly among the entries that attain
  /// it (`torch.max(x)`; PyTorch's error for an empty tensor). `max(input, dim, keepdim=False)`
  /// of a tensor (an integer dim, or `dim=`) is PyTorch's reduction returning values and
  /// indices, here `[values, indices]` (`max(x, 1)[0]` the values): the first extremal
  /// entry of each lane takes the whole gradient, as PyTorch's backward
  /// (`Tensor.valuesAndIndices`). `max(scalar, 1)` stays the binary maximum.
  private static func extremum(_ f: Expr.Function) -> LanguageFunction {
    let name = f.rawValue
    let largest = f == .max
    return LanguageFunction(
      name: name,
      summary:
        "\(name)(a, b, ...): binary \(name), folded left, elementwise on lists (ties split the derivative evenly); \(name)(x) of one list: its \(largest ? "largest" : "smallest") entry; \(name)(input, dim, keepdim=False) of a tensor: PyTorch's [values, indices] (the first \(largest ? "largest" : "smallest") entry takes the gradient)"
    ) { args in
      try args.expect(positional: 1...Int.max, keywords: ["dim", "keepdim"])
      let (v, c) = args.positional[0]
      let isTensor: Bool
      switch v {
      case .list, .empty: isTensor = true
      default: isTensor = false
      }
      // The reduction: dim= given, or (tensor, integer[, keepdim]).
      var dim = try args.int(nil, "dim")
      if dim == nil, isTensor, (2...3).contains(args.positional.count), case .scalar(let d) = args.positional[1].value,
        let r = d.rationalValue
      {
        guard r.isInteger, let k = r.numerator.asInt else {
          throw args.error(
            "\(name)(input, dim): dim must be an integer, got \(d) (maximum/minimum take the elementwise \(name) with a number)",
            at: args.positional[1].column)
        }
        dim = k
      }
      if let dim {
        guard args.positional.count <= 3 else {
          throw args.error("\(name)(input, dim, keepdim) takes at most 3 arguments")
        }
        guard let t = Expr.Tensor(v) else { throw args.error("\(name) of a ragged list", at: c) }
        let keep = try args.flag(2, "keepdim")
        return try args.run {
          let (values, indices) = try t.valuesAndIndices(along: dim, keepdim: keep, largest: largest)
          return Expr.Tensor(shape: [2] + values.shape, elements: values.elements + indices.elements).value
        }
      }
      if args.keyword("keepdim") != nil { throw args.error("keepdim needs dim") }
      if args.positional.count == 1 {
        if isTensor {
          guard let t = Expr.Tensor(v) else { throw args.error("\(name) of a ragged list", at: c) }
          return try args.run {
            try t.checkExtremumDimensions(nil)
            return .scalar(Expr.evenExtremum(t.elements, largest: largest))
          }
        }
        if case .scalar = v { return v }  // torch.max of a 0-d tensor: itself
        throw args.error("\(name) needs two arguments, or one list", at: c)
      }
      var acc = v
      for i in 1..<args.positional.count {
        acc = try Broadcast.binary(acc, args.positional[i].value, column: args.positional[i].column) {
          .apply(f, [$0, $1])
        }
      }
      return acc
    }
  }

  /// `maximum(a, b)` / `minimum(a, b)`: elementwise with broadcasting; a tie splits the
  /// derivative evenly, as PyTorch's.
  private static func elementwise(_ f: Expr.Function) -> LanguageFunction {
    let name = f == .max ? "maximum" : "minimum"
    return LanguageFunction(
      name: name, summary: "\(name)(input, other): elementwise \(f.rawValue) with broadcasting; ties split evenly"
    ) { args in
      try args.expect(positional: 2...2, names: ["input", "other"])
      return try Broadcast.binary(
        args.positional[0].value, args.positional[1].value, column: args.positional[1].column
      ) { .apply(f, [$0, $1]) }
    }
  }
}
