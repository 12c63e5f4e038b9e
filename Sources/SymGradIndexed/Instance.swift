import SymGrad

/// Concrete sizes and data for an index-notation result: the explicit expression it
/// stands for, in the element symbols of the explicit engine (`X[0][2]`, 0-based, as
/// `Expr.Tensor.symbols` names them), so that it can be compared with the explicit loss.
public struct Instance: Sendable {
  /// A value for each symbolic size (`N`, `C`).
  public var sizes: [String: Int]
  /// Integer data by tensor name, row-major, in PyTorch's 0-based classes (or
  /// `ignoreIndex`), with its shape.
  public var data: [String: (shape: [Int], values: [Int])]
  /// The value that marks an ignored target.
  public var ignoreIndex: Int

  public init(sizes: [String: Int], data: [String: (shape: [Int], values: [Int])] = [:], ignoreIndex: Int = -100) {
    self.sizes = sizes
    self.data = data
    self.ignoreIndex = ignoreIndex
  }
}

/// Why an index-notation result could not be instantiated.
extension Instance {
  /// The value of `size` here: a number, or the value given for a symbolic size.
  func value(of size: IndexSize) throws -> Int {
    switch size {
    case .fixed(let n): return n
    case .symbolic(let name):
      guard let n = sizes[name] else { throw InstantiationError(description: "no value for the size \(name)") }
      return n
    }
  }
}

public struct InstantiationError: Error, CustomStringConvertible, Equatable {
  public let description: String
}

extension IndexedAlgebra {
  /// `e` at the sizes and data of `instance`, with the free index variables at the
  /// (1-based) values of `at`: every sum unrolled, deltas and brackets decided, entries
  /// named as the explicit engine names them, sizes replaced by numbers. An entry indexed
  /// by an ignored target (only ever multiplied by a bracket that is 0 there) becomes the
  /// symbol `⟦out of range⟧`, so that a missing bracket shows in any comparison.
  public func instantiate(_ e: Expr, _ instance: Instance, at: [IndexVariable: Int] = [:]) throws -> Expr {
    var sizes: [String: Expr] = [:]
    for (name, n) in instance.sizes { sizes[name] = .number(n) }
    return try expand(e, instance, at).substituting(sizes)
  }

  private enum Resolved: Equatable {
    case value(Int)
    case ignored
  }

  private func expand(_ e: Expr, _ instance: Instance, _ env: [IndexVariable: Int]) throws -> Expr {
    var replacements: [Expr: Expr] = [:]
    for s in e.freeSymbols {
      guard let a = atom(named: s) else { continue }
      replacements[.symbol(s)] = try expand(a, instance, env)
    }
    return replacements.isEmpty ? e : e.substituting(replacements)
  }

  private func expand(_ a: IndexedAtom, _ instance: Instance, _ env: [IndexVariable: Int]) throws -> Expr {
    switch a {
    case .element(let name, let i):
      let values = try i.map { try resolve($0, instance, env) }
      var index: [Int] = []
      for v in values {
        guard case .value(let k) = v else { return .symbol("⟦out of range⟧") }
        index.append(k - 1)
      }
      return .symbol(Expr.Tensor.elementName(name, index: index))
    case .delta(let x, let y):
      return try resolve(x, instance, env) == resolve(y, instance, env) ? .one : .zero
    case .notIgnored(let x):
      return try resolve(x, instance, env) == .ignored ? .zero : .one
    case .sum(let v, let body):
      let n = try instance.value(of: v.size)
      var terms: [Expr] = []
      for k in stride(from: 1, through: n, by: 1) {
        var inner = env
        inner[v] = k
        terms.append(try expand(body, instance, inner))
      }
      return .sum(terms)
    }
  }

  private func resolve(_ t: IndexTerm, _ instance: Instance, _ env: [IndexVariable: Int]) throws -> Resolved {
    switch t {
    case .value(let k): return .value(k)
    case .ignored: return .ignored
    case .variable(let v):
      guard let k = env[v] else { throw InstantiationError(description: "the index \(v.name) has no value") }
      return .value(k)
    case .gather(let d, let i):
      guard let (shape, values) = instance.data[d.name] else {
        throw InstantiationError(description: "no data for \(d.name)")
      }
      guard shape.count == i.count else {
        throw InstantiationError(description: "\(d.name) has \(shape.count) dimensions, indexed by \(i.count)")
      }
      var offset = 0
      for (dim, term) in zip(shape, i) {
        guard case .value(let k) = try resolve(term, instance, env), k >= 1, k <= dim else {
          throw InstantiationError(description: "an index of \(d.name) is out of its range")
        }
        offset = offset * dim + (k - 1)
      }
      let v = values[offset]
      if v == instance.ignoreIndex {
        guard d.mayBeIgnored else {
          throw InstantiationError(description: "\(d.name) holds ignore_index, which this derivation excludes")
        }
        return .ignored
      }
      let classes = try instance.value(of: d.range)
      guard v >= 0, v < classes else {
        throw InstantiationError(description: "\(d.name) holds \(v), outside 0..<\(classes)")
      }
      return .value(v + 1)
    }
  }
}
