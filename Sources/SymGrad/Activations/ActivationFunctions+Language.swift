/// The activation functions of the expression language (`torch.nn.functional` names and
/// keywords, PyTorch's defaults), applied elementwise to a number or a (nested) list.
/// `inplace=` is accepted and changes nothing (a symbolic value has no storage).
///
/// Only activations whose expansion does not repeat its argument in a way that compounds
/// under nesting are registered (relu, relu6, leaky_relu, hardtanh, logsigmoid: a 120-level
/// nest runs every fuzz stage in < 1 s). elu, selu, celu, silu, gelu, softsign, mish and
/// hardswish, written as compositions, made deep nests take seconds to minutes (exact
/// coefficients squared per level for hardswish; repeated arguments for the others): they
/// return as primitive function nodes.
enum ActivationFunctions {
  static let all: [LanguageFunction] = [
    activation("relu", "relu(input, inplace=False): max(x, 0); derivative 0 at 0, as PyTorch") { _ in
      { .relu($0) }
    },
    activation("relu6", "relu6(input, inplace=False): min(max(x, 0), 6); derivative 0 at 0 and 6, as PyTorch") { _ in
      { .hardtanh($0, min: 0, max: 6) }
    },
    activation(
      "leaky_relu",
      "leaky_relu(input, negative_slope=0.01, inplace=False): x for x > 0, else negative_slope*x; derivative negative_slope at 0",
      keywords: ["negative_slope"]
    ) { a in
      let s = try a.scalar(1, "negative_slope") ?? .number(Rational(numerator: 1, denominator: 100)!)
      return { .leakyRelu($0, negativeSlope: s) }
    },
    activation(
      "hardtanh",
      "hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False): x clamped to [min_val, max_val]; derivative 0 at both bounds",
      keywords: ["min_val", "max_val"]
    ) { a in
      let lo = try a.scalar(1, "min_val") ?? -1
      let hi = try a.scalar(2, "max_val") ?? 1
      if let l = lo.rationalValue, let h = hi.rationalValue, l > h {
        throw a.error("min_val cannot be greater than max_val (PyTorch raises)")
      }
      return { .hardtanh($0, min: lo, max: hi) }
    },
    activation("logsigmoid", "logsigmoid(input): log(sigmoid(x)) = -softplus(-x)", allowsInplace: false) { _ in
      { -softplus(-$0) }
    },
  ]

  /// An elementwise activation: `parameters` reads the keywords (positional after the
  /// input, in PyTorch's order) and returns the function of one element.
  private static func activation(
    _ name: String, _ summary: String, keywords: [String] = [], allowsInplace: Bool = true,
    _ parameters: @escaping @Sendable (CallArguments) throws -> (Expr) -> Expr
  ) -> LanguageFunction {
    LanguageFunction(name: name, summary: summary) { a in
      let allowed = keywords + (allowsInplace ? ["inplace"] : [])
      try a.expect(positional: 1...(1 + keywords.count), keywords: Set(allowed), names: ["input"] + keywords)
      if let (v, c) = a.keyword("inplace"), v != .boolean(true) && v != .boolean(false) {
        throw a.error("inplace must be True or False, got \(v)", at: c)
      }
      let f = try parameters(a)
      let (v, c) = a.positional[0]
      switch v {
      case .scalar, .list: return v.map(f)
      default: throw a.error("expects a number or a list, got \(v.kindName)", at: c)
      }
    }
  }
}
