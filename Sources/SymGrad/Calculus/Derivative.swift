/// Symbolic differentiation with respect to one variable, memoized per node.
///
/// A `Differentiator` keeps the derivative of every node it has seen, so differentiating
/// many expressions that share subexpressions (the rows of a Jacobian, the entries of a
/// gradient) does each shared node once. Time and size are linear in the DAG size
/// (products of k factors cost O(k^2), k is small in practice).
///
/// Conventions at non-smooth points follow PyTorch: `d|x| = sign(x)` (0 at 0),
/// `d sign(x) = 0`, and `max`/`min` split the derivative evenly at ties.
public struct Differentiator {
  /// The variable differentiated against (normally a symbol).
  public let variable: Expr
  private var memo: [Expr: Expr] = [:]

  public init(variable: Expr) { self.variable = variable }

  /// A differentiator expecting about `capacity` distinct nodes (saves rehashing).
  init(variable: Expr, capacity: Int) {
    self.variable = variable
    memo.reserveCapacity(capacity)
  }

  /// d`expression`/d`variable`, in canonical form.
  public mutating func derivative(of expression: Expr) -> Expr {
    let v = variable
    // Subtrees that provably lack the variable (mask bit clear or id out of range): 0.
    // A non-symbol variable (a subexpression) is looked for by its mask alone.
    let mask = v.node.symbolMask
    let isSymbol = v.symbolName != nil
    return expression.fold(
      memo: &memo,
      shortcut: {
        let absent = isSymbol ? !$0.node.mayContain(symbol: v.node) : $0.node.symbolMask & mask == 0
        return absent && !$0.containsUndefined ? Expr.zero : nil
      }
    ) {
      node, d in Differentiator.rule(node, d, v)
    }
  }

  /// The derivative of `node` given the derivatives `d` of its children.
  private static func rule(_ node: Expr, _ d: [Expr], _ v: Expr) -> Expr {
    switch node.kind {
    case .number: return .zero
    case .constant(let c): return c == .undefined ? .undefined : .zero
    case .symbol: return node == v ? .one : .zero
    case .sum:
      let nonzero = d.filter { !$0.isZero }
      return nonzero.count == 1 ? nonzero[0] : .sum(nonzero)
    case .product(let fs):
      var terms: [Expr] = []
      for i in fs.indices where !d[i].isZero {
        var factors = fs
        factors[i] = d[i]
        terms.append(.product(factors))
      }
      return terms.count == 1 ? terms[0] : .sum(terms)
    case .power(let b, let e):
      let db = d[0]
      let de = d[1]
      if de.isZero {
        if db.isZero { return .zero }
        return .product([e, .power(b, e - .one), db])
      }
      // d(b^e) = b^e (e' log b + e b'/b)
      return node * (de * log(b) + e * db / b)
    case .apply(let f, let xs) where f.isSelection:
      // where(u ▷ 0, a, b)' = where(u ▷ 0, a', b'): the condition is piecewise constant,
      // and the unselected branch's derivative stays unevaluated (Expr+Selection.swift).
      if d[1].isZero && d[2].isZero { return .zero }
      return .apply(f, [xs[0], d[1], d[2]])
    case .apply(let f, let xs):
      let x = xs[0]
      let dx = d[0]
      if f.arity == 1 {
        if dx.isZero { return .zero }
        return outerDerivative(f, x, node) * dx
      }
      if d.allSatisfy(\.isZero) { return .zero }
      let p = partialDerivatives(f, xs)
      return .sum(zip(p, d).compactMap { $1.isZero ? nil : $0 * $1 })
    }
  }

  /// The partial derivatives of a function of two arguments, one per argument: `max` and
  /// `min` (`maxMinWeights`), and `elu(x, alpha)`: `[x > 0] + alpha exp(min(x, 0)) (1 - [x > 0])`
  /// in `x` (`alpha` at 0, ATen's `elu_backward` takes the `x <= 0` side there) and
  /// `expm1(min(x, 0))` in `alpha`. `exp(min(x, 0))` rather than `exp(x)`: it is the same
  /// where the indicator keeps it, and it stays finite (0 times it stays 0) as `x -> inf`.
  static func partialDerivatives(_ f: Expr.Function, _ xs: [Expr]) -> [Expr] {
    switch f {
    case .max, .min:
      let (wa, wb) = maxMinWeights(f, xs[0], xs[1])
      return [wa, wb]
    case .elu:
      let (x, alpha) = (xs[0], xs[1])
      let positive = Expr.indicatorPositive(x)
      let inner = exp(min(x, .zero))
      return [positive + alpha * inner * (1 - positive), inner - 1]
    default: preconditionFailure("\(f) takes one argument")
    }
  }

  /// d max(a, b)/da and d max(a, b)/db (likewise for min): 1 and 0 away from ties, 1/2
  /// each at a tie (PyTorch's even split), as `(1 +- sign(a - b))/2`.
  static func maxMinWeights(_ f: Expr.Function, _ a: Expr, _ b: Expr) -> (Expr, Expr) {
    let s = sign(a - b)
    let half = Expr.number(Rational(numerator: 1, denominator: 2)!)
    return f == .max ? (half * (1 + s), half * (1 - s)) : (half * (1 - s), half * (1 + s))
  }

  /// f'(x) for the unary functions; `node` is f(x) itself (reused where f' mentions it).
  static func outerDerivative(_ f: Expr.Function, _ x: Expr, _ node: Expr) -> Expr {
    switch f {
    case .exp: return node
    case .log: return .power(x, -1)
    case .sin: return cos(x)
    case .cos: return -sin(x)
    case .tanh: return 1 - node ** 2
    case .sigmoid: return node * (1 - node)
    case .softplus: return sigmoid(x)
    case .log1p: return .power(1 + x, -1)
    case .expm1: return exp(x)
    case .abs: return sign(x)
    case .sign: return .zero
    case .unitInterval: return .one
    case .silu:
      let s = sigmoid(x)
      return s * (1 + x * (1 - s))
    case .mish:
      let t = tanh(softplus(x))
      return t + x * sigmoid(x) * (1 - t ** 2)
    case .softsign: return .power(1 + abs(x), -2)
    case .geluTanh:
      // d/dx x/2 (1 + tanh(u)), u = k (x + c x**3): (1 + t)/2 + x/2 (1 - t**2) k (1 + 3 c x**2).
      let t = tanh(Expr.geluTanhInner(x))
      let half = Expr.number(Rational(numerator: 1, denominator: 2)!)
      return half * (1 + t) + half * x * (1 - t ** 2) * sqrt(2 / Expr.pi) * (1 + 3 * Expr.geluTanhKappa * x * x)
    case .hardswish:
      // x/3 + 1/2 strictly inside (-3, 3), 0 at -3 and below, 1 at 3 and above.
      let upper = Expr.indicatorNonNegative(x - 3)
      return Expr.indicatorPositive(x + 3) * (1 - upper)
        * (x / 3 + Expr.number(Rational(numerator: 1, denominator: 2)!))
        + upper
    case .erf: return 2 / sqrt(Expr.pi) * exp(-(x ** 2))
    case .erfc: return -2 / sqrt(Expr.pi) * exp(-(x ** 2))
    case .erfcx: return 2 * x * Expr.apply(.erfcx, [x]) - 2 / sqrt(Expr.pi)
    case .gelu:
      // Phi(x) + x phi(x), ATen's gelu_backward (approximate="none").
      return Expr.apply(.erfc, [-x / sqrt(Expr(2))]) / 2 + x * exp(-(x ** 2) / 2) / sqrt(2 * Expr.pi)
    case .max, .min, .elu: preconditionFailure("binary functions are handled by partialDerivatives")
    case .wherePositive, .whereNonNegative, .whereZero: preconditionFailure("selections are handled by rule")
    }
  }
}

extension Expr {
  /// The derivative with respect to `variable`.
  public func derivative(withRespectTo variable: Expr) -> Expr {
    var d = Differentiator(variable: variable)
    return d.derivative(of: self)
  }

  /// The derivative with respect to the symbol called `name`.
  public func derivative(withRespectTo name: String) -> Expr {
    derivative(withRespectTo: .symbol(name))
  }
}

extension Expr {
  /// The gradient: the derivatives with respect to each of `variables`, in order.
  ///
  /// When every variable is a symbol, one reverse-mode sweep over the DAG computes all
  /// entries (`ReverseGradient`: cost ~ DAG size, whatever the number of variables);
  /// otherwise (a variable that is a subexpression) each entry is differentiated forward,
  /// as are expressions with selections (`ReverseGradient` hands them to forward mode).
  public func gradient(withRespectTo variables: [Expr]) -> [Expr] {
    if variables.allSatisfy({ $0.symbolName != nil }) {
      return ReverseGradient.gradient(of: self, withRespectTo: variables)
    }
    return variables.map { derivative(withRespectTo: $0) }
  }

  /// The Hessian: entry (i, j) is d²f/(dv_i dv_j). Only the upper triangle is
  /// differentiated; the lower one is its mirror, so the result is exactly symmetric.
  public func hessian(withRespectTo variables: [Expr]) -> [[Expr]] {
    let g = gradient(withRespectTo: variables)
    let n = variables.count
    var h = Array(repeating: Array(repeating: Expr.zero, count: n), count: n)
    let columns = ParallelColumns.map(n, work: n * n) { j in
      var d = Differentiator(variable: variables[j])
      return (0...j).map { d.derivative(of: g[$0]) }
    }
    for j in 0..<n {
      for i in 0...j {
        h[i][j] = columns[j][i]
        h[j][i] = columns[j][i]
      }
    }
    return h
  }
}

extension Array where Element == Expr {
  /// The Jacobian of these outputs: row i holds the derivatives of `self[i]` with respect
  /// to each of `variables`.
  ///
  /// The mode follows the shape, as in autodiff frameworks: with fewer outputs than
  /// variables (all symbols), each row is one reverse sweep (`ReverseGradient`, cost ~ the
  /// output's DAG per row); otherwise each column is one forward pass whose memo is shared
  /// by all rows, so subexpressions common to several outputs (the softmax denominator,
  /// say) are differentiated once. Rows or columns are independent, so large Jacobians are
  /// computed on all cores. Both modes give the same values; canonical forms may differ in
  /// how shared factors are grouped (see `ReverseGradient`).
  public func jacobian(withRespectTo variables: [Expr]) -> [[Expr]] {
    let outputs = self
    if outputs.count < variables.count, variables.allSatisfy({ $0.symbolName != nil }) {
      return ParallelColumns.map(outputs.count, work: outputs.count * variables.count) { i in
        ReverseGradient.gradient(of: outputs[i], withRespectTo: variables)
      }
    }
    let columns = ParallelColumns.map(variables.count, work: outputs.count * variables.count) { j in
      var d = Differentiator(variable: variables[j], capacity: 2 * outputs.count)
      return outputs.map { d.derivative(of: $0) }
    }
    return outputs.indices.map { i in columns.map { $0[i] } }
  }
}
