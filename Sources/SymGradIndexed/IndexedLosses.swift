import SymGrad

/// PyTorch's losses in index notation, for every size: inputs `X` of shape `(N, C)`
/// (entries `X[n, c]`), class-index targets `t[n]` (data, classes `1...C` or
/// `ignore_index`), probability or real targets `t[n, c]`, class weights `w[c]`,
/// `pos_weight` `p[c]` (names and sizes as the caller names them, `Names`). Each states PyTorch's formula and denominators (the explicit
/// builders in `SymGrad/Losses` state the same; instantiation checks that they agree).
public enum IndexedLosses {
  /// The names of a loss's tensors and sizes (`X`, `t`, `w`, `Y`, `p`; `N`, `C`).
  public struct Names: Sendable {
    public var input = "X"
    public var target = "t"
    public var weight = "w"
    public var posWeight = "p"
    public var rows = IndexSize.symbolic("N")
    public var classes = IndexSize.symbolic("C")
    public init() {}
  }

  /// Options of `cross_entropy` / `nll_loss`.
  public struct ClassOptions: Sendable {
    /// Class weights `w[c]`.
    public var weight: Bool
    /// Whether targets may equal `ignore_index` (their rows count neither in the loss nor
    /// in the `mean` denominator).
    public var ignoreIndex: Bool
    /// Label smoothing `eps` (a number or a symbol).
    public var labelSmoothing: Expr
    public var reduction: Reduction
    /// Probability targets `Y[n, c]` instead of class indices (no `ignore_index`).
    public var probabilities: Bool

    public init(
      weight: Bool = false, ignoreIndex: Bool = false, labelSmoothing: Expr = .zero, reduction: Reduction = .mean,
      probabilities: Bool = false
    ) {
      self.weight = weight
      self.ignoreIndex = ignoreIndex
      self.labelSmoothing = labelSmoothing
      self.reduction = reduction
      self.probabilities = probabilities
    }
  }

  /// `cross_entropy(X, t)` with PyTorch's semantics, `logp = log_softmax(X, dim=1)`:
  /// ```
  /// class indices: l_n = [t_n != ii] ((1 - eps) (-w[t_n] logp[n, t_n]) + eps/C sum_c (-w[c] logp[n, c]))
  ///                mean = sum_n l_n / sum_n [t_n != ii] w[t_n]
  /// probabilities: l_n = -sum_c w[c] ((1 - eps) t[n, c] + eps/C) logp[n, c],  mean = sum_n l_n / N
  /// ```
  /// (PyTorch weights the smoothing term per class.) `none` leaves `l_n`, free in `n`; its
  /// gradient is by `X[m, c]`.
  public static func crossEntropy(_ o: ClassOptions, _ names: Names = Names()) -> IndexedDerivation {
    let a = IndexedAlgebra()
    let m = IndexVariable(o.reduction == .none ? "m" : "n", names.rows)
    return crossEntropy(
      a, o, names, sizes: [names.rows, names.classes],
      wrt: (names.input, [m, IndexVariable("c", names.classes)])
    ) { i, j in a.element(names.input, [i, j]) }
  }

  /// The tensors of a linear layer `linear(A, W, b)`: input `A` (N, D), weight `W` (C, D),
  /// optional bias `b` (C), features `D`.
  public struct LinearNames: Sendable {
    public var input = "A"
    public var weight = "W"
    public var bias: String? = nil
    public var features = IndexSize.symbolic("D")
    public init() {}
  }

  /// `cross_entropy(linear(A, W, b), t)`, logits `z[n, c] = sum_i A[n, i] W[c, i] + b[c]`
  /// (the forum's question in general), differentiated by `wrt`: the weight `W[c, i]`
  /// (default), the input `A[n, i]` or the bias `b[c]`.
  public static func crossEntropyOfLinear(
    _ o: ClassOptions, _ names: Names = Names(), linear: LinearNames = LinearNames(), wrt: String? = nil
  ) -> IndexedDerivation {
    let a = IndexedAlgebra()
    let i = IndexVariable("i", linear.features)
    let c = IndexVariable("c", names.classes)
    let target = wrt ?? linear.weight
    let indices: [IndexVariable]
    switch target {
    case linear.input: indices = [IndexVariable(o.reduction == .none ? "m" : "n", names.rows), i]
    case linear.bias: indices = [c]
    default: indices = [c, i]
    }
    var names = names
    names.input = target
    return crossEntropy(
      a, o, names, sizes: [names.rows, names.classes, linear.features], wrt: (target, indices)
    ) { n, k in
      let product = a.sum(i, a.element(linear.input, [n, .variable(i)]) * a.element(linear.weight, [k, .variable(i)]))
      return linear.bias.map { product + a.element($0, [k]) } ?? product
    }
  }

  /// Cross-entropy of the logits `logits(n, c)` (see `crossEntropy(_:_:)`).
  private static func crossEntropy(
    _ a: IndexedAlgebra, _ o: ClassOptions, _ names: Names, sizes: [IndexSize], wrt: (String, [IndexVariable]),
    logits x: @escaping (IndexTerm, IndexTerm) -> Expr
  ) -> IndexedDerivation {
    let n = IndexVariable("n", names.rows)
    let c = IndexVariable("c", names.classes)
    let w = { (j: IndexTerm) in o.weight ? a.element(names.weight, [j]) : Expr.one }
    let logSumExp = log(a.sum(c, exp(x(.variable(n), .variable(c)))))
    let logp = { (j: IndexTerm) in x(.variable(n), j) - logSumExp }
    let eps = o.labelSmoothing
    let classCount = names.classes.expr
    if o.probabilities {
      let y = { (j: IndexTerm) in a.element(names.target, [.variable(n), j]) }
      let q = { (j: IndexTerm) in eps.isZero ? y(j) : (1 - eps) * y(j) + eps / classCount }
      let row = -a.sum(c, w(.variable(c)) * q(.variable(c)) * logp(.variable(c)))
      return reduced(
        a, row, n, names.rows.expr, o.reduction, sizes: sizes, wrt: wrt, target: nil,
        positive: [names.weight, names.target])
    }
    let data = DataTensor(names.target, range: names.classes, mayBeIgnored: o.ignoreIndex)
    let target = IndexTerm.gather(data, [.variable(n)])
    let keep = a.notIgnored(target)
    let nll = -w(target) * logp(target) * keep
    let row =
      eps.isZero
      ? nll : (1 - eps) * nll + eps / classCount * (-a.sum(c, w(.variable(c)) * logp(.variable(c))) * keep)
    return reduced(
      a, row, n, a.sum(n, w(target) * keep), o.reduction, sizes: sizes, wrt: wrt, target: data,
      positive: [names.weight])
  }

  /// `nll_loss(X, t)`: `l_n = -[t_n != ii] w[t_n] X[n, t_n]`, `mean` divided by
  /// `sum_n [t_n != ii] w[t_n]`.
  public static func nllLoss(_ o: ClassOptions, _ names: Names = Names()) -> IndexedDerivation {
    let a = IndexedAlgebra()
    let n = IndexVariable("n", names.rows)
    let data = DataTensor(names.target, range: names.classes, mayBeIgnored: o.ignoreIndex)
    let target = IndexTerm.gather(data, [.variable(n)])
    let keep = a.notIgnored(target)
    let w = o.weight ? a.element(names.weight, [target]) : Expr.one
    let row = -w * a.element(names.input, [.variable(n), target]) * keep
    let m = IndexVariable(o.reduction == .none ? "m" : "n", names.rows)
    return reduced(
      a, row, n, a.sum(n, w * keep), o.reduction, sizes: [names.rows, names.classes],
      wrt: (names.input, [m, IndexVariable("c", names.classes)]), target: data, positive: [names.weight])
  }

  /// `mse_loss(X, t)`: `(X[n, c] - t[n, c])^2`, `mean` over the `N C` entries.
  public static func mseLoss(reduction: Reduction, _ names: Names = Names()) -> IndexedDerivation {
    elementwise(reduction, names) { a, x, y in .power(x - y, .number(2)) }
  }

  /// `binary_cross_entropy_with_logits(X, t, weight, pos_weight)` with weights per class:
  /// `w[c] ((1 - t) X + (1 + (p[c] - 1) t) softplus(-X))`, `mean` over the entries.
  public static func binaryCrossEntropyWithLogits(
    weight: Bool, posWeight: Bool, reduction: Reduction, _ names: Names = Names()
  ) -> IndexedDerivation {
    elementwise(reduction, names, positive: [names.weight, names.posWeight, names.target]) { a, x, y in
      let c = IndexTerm.variable(IndexVariable("c", names.classes))
      let w = weight ? a.element(names.weight, [c]) : Expr.one
      let logWeight = posWeight ? 1 + (a.element(names.posWeight, [c]) - 1) * y : Expr.one
      return w * ((1 - y) * x + logWeight * softplus(-x))
    }
  }

  /// `kl_div(X, t)` (X log-probabilities): `t (log t - X)`, or `exp(t) (t - X)` with
  /// `log_target`; `mean` over the entries, `batchmean` (`batchMean`) divided by N.
  public static func klDiv(logTarget: Bool, reduction: Reduction, batchMean: Bool = false, _ names: Names = Names())
    -> IndexedDerivation
  {
    elementwise(reduction, names, batchMean: batchMean, positive: [names.target]) { a, x, y in
      logTarget ? exp(y) * (y - x) : y * (log(y) - x)
    }
  }

  /// `binary_cross_entropy(X, t, weight)` with weights per class, PyTorch's clamped logs:
  /// `-w[c] (t max(log X, -100) + (1 - t) max(log(1 - X), -100))` (`clampLog: false`: the
  /// exact logs), input and target guarded to [0, 1] as in the explicit loss; `mean` over
  /// the entries.
  public static func binaryCrossEntropy(
    weight: Bool, reduction: Reduction, clampLog: Bool = true, _ names: Names = Names()
  ) -> IndexedDerivation {
    elementwise(reduction, names, positive: [names.weight], probability: [names.input, names.target]) { a, x, y in
      let c = IndexTerm.variable(IndexVariable("c", names.classes))
      let w = weight ? a.element(names.weight, [c]) : Expr.one
      let xi = Expr.apply(.unitInterval, [x])
      let yi = Expr.apply(.unitInterval, [y])
      var positive = log(xi)
      var negative = log(1 - xi)
      if clampLog {
        positive = .apply(.max, [positive, .number(-100)])
        negative = .apply(.max, [negative, .number(-100)])
      }
      return -w * (yi * positive + (1 - yi) * negative)
    }
  }

  /// torchvision's `sigmoid_focal_loss(X, t, alpha, gamma)`: with `p = sigmoid(X)`,
  /// `ce = (1 - t) X + softplus(-X)`, `p_t = p t + (1 - p)(1 - t)`,
  /// `l = ce (1 - p_t)^gamma`, times `alpha t + (1 - alpha)(1 - t)` unless `alpha < 0`;
  /// `mean` over the entries.
  public static func sigmoidFocalLoss(alpha: Expr, gamma: Expr, reduction: Reduction, _ names: Names = Names())
    -> IndexedDerivation
  {
    let useAlpha = alpha.rationalValue.map { $0 >= Rational(0) } ?? true
    return elementwise(reduction, names, probability: [names.target]) { a, x, y in
      let p = sigmoid(x)
      let ce = (1 - y) * x + softplus(-x)
      let pt = p * y + (1 - p) * (1 - y)
      let l = ce * .power(1 - pt, gamma)
      return useAlpha ? (alpha * y + (1 - alpha) * (1 - y)) * l : l
    }
  }

  /// `softmax(X, dim=1)` (or `log_softmax`) entry by entry: `s[n, c] = exp(X[n, c]) /
  /// sum_k exp(X[n, k])`, free in `n` and `c`; its gradient by `X[m, j]` is the Jacobian
  /// in index form. With `mask` (`softmax(X + M, dim=1)`, attention weights under an
  /// additive mask `M[n, c]`, 0 or `-inf` in use) the logits are `X[n, c] + M[n, c]`.
  public static func softmax(log logarithm: Bool, _ names: Names = Names(), mask: String? = nil)
    -> IndexedDerivation
  {
    let a = IndexedAlgebra()
    let n = IndexVariable("n", names.rows)
    let c = IndexVariable("c", names.classes)
    let k = IndexVariable("k", names.classes)
    let x = { (j: IndexVariable) in
      a.element(names.input, [.variable(n), .variable(j)])
        + (mask.map { a.element($0, [.variable(n), .variable(j)]) } ?? .zero)
    }
    let s = a.sum(k, exp(x(k)))
    return IndexedDerivation(
      algebra: a, loss: logarithm ? x(c) - log(s) : exp(x(c)) / s, lossIndices: [n, c], input: names.input,
      inputIndices: [IndexVariable("m", names.rows), IndexVariable("j", names.classes)],
      sizes: [names.rows, names.classes])
  }

  /// An elementwise loss of `X[n, c]` and `t[n, c]`, reduced over both indices.
  private static func elementwise(
    _ reduction: Reduction, _ names: Names, batchMean: Bool = false, positive: Set<String> = [],
    probability: Set<String> = [], _ f: (IndexedAlgebra, Expr, Expr) -> Expr
  ) -> IndexedDerivation {
    let a = IndexedAlgebra()
    let n = IndexVariable("n", names.rows)
    let c = IndexVariable("c", names.classes)
    let entry = f(
      a, a.element(names.input, [.variable(n), .variable(c)]), a.element(names.target, [.variable(n), .variable(c)]))
    var loss = entry
    var lossIndices = [n, c]
    var inputIndices = [IndexVariable("m", names.rows), IndexVariable("k", names.classes)]
    if reduction != .none {
      loss = a.sum(n, a.sum(c, entry))
      if reduction == .mean { loss = loss / (batchMean ? names.rows.expr : names.rows.expr * names.classes.expr) }
      lossIndices = []
      inputIndices = [n, c]
    }
    return IndexedDerivation(
      algebra: a, loss: loss, lossIndices: lossIndices, input: names.input, inputIndices: inputIndices,
      sizes: [names.rows, names.classes], positiveTensors: positive, probabilityTensors: probability)
  }

  /// A per-row loss `row` (free in `n`) reduced as PyTorch does, differentiated by `wrt`.
  private static func reduced(
    _ a: IndexedAlgebra, _ row: Expr, _ n: IndexVariable, _ denominator: Expr, _ reduction: Reduction,
    sizes: [IndexSize], wrt: (String, [IndexVariable]), target: DataTensor?, positive: Set<String>
  ) -> IndexedDerivation {
    let loss: Expr
    switch reduction {
    case .none: loss = row
    case .sum: loss = a.sum(n, row)
    case .mean: loss = a.sum(n, row) / denominator
    }
    return IndexedDerivation(
      algebra: a, loss: loss, lossIndices: reduction == .none ? [n] : [], input: wrt.0, inputIndices: wrt.1,
      sizes: sizes, target: target, targetRows: target == nil ? nil : n.size, positiveTensors: positive)
  }
}
