import SymGrad

/// A loss in index notation with its gradient by one input tensor.
public struct IndexedDerivation {
  /// The atoms of `loss` and `gradient`.
  public let algebra: IndexedAlgebra
  /// The loss; its free index variables (`lossIndices`) are those of an unreduced loss.
  public let loss: Expr
  public let lossIndices: [IndexVariable]
  /// The tensor the gradient is taken by, and the entry: `d loss / d input[inputIndices]`.
  public let input: String
  public let inputIndices: [IndexVariable]
  /// The gradient entry, in index notation.
  public let gradient: Expr
  /// The sizes in play, in order (`N`, `C`, then others such as the features `D`):
  /// verification gives the symbolic ones values.
  public let sizes: [IndexSize]
  /// The class-index target, when the loss has one (`t[n]`, indexed by `targetRows`).
  public let target: DataTensor?
  public let targetRows: IndexSize?
  /// Real tensors whose entries must be positive for the loss to be defined or meaningful
  /// (weights, probabilities under `log`): verification draws them from [1/4, 2).
  public let positiveTensors: Set<String>
  /// Real tensors whose entries are probabilities (targets under a fractional power):
  /// verification draws them from [1/16, 15/16).
  public let probabilityTensors: Set<String>

  /// Differentiates `loss` by `input[inputIndices]`.
  public init(
    algebra: IndexedAlgebra, loss: Expr, lossIndices: [IndexVariable], input: String, inputIndices: [IndexVariable],
    sizes: [IndexSize], target: DataTensor? = nil, targetRows: IndexSize? = nil, positiveTensors: Set<String> = [],
    probabilityTensors: Set<String> = []
  ) {
    self.algebra = algebra
    self.loss = loss
    self.lossIndices = lossIndices
    self.input = input
    self.inputIndices = inputIndices
    self.sizes = sizes
    self.target = target
    self.targetRows = targetRows
    self.positiveTensors = positiveTensors
    self.probabilityTensors = probabilityTensors
    self.gradient = algebra.derivative(loss, of: input, at: inputIndices.map { .variable($0) })
  }

  /// Names for the differentiated entry's variables `indices`: each keeps its name
  /// unless a free variable of the loss (`loss`) has it, and then takes the first of
  /// `m, j, k, l, p, q, r, u` not in use (`d L[n] / d X[m, c]`, `d s[n, c] / d X[m, j]`).
  public static func entryIndices(_ indices: [IndexVariable], apartFrom loss: [IndexVariable]) -> [IndexVariable] {
    let lossNames = Set(loss.map(\.name))
    var taken = lossNames.union(indices.map(\.name))
    return indices.map { v in
      guard lossNames.contains(v.name) else { return v }
      let name =
        ["m", "j", "k", "l", "p", "q", "r", "u"].first { !taken.contains($0) }
        ?? (1...).lazy.map { "m\($0)" }.first { !taken.contains($0) }!
      taken.insert(name)
      return IndexVariable(name, v.size)
    }
  }

  /// The same loss differentiated by another tensor entry.
  public func differentiated(by input: String, at indices: [IndexVariable]) -> IndexedDerivation {
    IndexedDerivation(
      algebra: algebra, loss: loss, lossIndices: lossIndices, input: input, inputIndices: indices, sizes: sizes,
      target: target, targetRows: targetRows, positiveTensors: positiveTensors, probabilityTensors: probabilityTensors)
  }

  /// The loss as sympy text.
  public var lossText: String { algebra.text(loss) }
  /// The gradient entry as sympy text.
  public var gradientText: String { algebra.text(gradient) }
  /// The loss's name in text: `L`, or `L[n]` for an unreduced loss.
  public var lossName: String {
    lossIndices.isEmpty ? "L" : "L[" + lossIndices.map(\.name).joined(separator: ", ") + "]"
  }
  /// The differentiated entry in text: `X[n, c]`.
  public var entryName: String { input + "[" + inputIndices.map(\.name).joined(separator: ", ") + "]" }
  /// The loss's name in LaTeX: `L`, or `L_{n}`.
  public var lossLatexName: String {
    lossIndices.isEmpty ? "L" : "L_{" + lossIndices.map(\.name).joined(separator: " ") + "}"
  }
  /// `\frac{\partial L}{\partial X_{n c}}` (with `L_{n}` for an unreduced loss).
  public var gradientLatexName: String {
    "\\frac{\\partial \(lossLatexName)}{\\partial \(input)_{" + inputIndices.map(\.name).joined(separator: " ") + "}}"
  }
}
