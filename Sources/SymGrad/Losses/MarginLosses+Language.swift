/// The margin and embedding losses of the expression language (`torch.nn.functional` names,
/// positional order and defaults), registered with the losses.
enum MarginLossFunctions {
  static let all: [LanguageFunction] = [
    LanguageFunction(
      name: "margin_ranking_loss",
      summary:
        "margin_ranking_loss(input1, input2, target, margin=0, reduction=\"mean\"): max(0, -target*(input1 - input2) + margin); derivative 0 at the kink, as PyTorch"
    ) { a in
      try a.expect(
        positional: 3...4, keywords: ["margin", "reduction"], names: ["input1", "input2", "target", "margin"])
      return try a.run {
        try marginRankingLoss(
          a.tensor(0, "input1"), a.tensor(1, "input2"), target: a.tensor(2, "target"),
          margin: a.scalar(3, "margin") ?? .zero, reduction: a.reduction(default: .mean)
        ).value
      }
    },
    LanguageFunction(
      name: "hinge_embedding_loss",
      summary:
        "hinge_embedding_loss(input, target, margin=1.0, reduction=\"mean\"): x where target is 1, max(0, margin - x) where it is -1 (numeric targets)"
    ) { a in
      try a.expect(positional: 2...3, keywords: ["margin", "reduction"], names: ["input", "target", "margin"])
      return try a.run {
        try hingeEmbeddingLoss(
          a.tensor(0, "input"), target: a.tensor(1, "target"), margin: a.scalar(2, "margin") ?? .one,
          reduction: a.reduction(default: .mean)
        ).value
      }
    },
    LanguageFunction(
      name: "multilabel_soft_margin_loss",
      summary:
        "multilabel_soft_margin_loss(input, target, weight=None, reduction=\"mean\"): per sample the class mean of -w (y log sigmoid(x) + (1 - y) log sigmoid(-x))"
    ) { a in
      try a.expect(positional: 2...3, keywords: ["weight", "reduction"], names: ["input", "target", "weight"])
      return try a.run {
        try multilabelSoftMarginLoss(
          a.tensor(0, "input"), target: a.tensor(1, "target"), weight: a.optionalTensor("weight"),
          reduction: a.reduction(default: .mean)
        ).value
      }
    },
    LanguageFunction(
      name: "cosine_embedding_loss",
      summary:
        "cosine_embedding_loss(input1, input2, target, margin=0, reduction=\"mean\"): 1 - cos where target is 1, max(0, cos - margin) where -1; cos with ATen's float32 eps 1e-12"
    ) { a in
      try a.expect(
        positional: 3...4, keywords: ["margin", "reduction"], names: ["input1", "input2", "target", "margin"])
      return try a.run {
        try cosineEmbeddingLoss(
          a.tensor(0, "input1"), a.tensor(1, "input2"), target: a.tensor(2, "target"),
          margin: a.scalar(3, "margin") ?? .zero, reduction: a.reduction(default: .mean)
        ).value
      }
    },
    LanguageFunction(
      name: "multi_margin_loss",
      summary:
        "multi_margin_loss(input, target, p=1, margin=1, weight=None, reduction=\"mean\"): per sample sum over i != y of w_y max(0, margin - x_y + x_i)**p / C"
    ) { a in
      try a.expect(
        positional: 2...5, keywords: ["p", "margin", "weight", "reduction"],
        names: ["input", "target", "p", "margin", "weight"])
      let input = try a.tensor(0, "input")
      let target = try a.tensor(1, "target")
      let classes = try a.integers(target, "target must hold class indices (integers)")
      return try a.run {
        try multiMarginLoss(
          input, target: classes, targetShape: target.shape, p: a.int(2, "p") ?? 1,
          margin: a.scalar(3, "margin") ?? .one,
          weight: a.vector("weight"), reduction: a.reduction(default: .mean)
        ).value
      }
    },
    LanguageFunction(
      name: "multilabel_margin_loss",
      summary:
        "multilabel_margin_loss(input, target, reduction=\"mean\"): per sample sum over targets j (up to the first -1) and non-targets i of max(0, 1 - (x_j - x_i)) / C"
    ) { a in
      try a.expect(positional: 2...2, keywords: ["reduction"], names: ["input", "target"])
      let input = try a.tensor(0, "input")
      let target = try a.tensor(1, "target")
      // ATen: the input's shape for (N, C); for () and (C), () or 1-D with one entry per class.
      let fits = input.rank == 2 ? target.shape == input.shape : target.rank <= 1 && target.count == input.count
      guard fits else {
        throw a.error(
          "target must have the input's shape \(input.shape), got \(target.shape)", at: a.column(of: "target"))
      }
      let labels = try a.integers(target, "target must hold class indices (integers, -1 ends the list)")
      return try a.run { try multilabelMarginLoss(input, target: labels, reduction: a.reduction(default: .mean)).value }
    },
    LanguageFunction(
      name: "triplet_margin_loss",
      summary:
        "triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, reduction=\"mean\"): max(0, margin + d(a, p) - d(a, n)), d = pairwise_distance"
    ) { a in
      try a.expect(
        positional: 3...6, keywords: ["margin", "p", "eps", "swap", "reduction"],
        names: ["anchor", "positive", "negative", "margin", "p", "eps"])
      return try a.run {
        try tripletMarginLoss(
          anchor: a.tensor(0, "anchor"), positive: a.tensor(1, "positive"), negative: a.tensor(2, "negative"),
          margin: a.scalar(3, "margin") ?? .one, p: a.scalar(4, "p") ?? 2,
          eps: a.scalar(5, "eps") ?? .number(Rational(numerator: 1, denominator: 1_000_000)!),
          swap: a.bool("swap") ?? false, reduction: a.reduction(default: .mean)
        ).value
      }
    },
    LanguageFunction(
      name: "pairwise_distance",
      summary:
        "pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False): ||x1 - x2 + eps||_p along the last dimension"
    ) { a in
      try a.expect(positional: 2...5, keywords: ["p", "eps", "keepdim"], names: ["x1", "x2", "p", "eps", "keepdim"])
      return try a.run {
        try pairwiseDistance(
          a.tensor(0, "x1"), a.tensor(1, "x2"), p: a.scalar(2, "p") ?? 2,
          eps: a.scalar(3, "eps") ?? .number(Rational(numerator: 1, denominator: 1_000_000)!),
          keepdim: a.bool("keepdim") ?? false
        ).value
      }
    },
    LanguageFunction(
      name: "cosine_similarity",
      summary:
        "cosine_similarity(x1, x2, dim=1, eps=1e-8): sum of x1/max(|x1|, eps) * x2/max(|x2|, eps) along dim"
    ) { a in
      try a.expect(positional: 2...4, keywords: ["dim", "eps"], names: ["x1", "x2", "dim", "eps"])
      return try a.run {
        try cosineSimilarity(
          a.tensor(0, "x1"), a.tensor(1, "x2"), dim: a.int(2, "dim") ?? 1,
          eps: a.scalar(3, "eps") ?? .number(Rational(numerator: 1, denominator: 100_000_000)!)
        ).value
      }
    },
    LanguageFunction(
      name: "normalize",
      summary: "normalize(input, p=2.0, dim=1, eps=1e-12): x / max(||x||_p, eps) along dim"
    ) { a in
      try a.expect(positional: 1...4, keywords: ["p", "dim", "eps"], names: ["input", "p", "dim", "eps"])
      return try a.run {
        try normalize(
          a.tensor(0, "input"), p: a.scalar(1, "p") ?? 2, dim: a.int(2, "dim") ?? 1,
          eps: a.scalar(3, "eps") ?? .number(Rational(numerator: 1, denominator: 1_000_000_000_000)!)
        ).value
      }
    },
    LanguageFunction(
      name: "gaussian_nll_loss",
      summary:
        "gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction=\"mean\"): (log(max(var, eps)) + (input - target)**2/max(var, eps))/2"
    ) { a in
      try a.expect(
        positional: 3...4, keywords: ["full", "eps", "reduction"], names: ["input", "target", "var", "full"])
      let full = try a.flag(3, "full")
      return try a.run {
        try gaussianNLLLoss(
          a.tensor(0, "input"), target: a.tensor(1, "target"), variance: a.tensor(2, "var"), full: full,
          eps: a.scalar(nil, "eps") ?? .number(Rational(numerator: 1, denominator: 1_000_000)!),
          reduction: a.reduction(default: .mean)
        ).value
      }
    },
    LanguageFunction(
      name: "layer_norm",
      summary:
        "layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5): (x - mean)/sqrt(var + eps)*weight + bias over the last dims"
    ) { a in
      try a.expect(
        positional: 2...5, keywords: ["weight", "bias", "eps"],
        names: ["input", "normalized_shape", "weight", "bias", "eps"])
      guard let shape = try a.dims(1, "normalized_shape") else { throw a.error("missing argument 'normalized_shape'") }
      let weight = a.argument(2, "weight") == nil ? nil : try a.tensor(2, "weight")
      let bias = a.argument(3, "bias") == nil ? nil : try a.tensor(3, "bias")
      return try a.run {
        try layerNorm(
          a.tensor(0, "input"), normalizedShape: shape, weight: weight, bias: bias,
          eps: a.scalar(4, "eps") ?? .number(Rational(numerator: 1, denominator: 100_000)!)
        ).value
      }
    },
  ]
}

extension CallArguments {
  /// The entries of the `target` tensor as integers, or the error `what` at the target.
  func integers(_ target: Expr.Tensor, _ what: String) throws -> [Int] {
    try target.elements.map { e in
      guard let r = e.rationalValue, r.isInteger, let k = r.numerator.asInt else {
        throw error("\(what), got \(e)", at: column(of: "target"))
      }
      return k
    }
  }
}
