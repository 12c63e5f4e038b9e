/// The losses, softmax, linear and reductions as functions of the expression language,
/// with PyTorch's names and keyword arguments (a contract: names and keywords never
/// change), e.g. `cross_entropy([[a, b], [c, d]], [0, 1], reduction="sum")`.
enum LossFunctions {
  static let all: [LanguageFunction] = [
    LanguageFunction(
      name: "softmax",
      summary:
        "softmax(x, dim=None, dtype=None): exp(x) / sum(exp(x)) along dim (without dim: PyTorch's implicit choice, 0 for 0-, 1- and 3-D inputs, else 1, with its warning; dtype torch.float64 or torch.float32 changes only PyTorch's rounding, not the formula)"
    ) { a in
      try a.expect(positional: 1...2, keywords: ["dim", "dtype"], names: ["input", "dim"])
      let x = try a.tensor(0, "input")
      try a.checkDtype()
      return try a.run { try softmax(x, dim: a.softmaxDimension(for: x)).value }
    },
    LanguageFunction(
      name: "log_softmax",
      summary:
        "log_softmax(x, dim=None, dtype=None): x - log(sum(exp(x))) along dim (implicit dim and dtype as softmax)"
    ) { a in
      try a.expect(positional: 1...2, keywords: ["dim", "dtype"], names: ["input", "dim"])
      let x = try a.tensor(0, "input")
      try a.checkDtype()
      return try a.run { try logSoftmax(x, dim: a.softmaxDimension(for: x)).value }
    },
    LanguageFunction(
      name: "softmin",
      summary: "softmin(x, dim=None, dtype=None): softmax(-x) along dim (implicit dim and dtype as softmax)"
    ) { a in
      try a.expect(positional: 1...2, keywords: ["dim", "dtype"], names: ["input", "dim"])
      let x = try a.tensor(0, "input")
      try a.checkDtype()
      return try a.run { try softmax(x.map { -$0 }, dim: a.softmaxDimension(for: x)).value }
    },
    LanguageFunction(
      name: "nll_loss",
      summary:
        "nll_loss(input, target, weight=None, ignore_index=-100, reduction=\"mean\"): negative log-likelihood of class indices (F.nll_loss)"
    ) { a in
      try a.expect(positional: 2...2, keywords: ["weight", "ignore_index", "reduction"])
      let input = try a.tensor(0, "input")
      let target = try a.classIndices(1, for: input)
      return try a.run {
        try nllLoss(
          input, target: target, weight: a.vector("weight"), ignoreIndex: a.int(nil, "ignore_index") ?? -100,
          reduction: a.reduction(default: .mean)
        ).value
      }
    },
    LanguageFunction(
      name: "cross_entropy",
      summary:
        "cross_entropy(input, target, weight=None, ignore_index=-100, reduction=\"mean\", label_smoothing=0.0): log_softmax then nll_loss, or probability targets (F.cross_entropy)"
    ) { a in
      try a.expect(positional: 2...2, keywords: ["weight", "ignore_index", "reduction", "label_smoothing"])
      let input = try a.tensor(0, "input")
      let targetValue = try a.tensor(1, "target")
      let target: CrossEntropyTarget =
        targetValue.shape == input.shape && input.rank >= 1
        ? .probabilities(targetValue) : .classIndices(try a.classIndices(1, for: input))
      if case .probabilities = target, a.keyword("ignore_index") != nil {
        throw a.error(
          "ignore_index is not supported for floating point target (probability targets)",
          at: a.keyword("ignore_index")!.column)
      }
      return try a.run {
        try crossEntropy(
          input, target: target, weight: a.vector("weight"), ignoreIndex: a.int(nil, "ignore_index") ?? -100,
          reduction: a.reduction(default: .mean), labelSmoothing: a.scalar(nil, "label_smoothing") ?? .zero
        ).value
      }
    },
    LanguageFunction(
      name: "binary_cross_entropy",
      summary:
        "binary_cross_entropy(input, target, weight=None, reduction=\"mean\", clamp=True): BCE of probabilities in [0, 1], logs clamped at -100 as PyTorch (clamp=False: exact)"
    ) { a in
      try a.expect(positional: 2...2, keywords: ["weight", "reduction", "clamp"])
      return try a.run {
        try binaryCrossEntropy(
          a.tensor(0, "input"), target: a.tensor(1, "target"), weight: a.optionalTensor("weight"),
          reduction: a.reduction(default: .mean), clampLog: a.bool("clamp") ?? true
        ).value
      }
    },
    LanguageFunction(
      name: "binary_cross_entropy_with_logits",
      summary:
        "binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=\"mean\"): BCE of logits, sigmoid fused; pos_weight scales the positive term"
    ) { a in
      try a.expect(positional: 2...2, keywords: ["weight", "pos_weight", "reduction"])
      return try a.run {
        try binaryCrossEntropyWithLogits(
          a.tensor(0, "input"), target: a.tensor(1, "target"), weight: a.optionalTensor("weight"),
          posWeight: a.optionalTensor("pos_weight"), reduction: a.reduction(default: .mean)
        ).value
      }
    },
    LanguageFunction(
      name: "sigmoid_focal_loss",
      summary:
        "sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction=\"none\"): torchvision's focal loss of logits"
    ) { a in
      try a.expect(positional: 2...2, keywords: ["alpha", "gamma", "reduction"])
      return try a.run {
        try sigmoidFocalLoss(
          a.tensor(0, "inputs"), target: a.tensor(1, "targets"),
          alpha: a.scalar(nil, "alpha") ?? .number(Rational(numerator: 1, denominator: 4)!),
          gamma: a.scalar(nil, "gamma") ?? 2, reduction: a.reduction(default: .none)
        ).value
      }
    },
    LanguageFunction(
      name: "mse_loss",
      summary: "mse_loss(input, target, reduction=\"mean\"): mean of (input - target)**2 (same shapes)"
    ) { a in
      try a.expect(positional: 2...3, keywords: ["reduction"], names: ["input", "target", "reduction"])
      return try a.run {
        try mseLoss(
          a.tensor(0, "input"), target: a.tensor(1, "target"), reduction: a.reduction(default: .mean, position: 2)
        ).value
      }
    },
    LanguageFunction(
      name: "l1_loss",
      summary:
        "l1_loss(input, target, reduction=\"mean\"): mean of |input - target| (gradient 0 where equal, as PyTorch)"
    ) { a in
      try a.expect(positional: 2...3, keywords: ["reduction"], names: ["input", "target", "reduction"])
      return try a.run {
        try l1Loss(
          a.tensor(0, "input"), target: a.tensor(1, "target"), reduction: a.reduction(default: .mean, position: 2)
        ).value
      }
    },
    LanguageFunction(
      name: "huber_loss",
      summary:
        "huber_loss(input, target, reduction=\"mean\", delta=1.0): d**2/2 where |d| < delta, else delta*(|d| - delta/2), d = input - target"
    ) { a in
      try a.expect(
        positional: 2...4, keywords: ["reduction", "delta"], names: ["input", "target", "reduction", "delta"])
      return try a.run {
        try huberLoss(
          a.tensor(0, "input"), target: a.tensor(1, "target"), reduction: a.reduction(default: .mean, position: 2),
          delta: a.scalar(3, "delta") ?? .one
        ).value
      }
    },
    LanguageFunction(
      name: "smooth_l1_loss",
      summary:
        "smooth_l1_loss(input, target, reduction=\"mean\", beta=1.0): d**2/(2*beta) where |d| < beta, else |d| - beta/2 (beta=0: l1_loss)"
    ) { a in
      try a.expect(positional: 2...2, keywords: ["reduction", "beta"], names: ["input", "target"])
      return try a.run {
        try smoothL1Loss(
          a.tensor(0, "input"), target: a.tensor(1, "target"), reduction: a.reduction(default: .mean),
          beta: a.scalar(nil, "beta") ?? .one
        ).value
      }
    },
    LanguageFunction(
      name: "kl_div",
      summary:
        "kl_div(input, target, reduction=\"mean\", log_target=False): target * (log(target) - input) (input holds log-probabilities; 0 for a literal target 0); batchmean divides by input.size(0)"
    ) { a in
      try a.expect(positional: 2...2, keywords: ["reduction", "log_target"], names: ["input", "target"])
      var reduction = "mean"
      if let (v, c) = a.keyword("reduction") {
        guard case .string(let s) = v else { throw a.error("reduction must be a string", at: c) }
        reduction = s
      }
      return try a.run {
        try klDiv(
          a.tensor(0, "input"), target: a.tensor(1, "target"), reduction: reduction,
          logTarget: (try a.bool("log_target")) ?? false
        ).value
      }
    },
    LanguageFunction(
      name: "soft_margin_loss",
      summary:
        "soft_margin_loss(input, target, reduction=\"mean\"): mean of log(1 + exp(-target * input)) (targets +-1)"
    ) { a in
      try a.expect(positional: 2...3, keywords: ["reduction"], names: ["input", "target", "reduction"])
      return try a.run {
        try softMarginLoss(
          a.tensor(0, "input"), target: a.tensor(1, "target"), reduction: a.reduction(default: .mean, position: 2)
        ).value
      }
    },
    LanguageFunction(
      name: "poisson_nll_loss",
      summary:
        "poisson_nll_loss(input, target, log_input=True, full=False, eps=1e-8, reduction=\"mean\"): exp(input) - target*input, or input - target*log(input + eps); full adds Stirling's term where target > 1"
    ) { a in
      try a.expect(positional: 2...2, keywords: ["log_input", "full", "eps", "reduction"], names: ["input", "target"])
      return try a.run {
        try poissonNLLLoss(
          a.tensor(0, "input"), target: a.tensor(1, "target"), logInput: (try a.bool("log_input")) ?? true,
          full: (try a.bool("full")) ?? false,
          eps: (try a.scalar(nil, "eps")) ?? .number(Rational(numerator: 1, denominator: 100_000_000)!),
          reduction: a.reduction(default: .mean)
        )
        .value
      }
    },
    LanguageFunction(
      name: "logsumexp", summary: "logsumexp(x, dim, keepdim=False): log(sum(exp(x))) along dim (an int or a list)"
    ) { a in
      try a.expect(positional: 1...3, keywords: ["dim", "keepdim"], names: ["input", "dim", "keepdim"])
      let x = try a.tensor(0, "input")
      guard let dims = try a.dims(1, "dim") else { throw a.error("missing argument 'dim'") }
      let keep = try a.flag(2, "keepdim")
      return try a.run { try x.reduced(over: dims, keepdim: keep) { log(.sum($0.map(exp))) }.value }
    },
    LanguageFunction(name: "linear", summary: "linear(input, weight, bias=None): input @ weight^T + bias") { a in
      try a.expect(positional: 2...3, keywords: ["bias"], names: ["input", "weight", "bias"])
      return try a.run {
        try linear(
          a.tensor(0, "input"), weight: a.tensor(1, "weight"),
          bias: a.positional.count > 2 ? a.tensor(2, "bias") : a.optionalTensor("bias")
        ).value
      }
    },
    LanguageFunction(
      name: "sum",
      summary:
        "sum(x, dim=None, keepdim=False): sum of all entries, or along dim (an int or a list; kept with size 1 by keepdim)"
    ) { a in
      try a.expect(positional: 1...3, keywords: ["dim", "keepdim"], names: ["input", "dim", "keepdim"])
      let keep = try a.flag(2, "keepdim")
      return try a.run {
        try a.tensor(0, "input").reduced(over: a.dims(1, "dim"), keepdim: keep) { .sum($0) }.value
      }
    },
    LanguageFunction(
      name: "mean",
      summary:
        "mean(x, dim=None, keepdim=False): mean of all entries, or along dim (an int or a list; kept with size 1 by keepdim)"
    ) { a in
      try a.expect(positional: 1...3, keywords: ["dim", "keepdim"], names: ["input", "dim", "keepdim"])
      let keep = try a.flag(2, "keepdim")
      return try a.run {
        try a.tensor(0, "input").reduced(over: a.dims(1, "dim"), keepdim: keep) { .sum($0) / .number($0.count) }.value
      }
    },
    amax(largest: true),
    amax(largest: false),
  ]

  /// `amax(input, dim=(), keepdim=False)` / `amin`: the largest (smallest) entry along the
  /// dims (all for `()`), the gradient split evenly among the entries that attain it.
  static func amax(largest: Bool) -> LanguageFunction {
    let name = largest ? "amax" : "amin"
    return LanguageFunction(
      name: name,
      summary:
        "\(name)(input, dim=(), keepdim=False): the \(largest ? "largest" : "smallest") entry along dim (all for ()); ties share the gradient evenly"
    ) { a in
      try a.expect(positional: 1...3, keywords: ["dim", "keepdim"], names: ["input", "dim", "keepdim"])
      let keep = try a.flag(2, "keepdim")
      return try a.run {
        let x = try a.tensor(0, "input")
        let dims = try a.dims(1, "dim")
        try x.checkExtremumDimensions(dims)
        return try x.reduced(over: dims, keepdim: keep) { Expr.evenExtremum($0, largest: largest) }.value
      }
    }
  }
}

extension CallArguments {
  /// Runs a loss, turning its `LossError` into a `ParseError` at the offending argument's
  /// column (a keyword of that name, else its usual position), or at the call.
  func run(_ body: () throws -> Expr.Value) throws -> Expr.Value {
    do { return try body() } catch let e as LossError { throw error(e.message, at: e.argument.flatMap(column(of:))) }
  }

  /// The column of the argument called `name`: a keyword of that name, or the positional
  /// argument PyTorch's signatures put there.
  func column(of name: String) -> Int? {
    if let k = keyword(name) { return k.column }
    let usual: [String: Int] = ["input": 0, "target": 1, "query": 0, "key": 1, "value": 2, "attn_mask": 3, "dim": 1]
    var index = usual[name]
    if function == "linear" { index = ["input": 0, "weight": 1, "bias": 2][name] }
    if function == "attention_weights", name == "attn_mask" { index = 2 }
    if function == "multi_head_attention_forward" { index = Self.multiheadParameters.firstIndex(of: name) }
    guard let i = index, i < positional.count else { return nil }
    return positional[i].column
  }

  /// Positional `i` (or keyword `name`) as a tensor of scalars.
  func tensor(_ i: Int, _ name: String) throws -> Expr.Tensor {
    guard let (v, c) = argument(i, name) else { throw error("missing argument '\(name)'") }
    guard let t = Expr.Tensor(v) else {
      throw error("'\(name)' must be a number or a rectangular list of numbers, got \(v.kindName)", at: c)
    }
    return t
  }

  func optionalTensor(_ name: String) throws -> Expr.Tensor? {
    guard let (v, c) = keyword(name) else { return nil }
    guard let t = Expr.Tensor(v) else {
      throw error("'\(name)' must be a number or a rectangular list, got \(v.kindName)", at: c)
    }
    return t
  }

  /// A 1-D keyword tensor (class weights).
  func vector(_ name: String) throws -> [Expr]? {
    guard let (v, c) = keyword(name) else { return nil }
    guard let t = Expr.Tensor(v), t.rank == 1 else { throw error("'\(name)' must be a 1-D list", at: c) }
    return t.elements
  }

  /// Positional `i` (if given) or keyword `name` as dimensions: an integer, or a list of
  /// integers (`[]`: every dimension, as PyTorch); nil when absent or `None`.
  func dims(_ i: Int?, _ name: String) throws -> [Int]? {
    let found = i.flatMap { argument($0, name) } ?? keyword(name)
    guard let (v, c) = found else { return nil }
    func integer(_ x: Expr.Value) throws -> Int {
      guard let r = x.rationalValue, r.isInteger, let k = r.numerator.asInt else {
        throw error("'\(name)' must be an integer or a list of integers, got \(v)", at: c)
      }
      return k
    }
    if case .list(let items) = v { return try items.map(integer) }
    return [try integer(v)]
  }

  /// Positional `i` (if given) or keyword `name` as an integer.
  func int(_ i: Int?, _ name: String) throws -> Int? {
    let found = i.flatMap { argument($0, name) } ?? keyword(name)
    guard let (v, c) = found else { return nil }
    guard let r = v.rationalValue, r.isInteger, let k = r.numerator.asInt else {
      throw error("'\(name)' must be an integer, got \(v)", at: c)
    }
    return k
  }

  /// Positional `i` (if given) or keyword `name` as a scalar expression.
  func scalar(_ i: Int?, _ name: String) throws -> Expr? {
    let found = i.flatMap { argument($0, name) } ?? keyword(name)
    guard let (v, c) = found else { return nil }
    guard case .scalar(let e) = v else { throw error("'\(name)' must be a number, got \(v.kindName)", at: c) }
    return e
  }

  /// A flag given by position `i` or as the keyword `name` (True or False, anything else
  /// an error); false when absent (`keepdim`, `full`).
  func flag(_ i: Int, _ name: String) throws -> Bool {
    guard positional.count > i else { return (try bool(name)) ?? false }
    guard case .boolean(let b) = positional[i].value else {
      throw error("'\(name)' must be True or False, got \(positional[i].value)", at: positional[i].column)
    }
    return b
  }

  func bool(_ name: String) throws -> Bool? {
    guard let (v, c) = keyword(name) else { return nil }
    guard case .boolean(let b) = v else { throw error("'\(name)' must be True or False", at: c) }
    return b
  }

  /// The `reduction` keyword: "none", "mean" or "sum".
  func reduction(default d: Reduction, position: Int? = nil) throws -> Reduction {
    guard let (v, c) = position.flatMap({ argument($0, "reduction") }) ?? keyword("reduction") else { return d }
    guard case .string(let s) = v, let r = Reduction(rawValue: s) else {
      throw error("reduction must be \"none\", \"mean\" or \"sum\", got \(v)", at: c)
    }
    return r
  }

  /// Positional `i` as class indices matching an N x C (or C) input.
  /// `dtype=`: `torch.float64` (`torch.double`) or `torch.float32` (`torch.float`). The
  /// symbolic result is the same function; SymGrad's numbers are certified doubles, so a
  /// float32 dtype changes only the rounding PyTorch itself would do.
  func checkDtype() throws {
    guard let (v, c) = keyword("dtype") else { return }
    guard case .string(let s) = v, ["torch.float64", "torch.double", "torch.float32", "torch.float"].contains(s) else {
      throw error("dtype must be torch.float64 or torch.float32, got \(v)", at: c)
    }
  }

  /// The `dim` of a softmax-like call, or PyTorch's implicit choice with its warning.
  func softmaxDimension(for input: Expr.Tensor) throws -> Int {
    if let d = try int(1, "dim") { return d }
    let d = implicitSoftmaxDimension(rank: input.rank)
    warn(
      "UserWarning: Implicit dimension choice for \(function) has been deprecated. Change the call to include dim=X as an argument. (dim=\(d) used for a \(input.rank)-D input)"
    )
    return d
  }

  func classIndices(_ i: Int, for input: Expr.Tensor) throws -> [Int] {
    let (v, c) = positional[i]
    guard let t = Expr.Tensor(v) else { throw error("target must be a list of class indices", at: c) }
    // PyTorch: () for a (C) input, (N) for (N, C), (N, d1, ..., dK) for (N, C, d1, ..., dK).
    let expected = input.shapeWithoutClasses
    guard t.shape == expected else {
      throw error(
        "Expected target size \(expected) (class indices) or \(input.shape) (probabilities), got \(t.shape)", at: c)
    }
    return try t.elements.map { e in
      guard let r = e.rationalValue, r.isInteger, let k = r.numerator.asInt else {
        throw error("class indices must be integers, got \(e)", at: c)
      }
      return k
    }
  }
}
