/// The elementary functions of the expression language. Each applies elementwise to lists.
/// `max` and `min` take two or more scalars and fold left: `max(a, b, c) = max(max(a, b), c)`.
enum ElementaryFunctions {
  static let all: [LanguageFunction] =
    Function.allCases.filter { $0.arity == 1 && $0 != .unitInterval }.map(unary)
    + [unary(name: "unit_interval", summary: "unit_interval(x): x for 0 <= x <= 1, else a domain error (binary_cross_entropy's guard)") { .apply(.unitInterval, [$0]) }]
    + [unary(name: "sqrt", summary: "sqrt(x): x**(1/2)") { sqrt($0) }, extremum(.max), extremum(.min)]

  private static func unary(_ f: Function) -> LanguageFunction {
    unary(name: f.rawValue, summary: "\(f.rawValue)(x), elementwise") { .apply(f, [$0]) }
  }

  private static func unary(name: String, summary: String, _ op: @escaping @Sendable (Expr) -> Expr) -> LanguageFunction {
    LanguageFunction(name: name, summary: summary) { args in
      try args.expect(positional: 1...1)
      let (v, c) = args.positional[0]
      switch v {
      case .scalar, .list: return v.map(op)
      default: throw args.error("expects a number or a list, got \(v.kindName)", at: c)
      }
    }
  }

  private static func extremum(_ f: Function) -> LanguageFunction {
    LanguageFunction(name: f.rawValue, summary: "\(f.rawValue)(a, b, ...): binary \(f.rawValue), folded left") { args in
      try args.expect(positional: 2...Int.max)
      var acc = try args.scalar(0)
      for i in 1..<args.positional.count { acc = .apply(f, [acc, try args.scalar(i)]) }
      return .scalar(acc)
    }
  }
}
