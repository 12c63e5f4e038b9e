import Foundation

/// The flat instruction tape behind `CompiledFunction`.
///
/// One instruction per distinct DAG node, in topological order (a child before every
/// parent), so a shared subexpression is computed once. Operands are register indices;
/// a register is reused as soon as the last instruction reading it is past (linear-scan
/// liveness), and an output is stored when its instruction runs, so the register file is
/// the working set, not the node count. Constants are rounded once, at compilation: to
/// the nearest double for IEEE evaluation, to a 106-bit ball for certified evaluation.
struct CompiledTape: Sendable {
  enum Opcode: UInt8, Sendable {
    case input, constant, sum, product, power
    case exp, log, sin, cos, tanh, sigmoid, softplus, log1p, expm1, abs, sign, max, min, unitInterval
    /// No double-double enclosure yet: the ball evaluators poison these, and the
    /// multi-precision evaluator computes them (`Interval+ErrorFunction.swift`).
    case erf, erfc, erfcx
    /// A selection `where(u ▷ 0, x, y)`: `a` is the position of its three registers
    /// `u, x, y` in `operands`, `b` the function (`selections`). Both branches are computed
    /// (a tape is straight-line code); the result and its domain-error taint are the
    /// selected branch's only.
    case select
  }

  /// The selection function of a `select` instruction, by its `b`.
  static let selections: [Expr.Function] = [.wherePositive, .whereNonNegative, .whereZero]

  /// `dest = op(a, b)`. `a` is the input index (`input`), the constant index (`constant`),
  /// the first operand's position in `operands` (`sum`, `product`, with `b` the count),
  /// the base register (`power`, with `b` the index in `powers`) or the argument register
  /// (functions; `b` the second argument of `max` and `min`).
  struct Instruction: Sendable {
    var opcode: Opcode
    var dest: Int32
    var a: Int32
    var b: Int32
  }

  /// An exponent as the certified evaluator uses it.
  enum CertifiedExponent: Sendable {
    /// An integer `n` (repeated squaring, `1/x**|n|` below 0).
    case integer(Int)
    /// `p/2` with `p` odd: `sqrt(x) ** p`.
    case halfInteger(Int)
    /// Another rational `p/q`: `exp(p/q log x)` for `x > 0`; the real root for `x < 0`
    /// when `q` is odd.
    case rational(DDBall, oddDenominator: Bool, evenNumerator: Bool)
    /// Not a number: `exp(e log x)` for `x > 0`.
    case symbolic
    /// Too large to handle here (left to the multi-precision evaluator).
    case unsupported
  }

  /// A power instruction's exponent register and what each evaluator needs to know.
  struct Power: Sendable {
    var exponent: Int32
    var ieee: Evaluator.ExponentClass
    var certified: CertifiedExponent
  }

  var instructions: [Instruction] = []
  var operands: [Int32] = []
  var constants: [Double] = []
  var constantBalls: [DDBall] = []
  var powers: [Power] = []
  /// Parallel arrays sorted by instruction: after instruction `outputInstruction[k]` runs,
  /// its result is output `outputIndex[k]`.
  var outputInstruction: [Int32] = []
  var outputIndex: [Int32] = []
  var registerCount = 0
  var outputCount = 0

  static let functionOpcodes: [Expr.Function: Opcode] = [
    .exp: .exp, .log: .log, .sin: .sin, .cos: .cos, .tanh: .tanh, .sigmoid: .sigmoid,
    .softplus: .softplus, .log1p: .log1p, .expm1: .expm1, .abs: .abs, .sign: .sign,
    .max: .max, .min: .min, .unitInterval: .unitInterval, .erf: .erf, .erfc: .erfc,
    .erfcx: .erfcx,
  ]
  /// The function of each function opcode (indexed by raw value), for IEEE evaluation.
  static let opcodeFunctions: [Expr.Function?] = {
    var table = [Expr.Function?](repeating: nil, count: 256)
    for (f, op) in functionOpcodes { table[Int(op.rawValue)] = f }
    return table
  }()

  // MARK: Compilation

  /// Compiles `expressions`; symbols must be among `inputs` (by name).
  ///
  /// Activations are compiled as their definitions (`Expr.expandingActivations()`): the
  /// ball evaluators enclose each older function rigorously, and the IEEE evaluation is
  /// the definition's (ATen's own formula for hardswish and elu; `x*sigmoid(x)` for silu).
  init(_ expressions: [Expr], inputs: [String]) throws {
    let expressions = expressions.map { $0.expandingActivations() }
    var inputIndex: [String: Int32] = [:]
    for (i, name) in inputs.enumerated() {
      if inputIndex[name] != nil { throw CompilationError.duplicateInput(name) }
      inputIndex[name] = Int32(i)
    }
    // Distinct nodes in post order, without recursion.
    var index: [Expr: Int32] = [:]
    var order: [Expr] = []
    for root in expressions where index[root] == nil {
      var stack: [(Expr, Bool)] = [(root, false)]
      while let (e, expanded) = stack.popLast() {
        if index[e] != nil { continue }
        if expanded {
          index[e] = Int32(order.count)
          order.append(e)
          continue
        }
        stack.append((e, true))
        for c in e.children.reversed() where index[c] == nil { stack.append((c, false)) }
      }
    }
    guard order.count < Int(Int32.max) else { preconditionFailure("too many nodes to compile: \(order.count)") }
    // Instructions over instruction indices, and each one's last reader.
    let n = order.count
    var lastUse = [Int32](repeating: -1, count: n)
    instructions.reserveCapacity(n)
    for (i, e) in order.enumerated() {
      let me = Int32(i)
      func use(_ child: Expr) -> Int32 {
        let j = index[child]!
        lastUse[Int(j)] = me
        return j
      }
      switch e.kind {
      case .number(let r):
        constants.append(r.toDouble())
        constantBalls.append(DDBall(r))
        instructions.append(Instruction(opcode: .constant, dest: 0, a: Int32(constants.count - 1), b: 0))
      case .constant(let c):
        constants.append(c.doubleValue)
        constantBalls.append(c == .pi ? DDBall.constants.pi : .poison)
        instructions.append(Instruction(opcode: .constant, dest: 0, a: Int32(constants.count - 1), b: 0))
      case .symbol(let name):
        guard let k = inputIndex[name] else { throw CompilationError.unboundSymbol(name, inputs: inputs) }
        instructions.append(Instruction(opcode: .input, dest: 0, a: k, b: 0))
      case .sum(let xs), .product(let xs):
        let start = Int32(operands.count)
        for x in xs { operands.append(use(x)) }
        let op: Opcode = if case .sum = e.kind { .sum } else { .product }
        instructions.append(Instruction(opcode: op, dest: 0, a: start, b: Int32(xs.count)))
      case .power(let base, let exponent):
        let b = use(base)
        let x = use(exponent)
        let exact = exponent.rationalValue
        powers.append(
          Power(
            exponent: x, ieee: Evaluator.ExponentClass(exact),
            certified: CompiledTape.certifiedExponent(exact)))
        instructions.append(Instruction(opcode: .power, dest: 0, a: b, b: Int32(powers.count - 1)))
      case .apply(let f, let args) where f.isSelection:
        let start = Int32(operands.count)
        for x in args { operands.append(use(x)) }
        let which = Int32(CompiledTape.selections.firstIndex(of: f)!)
        instructions.append(Instruction(opcode: .select, dest: 0, a: start, b: which))
      case .apply(let f, let args):
        let a = use(args[0])
        let b = args.count > 1 ? use(args[1]) : -1
        instructions.append(Instruction(opcode: CompiledTape.functionOpcodes[f]!, dest: 0, a: a, b: b))
      }
    }
    allocateRegisters(lastUse: &lastUse)
    // Outputs, in instruction order.
    let slots = expressions.enumerated().map { (instruction: index[$0.element]!, output: Int32($0.offset)) }
      .sorted { ($0.instruction, $0.output) < ($1.instruction, $1.output) }
    outputInstruction = slots.map(\.instruction)
    outputIndex = slots.map(\.output)
    outputCount = expressions.count
  }

  static func certifiedExponent(_ r: Rational?) -> CertifiedExponent {
    guard let r else { return .symbolic }
    // magnitude, not abs: abs(Int.min) traps.
    guard let p = r.numerator.asInt, p.magnitude <= 1 << 30 else { return .unsupported }
    if r.denominator == BigInt(1) { return .integer(p) }
    if r.denominator == BigInt(2) { return .halfInteger(p) }
    return .rational(DDBall(r), oddDenominator: !r.denominator.isEven, evenNumerator: r.numerator.isEven)
  }

  /// Linear scan: an operand's register is freed at its last reader (before that
  /// reader's destination is chosen, so the destination may reuse it: every instruction
  /// reads all its operands before writing), and a result nothing reads (an output) is
  /// freed right after it is stored.
  private mutating func allocateRegisters(lastUse: inout [Int32]) {
    let n = instructions.count
    var registerOf = [Int32](repeating: 0, count: n)
    var free: [Int32] = []
    var count: Int32 = 0
    for i in 0..<n {
      let me = Int32(i)
      func operand(_ j: Int32) -> Int32 {
        let register = registerOf[Int(j)]
        if lastUse[Int(j)] == me {
          free.append(register)
          lastUse[Int(j)] = -2  // freed once, even when read twice (x**x)
        }
        return register
      }
      var ins = instructions[i]
      switch ins.opcode {
      case .input, .constant: break
      case .sum, .product:
        for k in Int(ins.a)..<Int(ins.a + ins.b) { operands[k] = operand(operands[k]) }
      case .select:
        for k in Int(ins.a)..<Int(ins.a + 3) { operands[k] = operand(operands[k]) }
      case .power:
        ins.a = operand(ins.a)
        powers[Int(ins.b)].exponent = operand(powers[Int(ins.b)].exponent)
      default:
        ins.a = operand(ins.a)
        if ins.b >= 0 { ins.b = operand(ins.b) }
      }
      let dest: Int32
      if let r = free.popLast() {
        dest = r
      } else {
        dest = count
        count += 1
      }
      ins.dest = dest
      registerOf[i] = dest
      instructions[i] = ins
      if lastUse[i] == -1 { free.append(dest) }
    }
    registerCount = Int(count)
  }

  // MARK: IEEE evaluation

  /// Runs the tape in IEEE doubles with `Evaluator`'s semantics; a domain error gives NaN
  /// and sets `raised`. `taint`, when given, marks the registers whose value depends on a
  /// domain error (for `CompiledFunction.values(at:)`).
  func runIEEE(
    _ x: UnsafeBufferPointer<Double>, registers r: UnsafeMutablePointer<Double>,
    outputs out: UnsafeMutablePointer<Double>, taint: UnsafeMutablePointer<Bool>? = nil,
    outputTaint: UnsafeMutablePointer<Bool>? = nil
  ) -> Bool {
    var sawDomainError = false
    instructions.withUnsafeBufferPointer { code in
      operands.withUnsafeBufferPointer { ops in
        constants.withUnsafeBufferPointer { consts in
          outputInstruction.withUnsafeBufferPointer { slotInstruction in
            outputIndex.withUnsafeBufferPointer { slotOutput in
              var slot = 0
              var nextOutput = slotInstruction.first.map(Int.init) ?? -1
              for i in 0..<code.count {
                let ins = code[i]
                let a = Int(ins.a)
                let b = Int(ins.b)
                var raised = false
                // A selection's branch (1 or 2; 1 for a NaN condition), for its value and taint.
                var branch = 1
                let v: Double
                switch ins.opcode {
                case .input: v = x[a]
                case .constant: v = consts[a]
                case .sum:
                  var acc = 0.0
                  for k in a..<(a + b) { acc += r[Int(ops[k])] }
                  v = acc
                case .product:
                  var acc = 1.0
                  for k in a..<(a + b) { acc *= r[Int(ops[k])] }
                  v = acc
                case .power:
                  let p = powers[b]
                  do {
                    v = try Evaluator.power(r[a], r[Int(p.exponent)], p.ieee)
                  } catch {
                    v = .nan
                    raised = true
                  }
                case .exp: v = Foundation.exp(r[a])
                case .select:
                  let u = r[Int(ops[a])]
                  if !u.isNaN && !CompiledTape.selections[b].selectsFirstBranch(u) { branch = 2 }
                  v = u.isNaN ? .nan : r[Int(ops[a + branch])]
                default:
                  do {
                    let f = CompiledTape.opcodeFunctions[Int(ins.opcode.rawValue)]!
                    v = try Evaluator.apply(f, r[a], b >= 0 ? r[b] : 0)
                  } catch {
                    v = .nan
                    raised = true
                  }
                }
                if raised { sawDomainError = true }
                var t = false
                if let taint {
                  t = raised
                  switch ins.opcode {
                  case .input, .constant: break
                  case .sum, .product: for k in a..<(a + b) where taint[Int(ops[k])] { t = true }
                  case .power: t = t || taint[a] || taint[Int(powers[b].exponent)]
                  case .select: t = taint[Int(ops[a])] || taint[Int(ops[a + branch])]
                  default: t = t || taint[a] || (b >= 0 && taint[b])
                  }
                  taint[Int(ins.dest)] = t
                }
                r[Int(ins.dest)] = v
                while i == nextOutput {
                  out[Int(slotOutput[slot])] = v
                  outputTaint?[Int(slotOutput[slot])] = t
                  slot += 1
                  nextOutput = slot < slotInstruction.count ? Int(slotInstruction[slot]) : -1
                }
              }
            }
          }
        }
      }
    }
    return sawDomainError
  }

  // MARK: Certified evaluation

  /// Runs the tape in double-double balls: output `k`'s ball encloses its exact value
  /// unless poisoned. A non-finite input is poisoned, and so is everything computed from it.
  func runBalls(
    _ x: UnsafeBufferPointer<Double>, registers r: UnsafeMutablePointer<DDBall>,
    outputs out: UnsafeMutablePointer<DDBall>
  ) {
    instructions.withUnsafeBufferPointer { code in
      operands.withUnsafeBufferPointer { ops in
        constantBalls.withUnsafeBufferPointer { consts in
          outputInstruction.withUnsafeBufferPointer { slotInstruction in
            outputIndex.withUnsafeBufferPointer { slotOutput in
              var slot = 0
              var nextOutput = slotInstruction.first.map(Int.init) ?? -1
              for i in 0..<code.count {
                let ins = code[i]
                let a = Int(ins.a)
                let b = Int(ins.b)
                let v: DDBall
                switch ins.opcode {
                case .input: v = DDBall(x[a])
                case .constant: v = consts[a]
                case .sum:
                  var acc = r[Int(ops[a])]
                  for k in (a + 1)..<(a + b) { acc = acc + r[Int(ops[k])] }
                  v = acc
                case .product:
                  var acc = r[Int(ops[a])]
                  for k in (a + 1)..<(a + b) { acc = acc * r[Int(ops[k])] }
                  v = acc
                case .power:
                  let p = powers[b]
                  v = CompiledTape.power(r[a], r[Int(p.exponent)], p.certified)
                case .exp: v = r[a].exp()
                case .log: v = r[a].log()
                case .sin: v = r[a].sin()
                case .cos: v = r[a].cos()
                case .tanh: v = r[a].tanh()
                case .sigmoid: v = r[a].sigmoid()
                case .softplus: v = r[a].softplus()
                case .log1p: v = r[a].log1p()
                case .expm1: v = r[a].expm1()
                case .abs: v = r[a].isValid ? r[a].magnitude : .poison
                case .sign: v = r[a].sign
                case .max: v = DDBall.maximum(r[a], r[b])
                case .min: v = DDBall.minimum(r[a], r[b])
                case .unitInterval: v = r[a].unitInterval
                case .erf, .erfc, .erfcx: v = .poison
                case .select:
                  let u = r[Int(ops[a])]
                  if let s = u.certainSign {
                    v = r[Int(ops[a + (CompiledTape.selections[b].selectsFirstBranch(sign: s) ? 1 : 2)])]
                  } else {
                    v = .poison
                  }
                }
                r[Int(ins.dest)] = v
                while i == nextOutput {
                  out[Int(slotOutput[slot])] = v
                  slot += 1
                  nextOutput = slot < slotInstruction.count ? Int(slotInstruction[slot]) : -1
                }
              }
            }
          }
        }
      }
    }
  }

  /// `base ** exponent` on balls; poisoned where the sign of the base is not proved.
  static func power(_ base: DDBall, _ exponent: DDBall, _ kind: CertifiedExponent) -> DDBall {
    guard base.isValid, exponent.isValid else { return .poison }
    switch kind {
    case .integer(let n):
      return base.power(n)
    case .halfInteger(let p):
      return base.squareRoot().power(p)
    case .rational(let r, let oddDenominator, let evenNumerator):
      if base.isPositive { return (base.log() * r).exp() }
      if base.isExactZero { return r.isPositive ? .zero : .poison }
      if oddDenominator && base.isNegative {
        let m = ((-base).log() * r).exp()
        return evenNumerator ? m : -m
      }
      return .poison
    case .symbolic:
      return base.isPositive ? (exponent * base.log()).exp() : .poison
    case .unsupported:
      return .poison
    }
  }
}

/// Why expressions cannot be compiled.
public enum CompilationError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A symbol of the expressions is not among the inputs.
  case unboundSymbol(String, inputs: [String])
  /// An input name is given twice.
  case duplicateInput(String)

  public var description: String {
    switch self {
    case .unboundSymbol(let name, let inputs):
      let listed =
        inputs.count <= 10
        ? inputs.joined(separator: ", ")
        : inputs.prefix(10).joined(separator: ", ") + ", ... (\(inputs.count) in all)"
      return "symbol '\(name)' is not among the inputs [\(listed)]"
    case .duplicateInput(let name):
      return "input '\(name)' is listed twice"
    }
  }
}
