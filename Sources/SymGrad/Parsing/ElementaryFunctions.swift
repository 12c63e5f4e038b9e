/// The elementary functions of the expression language. Each applies elementwise to lists.
/// `max` and `min` take two or more scalars and fold left: `max(a, b, c) = max(max(a, b), c)`.
enum ElementaryFunctions {
  static let all: [LanguageFunction] =
    Expr.Function.allCases.filter { $0.arity == 1 && $0 != .unitInterval && !$0.isActivation }.map(unary)
    + [
      unary(
        name: "unit_interval",
        summary: "unit_interval(x): x for 0 <= x <= 1, else a domain error (binary_cross_entropy's guard)"
      ) { .apply(.unitInterval, [$0]) }
    ]
    + [unary(name: "sqrt", summary: "sqrt(x): x**(1/2)") { sqrt($0) }, extremum(.max), extremum(.min)]

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
      case .scalar, .list: return v.map(op)
      default: throw args.error("expects a number or a list, got \(v.kindName)", at: c)
      }
    }
  }

  private static func extremum(_ f: Expr.Function) -> LanguageFunction {
    LanguageFunction(name: f.rawValue, summary: "\(f.rawValue)(a, b, ...): binary \(f.rawValue), folded left") { args in
      try args.expect(positional: 2...Int.max)
      var acc = try args.scalar(0)
      for i in 1..<args.positional.count { acc = .apply(f, [acc, try args.scalar(i)]) }
      return .scalar(acc)
    }
  }
}
