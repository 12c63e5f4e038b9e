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
    let n = IndexVariable("n", names.rows)
    let c = IndexVariable("c", names.classes)
    let x = { (i: IndexTerm, j: IndexTerm) in a.element(names.input, [i, j]) }
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
        a, row, n, names.rows.expr, o.reduction, names, target: nil, positive: [names.weight, names.target])
    }
    let data = DataTensor(names.target, range: names.classes, mayBeIgnored: o.ignoreIndex)
    let target = IndexTerm.gather(data, [.variable(n)])
    let keep = a.notIgnored(target)
    let nll = -w(target) * logp(target) * keep
    let row =
      eps.isZero
      ? nll : (1 - eps) * nll + eps / classCount * (-a.sum(c, w(.variable(c)) * logp(.variable(c))) * keep)
    return reduced(
      a, row, n, a.sum(n, w(target) * keep), o.reduction, names, target: data, positive: [names.weight])
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
    return reduced(
      a, row, n, a.sum(n, w * keep), o.reduction, names, target: data, positive: [names.weight])
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

  /// An elementwise loss of `X[n, c]` and `t[n, c]`, reduced over both indices.
  private static func elementwise(
    _ reduction: Reduction, _ names: Names, batchMean: Bool = false, positive: Set<String> = [],
    _ f: (IndexedAlgebra, Expr, Expr) -> Expr
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
      rowSize: names.rows, classSize: names.classes, positiveTensors: positive)
  }

  /// A per-row loss `row` (free in `n`) reduced as PyTorch does.
  private static func reduced(
    _ a: IndexedAlgebra, _ row: Expr, _ n: IndexVariable, _ denominator: Expr, _ reduction: Reduction,
    _ names: Names, target: DataTensor?, positive: Set<String>
  ) -> IndexedDerivation {
    let c = IndexVariable("c", names.classes)
    let loss: Expr
    switch reduction {
    case .none: loss = row
    case .sum: loss = a.sum(n, row)
    case .mean: loss = a.sum(n, row) / denominator
    }
    return IndexedDerivation(
      algebra: a, loss: loss, lossIndices: reduction == .none ? [n] : [], input: names.input,
      inputIndices: [reduction == .none ? IndexVariable("m", names.rows) : n, c], rowSize: names.rows,
      classSize: names.classes, target: target, positiveTensors: positive)
  }
}
