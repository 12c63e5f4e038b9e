/// The ball tape over the extended reals: certified values at points with `+-inf` inputs
/// (masked logits) without the limit engine, wherever every operation on the way is
/// continuous at its (extended) arguments.
///
/// A register holds an `ExtendedBall`: a finite ball, a finite ball that is the *limit* of
/// the value (it came from an infinite input through continuous operations: `exp(-inf)`
/// is the limit 0, approached from above, but the ball only says 0), `+inf`, `-inf`, or
/// poison. The infinite inputs tend to infinity together at one rate (the same-rate
/// semantics of `Expr.limitValue(at:)`); an operation returns a non-poison value only where
/// it is continuous at its arguments in the extended reals, so that value is the limit of
/// the operation along *every* path, the same-rate one included:
///
/// ```
/// sum:      +inf with finite terms or +inf is +inf (mirror for -inf); +inf with -inf: poison
/// product:  an infinity times factors whose balls exclude 0: the infinity with the signs'
///           product; a ball containing 0 beside an infinity: poison
/// exp:      exp(-inf) = 0 (a limit), exp(+inf) = +inf;  log(+inf) = +inf, log(-inf): poison
/// sigmoid:  0 and 1;  softplus: 0 and +inf;  tanh: -1 and 1;  expm1: -1 and +inf
/// log1p:    +inf at +inf;  abs: +inf;  sign: -1 and 1;  max/min: the larger/smaller
/// erf:      -1 and 1;  erfc: 2 and 0 (finite arguments: poison, no ball enclosure yet)
/// power:    an infinite base with an integer exponent n: +-inf for n > 0 (sign by
///           parity), the limit 0 for n < 0, 1 for n = 0; anything else infinite: poison
/// sin, cos, unit_interval at an infinity, an infinite exponent: poison
/// ```
///
/// A limit whose ball contains 0 reaches 0 from a side the ball does not know, so where a
/// function is discontinuous at 0 it is poison: `sign`, and powers other than nonnegative
/// integer ones (`sqrt(-exp(x))` is undefined for every finite x, yet `sqrt(0) = 0`). `log`,
/// reciprocals and `log1p` at their poles are poison for every ball already. A poisoned
/// entry goes to the multi-precision evaluator and the limit engine, as before.
struct ExtendedBall {
  enum State: UInt8 { case finite, limit, plusInfinity, minusInfinity }
  var ball: DDBall
  var state: State

  static let poison = ExtendedBall(ball: .poison, state: .finite)
  static let plusInfinity = ExtendedBall(ball: .poison, state: .plusInfinity)
  static let minusInfinity = ExtendedBall(ball: .poison, state: .minusInfinity)

  static func limit(_ b: DDBall) -> ExtendedBall { ExtendedBall(ball: b, state: b.isValid ? .limit : .finite) }
  static func infinity(positive: Bool) -> ExtendedBall { positive ? .plusInfinity : .minusInfinity }

  var isInfinite: Bool { state == .plusInfinity || state == .minusInfinity }
  /// A finite value that is not poison.
  var isFiniteValue: Bool { !isInfinite && ball.isValid }
  var isPoison: Bool { !isInfinite && !ball.isValid }

  /// The input `x`: `+-inf` as infinities, NaN as poison.
  init(_ x: Double) {
    if x.isInfinite {
      self = x > 0 ? .plusInfinity : .minusInfinity
    } else {
      self.init(ball: DDBall(x), state: .finite)
    }
  }

  init(ball: DDBall, state: State) {
    self.ball = ball
    self.state = state
  }

  /// The result of a continuous operation on finite operands: a limit if any operand is.
  static func finite(_ b: DDBall, from operands: ExtendedBall...) -> ExtendedBall { finite(b, from: operands) }

  static func finite(_ b: DDBall, from operands: [ExtendedBall]) -> ExtendedBall {
    ExtendedBall(ball: b, state: b.isValid && operands.contains { $0.state == .limit } ? .limit : .finite)
  }

  /// Whether this is a limit whose ball does not exclude 0 (its approach side unknown).
  var isLimitTouchingZero: Bool { state == .limit && !(ball.isPositive || ball.isNegative) }
}

extension CompiledTape {
  /// `runBalls` on the extended reals (see `ExtendedBall`): outputs that are infinities,
  /// finite values, limits (finite balls) or poison.
  func runExtendedBalls(
    _ x: UnsafeBufferPointer<Double>, registers r: UnsafeMutablePointer<ExtendedBall>,
    outputs out: UnsafeMutablePointer<ExtendedBall>
  ) {
    var slot = 0
    var nextOutput = outputInstruction.first.map(Int.init) ?? -1
    for i in 0..<instructions.count {
      let ins = instructions[i]
      let a = Int(ins.a)
      let b = Int(ins.b)
      let v: ExtendedBall
      switch ins.opcode {
      case .input: v = ExtendedBall(x[a])
      case .constant:
        let c = constants[a]
        v = c.isInfinite ? .infinity(positive: c > 0) : ExtendedBall(ball: constantBalls[a], state: .finite)
      case .sum: v = Self.extendedSum((a..<(a + b)).map { r[Int(operands[$0])] })
      case .product: v = Self.extendedProduct((a..<(a + b)).map { r[Int(operands[$0])] })
      case .power:
        let p = powers[b]
        v = Self.extendedPower(r[a], r[Int(p.exponent)], p.certified)
      case .max, .min: v = Self.extendedMaxMin(r[a], r[b], max: ins.opcode == .max)
      case .select:
        v = Self.extendedSelect(
          Self.selections[b], r[Int(operands[a])], r[Int(operands[a + 1])], r[Int(operands[a + 2])])
      default: v = Self.extendedFunction(ins.opcode, r[a])
      }
      r[Int(ins.dest)] = v
      while i == nextOutput {
        out[Int(outputIndex[slot])] = v
        slot += 1
        nextOutput = slot < outputInstruction.count ? Int(outputInstruction[slot]) : -1
      }
    }
  }

  /// A selection: the branch of the condition's sign, where that sign is the sign of the
  /// condition on the whole tail (an infinity, or a ball that decides it; an exact 0 only
  /// when it is a value, not a limit reached from an unknown side); poison otherwise.
  static func extendedSelect(_ f: Expr.Function, _ u: ExtendedBall, _ x: ExtendedBall, _ y: ExtendedBall)
    -> ExtendedBall
  {
    let s: Int
    switch u.state {
    case .plusInfinity: s = 1
    case .minusInfinity: s = -1
    case .finite, .limit:
      guard let b = u.ball.certainSign, b != 0 || u.state == .finite else { return .poison }
      s = b
    }
    return f.selectsFirstBranch(sign: s) ? x : y
  }

  static func extendedSum(_ terms: [ExtendedBall]) -> ExtendedBall {
    if terms.contains(where: \.isPoison) { return .poison }
    let plus = terms.contains { $0.state == .plusInfinity }
    let minus = terms.contains { $0.state == .minusInfinity }
    if plus && minus { return .poison }
    if plus || minus { return .infinity(positive: plus) }
    var acc = terms[0].ball
    for t in terms.dropFirst() { acc = acc + t.ball }
    return .finite(acc, from: terms)
  }

  static func extendedProduct(_ factors: [ExtendedBall]) -> ExtendedBall {
    if factors.contains(where: \.isPoison) { return .poison }
    guard factors.contains(where: \.isInfinite) else {
      var acc = factors[0].ball
      for f in factors.dropFirst() { acc = acc * f.ball }
      return .finite(acc, from: factors)
    }
    var positive = true
    for f in factors {
      switch f.state {
      case .plusInfinity: break
      case .minusInfinity: positive.toggle()
      case .finite, .limit:
        if f.ball.isNegative { positive.toggle() } else if !f.ball.isPositive { return .poison }
      }
    }
    return .infinity(positive: positive)
  }

  static func extendedPower(_ base: ExtendedBall, _ exponent: ExtendedBall, _ kind: CertifiedExponent) -> ExtendedBall {
    if base.isPoison || exponent.isPoison || exponent.isInfinite { return .poison }
    if base.isInfinite {
      guard case .integer(let n) = kind else { return .poison }
      if n == 0 { return .limit(.one) }
      if n < 0 { return .limit(.zero) }
      return .infinity(positive: base.state == .plusInfinity || n % 2 == 0)
    }
    if base.isLimitTouchingZero {
      guard case .integer(let n) = kind, n >= 0 else { return .poison }
    }
    return .finite(power(base.ball, exponent.ball, kind), from: base, exponent)
  }

  static func extendedMaxMin(_ a: ExtendedBall, _ b: ExtendedBall, max: Bool) -> ExtendedBall {
    if a.isPoison || b.isPoison { return .poison }
    // The larger of the two for max: +inf wins, -inf loses (mirror for min).
    let top: ExtendedBall.State = max ? .plusInfinity : .minusInfinity
    let bottom: ExtendedBall.State = max ? .minusInfinity : .plusInfinity
    if a.state == top || b.state == top { return ExtendedBall(ball: .poison, state: top) }
    if a.state == bottom && b.state == bottom { return ExtendedBall(ball: .poison, state: bottom) }
    if a.state == bottom { return .limit(b.ball) }
    if b.state == bottom { return .limit(a.ball) }
    return .finite(max ? DDBall.maximum(a.ball, b.ball) : DDBall.minimum(a.ball, b.ball), from: a, b)
  }

  static func extendedFunction(_ op: Opcode, _ x: ExtendedBall) -> ExtendedBall {
    if x.isPoison { return .poison }
    if x.isInfinite {
      let plus = x.state == .plusInfinity
      switch op {
      case .exp: return plus ? .plusInfinity : .limit(.zero)
      case .log, .log1p: return plus ? .plusInfinity : .poison
      case .sigmoid: return .limit(plus ? .one : .zero)
      case .softplus: return plus ? .plusInfinity : .limit(.zero)
      case .tanh, .sign: return .limit(plus ? .one : DDBall(hi: -1, lo: 0, rad: 0))
      case .expm1: return plus ? .plusInfinity : .limit(DDBall(hi: -1, lo: 0, rad: 0))
      case .abs: return .plusInfinity
      case .erf: return .limit(plus ? .one : DDBall(hi: -1, lo: 0, rad: 0))
      case .erfc: return .limit(plus ? .zero : DDBall(hi: 2, lo: 0, rad: 0))
      case .erfcx: return plus ? .limit(.zero) : .plusInfinity
      default: return .poison  // sin, cos, unit_interval
      }
    }
    if op == .sign && x.isLimitTouchingZero { return .poison }
    let b = x.ball
    let v: DDBall
    switch op {
    case .exp: v = b.exp()
    case .log: v = b.log()
    case .sin: v = b.sin()
    case .cos: v = b.cos()
    case .tanh: v = b.tanh()
    case .sigmoid: v = b.sigmoid()
    case .softplus: v = b.softplus()
    case .log1p: v = b.log1p()
    case .expm1: v = b.expm1()
    case .abs: v = b.isValid ? b.magnitude : .poison
    case .sign: v = b.sign
    case .unitInterval: v = b.unitInterval
    default: v = .poison
    }
    return .finite(v, from: x)
  }
}
