/// The activation functions of the expression language (`torch.nn.functional` names and
/// keywords, PyTorch's defaults), applied elementwise to a number or a (nested) list.
/// `inplace=` is accepted and changes nothing (a symbolic value has no storage).
///
/// Each is one node per element, or a composition that uses its argument once (`selu`,
/// `celu`, `hardsigmoid` scale an `elu` or a `hardtanh`): a nest of them stays linear in
/// size (`Function+Definition.swift` says why that matters).
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
    activation(
      "elu", "elu(input, alpha=1.0, inplace=False): x for x > 0, else alpha*(exp(x) - 1); derivative alpha at 0",
      keywords: ["alpha"]
    ) { a in
      let alpha = try a.scalar(1, "alpha") ?? 1
      return { .apply(.elu, [$0, alpha]) }
    },
    activation(
      "selu",
      "selu(input, inplace=False): scale*elu(x, alpha), PyTorch's scale 1.0507009873554804934193349852946 and alpha 1.6732632423543772848170429916717"
    ) { _ in
      let scale = Expr.number(Rational(decimal: "1.0507009873554804934193349852946")!)
      let alpha = Expr.number(Rational(decimal: "1.6732632423543772848170429916717")!)
      return { scale * .apply(.elu, [$0, alpha]) }
    },
    activation(
      "celu",
      "celu(input, alpha=1.0, inplace=False): max(0, x) + min(0, alpha*(exp(x/alpha) - 1)) = alpha*elu(x/alpha, 1); derivative 1 at 0; alpha != 0",
      keywords: ["alpha"]
    ) { a in
      let alpha = try a.scalar(1, "alpha") ?? 1
      if alpha.isZero { throw a.error("alpha must not be 0 (celu divides by it; PyTorch raises)") }
      return { alpha * .apply(.elu, [$0 / alpha, 1]) }
    },
    activation("silu", "silu(input, inplace=False): x*sigmoid(x)") { _ in { .apply(.silu, [$0]) } },
    activation(
      "gelu",
      "gelu(input, approximate=\"none\"): x/2*(1 + erf(x/sqrt(2))); approximate=\"tanh\": x/2*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))",
      keywords: ["approximate"], allowsInplace: false
    ) { a in
      if let (v, c) = a.keyword("approximate") {
        guard case .string(let s) = v, s == "tanh" || s == "none" else {
          throw a.error("approximate must be \"none\" or \"tanh\", got \(v)", at: c)
        }
        if s == "tanh" { return { .apply(.geluTanh, [$0]) } }
      }
      return { .apply(.gelu, [$0]) }
    },
    activation("softsign", "softsign(input): x/(1 + abs(x))", allowsInplace: false) { _ in
      { .apply(.softsign, [$0]) }
    },
    activation("mish", "mish(input, inplace=False): x*tanh(softplus(x))") { _ in { .apply(.mish, [$0]) } },
    activation(
      "hardswish",
      "hardswish(input, inplace=False): x*relu6(x + 3)/6; derivative 0 at -3 and 1 at 3, as PyTorch"
    ) { _ in { .apply(.hardswish, [$0]) } },
    activation(
      "clamp",
      "clamp(input, min=None, max=None): x limited to [min, max]; derivative 0 at the bounds, as torch.clamp",
      keywords: ["min", "max"], allowsInplace: false
    ) { a in
      let lo = try a.scalar(1, "min")
      let hi = try a.scalar(2, "max")
      if lo == nil && hi == nil { throw a.error("At least one of 'min' or 'max' must not be None (PyTorch raises)") }
      return { .clamp($0, min: lo, max: hi) }
    },
    activation(
      "hardsigmoid",
      "hardsigmoid(input, inplace=False): relu6(x + 3)/6; derivative 0 at -3 and 3, as PyTorch"
    ) { _ in { .hardtanh($0 + 3, min: 0, max: 6) / 6 } },
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
      case .scalar, .list, .empty: return v.map(f)
      default: throw a.error("expects a number or a list, got \(v.kindName)", at: c)
      }
    }
  }
}
