import SymGrad

/// What the generator makes, and what it leaves out.
package struct GeneratorOptions: Sendable {
  /// The known issue classes not to generate (see `KnownIssue`). Empty: everything.
  package var avoid: Set<KnownIssue>
  /// Upper bound on the terms of the long sums and products (thousands by default).
  package var maxLongTerms: Int
  /// Upper bound on `n` in `eye(n)`, `causal_mask(n)` and friends for the large-literal
  /// kind (printing `causal_mask(4096)` takes seconds: issue 8).
  package var maxMatrixSize: Int

  package init(avoid: Set<KnownIssue> = [], maxLongTerms: Int = 6000, maxMatrixSize: Int = 4096) {
    self.avoid = avoid
    self.maxLongTerms = maxLongTerms
    self.maxMatrixSize = maxMatrixSize
  }

  /// Everything, including the known issue classes: the long run.
  package static let everything = GeneratorOptions()

  /// Without the known issue classes (`KnownIssue.allCases`): the in-process test slice.
  package static let avoidingKnownIssues = GeneratorOptions(avoid: Set(KnownIssue.allCases))
}

/// One generated input: its index in the run, its text and the generator's kind for it.
package struct FuzzInput: Sendable, Equatable {
  package let index: Int
  package let text: String
  /// `expression`, `call`, `wrong-call`, `mutated`, `deep`, `long`, `numbers`, `unicode`,
  /// `large-literal`: which part of the generator made it (reports count by kind).
  package let kind: String

  package init(index: Int, text: String, kind: String) {
    self.index = index
    self.text = text
    self.kind = kind
  }
}

/// The deterministic generator of expression-language texts.
///
/// `input(seed:index:)` depends only on its arguments and the options: the same seed gives
/// the same inputs, and input `K` is the same whether a run starts at 0 or at `K`.
///
/// Kinds (weights in `kinds`):
/// - `expression`: random well-formed scalar expressions over arithmetic, `**`/`^`, the
///   elementwise functions, `max`/`min`, `sqrt`, `pi`, `E`, `inf`, `nan`, reductions and
///   scalar-valued losses;
/// - `call`: every language function with random, mostly valid, shapes and keyword
///   arguments (losses, softmax, linear, attention, masks, small linear algebra, calculus);
/// - `wrong-call`: the same with one argument corrupted (wrong shape, rank, type, keyword,
///   value, count; keywords repeated or given twice);
/// - `mutated`: a text of the kinds above after 1-4 byte or token mutations (deletion,
///   duplication, insertion of tokens, huge, tiny and Int-edge numbers, unicode);
/// - `deep`: nesting from a few levels to past the parser's limit (256): parentheses,
///   brackets, unary minus, function chains, power towers, index chains;
/// - `long`: sums and products of hundreds to thousands of terms;
/// - `numbers`: huge, tiny and Int-edge numbers in every position (`1e308`, `1e-400`,
///   `10**400`, `2**63`, `-2**63`, `-9223372036854775807-1`, ...);
/// - `unicode`: non-ASCII letters, digits, spaces, marks and emoji in names, strings and
///   between tokens;
/// - `large-literal`: `eye(n)`, `causal_mask(n)` and friends with large `n`.
package struct InputGenerator: Sendable {
  package let options: GeneratorOptions

  package init(options: GeneratorOptions = .everything) { self.options = options }

  /// The kinds and their weights.
  package static let kinds: [(name: String, weight: Double)] = [
    ("expression", 34), ("call", 20), ("wrong-call", 10), ("mutated", 20), ("deep", 4),
    ("long", 0.3), ("numbers", 6), ("unicode", 4), ("large-literal", 0.1),
  ]

  /// Every function name the generator calls by design. A test checks that it covers
  /// `ExpressionLanguage.functions`, so a new language function is fuzzed once it is added.
  package static let functionNames: Set<String> = Set(
    unaryFunctions + [
      "max", "min", "sum", "mean", "softmax", "log_softmax", "softmin", "nll_loss", "cross_entropy", "mse_loss",
      "l1_loss", "huber_loss", "smooth_l1_loss", "kl_div", "soft_margin_loss", "logsumexp", "poisson_nll_loss",
      "margin_ranking_loss", "hinge_embedding_loss", "multilabel_soft_margin_loss", "cosine_embedding_loss",
      "multi_margin_loss", "multilabel_margin_loss", "triplet_margin_loss", "pairwise_distance", "cosine_similarity",
      "normalize", "gaussian_nll_loss", "amax", "amin", "maximum", "minimum", "layer_norm", "clamp", "where",
      "binary_cross_entropy", "binary_cross_entropy_with_logits", "sigmoid_focal_loss",
      "linear", "scaled_dot_product_attention", "attention_weights", "multi_head_attention_forward", "causal_mask",
      "generate_square_subsequent_mask", "grad", "jacobian", "hessian", "diag", "outer",
      "eye", "one_hot", "transpose", "matmul", "reshape", "simplify", "symbols", "zeros", "ones", "view",
    ])

  static let unaryFunctions = [
    "exp", "log", "sin", "cos", "tanh", "sigmoid", "softplus", "log1p", "expm1", "abs", "sign", "sqrt", "unit_interval",
    "erf", "erfc",
    // Activations (elementwise; piecewise ones with PyTorch's kinks).
    "relu", "relu6", "leaky_relu", "hardtanh", "logsigmoid", "elu", "selu", "celu", "silu", "gelu", "softsign", "mish",
    "hardswish", "hardsigmoid",
  ]

  /// The input at `index` of the run seeded `seed`.
  package func input(seed: UInt64, index: Int) -> FuzzInput {
    var rng = SplitMix64.forInput(seed: seed, index: index)
    // Regenerate (from the same stream, so still deterministic) while the text falls in an
    // avoided class; a bounded number of tries, then a plain expression.
    for _ in 0..<64 {
      var g = Session(rng: rng, options: options)
      let (text, kind) = g.anyInput()
      rng = g.rng
      if !options.avoid.contains(where: { $0.matches(text) }) {
        return FuzzInput(index: index, text: text, kind: kind)
      }
    }
    return FuzzInput(index: index, text: "x + 1", kind: "expression")
  }

  /// The state of one input's generation.
  struct Session {
    var rng: SplitMix64
    let options: GeneratorOptions
    /// The symbols of this input (1 to 4 of `symbolPool`), so evaluation points stay small.
    var symbols: [String] = []

    init(rng: SplitMix64, options: GeneratorOptions) {
      self.rng = rng
      self.options = options
      let count = self.rng.int(in: 1...4)
      var chosen: [String] = []
      while chosen.count < count {
        let s = self.rng.pick(Session.symbolPool)
        if !chosen.contains(s) { chosen.append(s) }
      }
      symbols = chosen
    }

    static let symbolPool = ["x", "y", "z", "a", "b", "t", "q", "w0", "w_01", "m1", "x[0]", "W[1][0]", "o00"]

    mutating func anyInput() -> (String, String) {
      let k = InputGenerator.kinds[rng.weighted(InputGenerator.kinds.map(\.weight))].name
      switch k {
      case "expression": return (scalar(depth: rng.int(in: 1...5)), k)
      case "call": return (call(wrong: false), k)
      case "wrong-call": return (call(wrong: true), k)
      case "mutated":
        var text = rng.chance(0.5) ? scalar(depth: rng.int(in: 1...4)) : call(wrong: rng.chance(0.2))
        for _ in 0..<rng.int(in: 1...4) { text = mutate(text) }
        return (text, k)
      case "deep": return (deep(), k)
      case "long": return (long(), k)
      case "numbers": return (numbersInput(), k)
      case "unicode": return (unicodeInput(), k)
      default: return (largeLiteral(), k)
      }
    }

    // MARK: Leaves and numbers

    mutating func symbol() -> String { rng.pick(symbols) }

    mutating func smallNumber() -> String {
      switch rng.below(6) {
      case 0, 1: return String(rng.int(in: 0...9))
      case 2: return String(rng.int(in: 10...1000))
      case 3:
        return rng.pick(["0.5", "-0.0473", "1.5e-3", ".5", "2.5E+2", "0.1", "3.14159", "1.3032", "0.0", "1e-3", "7."])
      case 4: return "\(rng.int(in: 1...9))/\(rng.int(in: 1...9))"
      default: return rng.pick(["1", "2", "0", "-1"])
      }
    }

    /// Huge, tiny and exact-edge numbers that are not Int-edge.
    static let extremeNumbers = [
      "1e308", "1e-308", "1e-400", "1e400", "10**400", "10**(-400)", "2**1000", "2**-1074", "5e-324",
      "1.7976931348623157e308", "1e-323", "3**200", "0.000000000000000000001", "1e-24", "1e24",
      "123456789012345678901234567890", "1e-1000", "1e1000", "10**-30", "2**(1/2)", "0**0", "0**-1",
    ]

    /// Integers at the edge of `Int` (`abs(Int.min)` and friends trapped before ae0c15d).
    static let intEdgeNumbers = [
      "2**63", "-2**63", "(-2**63)", "-9223372036854775807-1", "9223372036854775807", "9223372036854775808",
      "-9223372036854775808", "2**64", "18446744073709551615", "2**63-1", "(2**63)",
    ]

    mutating func extremeNumber() -> String {
      if rng.chance(0.35) { return rng.pick(Session.intEdgeNumbers) }
      return rng.pick(Session.extremeNumbers)
    }

    mutating func constant() -> String {
      rng.pick(["E", "inf", "nan", "oo", "-inf", "E", "pi", "pi", "pi"])
    }

    mutating func leaf() -> String {
      switch rng.weighted([45, 30, 8, 7, 1]) {
      case 0: return symbol()
      case 1: return smallNumber()
      case 2: return constant()
      case 3: return extremeNumber()
      default: return rng.pick(["True", "False", "\"sum\"", "'none'"])
      }
    }

    // MARK: Scalar expressions

    mutating func parenthesized(_ text: String, _ p: Double = 0.6) -> String {
      rng.chance(p) ? "(\(text))" : text
    }

    mutating func exponent(depth: Int) -> String {
      switch rng.weighted([40, 12, 15, 10, 8]) {
      case 0: return String(rng.int(in: -3...4))
      case 1: return rng.pick(["(1/2)", "(-1)", "0.5", "(1/3)", "(-1/2)", "(3/2)", "-2"])
      case 2: return symbol()
      case 3: return "(" + scalar(depth: max(0, depth - 1)) + ")"
      default:
        let n = extremeNumber()
        return n.first == "-" || n.contains("*") ? "(\(n))" : n
      }
    }

    mutating func scalar(depth: Int) -> String {
      if depth <= 0 || rng.chance(0.25) { return leaf() }
      let d = depth - 1
      switch rng.weighted([33, 7, 24, 5, 6, 6, 3, 3, 3, 4]) {
      case 0:
        let op = ["+", "-", "*", "/", "**", "^"][rng.weighted([3, 2, 3, 2, 1.5, 0.3])]
        let left = parenthesized(scalar(depth: d), 0.5)
        let right = op == "**" || op == "^" ? exponent(depth: d) : parenthesized(scalar(depth: d), 0.5)
        let space = rng.chance(0.5) ? " " : ""
        return left + space + op + space + right
      case 1:
        return "-" + parenthesized(scalar(depth: d), 0.7)
      case 2:
        return rng.pick(InputGenerator.unaryFunctions) + "(" + scalar(depth: d) + ")"
      case 3:
        let args = (0..<rng.int(in: 2...4)).map { _ in scalar(depth: d) }
        return rng.pick(["max", "min"]) + "(" + args.joined(separator: ", ") + ")"
      case 4:
        let items = (0..<rng.int(in: 1...4)).map { _ in scalar(depth: max(0, d - 1)) }
        let list = "[" + items.joined(separator: ", ") + "]"
        switch rng.below(4) {
        case 0: return "sum(\(list))"
        case 1: return "mean(\(list))"
        case 2: return "softmax(\(list))[\(rng.int(in: -1...(items.count - 1)))]"
        default: return "log_softmax(\(list))[\(rng.int(in: 0...(items.count - 1)))]"
        }
      case 5:
        return scalarLoss()
      case 6:
        let f = scalar(depth: d)
        let s = symbol()
        switch rng.below(3) {
        case 0: return "simplify(\(f))"
        case 1: return "grad(\(f), [\(s)])[0]"
        default: return "hessian(\(f), [\(s)])[0][0]"
        }
      case 7:
        let items = (0..<rng.int(in: 1...3)).map { _ in scalar(depth: d) }
        return "[" + items.joined(separator: ", ") + "][\(rng.int(in: -items.count...(items.count - 1)))]"
      case 8:
        // Selections: where of a comparison (branches often undefined where unselected), or
        // a bare comparison (1 or 0) in arithmetic.
        let comparison =
          parenthesized(scalar(depth: d), 0.3) + " " + rng.pick(["<", ">", "<=", ">=", "==", "!="]) + " "
          + parenthesized(scalar(depth: d), 0.3)
        if rng.chance(0.3) { return "(" + comparison + ")" }
        var condition = rng.chance(0.1) ? rng.pick(["True", "False", symbol()]) : comparison
        if rng.chance(0.3) {
          // Combined conditions: & and | bind above the comparisons (parenthesized), ~ too.
          let other =
            "(" + parenthesized(scalar(depth: d), 0.3) + " " + rng.pick(["<", ">=", "=="]) + " " + leaf() + ")"
          condition = "(" + condition + ") " + rng.pick(["&", "|"]) + " " + (rng.chance(0.3) ? "~" : "") + other
        }
        return "where(\(condition), \(scalar(depth: d)), \(scalar(depth: d)))"
      default:
        return "(" + scalar(depth: d) + ")"
      }
    }

    /// A loss with reduction "mean" or "sum" (a scalar), of small random shape.
    mutating func scalarLoss() -> String {
      let n = rng.int(in: 1...2)
      let c = rng.int(in: 2...3)
      let input = tensor([n, c])
      let targets = "[" + (0..<n).map { _ in String(rng.below(c)) }.joined(separator: ", ") + "]"
      let reduction = rng.chance(0.5) ? "" : ", reduction=\"sum\""
      switch rng.below(7) {
      case 0: return "cross_entropy(\(input), \(targets)\(reduction))"
      case 1: return "nll_loss(log_softmax(\(input)), \(targets)\(reduction))"
      case 2: return "binary_cross_entropy_with_logits(\(input), \(probabilities([n, c])))"
      case 3: return "mse_loss(\(input), \(tensor([n, c]))\(reduction))"
      case 4: return "l1_loss(\(input), \(tensor([n, c]))\(reduction))"
      case 5:
        return rng.pick([
          "kl_div(log_softmax(\(input), dim=-1), \(probabilities([n, c])), reduction=\"batchmean\")",
          "soft_margin_loss(\(input), \(tensor([n, c]) { $0.rng.pick(["1", "-1"]) })\(reduction))",
          "sum(logsumexp(\(input), dim=-1))", "kl_div(\(input), \(input), log_target=True)",
          "huber_loss(\(input), \(tensor([n, c]))\(reduction), delta=\(rng.pick(["0.5", "1", "2", "0", "-1"])))",
          "smooth_l1_loss(\(input), \(tensor([n, c]))\(reduction), beta=\(rng.pick(["0.5", "1", "0", "-1"])))",
          "poisson_nll_loss(\(input), \(tensor([n, c]) { $0.rng.pick(["0", "1", "2", "3.5"]) }), full=True)",
          "poisson_nll_loss(exp(\(input)), \(tensor([n, c]) { $0.smallNumber() }), log_input=False)",
          "margin_ranking_loss(\(input), \(tensor([n, c])), \(tensor([n, c]) { $0.rng.pick(["1", "-1"]) })\(reduction))",
          "hinge_embedding_loss(\(input), \(tensor([n, c]) { $0.rng.pick(["1", "-1", "0"]) })\(reduction))",
          "multilabel_soft_margin_loss(\(input), \(probabilities([n, c]))\(reduction))",
          "cosine_embedding_loss(\(input), \(tensor([n, c])), [\((0..<n).map { _ in rng.pick(["1", "-1"]) }.joined(separator: ", "))])",
          "multi_margin_loss(\(input), \(targets), p=\(rng.pick(["1", "2", "3"])))",
          "multilabel_margin_loss(\(input), \(tensor([n, c]) { $0.rng.pick(["0", "1", "-1"]) }))",
          "triplet_margin_loss(\(input), \(tensor([n, c])), \(tensor([n, c])), swap=\(rng.pick(["True", "False"])))",
          "sum(cosine_similarity(\(input), \(tensor([n, c])), dim=\(rng.pick(["0", "1", "-1", "2"]))))",
          "sum(amax(\(input), dim=\(rng.pick(["0", "1", "[0, 1]", "[]", "-1"]))))",
          "amin(\(input))", "sum(maximum(\(input), \(tensor([1, c]))))", "sum(minimum(\(input), 0))",
          "sum(where(\(input) > \(tensor([1, c])), log(\(input)), \(input)))",
          "logsumexp(where(\(booleans([n, c])), \(input), -inf), dim=-1)[0]",
          "max(\(input))", "sum(sum(\(input), dim=[0, 1]))",
          "sum(clamp(\(input), min=\(rng.pick(["-1", "0", "None", "-inf", symbol()])), max=\(rng.pick(["1", "2", "-2", "inf"]))))",
          "sum(layer_norm(\(input), \(rng.pick(["[\(c)]", "\(c)", "[\(n), \(c)]", "[2]"])), eps=\(rng.pick(["1e-5", "0", "1"]))))",
          "sum(softplus(\(input), beta=\(rng.pick(["1", "2", "0.5", "0"])), threshold=\(rng.pick(["20", "1", "0"]))))",
          "sum(normalize(\(input), p=\(rng.pick(["1", "2", "0.5", "inf", "0", "-1"]))))",
          "gaussian_nll_loss(\(input), \(tensor([n, c])), \(tensor([n, c]) { $0.rng.pick(["0.5", "1e-9", "2", "-1", $0.symbol()]) })\(reduction))",
          "sum(pairwise_distance(\(input), \(tensor([n, c])), p=\(rng.pick(["1", "2", "1.5", "0", "inf", "-inf", "-1"]))))",
        ])
      default: return "sum(sigmoid_focal_loss(\(input), \(probabilities([n, c]))))"
      }
    }

    // MARK: Tensors

    /// An entry of a tensor literal: mostly symbols and numbers, sometimes a small
    /// expression, a mask value or an extreme number.
    mutating func entry() -> String {
      switch rng.weighted([45, 30, 12, 6, 4, 3]) {
      case 0: return symbol()
      case 1: return smallNumber()
      case 2: return scalar(depth: 1)
      case 3: return rng.pick(["-inf", "inf", "-inf"])
      case 4: return extremeNumber()
      default: return "\(symbol()) + \(rng.pick(["-inf", "1", "-1e9", "1000"]))"
      }
    }

    mutating func tensor(_ shape: [Int], entry make: (inout Session) -> String = { $0.entry() }) -> String {
      guard let first = shape.first else { return make(&self) }
      // Now and then a tensor of no elements (PyTorch's OpInfo samples pass them to every
      // function), or one of ones, in torch's spelling.
      if rng.chance(0.01) {
        var sizes = shape
        let empty = rng.chance(0.7)
        if empty { sizes[rng.below(sizes.count)] = 0 }
        return (empty ? "zeros(" : "ones(") + sizes.map(String.init).joined(separator: ", ") + ")"
      }
      let rest = Array(shape.dropFirst())
      var items: [String] = []
      for _ in 0..<first { items.append(tensor(rest, entry: make)) }
      return "[" + items.joined(separator: ", ") + "]"
    }

    mutating func probabilities(_ shape: [Int]) -> String {
      tensor(shape) { s in
        switch s.rng.below(6) {
        case 0: return "1.0"
        case 1: return "0.0"
        case 2: return "sigmoid(\(s.symbol()))"
        case 3: return s.rng.pick(["0.25", "0.5", "0.9", "1e-400", "0.999999"])
        default: return s.rng.pick(["1", "0"])
        }
      }
    }

    mutating func booleans(_ shape: [Int]) -> String {
      tensor(shape) { s in s.rng.pick(["True", "False", "True"]) }
    }

    // MARK: Calls

    /// A call in structured form, so that corruptions can act on one argument.
    struct Call {
      var name: String
      var positional: [String]
      var keywords: [(String, String)]

      var text: String {
        let parts = positional + keywords.map { "\($0.0)=\($0.1)" }
        return name + "(" + parts.joined(separator: ", ") + ")"
      }
    }

    static let reductions = ["\"mean\"", "\"sum\"", "\"none\"", "'sum'"]

    mutating func reduction() -> String { rng.pick(Session.reductions) }

    /// Adds each optional keyword with probability `p`.
    /// `multi_head_attention_forward` with PyTorch's 13 positional arguments: batched or
    /// unbatched, self-attention or not, sometimes heads that do not divide E, and masks.
    mutating func multiheadAttentionCall() -> Call {
      let (l, s, n) = (rng.int(in: 1...3), rng.int(in: 1...3), rng.int(in: 1...2))
      let e = rng.pick([2, 4])
      let heads = rng.pick([1, 2, 2, 3])
      let batched = rng.chance(0.7)
      let query = tensor(batched ? [l, n, e] : [l, e])
      let selfAttention = rng.chance(0.5)
      let key = selfAttention ? query : tensor(batched ? [s, n, e] : [s, e])
      let keys = selfAttention ? l : s
      var call = Call(
        name: "multi_head_attention_forward",
        positional: [
          query, key, key, String(e), String(heads), tensor([3 * e, e]), rng.chance(0.5) ? tensor([3 * e]) : "None",
          "None", "None", "False", rng.pick(["0.0", "0.0", "0.1"]), tensor([e, e]),
          rng.chance(0.5) ? tensor([e]) : "None",
        ], keywords: [])
      optional(
        &call, 0.3,
        [
          (
            "attn_mask",
            { g in g.rng.chance(0.5) ? g.booleans([l, keys]) : g.tensor([l, keys]) { $0.rng.pick(["0", "-inf"]) } }
          ),
          ("key_padding_mask", { g in g.booleans(batched ? [n, keys] : [keys]) }),
          ("need_weights", { g in g.rng.pick(["True", "False"]) }),
          ("average_attn_weights", { g in g.rng.pick(["True", "False"]) }),
          ("is_causal", { g in g.rng.pick(["True", "False"]) }),
          ("training", { g in g.rng.pick(["True", "False"]) }),
        ])
      return call
    }

    mutating func optional(_ call: inout Call, _ p: Double, _ options: [(String, (inout Session) -> String)]) {
      for (name, value) in options where rng.chance(p) { call.keywords.append((name, value(&self))) }
    }

    mutating func call(wrong: Bool) -> String {
      var c = validCall()
      if wrong { corrupt(&c) }
      var text = c.text
      // Sometimes use the result: index it, do arithmetic on it, reduce it.
      if rng.chance(0.15) {
        switch rng.below(4) {
        case 0: text += "[\(rng.int(in: -1...1))]"
        case 1: text = "\(scalar(depth: 1)) * \(text)"
        case 2: text = "sum(\(text))"
        default: text = "\(text) - \(text)"
        }
      }
      return text
    }

    mutating func validCall() -> Call {
      let n = rng.int(in: 1...3)
      let c = rng.int(in: 1...4)
      switch rng.below(22) {
      case 0, 1:
        var call = Call(name: "cross_entropy", positional: [tensor([n, c])], keywords: [])
        let probs = rng.chance(0.3)
        call.positional.append(probs ? probabilities([n, c]) : classTargets(n, c))
        optional(
          &call, 0.25,
          [
            ("weight", { s in s.tensor([c]) { $0.smallNumber() } }),
            ("ignore_index", { s in s.rng.pick(["-100", "0", "1", "-1", "\(c)"]) }),
            ("reduction", { s in s.reduction() }),
            ("label_smoothing", { s in s.rng.pick(["0.0", "0.1", "0.5", "1.0", "0.25"]) }),
          ])
        if probs { call.keywords.removeAll { $0.0 == "ignore_index" } }
        return call
      case 2:
        var call = Call(
          name: "nll_loss",
          positional: [rng.chance(0.5) ? "log_softmax(\(tensor([n, c])))" : tensor([n, c]), classTargets(n, c)],
          keywords: [])
        optional(
          &call, 0.3,
          [
            ("weight", { s in s.tensor([c]) { $0.smallNumber() } }),
            ("ignore_index", { s in s.rng.pick(["-100", "0", "1"]) }),
            ("reduction", { s in s.reduction() }),
          ])
        return call
      case 3:
        let shape = rng.chance(0.5) ? [n] : [n, c]
        let input = tensor(shape) { s in
          s.rng.chance(0.6) ? "sigmoid(\(s.symbol()))" : s.rng.pick(["0.3", "0", "1", "0.5", s.symbol()])
        }
        var call = Call(name: "binary_cross_entropy", positional: [input, probabilities(shape)], keywords: [])
        optional(
          &call, 0.3,
          [
            ("weight", { s in s.tensor(shape) { $0.smallNumber() } }),
            ("reduction", { s in s.reduction() }),
            ("clamp", { s in s.rng.pick(["True", "False"]) }),
          ])
        return call
      case 4:
        let shape = rng.chance(0.5) ? [n] : [n, c]
        var call = Call(
          name: "binary_cross_entropy_with_logits", positional: [tensor(shape), probabilities(shape)], keywords: [])
        optional(
          &call, 0.3,
          [
            ("weight", { s in s.tensor(shape) { $0.smallNumber() } }),
            ("pos_weight", { s in s.tensor([shape.last!]) { $0.smallNumber() } }),
            ("reduction", { s in s.reduction() }),
          ])
        return call
      case 5:
        let shape = rng.chance(0.5) ? [n] : [n, c]
        var call = Call(name: "sigmoid_focal_loss", positional: [tensor(shape), probabilities(shape)], keywords: [])
        optional(
          &call, 0.4,
          [
            ("alpha", { s in s.rng.pick(["0.25", "0", "1", "-1", "0.5"]) }),
            ("gamma", { s in s.rng.pick(["2", "0", "0.5", "1", "3.5"]) }),
            ("reduction", { s in s.reduction() }),
          ])
        return call
      case 6:
        let inDim = rng.int(in: 1...3)
        let outDim = rng.int(in: 1...3)
        var call = Call(name: "linear", positional: [tensor([n, inDim]), tensor([outDim, inDim])], keywords: [])
        if rng.chance(0.5) {
          let bias = tensor([outDim])
          if rng.chance(0.5) { call.positional.append(bias) } else { call.keywords.append(("bias", bias)) }
        }
        return call
      case 7, 8:
        let shape = [[c], [n, c], [1, c, n]][rng.below(3)]
        var call = Call(
          name: rng.pick(["softmax", "log_softmax", "softmin", "F.softmax"]), positional: [tensor(shape)], keywords: [])
        if rng.chance(0.4) { call.keywords.append(("dim", rng.pick(["-1", "0", "1", "-2"]))) }
        if rng.chance(0.1) {
          call.keywords.append(("dtype", rng.pick(["torch.float64", "torch.float32", "torch.int64"])))
        }
        return call
      case 9:
        let shape = [[c], [n, c]][rng.below(2)]
        var call = Call(name: rng.pick(["sum", "mean"]), positional: [tensor(shape)], keywords: [])
        if rng.chance(0.4) { call.keywords.append(("dim", rng.pick(["-1", "0", "1", "None"]))) }
        return call
      case 10, 11:
        if rng.chance(0.25) { return multiheadAttentionCall() }
        let l = rng.int(in: 1...3)
        let s = rng.int(in: 1...3)
        let e = rng.int(in: 1...2)
        let ev = rng.int(in: 1...2)
        let weights = rng.chance(0.4)
        var call = Call(
          name: weights ? "attention_weights" : "scaled_dot_product_attention",
          positional: [tensor([l, e]), tensor([s, e])], keywords: [])
        if !weights { call.positional.append(tensor([s, ev])) }
        optional(
          &call, 0.25,
          [
            (
              "attn_mask",
              { g in
                g.rng.chance(0.5) ? g.booleans([l, s]) : g.tensor([l, s]) { $0.rng.pick(["0", "-inf", "0", "-1e9"]) }
              }
            ),
            ("is_causal", { g in g.rng.pick(["True", "False"]) }),
            ("scale", { g in g.rng.pick(["0.5", "1", "None", "2"]) }),
            ("key_padding_mask", { g in g.booleans([s]) }),
            ("attention_mask", { g in g.tensor([s]) { $0.rng.pick(["1", "0", "1"]) } }),
          ])
        return call
      case 12:
        return Call(
          name: rng.pick(["causal_mask", "generate_square_subsequent_mask"]), positional: [String(rng.int(in: 0...6))],
          keywords: [])
      case 13:
        if rng.chance(0.3) {
          let name = rng.pick(["\"X\"", "'W'", "\"x\"", "\"inf\"", "1"])
          let shape = rng.pick(["[2, 3]", "[0]", "[]", "3", "[1, 2, 2]", "[-1]", "[100000, 100000]"])
          return Call(name: "symbols", positional: [name, shape], keywords: [])
        }
        if rng.chance(0.3) {
          let sizes = (0..<rng.int(in: 0...3)).map { _ in rng.pick(["0", "1", "2", "3", "-1", "x", "[2, 0]", "100000"])
          }
          let keywords = rng.chance(0.2) ? [("dtype", rng.pick(["torch.float32", "torch.int64"]))] : []
          return Call(name: rng.pick(["zeros", "ones"]), positional: sizes, keywords: keywords)
        }
        return Call(name: "eye", positional: [String(rng.int(in: 0...5))], keywords: [])
      case 14:
        let k = rng.int(in: 0...3)
        return Call(name: "one_hot", positional: [String(k), String(rng.int(in: (k + 1)...5))], keywords: [])
      case 15:
        return Call(name: "diag", positional: [tensor([c])], keywords: [])
      case 16:
        return Call(name: "outer", positional: [tensor([n]), tensor([c])], keywords: [])
      case 17:
        switch rng.int(in: 0...2) {
        case 0: return Call(name: "transpose", positional: [tensor([n, c])], keywords: [])
        case 1:
          if rng.chance(0.5) {
            let shape = rng.pick(["[-1]", "[\(c), \(n)]", "[\(c), -1]", "[-1, -1]", "[\(n * c + 1)]", "[0, -1]"])
            if rng.chance(0.4) {
              // Tensor methods: x.view(2, 3), x.reshape(-1), x.T.sum(0) (the call's name
              // carries the receiver's text).
              let sizes = String(shape.dropFirst().dropLast())
              let member = rng.pick(["view", "reshape", "T.sum", "softmax", "max", "exp", "foo"])
              let arguments = member == "view" || member == "reshape" ? [sizes] : member == "exp" ? [] : ["0"]
              return Call(name: "\(tensor([n, c])).\(member)", positional: arguments, keywords: [])
            }
            return Call(name: rng.pick(["reshape", "view"]), positional: [tensor([n, c]), shape], keywords: [])
          }
          let d = [String(rng.int(in: -2...1)), String(rng.int(in: -2...1))]
          return Call(name: "transpose", positional: [tensor([n, c, 2])] + d, keywords: [])
        default:
          let k = rng.chance(0.8) ? c : c + 1  // sometimes shapes PyTorch refuses
          return Call(
            name: "matmul", positional: [tensor([n, c]), tensor(rng.chance(0.5) ? [k] : [k, n])], keywords: [])
        }
      case 18:
        return Call(name: "grad", positional: [scalar(depth: 3), symbolList()], keywords: [])
      case 19:
        return Call(name: "jacobian", positional: [tensor([n]) { $0.scalar(depth: 2) }, symbolList()], keywords: [])
      case 20:
        return Call(name: "hessian", positional: [scalar(depth: 2), symbolList()], keywords: [])
      default:
        if rng.chance(0.5) {
          return Call(
            name: "simplify", positional: [rng.chance(0.5) ? scalar(depth: 3) : tensor([n, c])], keywords: [])
        }
        // Elementwise functions on lists, and an unknown function.
        let name =
          rng.chance(0.9) ? rng.pick(InputGenerator.unaryFunctions) : rng.pick(["foo", "Softmax", "ReLU", "exp_"])
        return Call(name: name, positional: [tensor([[c], [n, c]][rng.below(2)])], keywords: [])
      }
    }

    mutating func classTargets(_ n: Int, _ c: Int) -> String {
      "["
        + (0..<n).map { _ in
          rng.chance(0.9) ? String(rng.below(c)) : rng.pick(["-100", "\(c)", "-1"])
        }.joined(separator: ", ") + "]"
    }

    mutating func symbolList() -> String {
      let count = rng.int(in: 1...symbols.count)
      return "[" + symbols.prefix(count).joined(separator: ", ") + "]"
    }

    /// One corruption of a valid call: a wrong shape, rank or type for one argument, a
    /// bad keyword name or value, a missing or extra argument, a repeated keyword, an
    /// argument given both by position and by keyword.
    mutating func corrupt(_ call: inout Call) {
      switch rng.below(10) {
      case 0 where !call.positional.isEmpty:
        // A dimension off by one, or another rank.
        let i = rng.below(call.positional.count)
        let shapes: [[Int]] = [
          [], [rng.int(in: 0...4)], [rng.int(in: 1...3), rng.int(in: 1...5)], [2, 1, 2], [0, 2],
        ]
        call.positional[i] = tensor(rng.pick(shapes))
      case 1 where !call.positional.isEmpty:
        call.positional[rng.below(call.positional.count)] = rng.pick([
          "\"sum\"", "True", "[]", "[[]]", "[[1, 2], [3]]", "[x, [y]]", "None", "[True, 1]",
        ])
      case 2:
        call.keywords.append(
          (rng.pick(["foo", "reduce", "size_average", "dim", "weight", "bias", "input", "target"]), entry()))
      case 3 where !call.keywords.isEmpty:
        let i = rng.below(call.keywords.count)
        call.keywords[i].1 = rng.pick([
          "\"avg\"", "1", "True", "-100.5", "x", "[1, 2, 3, 4, 5]", "1.5", "-0.1", "\"\"", "nan", "inf", "2**70",
        ])
      case 4 where !call.positional.isEmpty:
        call.positional.removeLast()
      case 5:
        call.positional.append(entry())
      case 6 where !call.keywords.isEmpty:
        call.keywords.append(call.keywords[rng.below(call.keywords.count)])
      case 7:
        call.keywords.append(
          (
            rng.pick([
              "reduction", "weight", "ignore_index", "label_smoothing", "dim", "bias", "pos_weight", "scale",
              "is_causal", "clamp", "alpha", "gamma",
            ]), rng.pick(["\"sum\"", "1", "[1, 2]", "True", "0.5", "-1"])
          ))
      case 8:
        call.name = rng.pick([
          "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "sigmoid_focal_loss",
          "linear", "softmax", "scaled_dot_product_attention", "attention_weights", "one_hot", "eye", "grad", "hessian",
          "transpose", "matmul", "outer", "causal_mask", "max", "min", "sum", "mean",
        ])
      default:
        if !call.positional.isEmpty { call.positional[rng.below(call.positional.count)] = scalar(depth: 1) }
      }
    }

    // MARK: Mutations

    /// Tokens and fragments inserted by mutations.
    mutating func fragment() -> String {
      switch rng.below(8) {
      case 0:
        return rng.pick([
          "(", ")", "[", "]", ",", "+", "-", "*", "/", "**", "^", "=", ".", "'", "\"", " ", "e", "1e", "E", "<", ">",
          "==", "!=", "<=", ">=", "!", "&", "|", "~",
        ])
      case 1:
        return rng.pick([
          "exp(", "log(", "sigmoid(", "max(", "softmax(", "sum(", "[0]", "[-1]", "reduction=\"sum\", ", "dim=0, ",
          ")*(", "**-1", "where(", " > 0, ",
        ])
      case 2: return extremeNumber()
      case 3: return leaf()
      case 4: return Session.unicode[rng.below(Session.unicode.count)]
      case 5: return constant()
      case 6: return String(repeating: "(", count: rng.int(in: 1...5))
      default: return rng.pick(["0", "-0", "0.0", "1", "-1", "inf", "-inf", "nan"])
      }
    }

    static let unicode = [
      "π", "∞", "é", "x\u{301}", "ｘ", "１", "٣", "\u{200B}", "\u{00A0}", "\u{202E}", "😀", "𝑥", "Ω", "ß",
      "İ", "\u{FEFF}", "\t", "\n", "\r\n", "\u{0}", "−", "×", "²", "½", "ⅷ", "\u{2028}", "ǅ", "ﬁ", "\u{E000}",
      "ा", "ㄱ", "\u{FFFD}", "\u{1F1FA}\u{1F1F8}",
    ]

    /// One mutation of `text`: on its UTF-8 bytes (invalid sequences decode as U+FFFD) or on
    /// its rough tokens.
    mutating func mutate(_ text: String) -> String {
      var bytes = Array(text.utf8)
      func position(_ rng: inout SplitMix64) -> Int { bytes.isEmpty ? 0 : rng.below(bytes.count + 1) }
      switch rng.below(9) {
      case 0:  // delete 1-4 bytes
        guard !bytes.isEmpty else { break }
        let i = rng.below(bytes.count)
        let n = min(rng.int(in: 1...4), bytes.count - i)
        bytes.removeSubrange(i..<(i + n))
      case 1:  // duplicate a range, right after it or elsewhere
        guard !bytes.isEmpty else { break }
        let i = rng.below(bytes.count)
        let n = min(rng.int(in: 1...24), bytes.count - i)
        let piece = Array(bytes[i..<(i + n)])
        bytes.insert(contentsOf: piece, at: rng.chance(0.5) ? i + n : position(&rng))
      case 2, 3:  // insert a fragment
        bytes.insert(contentsOf: Array(fragment().utf8), at: position(&rng))
      case 4:  // replace a number by an extreme one
        let runs = KnownIssue.digitRuns(in: text)
        guard let run = runs.isEmpty ? nil : runs[rng.below(runs.count)] else { break }
        var t = text
        t.replaceSubrange(run.startIndex..<run.endIndex, with: extremeNumber())
        return t
      case 5:  // delete a token
        var tokens = Session.roughTokens(text)
        guard !tokens.isEmpty else { break }
        tokens.remove(at: rng.below(tokens.count))
        return tokens.joined()
      case 6:  // duplicate or swap tokens
        var tokens = Session.roughTokens(text)
        guard tokens.count >= 2 else { break }
        let i = rng.below(tokens.count)
        let j = rng.below(tokens.count)
        if rng.chance(0.5) { tokens.swapAt(i, j) } else { tokens.insert(tokens[i], at: j) }
        return tokens.joined()
      case 7:  // truncate
        guard !bytes.isEmpty else { break }
        bytes.removeSubrange(rng.below(bytes.count)...)
      default:  // replace a byte by a random byte
        guard !bytes.isEmpty else { break }
        bytes[rng.below(bytes.count)] = UInt8(truncatingIfNeeded: rng.next())
      }
      return String(decoding: bytes, as: UTF8.self)
    }

    /// Names, numbers, `**`, and single other characters (whitespace kept as tokens).
    static func roughTokens(_ text: String) -> [String] {
      var out: [String] = []
      var i = text.startIndex
      while i < text.endIndex {
        let c = text[i]
        var j = text.index(after: i)
        if c.isLetter || c == "_" || c.isNumber || c == "." {
          while j < text.endIndex, text[j].isLetter || text[j].isNumber || text[j] == "_" || text[j] == "." {
            j = text.index(after: j)
          }
        } else if c == "*", j < text.endIndex, text[j] == "*" {
          j = text.index(after: j)
        }
        out.append(String(text[i..<j]))
        i = j
      }
      return out
    }

    // MARK: The other kinds

    /// Nesting from a few levels to past the parser's limit (`Parser.maxDepth` = 256),
    /// with a share around 200 (the old limit) and around the limit itself.
    mutating func deep() -> String {
      let depths = [
        rng.int(in: 2...30), rng.int(in: 30...120), rng.int(in: 190...210), rng.int(in: 246...266),
        rng.int(in: 250...2000),
      ]
      let n = depths[rng.weighted([50, 25, 15, 5, 5])]
      let s = symbol()
      switch rng.below(10) {
      case 0: return String(repeating: "(", count: n) + s + String(repeating: ")", count: n)
      case 1: return String(repeating: "[", count: n) + s + String(repeating: "]", count: n)
      case 2: return String(repeating: "-", count: n) + s
      case 3:
        let f = rng.pick(InputGenerator.unaryFunctions)
        return String(repeating: f + "(", count: n) + s + String(repeating: ")", count: n)
      case 4: return Array(repeating: s, count: n + 1).joined(separator: "**")
      case 5: return s + String(repeating: "[0]", count: n)
      case 6:
        // Alternating functions, as a derivative chain would build.
        var t = s
        for _ in 0..<n {
          t = rng.pick(InputGenerator.unaryFunctions) + "(" + t + rng.pick(["", " + 1", "*2", " - \(symbol())"]) + ")"
        }
        return t
      case 7: return String(repeating: "sum([", count: n) + s + String(repeating: "])", count: n)
      case 8: return String(repeating: "1/(1 + ", count: n) + s + String(repeating: ")", count: n)
      default:
        let base = rng.pick(["2", s, "(\(s) + 1)"])
        return Array(repeating: base, count: n + 1).joined(separator: rng.pick(["^", "**"]))
      }
    }

    /// Sums and products of hundreds to thousands of terms.
    mutating func long() -> String {
      let n = rng.sqrtUniform(100...max(100, options.maxLongTerms))
      var parts: [String] = []
      parts.reserveCapacity(n)
      let style = rng.below(5)
      for i in 0..<n {
        switch style {
        case 0: parts.append("x\(i)")
        case 1: parts.append("\(rng.int(in: 1...9))*\(symbol())**\(i % 7)")
        case 2: parts.append("exp(\(symbol()) + \(i))")
        case 3: parts.append(symbol())
        default: parts.append("\(rng.int(in: 1...99))/\(rng.int(in: 1...99))")
        }
      }
      let op = rng.chance(0.75) ? rng.pick([" + ", " - ", "+"]) : rng.pick(["*", " * ", "/"])
      let body = parts.joined(separator: op)
      return rng.chance(0.3) ? rng.pick(["exp", "log", "sigmoid", "sqrt"]) + "(" + body + ")" : body
    }

    /// Huge, tiny and Int-edge numbers in every position.
    mutating func numbersInput() -> String {
      let a = extremeNumber()
      let b = extremeNumber()
      let s = symbol()
      switch rng.below(10) {
      case 0: return "\(s)**\(paren(a))"
      case 1: return "\(paren(a))**\(paren(b))"
      case 2: return "exp(\(paren(a))*\(s)) + 1"
      case 3: return "\(paren(a))*\(s) + \(paren(b))"
      case 4: return "\(paren(a))/\(paren(b))"
      case 5: return "\(rng.pick(InputGenerator.unaryFunctions))(\(a))"
      case 6: return "cross_entropy([[\(s), \(a)]], [\(rng.below(2))])"
      case 7: return "sigmoid_focal_loss([[\(s)]], [[\(a)]])"
      case 8: return "(\(a)*sigmoid(\(s)) + 1)**2/\(paren(b))"
      default: return "\(s)**\(rng.pick(["(-2**63)", "(2**62)", "(-1e308)", "(1/3)", "400", "(-400)"]))"
      }
    }

    func paren(_ n: String) -> String {
      n.first == "-" || n.contains("*") || n.contains("+") || n.contains("/") ? "(\(n))" : n
    }

    /// Non-ASCII characters in names, strings and between tokens.
    mutating func unicodeInput() -> String {
      let u = rng.pick(Session.unicode)
      let base = scalar(depth: rng.int(in: 1...3))
      switch rng.below(5) {
      case 0: return u + base
      case 1: return base + u
      case 2: return "\(symbol())\(u) + 1"
      case 3: return "cross_entropy([[a, b]], [0], reduction=\"sum\(u)\")"
      default:
        var tokens = Session.roughTokens(base)
        tokens.insert(u, at: rng.below(tokens.count + 1))
        return tokens.joined()
      }
    }

    /// `eye(n)`, `causal_mask(n)` and friends with large `n`.
    mutating func largeLiteral() -> String {
      let n = rng.sqrtUniform(16...max(16, options.maxMatrixSize))
      switch rng.below(5) {
      case 0: return "eye(\(n))"
      case 1: return "causal_mask(\(n))"
      case 2: return "generate_square_subsequent_mask(\(n))"
      case 3: return "one_hot(\(n - 1), \(n))"
      default: return "softmax(causal_mask(\(min(n, 64))) + eye(\(min(n, 64))))"
      }
    }
  }
}
