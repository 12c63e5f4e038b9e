import Foundation

/// Makes a `CodeProgram` from expressions, in the numerically stable form of each pattern
/// it recognizes, so generated code stays finite where the naive formula overflows:
///
/// - A sum of exponentials with positive coefficients, `S = sum_i c_i exp(a_i)` (a positive
///   number counts as `c exp(0)`), is computed shifted: `m = max_i a_i` (0 when that is not
///   finite), `s = sum_i c_i exp(a_i - m)`, so that `S = exp(m) s` with `1 <= s` whenever
///   `m` is an `a_i`. Then `log(S) = m + log(s)` (log-sum-exp) and a product
///   `exp(b_1) ... exp(b_j) S**(-k)` is `exp(b_1 + ... + b_j - k m) s**(-k)` (softmax and
///   its derivatives); other uses of `S` compute it directly.
/// - `log(1 + exp(x))` is `softplus(x) = max(x, 0) + log1p(exp(-|x|))`; `log(1 + y)` is
///   `log1p(y)`; `exp(x) - 1` is `expm1(x)`.
/// - `sigmoid(x)` is `1/(1 + e)` for `x >= 0` and `e/(1 + e)` below, with `e = exp(-|x|)`.
/// - A negative power is a reciprocal (printed as a denominator), `x**2` is `x*x`,
///   `x**(1/2)` is `sqrt(x)`, and `x**(p/q)` with `q` odd is the real root for `x < 0`
///   (as `Evaluator` computes it).
/// - A subexpression without symbols is one double: its certified value rounded to nearest
///   (NaN where it is undefined or outside the real domain).
///
/// Outside these patterns a node computes what `Evaluator` computes, in the same order of
/// operations up to grouping a product's denominators; domain errors are NaN.
struct CodeProgramBuilder {
  private(set) var program = CodeProgram()
  private var memo: [Expr: Int] = [:]
  private var shifted: [Expr: (shift: Int, scaledSum: Int)] = [:]
  private let inputIndex: [String: Int]
  /// Longest sums, products and maxima printed as one operation; longer ones are chained
  /// (left to right, the order `Evaluator` adds in), which keeps lines short and the
  /// Swift type checker fast.
  static let maximumOperands = 16

  /// `inputs`: the symbol names, in the order of the program's inputs.
  init(inputs: [String]) {
    var index: [String: Int] = [:]
    for (i, name) in inputs.enumerated() { index[name] = i }
    inputIndex = index
  }

  /// Adds `expressions` as the program's outputs.
  ///
  /// Throws `CompilationError.unboundSymbol` for a symbol that is not an input.
  /// Activations are generated as their definitions (`Expr.expandingActivations()`):
  /// `x*sigmoid(x)` with the two-sided sigmoid for silu, ATen's own formulas for hardswish
  /// and elu.
  mutating func addOutputs(_ expressions: [Expr]) throws {
    let expressions = expressions.map { $0.expandingActivations() }
    // `fold` visits every node after its children (without recursion), so converting a
    // node only looks its descendants up in `memo`; its own result says whether the node
    // is symbol-free.
    var symbolFree: [Expr: Bool] = [:]
    for root in expressions {
      _ = try root.fold(memo: &symbolFree) { e, children in
        let isConstant = e.symbolName == nil && children.allSatisfy { $0 }
        memo[e] = isConstant && !children.isEmpty ? program.number(Self.constantValue(e)) : try convert(e)
        return isConstant
      }
    }
    program.outputs += expressions.map { memo[$0]! }
  }

  /// The double nearest a symbol-free expression's value; NaN where it has none.
  static func constantValue(_ e: Expr) -> Double {
    guard let v = try? e.certifiedValue() else { return .nan }
    return v.value
  }

  // MARK: Nodes

  private mutating func convert(_ e: Expr) throws -> Int {
    switch e.kind {
    case .number(let r): return program.number(r.toDouble())
    case .constant(let c): return program.number(c.doubleValue)
    case .symbol(let name):
      guard let k = inputIndex[name] else {
        throw CompilationError.unboundSymbol(name, inputs: inputIndex.sorted { $0.value < $1.value }.map(\.key))
      }
      return program.node(.input(k))
    case .sum(let terms):
      if terms.count == 2, terms[0].rationalValue == Rational(-1), case .apply(.exp, let x) = terms[1].kind {
        return program.node(.elementary(.expm1), [memo[x[0]]!])
      }
      var args: [Int] = []
      for t in terms { args.append(signedTerm(t)) }
      return sum(args)
    case .product(let factors):
      if factors[0].rationalValue == Rational(-1) {
        return program.node(.negate, [product(Array(factors.dropFirst()))])
      }
      return product(factors)
    case .power(let base, let exponent):
      if let r = exponent.rationalValue { return power(memo[base]!, r) }
      return program.node(.powerOf, [memo[base]!, memo[exponent]!])
    case .apply(let f, let args):
      let a = memo[args[0]]!
      switch f {
      case .exp: return program.node(.elementary(.exp), [a])
      case .log: return log(args[0])
      case .log1p: return program.node(.elementary(.log1p), [a])
      case .expm1: return program.node(.elementary(.expm1), [a])
      case .sin: return program.node(.elementary(.sin), [a])
      case .cos: return program.node(.elementary(.cos), [a])
      case .tanh: return program.node(.elementary(.tanh), [a])
      case .abs: return program.node(.elementary(.abs), [a])
      case .sign: return program.node(.sign, [a])
      case .sigmoid: return sigmoid(a)
      case .softplus: return softplus(a)
      case .max: return program.node(.maximum, [a, memo[args[1]]!])
      case .min: return program.node(.minimum, [a, memo[args[1]]!])
      case .unitInterval: return program.node(.unitInterval, [a])
      case .erf: return program.node(.elementary(.erf), [a])
      case .erfc: return program.node(.elementary(.erfc), [a])
      case .erfcx:
        // Internal to the limit engine (no result holds it): exp(x**2) erfc(x) as written.
        let scale = program.node(.elementary(.exp), [program.node(.square, [a])])
        return program.node(.product, [scale, program.node(.elementary(.erfc), [a])])
      case .silu, .mish, .softsign, .geluTanh, .hardswish, .elu, .gelu:
        preconditionFailure("activations are expanded into their definitions before conversion")
      case .wherePositive, .whereNonNegative, .whereZero:
        return program.node(.selection(f.selectionComparison!), [a, memo[args[1]]!, memo[args[2]]!])
      }
    }
  }

  /// A sum term: a product with a negative coefficient or a negative number prints as a
  /// subtraction.
  private mutating func signedTerm(_ t: Expr) -> Int {
    if let r = t.rationalValue, r.signum < 0 { return program.node(.negate, [program.number((-r).toDouble())]) }
    if case .product(let factors) = t.kind, let c = factors[0].rationalValue, c.signum < 0 {
      let rest = Array(factors.dropFirst())
      if c == Rational(-1) { return program.node(.negate, [product(rest)]) }
      return program.node(.negate, [product([Expr.number(-c)] + rest)])
    }
    return memo[t]!
  }

  private mutating func sum(_ args: [Int]) -> Int { chained(.sum, args) }

  /// `op` over `args`, chained in groups of `maximumOperands` (left to right).
  private mutating func chained(_ op: CodeProgram.Op, _ args: [Int]) -> Int {
    if args.count == 1 { return args[0] }
    var acc = program.node(op, Array(args.prefix(Self.maximumOperands)))
    var rest = args.dropFirst(Self.maximumOperands)
    while !rest.isEmpty {
      let chunk = rest.prefix(Self.maximumOperands - 1)
      acc = program.node(op, [acc] + chunk)
      rest = rest.dropFirst(chunk.count)
    }
    return acc
  }

  /// A product of canonical factors (each already converted), with the shifted form for
  /// `exp(b) ... S**(-k)` when `S` is a sum of exponentials.
  private mutating func product(_ factors: [Expr]) -> Int {
    if factors.count == 1 { return memo[factors[0]]! }
    var exponentials: [Int] = []
    var denominatorSum: (sum: Expr, power: Int)?
    var others: [Expr] = []
    for f in factors {
      if case .apply(.exp, let b) = f.kind {
        exponentials.append(memo[b[0]]!)
        continue
      }
      if denominatorSum == nil, case .power(let s, let x) = f.kind, let r = x.rationalValue, r.isInteger, r.signum < 0,
        let k = r.numerator.asInt, k >= -64, Self.exponentialTerms(of: s) != nil
      {
        denominatorSum = (s, -k)
        continue
      }
      others.append(f)
    }
    var converted: [Int] = []
    if let (s, k) = denominatorSum, !exponentials.isEmpty {
      let (m, scaled) = shift(of: s)
      let km = k == 1 ? m : program.node(.product, [program.number(Double(k)), m])
      converted.append(program.node(.elementary(.exp), [sum(exponentials + [program.node(.negate, [km])])]))
      converted.append(program.node(.reciprocal, [power(scaled, Rational(k))]))
    } else {
      // No shift: the factors as they are.
      others = factors
    }
    for f in others {
      if let r = f.rationalValue {
        converted.append(program.number(r.toDouble()))  // the coefficient, possibly made here
      } else if case .power(let base, let x) = f.kind, let r = x.rationalValue, r.signum < 0 {
        converted.append(program.node(.reciprocal, [power(memo[base]!, -r)]))
      } else {
        converted.append(memo[f]!)
      }
    }
    return chained(.product, converted)
  }

  /// `base ** r` for an exact exponent `r`.
  private mutating func power(_ base: Int, _ r: Rational) -> Int {
    if r == Rational(1) { return base }
    if r.signum < 0 { return program.node(.reciprocal, [power(base, -r)]) }
    if r.isZero { return program.number(1) }
    if r == Rational(2) { return program.node(.square, [base]) }
    if r == Rational(numerator: 1, denominator: 2)! { return program.node(.squareRoot, [base]) }
    let e = r.toDouble().bitPattern
    if !r.isInteger && !r.denominator.isEven {
      return program.node(.realRoot(e, evenNumerator: r.numerator.isEven), [base])
    }
    return program.node(.power(e), [base])
  }

  // MARK: Stable forms

  /// The terms `(c, a)` of a sum of exponentials `sum c exp(a)` with every `c > 0` (a
  /// positive number is `(c, nil)`, for `c exp(0)`), with at least one exponential; nil
  /// for other expressions.
  static func exponentialTerms(of s: Expr) -> [(coefficient: Rational, exponent: Expr?)]? {
    guard case .sum(let terms) = s.kind else { return nil }
    var out: [(Rational, Expr?)] = []
    var sawExponential = false
    for t in terms {
      if let r = t.rationalValue, r.signum > 0 {
        out.append((r, nil))
      } else if case .apply(.exp, let a) = t.kind {
        out.append((Rational(1), a[0]))
        sawExponential = true
      } else if case .product(let f) = t.kind, f.count == 2, let c = f[0].rationalValue, c.signum > 0,
        case .apply(.exp, let a) = f[1].kind
      {
        out.append((c, a[0]))
        sawExponential = true
      } else {
        return nil
      }
    }
    return sawExponential ? out : nil
  }

  /// The shift `m` and the scaled sum `s = S exp(-m)` of a sum of exponentials `S`.
  private mutating func shift(of s: Expr) -> (shift: Int, scaledSum: Int) {
    if let known = shifted[s] { return known }
    let terms = Self.exponentialTerms(of: s)!
    var candidates: [Int] = []
    for (_, a) in terms {
      let id = a.map { memo[$0]! } ?? program.number(0)
      if !candidates.contains(id) { candidates.append(id) }
    }
    let m = program.node(.finiteOrZero, [chained(.largest, candidates)])
    let minusM = program.node(.negate, [m])
    let scaled = terms.map { c, a -> Int in
      let e = program.node(.elementary(.exp), [a.map { sum([memo[$0]!, minusM]) } ?? minusM])
      return c == Rational(1) ? e : program.node(.product, [program.number(c.toDouble()), e])
    }
    let result = (m, sum(scaled))
    shifted[s] = result
    return result
  }

  /// `log(x)`: log-sum-exp, softplus or `log1p` where `x` has their shape.
  private mutating func log(_ x: Expr) -> Int {
    if case .sum(let terms) = x.kind {
      if terms.count == 2, terms[0].rationalValue == Rational(1), case .apply(.exp, let a) = terms[1].kind {
        return softplus(memo[a[0]]!)
      }
      if Self.exponentialTerms(of: x) != nil {
        let (m, scaled) = shift(of: x)
        return sum([m, program.node(.elementary(.log), [scaled])])
      }
      if let one = terms.firstIndex(where: { $0.rationalValue == Rational(1) }) {
        var rest: [Int] = []
        for (i, t) in terms.enumerated() where i != one { rest.append(signedTerm(t)) }
        return program.node(.elementary(.log1p), [sum(rest)])
      }
    }
    return program.node(.elementary(.log), [memo[x]!])
  }

  /// `max(x, 0) + log1p(exp(-|x|))`.
  private mutating func softplus(_ x: Int) -> Int {
    let e = program.node(.elementary(.exp), [program.node(.negate, [program.node(.elementary(.abs), [x])])])
    return sum([program.node(.positivePart, [x]), program.node(.elementary(.log1p), [e])])
  }

  /// `x >= 0 ? 1/(1 + e) : e/(1 + e)` with `e = exp(-|x|)`.
  private mutating func sigmoid(_ x: Int) -> Int {
    let e = program.node(.elementary(.exp), [program.node(.negate, [program.node(.elementary(.abs), [x])])])
    let r = program.node(.reciprocal, [sum([program.number(1), e])])
    return program.node(.selectNonNegative, [x, r, program.node(.product, [e, r])])
  }
}
