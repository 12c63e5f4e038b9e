import SymGrad

/// An index variable ranging over `1...size`.
public struct IndexVariable: Hashable, Sendable, CustomStringConvertible {
  public let name: String
  public let size: IndexSize

  public init(_ name: String, _ size: IndexSize) {
    self.name = name
    self.size = size
  }

  public var description: String { name }

  /// The nesting level of a bound variable of `IndexedAlgebra.sum` (named `_1`, `_2`, ...),
  /// nil for a free variable (its name never starts with `_`).
  var boundLevel: Int? {
    guard name.hasPrefix("_") else { return nil }
    return Int(name.dropFirst())
  }
}

/// An integer tensor of data: class-index targets `t[n]`. Its values are classes
/// `1...range`, or PyTorch's `ignore_index` when `mayBeIgnored` (a value outside every
/// class range: a delta `delta(c, t[n])` with `c` a class is then 0).
public struct DataTensor: Hashable, Sendable {
  public let name: String
  public let range: IndexSize
  public let mayBeIgnored: Bool

  public init(_ name: String, range: IndexSize, mayBeIgnored: Bool) {
    self.name = name
    self.range = range
    self.mayBeIgnored = mayBeIgnored
  }
}

/// What stands in an index position: a variable, a gather from data (`t[n]`), a concrete
/// index (after instantiation), or the ignored class value.
public indirect enum IndexTerm: Hashable, Sendable, CustomStringConvertible {
  case variable(IndexVariable)
  case gather(DataTensor, [IndexTerm])
  case value(Int)
  /// PyTorch's `ignore_index`: equal to itself, different from every class.
  case ignored

  public var description: String {
    switch self {
    case .variable(let v): return v.name
    case .gather(let d, let i): return d.name + "[" + i.map(\.description).joined(separator: ", ") + "]"
    case .value(let k): return "\(k)"
    case .ignored: return "ignore_index"
    }
  }

  /// Whether the term can never be the ignored value: a variable or a concrete index.
  var isClassValue: Bool {
    switch self {
    case .variable, .value: return true
    case .gather, .ignored: return false
    }
  }

  /// The variables this term mentions.
  var variables: Set<IndexVariable> {
    switch self {
    case .variable(let v): return [v]
    case .gather(_, let i): return i.reduce(into: Set<IndexVariable>()) { $0.formUnion($1.variables) }
    case .value, .ignored: return []
    }
  }

  /// The term with `v` replaced by `t`.
  func substituting(_ v: IndexVariable, with t: IndexTerm) -> IndexTerm {
    switch self {
    case .variable(let w): return w == v ? t : self
    case .gather(let d, let i): return .gather(d, i.map { $0.substituting(v, with: t) })
    case .value, .ignored: return self
    }
  }

  /// The term with every occurrence of the term `g` inside it replaced by `t`.
  func replacing(_ g: IndexTerm, with t: IndexTerm) -> IndexTerm {
    if self == g { return t }
    if case .gather(let d, let i) = self { return .gather(d, i.map { $0.replacing(g, with: t) }) }
    return self
  }

  /// Whether every value of the term is a class of a range of size `size` (so that a sum
  /// over that range meets it exactly once); `.maybe` for a gather that may hold the
  /// ignored value.
  func lies(in size: IndexSize) -> Membership {
    switch self {
    case .variable(let w): return w.size == size ? .always : .unknown
    case .gather(let d, _):
      guard d.range == size else { return .unknown }
      return d.mayBeIgnored ? .unlessIgnored : .always
    case .value(let k):
      if case .fixed(let n) = size { return k >= 1 && k <= n ? .always : .unknown }
      return .unknown
    case .ignored: return .unknown
    }
  }

  enum Membership { case always, unlessIgnored, unknown }
}
