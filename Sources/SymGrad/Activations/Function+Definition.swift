/// The activation functions that are function nodes (`Expr.Function.isActivation`), written
/// with the older functions.
///
/// An activation is a node of its own so that a nest of them stays one node per level: as a
/// composition, `silu(silu(x))` repeats its argument, and every stage that expands the
/// written-out tree (series in the limit engine, the sympy text) doubled its work per level
/// (issue 9: a 60-level nest hung). The definitions below are the nodes' *values*, exact on
/// all reals, written with `max`/`min` rather than indicators so that they stay determinate
/// where an argument is infinite: the limit engine rewrites a node into its definition when
/// continuity does not decide a limit, the sympy text prints the definition, and generated
/// code and interval evaluation follow it. Derivatives do not come from here: at a kink
/// `max`/`min` split a tie evenly, while each activation's derivative states PyTorch's
/// convention (`Calculus/Derivative.swift`).
extension Expr.Function {
  /// The value of this activation at `arguments`, in terms of the older functions; nil for
  /// a function that is not an activation.
  ///
  /// ```
  /// silu(x)       = x sigmoid(x)
  /// mish(x)       = x tanh(softplus(x))
  /// softsign(x)   = x/(1 + |x|)
  /// gelu_tanh(x)  = x sigmoid(2 u),  u = sqrt(2/pi) (x + 0.044715 x**3)
  ///              (= x/2 (1 + tanh(u)), without the cancellation of 1 + tanh(u) below 0)
  /// hardswish(x)  = x min(max(x + 3, 0), 6)/6
  /// elu(x, alpha) = max(x, 0) + alpha expm1(min(x, 0))
  /// gelu(x)       = x erfc(-x/sqrt(2))/2       (= x/2 (1 + erf(x/sqrt(2))))
  /// ```
  func definition(_ arguments: [Expr]) -> Expr? {
    let x = arguments[0]
    switch self {
    case .silu: return x * SymGrad.sigmoid(x)
    case .mish: return x * SymGrad.tanh(SymGrad.softplus(x))
    case .softsign: return x / (1 + SymGrad.abs(x))
    case .geluTanh: return x * SymGrad.sigmoid(2 * Expr.geluTanhInner(x))
    case .hardswish: return x * SymGrad.min(SymGrad.max(x + 3, .zero), 6) / 6
    case .elu: return SymGrad.max(x, .zero) + arguments[1] * SymGrad.expm1(SymGrad.min(x, .zero))
    case .gelu: return x * Expr.apply(.erfc, [-x / sqrt(Expr(2))]) / 2
    default: return nil
    }
  }

  /// The definition at `arguments` that a bottom-up rewrite has already produced, with
  /// `transform` applied to the definition's own nodes only: the arguments are taken as
  /// they are, not walked again (at every level of a nest they would be). Nil for a
  /// function that is not an activation.
  func transformedDefinition(_ arguments: [Expr], _ transform: (Expr, [Expr]) throws -> Expr) rethrows -> Expr? {
    guard let d = definition(arguments) else { return nil }
    var memo = Dictionary(arguments.map { ($0, $0) }, uniquingKeysWith: { a, _ in a })
    return try d.fold(memo: &memo, transform)
  }

  /// The value of this activation where its first argument is `+inf` (`positive`) or
  /// `-inf`, given its other arguments; nil for a function that is not an activation.
  ///
  /// `silu`, `mish`, `gelu_tanh`, `hardswish`, `gelu`: `inf` and 0; `softsign`: 1 and -1;
  /// `elu(x, alpha)`: `inf` and `-alpha`.
  func valueAtInfinity(positive: Bool, _ arguments: [Expr]) -> Expr? {
    switch self {
    case .silu, .mish, .geluTanh, .hardswish, .gelu: return positive ? .infinity : .zero
    case .softsign: return positive ? .one : .number(-1)
    case .elu: return positive ? .infinity : -arguments[1]
    default: return nil
    }
  }
}

extension Expr {
  /// `sqrt(2/pi) (x + 0.044715 x**3)`, the argument of `tanh` in `gelu(x, approximate="tanh")`.
  static func geluTanhInner(_ x: Expr) -> Expr {
    sqrt(2 / Expr.pi) * (x + geluTanhKappa * x * x * x)
  }

  /// The cubic coefficient of `gelu(x, approximate="tanh")`, the decimal 0.044715.
  static let geluTanhKappa = Expr.number(Rational(numerator: 44715, denominator: 1_000_000)!)

  /// Whether an activation node occurs in this expression (O(1)).
  var containsActivation: Bool { node.nonFinite & ExprNode.NonFinite.activation != 0 }

  /// This expression with every activation node replaced by its definition
  /// (`Expr.Function.definition`), so that it uses the older functions only: the same
  /// value everywhere. The interval evaluators compute activations this way (each older
  /// function is enclosed rigorously, so the composition is too). O(1) when there is none.
  func expandingActivations() -> Expr {
    guard containsActivation else { return self }
    var memo: [Expr: Expr] = [:]
    return fold(memo: &memo, shortcut: { $0.containsActivation ? nil : $0 }) { e, kids in
      if case .apply(let f, _) = e.kind, let d = f.definition(kids) { return d }
      return kids.elementsEqual(e.children) ? e : e.rebuilt(with: kids)
    }
  }
}

extension Expr.Function {
  /// Symbols standing for an activation's arguments in `definition(_:)` when an evaluator
  /// binds them to values it has computed: names no parser can produce (a combining
  /// asterisk, as the limit engine's variables).
  static let placeholders: [Expr] = [Expr.symbol("a\u{20F0}0"), Expr.symbol("a\u{20F0}1")]

  /// Each activation's definition and its values at `+inf` and `-inf`, at the
  /// placeholders: built once, not at every evaluation of a node.
  static let placeholderForms: [Expr.Function: (definition: Expr, atPlusInfinity: Expr, atMinusInfinity: Expr)] = {
    var forms: [Expr.Function: (Expr, Expr, Expr)] = [:]
    for f in allCases where f.isActivation {
      let p = Array(placeholders.prefix(f.arity))
      forms[f] = (f.definition(p)!, f.valueAtInfinity(positive: true, p)!, f.valueAtInfinity(positive: false, p)!)
    }
    return forms
  }()
}
