import SymGrad

/// PyTorch's losses in index notation, for every size: inputs `X` of shape `(N, C)`
/// (entries `X[n, c]`), class-index targets `t[n]` (data, classes `1...C` or
/// `ignore_index`), probability or real targets `t[n, c]`, class weights `w[c]`,
/// `pos_weight` `p[c]` (names and sizes as the caller names them, `Names`). Each states PyTorch's formula and denominators (the explicit
/// builders in `SymGrad/Losses` state the same; instantiation checks that they agree).
public enum IndexedLosses {
  /// The names of a loss's tensors and sizes (`X`, `t`, `w`, `Y`, `p`; `N`, `C`).
  public struct Names {
    public var input = "X"
    public var target = "t"
    public var weight = "w"
    public var posWeight = "p"
    public var rows = IndexSize.symbolic("N")
    public var classes = IndexSize.symbolic("C")
    /// The names of the row and class index variables (`n`, `c`).
    public var rowIndex = "n"
    public var classIndex = "c"
    /// A real target given as an expression (`one_hot(t, C)`), its entry at a row and a
    /// class; nil: the tensor `target`'s entry.
    public var targetEntry: Input?
    public init() {}

    func y(_ a: IndexedAlgebra, _ i: IndexTerm, _ j: IndexTerm) -> Expr {
      targetEntry?(i, j) ?? a.element(target, [i, j])
    }

    var n: IndexVariable { IndexVariable(rowIndex, rows) }
    var c: IndexVariable { IndexVariable(classIndex, classes) }
  }

  /// An entry of a loss's input at a row and a class: `X[n, c]`, or any expression of
  /// them (the logits of a linear layer, soft-capped logits, scores plus a mask).
  public typealias Input = (IndexTerm, IndexTerm) -> Expr

  /// A loss in index notation, built into a caller's algebra: its value (free in the
  /// row index for `reduction="none"`, in the row and class for elementwise losses),
  /// its class-index target, and what verification must draw positive (weights,
  /// targets under `log`) or in (0, 1) (probabilities).
  public struct Loss {
    public let value: IndexedTensor
    public let target: DataTensor?
    public let positive: Set<String>
    public let probability: Set<String>
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
  /// (PyTorch weights the smoothing term per class.) `none` leaves `l_n`, free in `n`.
  /// `logits` is the input's entry.
  public static func crossEntropy(
    _ a: IndexedAlgebra, _ o: ClassOptions, _ names: Names, logits x: @escaping Input
  ) -> Loss {
    let (n, c) = (names.n, names.c)
    let w = { (j: IndexTerm) in o.weight ? a.element(names.weight, [j]) : Expr.one }
    let logSumExp = log(a.sum(c, exp(x(.variable(n), .variable(c)))))
    let logp = { (j: IndexTerm) in x(.variable(n), j) - logSumExp }
    let eps = o.labelSmoothing
    let classCount = names.classes.expr
    if o.probabilities {
      let y = { (j: IndexTerm) in names.y(a, .variable(n), j) }
      let q = { (j: IndexTerm) in eps.isZero ? y(j) : (1 - eps) * y(j) + eps / classCount }
      let row = -a.sum(c, w(.variable(c)) * q(.variable(c)) * logp(.variable(c)))
      return Loss(
        value: reduced(a, row, n, names.rows.expr, o.reduction), target: nil,
        positive: [names.weight, names.target], probability: [])
    }
    let data = DataTensor(names.target, range: names.classes, mayBeIgnored: o.ignoreIndex)
    let target = IndexTerm.gather(data, [.variable(n)])
    let keep = a.notIgnored(target)
    let nll = -w(target) * logp(target) * keep
    let row =
      eps.isZero
      ? nll : (1 - eps) * nll + eps / classCount * (-a.sum(c, w(.variable(c)) * logp(.variable(c))) * keep)
    return Loss(
      value: reduced(a, row, n, a.sum(n, w(target) * keep), o.reduction), target: data, positive: [names.weight],
      probability: [])
  }

  /// `nll_loss(X, t)`: `l_n = -[t_n != ii] w[t_n] X[n, t_n]`, `mean` divided by
  /// `sum_n [t_n != ii] w[t_n]`.
  public static func nllLoss(_ a: IndexedAlgebra, _ o: ClassOptions, _ names: Names, input x: Input) -> Loss {
    let n = names.n
    let data = DataTensor(names.target, range: names.classes, mayBeIgnored: o.ignoreIndex)
    let target = IndexTerm.gather(data, [.variable(n)])
    let keep = a.notIgnored(target)
    let w = o.weight ? a.element(names.weight, [target]) : Expr.one
    let row = -w * x(.variable(n), target) * keep
    return Loss(
      value: reduced(a, row, n, a.sum(n, w * keep), o.reduction), target: data, positive: [names.weight],
      probability: [])
  }

  /// `mse_loss(X, t)`: `(X[n, c] - t[n, c])^2`, `mean` over the `N C` entries.
  public static func mseLoss(_ a: IndexedAlgebra, reduction: Reduction, _ names: Names, input: Input) -> Loss {
    elementwise(a, reduction, names, input: input) { x, y in .power(x - y, .number(2)) }
  }

  /// `binary_cross_entropy_with_logits(X, t, weight, pos_weight)` with weights per class:
  /// `w[c] ((1 - t) X + (1 + (p[c] - 1) t) softplus(-X))`, `mean` over the entries.
  public static func binaryCrossEntropyWithLogits(
    _ a: IndexedAlgebra, weight: Bool, posWeight: Bool, reduction: Reduction, _ names: Names, input: Input
  ) -> Loss {
    let c = IndexTerm.variable(names.c)
    return elementwise(a, reduction, names, positive: [names.weight, names.posWeight, names.target], input: input) {
      x, y in
      let w = weight ? a.element(names.weight, [c]) : Expr.one
      let logWeight = posWeight ? 1 + (a.element(names.posWeight, [c]) - 1) * y : Expr.one
      return w * ((1 - y) * x + logWeight * softplus(-x))
    }
  }

  /// `kl_div(X, t)` (X log-probabilities): `t (log t - X)`, or `exp(t) (t - X)` with
  /// `log_target`; `mean` over the entries, `batchmean` (`batchMean`) divided by N.
  public static func klDiv(
    _ a: IndexedAlgebra, logTarget: Bool, reduction: Reduction, batchMean: Bool, _ names: Names, input: Input
  ) -> Loss {
    elementwise(a, reduction, names, batchMean: batchMean, positive: [names.target], input: input) { x, y in
      logTarget ? exp(y) * (y - x) : y * (log(y) - x)
    }
  }

  /// `binary_cross_entropy(X, t, weight)` with weights per class, PyTorch's clamped logs:
  /// `-w[c] (t max(log X, -100) + (1 - t) max(log(1 - X), -100))` (`clampLog: false`: the
  /// exact logs), input and target guarded to [0, 1] as in the explicit loss; `mean` over
  /// the entries. The input's names in `names.input` are drawn in (0, 1) by verification.
  public static func binaryCrossEntropy(
    _ a: IndexedAlgebra, weight: Bool, reduction: Reduction, clampLog: Bool, _ names: Names, input: Input
  ) -> Loss {
    let c = IndexTerm.variable(names.c)
    return elementwise(
      a, reduction, names, positive: [names.weight], probability: [names.input, names.target], input: input
    ) { x, y in
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
  public static func sigmoidFocalLoss(
    _ a: IndexedAlgebra, alpha: Expr, gamma: Expr, reduction: Reduction, _ names: Names, input: Input
  ) -> Loss {
    let useAlpha = alpha.rationalValue.map { $0 >= Rational(0) } ?? true
    return elementwise(a, reduction, names, probability: [names.target], input: input) { x, y in
      let p = sigmoid(x)
      let ce = (1 - y) * x + softplus(-x)
      let pt = p * y + (1 - p) * (1 - y)
      let l = ce * .power(1 - pt, gamma)
      return useAlpha ? (alpha * y + (1 - alpha) * (1 - y)) * l : l
    }
  }

  /// An elementwise loss of the input's entry `x` and `t[n, c]`, reduced over both indices.
  private static func elementwise(
    _ a: IndexedAlgebra, _ reduction: Reduction, _ names: Names, batchMean: Bool = false,
    positive: Set<String> = [], probability: Set<String> = [], input: Input, _ f: (Expr, Expr) -> Expr
  ) -> Loss {
    let (n, c) = (names.n, names.c)
    let entry = f(input(.variable(n), .variable(c)), names.y(a, .variable(n), .variable(c)))
    var value = IndexedTensor(entry, [n, c])
    if reduction != .none {
      var loss = a.sum(n, a.sum(c, entry))
      if reduction == .mean { loss = loss / (batchMean ? names.rows.expr : names.rows.expr * names.classes.expr) }
      value = .scalar(loss)
    }
    return Loss(value: value, target: nil, positive: positive, probability: probability)
  }

  /// A per-row loss `row` (free in `n`) reduced as PyTorch does.
  private static func reduced(
    _ a: IndexedAlgebra, _ row: Expr, _ n: IndexVariable, _ denominator: Expr, _ reduction: Reduction
  ) -> IndexedTensor {
    switch reduction {
    case .none: return IndexedTensor(row, [n])
    case .sum: return .scalar(a.sum(n, row))
    case .mean: return .scalar(a.sum(n, row) / denominator)
    }
  }

  // MARK: Derivations by the input

  /// The input entry `X[n, c]` of `names`.
  private static func input(_ a: IndexedAlgebra, _ names: Names) -> Input {
    { i, j in a.element(names.input, [i, j]) }
  }

  /// `loss` differentiated by the entries of `wrt` (shape `shape`), their variables named
  /// apart from the loss's free ones (`IndexedDerivation.entryIndices`).
  private static func derivation(
    _ a: IndexedAlgebra, _ loss: Loss, wrt: String, _ indices: [IndexVariable], sizes: [IndexSize]
  ) -> IndexedDerivation {
    IndexedDerivation(
      algebra: a, loss: loss.value.entry, lossIndices: loss.value.indices, input: wrt,
      inputIndices: IndexedDerivation.entryIndices(indices, apartFrom: loss.value.indices), sizes: sizes,
      target: loss.target, targetRows: loss.target == nil ? nil : sizes[0], positiveTensors: loss.positive,
      probabilityTensors: loss.probability)
  }

  /// `cross_entropy(X, t)` differentiated by `X[n, c]` (`X[m, c]` for `reduction="none"`).
  public static func crossEntropy(_ o: ClassOptions, _ names: Names = Names()) -> IndexedDerivation {
    let a = IndexedAlgebra()
    let loss = crossEntropy(a, o, names, logits: input(a, names))
    return derivation(a, loss, wrt: names.input, [names.n, names.c], sizes: [names.rows, names.classes])
  }

  /// The tensors of a linear layer `linear(A, W, b)`: input `A` (N, D), weight `W` (C, D),
  /// optional bias `b` (C), features `D` (index `d`).
  public struct LinearNames: Sendable {
    public var input = "A"
    public var weight = "W"
    public var bias: String? = nil
    public var features = IndexSize.symbolic("D")
    public var featureIndex = "d"
    public init() {}
  }

  /// `cross_entropy(linear(A, W, b), t)`, logits `z[n, c] = sum_d A[n, d] W[c, d] + b[c]`
  /// (the forum's question in general), differentiated by `wrt`: the weight `W[c, d]`
  /// (default), the input `A[n, d]` or the bias `b[c]`.
  public static func crossEntropyOfLinear(
    _ o: ClassOptions, _ names: Names = Names(), linear: LinearNames = LinearNames(), wrt: String? = nil
  ) -> IndexedDerivation {
    let a = IndexedAlgebra()
    let (n, c) = (names.n, names.c)
    let d = IndexVariable(linear.featureIndex, linear.features)
    let layer = a.linear(
      IndexedTensor(a.element(linear.input, [.variable(n), .variable(d)]), [n, d]),
      IndexedTensor(a.element(linear.weight, [.variable(c), .variable(d)]), [c, d]),
      linear.bias.map { IndexedTensor(a.element($0, [.variable(c)]), [c]) }, classes: c)!
    let loss = crossEntropy(a, o, names) { i, j in a.entry(of: layer, at: [i, j]) }
    let target = wrt ?? linear.weight
    let indices: [IndexVariable]
    switch target {
    case linear.input: indices = [n, d]
    case linear.bias: indices = [c]
    default: indices = [c, d]
    }
    return derivation(a, loss, wrt: target, indices, sizes: [names.rows, names.classes, linear.features])
  }

  /// `nll_loss(X, t)` differentiated by `X[n, c]`.
  public static func nllLoss(_ o: ClassOptions, _ names: Names = Names()) -> IndexedDerivation {
    let a = IndexedAlgebra()
    let loss = nllLoss(a, o, names, input: input(a, names))
    return derivation(a, loss, wrt: names.input, [names.n, names.c], sizes: [names.rows, names.classes])
  }

  /// `mse_loss(X, t)` differentiated by `X[n, c]`.
  public static func mseLoss(reduction: Reduction, _ names: Names = Names()) -> IndexedDerivation {
    let a = IndexedAlgebra()
    let loss = mseLoss(a, reduction: reduction, names, input: input(a, names))
    return derivation(a, loss, wrt: names.input, [names.n, names.c], sizes: [names.rows, names.classes])
  }

  /// `binary_cross_entropy_with_logits(X, t, ...)` differentiated by `X[n, c]`.
  public static func binaryCrossEntropyWithLogits(
    weight: Bool, posWeight: Bool, reduction: Reduction, _ names: Names = Names()
  ) -> IndexedDerivation {
    let a = IndexedAlgebra()
    let loss = binaryCrossEntropyWithLogits(
      a, weight: weight, posWeight: posWeight, reduction: reduction, names, input: input(a, names))
    return derivation(a, loss, wrt: names.input, [names.n, names.c], sizes: [names.rows, names.classes])
  }

  /// `kl_div(X, t, ...)` differentiated by `X[n, c]`.
  public static func klDiv(logTarget: Bool, reduction: Reduction, batchMean: Bool = false, _ names: Names = Names())
    -> IndexedDerivation
  {
    let a = IndexedAlgebra()
    let loss = klDiv(
      a, logTarget: logTarget, reduction: reduction, batchMean: batchMean, names, input: input(a, names))
    return derivation(a, loss, wrt: names.input, [names.n, names.c], sizes: [names.rows, names.classes])
  }

  /// `binary_cross_entropy(X, t, ...)` differentiated by `X[n, c]`.
  public static func binaryCrossEntropy(
    weight: Bool, reduction: Reduction, clampLog: Bool = true, _ names: Names = Names()
  ) -> IndexedDerivation {
    let a = IndexedAlgebra()
    let loss = binaryCrossEntropy(
      a, weight: weight, reduction: reduction, clampLog: clampLog, names, input: input(a, names))
    return derivation(a, loss, wrt: names.input, [names.n, names.c], sizes: [names.rows, names.classes])
  }

  /// `sigmoid_focal_loss(X, t, ...)` differentiated by `X[n, c]`.
  public static func sigmoidFocalLoss(alpha: Expr, gamma: Expr, reduction: Reduction, _ names: Names = Names())
    -> IndexedDerivation
  {
    let a = IndexedAlgebra()
    let loss = sigmoidFocalLoss(a, alpha: alpha, gamma: gamma, reduction: reduction, names, input: input(a, names))
    return derivation(a, loss, wrt: names.input, [names.n, names.c], sizes: [names.rows, names.classes])
  }

  /// `softmax(X, dim=1)` (or `log_softmax`) entry by entry, free in `n` and `c`; its
  /// gradient by `X[m, j]` is the Jacobian in index form. With `mask`
  /// (`softmax(X + M, dim=1)`, attention weights under an additive mask `M[n, c]`, 0 or
  /// `-inf` in use) the logits are `X[n, c] + M[n, c]`.
  public static func softmax(log logarithm: Bool, _ names: Names = Names(), mask: String? = nil)
    -> IndexedDerivation
  {
    let a = IndexedAlgebra()
    let (n, c) = (names.n, names.c)
    var scores = a.element(names.input, [.variable(n), .variable(c)])
    if let m = mask { scores = scores + a.element(m, [.variable(n), .variable(c)]) }
    let value = a.softmax(IndexedTensor(scores, [n, c]), dim: 1, log: logarithm)
    return derivation(
      a, Loss(value: value, target: nil, positive: [], probability: []), wrt: names.input, [n, c],
      sizes: [names.rows, names.classes])
  }
}
