/// Spellings of the API that were replaced, kept so code written against them still builds
/// (with a deprecation warning that names the replacement). New code uses the replacements.
///
/// Calculus is spelled as methods on the differentiated value throughout:
/// `f.derivative(withRespectTo:)`, `f.gradient(withRespectTo:)`, `f.hessian(withRespectTo:)`,
/// `outputs.jacobian(withRespectTo:)`, `f.limit(as:approaches:)`. Infinities are named as
/// `Double`'s and `Expr`'s are: `.infinity` and `.negativeInfinity` in `LimitValue` and
/// `LimitPoint` too. The expression's own vocabulary is nested in `Expr`: `Expr.Function`,
/// `Expr.Constant`, `Expr.Value` (a value of the expression language), `Expr.Tensor`.

@available(*, deprecated, message: "use f.gradient(withRespectTo: variables)")
public func gradient(of f: Expr, withRespectTo variables: [Expr]) -> [Expr] {
  f.gradient(withRespectTo: variables)
}

@available(*, deprecated, message: "use f.gradient(withRespectTo: tensor)")
public func gradient(of f: Expr, withRespectTo tensor: Tensor) -> Tensor {
  f.gradient(withRespectTo: tensor)
}

@available(*, deprecated, message: "use outputs.jacobian(withRespectTo: variables)")
public func jacobian(of outputs: [Expr], withRespectTo variables: [Expr]) -> [[Expr]] {
  outputs.jacobian(withRespectTo: variables)
}

@available(*, deprecated, message: "use f.hessian(withRespectTo: variables)")
public func hessian(of f: Expr, withRespectTo variables: [Expr]) -> [[Expr]] {
  f.hessian(withRespectTo: variables)
}

@available(*, deprecated, message: "use expression.limit(as: variable, approaches: point)")
public func limit(of expression: Expr, as variable: Expr, approaches point: LimitPoint) -> LimitValue {
  expression.limit(as: variable, approaches: point)
}

extension LimitValue {
  @available(*, deprecated, renamed: "infinity")
  public static var plusInfinity: LimitValue { .infinity }
  @available(*, deprecated, renamed: "negativeInfinity")
  public static var minusInfinity: LimitValue { .negativeInfinity }
}

extension LimitPoint {
  @available(*, deprecated, renamed: "infinity")
  public static var plusInfinity: LimitPoint { .infinity }
  @available(*, deprecated, renamed: "negativeInfinity")
  public static var minusInfinity: LimitPoint { .negativeInfinity }
}

@available(*, deprecated, renamed: "Expr.Function")
public typealias Function = Expr.Function

@available(*, deprecated, renamed: "Expr.Constant")
public typealias Constant = Expr.Constant

@available(*, deprecated, renamed: "Expr.Value")
public typealias Value = Expr.Value

@available(*, deprecated, renamed: "Expr.Tensor")
public typealias Tensor = Expr.Tensor
