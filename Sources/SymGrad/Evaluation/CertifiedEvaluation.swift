import Foundation
import Synchronization

/// A number SymGrad can print: either certified (the exact value is within one ulp of
/// `value`: `value` is one of the two doubles bracketing it, a faithful rounding), or
/// not, with the reason.
///
/// `value` is `+-inf` for an exact infinity (`log(0)`), and for a finite value beyond the
/// double range (then `certified` is false and `reason` says so; `magnitude` gives its
/// decimal exponent). NaN means undefined.
public struct CertifiedValue: Sendable, Equatable, CustomStringConvertible {
  public let value: Double
  /// Whether `value` is proved to be a faithful rounding of the exact value.
  public let certified: Bool
  /// Why the value is not certified (nil when certified).
  public let reason: String?

  /// A zero `value` is always +0: a certified 0 encloses an exact value within the
  /// smallest subnormal of 0 (often exactly 0), and its IEEE sign would say nothing.
  public init(value: Double, certified: Bool, reason: String? = nil) {
    self.value = value == 0 ? 0 : value
    self.certified = certified
    // A certified NaN keeps its reason: why the value is undefined.
    self.reason = certified && !value.isNaN ? nil : reason
  }

  public var description: String {
    certified ? "\(value)" : "\(value) (uncertified: \(reason ?? "unknown"))"
  }
}

/// The outcome of certified evaluation of one expression at exact inputs.
enum CertifiedOutcome: Equatable {
  /// The value, certified or not.
  case value(CertifiedValue)
  /// The exact value is undefined (`0/0`, `inf - inf`, `1/0`): the caller may take a limit.
  case undefined
  /// A function is outside its real domain at this point (certain).
  case domain(EvaluationError)
}

/// Certified evaluation: interval arithmetic on exact inputs at increasing precision.
///
/// The inputs (doubles, so exact dyadic numbers) and the expression's rationals and
/// constants are enclosed in intervals and every operation is outward-rounded, so the
/// result interval contains the exact value. When the interval pins a faithful double
/// (it spans at most two ulps), that double is returned as certified. Otherwise the
/// working precision doubles, from `initialPrecision` (96 bits) up to `maximumPrecision`
/// (4096 bits); past it the midpoint is returned, uncertified, with the reason. Exact
/// infinities (`log(0) = -inf`) are carried exactly; an operation whose result is
/// undefined on the extended reals (`0 * inf`, `1/0`) makes the outcome `.undefined`.
struct CertifiedEvaluator {
  static let initialPrecision = 96
  static let maximumPrecision = 4096
  /// The work budget of one evaluation (all its expressions, every precision), in units
  /// of a 64-bit limb product (`IntervalArithmetic.meter`): past it the ladder stops and
  /// what is not certified yet is reported uncertified, with the reason. A count, not a
  /// time: the same input gives the same answer on every machine and under any load.
  @TaskLocal static var workBudget = 1 << 26
  /// `SYMGRAD_EVALUATION_WORK_REPORT`: a file each evaluation appends its work to (how the
  /// budget was calibrated), read once per process, not per evaluation.
  static let workReportPath = ProcessInfo.processInfo.environment["SYMGRAD_EVALUATION_WORK_REPORT"]

  /// A value during evaluation: an interval, or an exact infinity.
  enum Number: Sendable {
    case finite(Interval)
    case infinity(positive: Bool)
  }

  let values: [String: Dyadic]

  init(values: [String: Double]) {
    var v: [String: Dyadic] = [:]
    for (name, d) in values { if let x = Dyadic(exactly: d) { v[name] = x } }
    self.values = v
  }

  /// Evaluates `expressions`, sharing work, each to its own outcome.
  func evaluate(_ expressions: [Expr]) -> [CertifiedOutcome] {
    var results = [CertifiedOutcome?](repeating: nil, count: expressions.count)
    var best = [Interval?](repeating: nil, count: expressions.count)
    var lastReason = [String](repeating: "", count: expressions.count)
    var precision = CertifiedEvaluator.initialPrecision
    let meter = WorkMeter(limit: CertifiedEvaluator.workBudget)
    defer {
      if let path = CertifiedEvaluator.workReportPath, let file = FileHandle(forWritingAtPath: path) {
        // Calibration of `workBudget`: one line per evaluation, appended to the file.
        file.seekToEndOfFile()
        file.write("\(meter.count)\n".data(using: .utf8)!)
        try? file.close()
      }
    }
    var budgetSpentAt: Int?
    while precision <= CertifiedEvaluator.maximumPrecision {
      let arithmetic = IntervalArithmetic(precision: precision, meter: meter)
      var memo: [Expr: Number] = [:]
      var memoErrors: [Expr: CertifiedEvaluationError] = [:]
      for i in expressions.indices where results[i] == nil {
        do {
          let n = try number(expressions[i], arithmetic, &memo, &memoErrors)
          switch n {
          case .infinity(let positive):
            results[i] = .value(CertifiedValue(value: positive ? .infinity : -.infinity, certified: true))
          case .finite(let interval):
            best[i] = interval
            if let v = CertifiedEvaluator.faithful(interval) {
              results[i] = .value(CertifiedValue(value: v, certified: true))
            } else if interval.lo.signum > 0 && interval.lo.double(.down) == .greatestFiniteMagnitude {
              results[i] = .value(
                CertifiedValue(value: .infinity, certified: false, reason: CertifiedEvaluator.beyondRange(interval.lo)))
            } else if interval.hi.signum < 0 && interval.hi.double(.up) == -.greatestFiniteMagnitude {
              results[i] = .value(
                CertifiedValue(value: -.infinity, certified: false, reason: CertifiedEvaluator.beyondRange(interval.hi))
              )
            } else {
              lastReason[i] =
                "the enclosure [\(interval.lo.double(.down)), \(interval.hi.double(.up))] is wider than one ulp"
            }
          }
        } catch CertifiedEvaluationError.undefined {
          results[i] = .undefined
        } catch CertifiedEvaluationError.domain(let f, let x) {
          results[i] = .domain(.domain(function: f, argument: x))
        } catch CertifiedEvaluationError.workBudget {
          budgetSpentAt = precision
          break
        } catch CertifiedEvaluationError.outOfRange {
          results[i] = .value(
            CertifiedValue(
              value: .nan, certified: false, reason: "an intermediate value is beyond the exponent range 2^(±2^62)"))
        } catch {
          lastReason[i] =
            "an intermediate value needed more precision (a sign, a division by an enclosure of 0, or a huge sin/cos argument) than \(precision) bits gave"
        }
      }
      if !results.contains(where: { $0 == nil }) || precision == CertifiedEvaluator.maximumPrecision
        || budgetSpentAt != nil
      {
        break
      }
      precision = Swift.min(2 * precision, CertifiedEvaluator.maximumPrecision)
    }
    return expressions.indices.map { i in
      if let r = results[i] { return r }
      let mid = best[i].map { Dyadic.sum($0.lo, $0.hi, precision: 64, .down).approximateDouble / 2 } ?? .nan
      if let spent = budgetSpentAt {
        return .value(
          CertifiedValue(
            value: mid, certified: false,
            reason: (lastReason[i].isEmpty ? "" : lastReason[i] + "; ")
              + "the evaluation's work budget ran out at \(spent) bits (\(CertifiedEvaluator.workBudget) units: products and quotients, charged by precision squared)"
          ))
      }
      return .value(
        CertifiedValue(
          value: mid, certified: false,
          reason: lastReason[i] + " (the cap is \(CertifiedEvaluator.maximumPrecision) bits)"))
    }
  }

  /// A double within one ulp of every member of the interval, when there is one: the
  /// interval lies within two adjacent ulps of a double.
  static func faithful(_ a: Interval) -> Double? {
    let lo = a.lo.double(.down)
    let hi = a.hi.double(.up)
    guard lo.isFinite && hi.isFinite else { return nil }
    if lo == hi { return lo }
    if lo.nextUp == hi {
      // Both are faithful; take the nearer to the midpoint.
      let mid = Dyadic.sum(a.lo, a.hi, precision: 80, .down)
      let m = (try? mid.scaled(byPowerOfTwo: -1))?.approximateDouble ?? lo
      return Swift.abs(m - lo) <= Swift.abs(hi - m) ? lo : hi
    }
    if lo.nextUp.nextUp == hi { return lo.nextUp }
    return nil
  }

  static func beyondRange(_ d: Dyadic) -> String {
    let decimal = Double(d.top) * 0.30102999566398120
    return "the value is beyond the double range (about 10^\(Int(decimal.rounded())))"
  }

  // MARK: Evaluation of one node

  fileprivate func number(
    _ e: Expr, _ a: IntervalArithmetic, _ memo: inout [Expr: Number],
    _ errors: inout [Expr: CertifiedEvaluationError]
  ) throws -> Number {
    var failure: CertifiedEvaluationError?
    func combine(_ node: Expr, _ kids: [Number]) -> Number {
      if failure != nil { return .finite(.zero) }
      do {
        return try self.compute(node, kids, a)
      } catch let error as CertifiedEvaluationError {
        failure = error
        return .finite(.zero)
      } catch {
        failure = .needsPrecision
        return .finite(.zero)
      }
    }
    // A selection evaluates its selected branch only; a condition whose sign the
    // enclosure does not decide needs more precision.
    func choose(_ node: Expr, _ u: Number) -> Int {
      guard failure == nil, case .apply(let f, _) = node.kind else { return 1 }
      switch u {
      case .infinity(let positive): return f.selectsFirstBranch(sign: positive ? 1 : -1) ? 1 : 2
      case .finite(let x):
        guard let s = x.sign else {
          failure = .needsPrecision
          return 1
        }
        return f.selectsFirstBranch(sign: s) ? 1 : 2
      }
    }
    let result: Number? = e.fold(memo: &memo, choosing: choose, combine)
    if let failure {
      memo = [:]
      throw failure
    }
    return result!
  }

  private func compute(_ node: Expr, _ k: [Number], _ a: IntervalArithmetic) throws -> Number {
    switch node.kind {
    case .number(let r): return .finite(try a.number(r))
    case .symbol(let name):
      guard let v = values[name] else { throw CertifiedEvaluationError.undefined }
      return .finite(Interval(v))
    case .constant(let c):
      switch c {
      case .pi: return .finite(try a.pi())
      case .infinity: return .infinity(positive: true)
      case .negativeInfinity: return .infinity(positive: false)
      case .undefined: throw CertifiedEvaluationError.undefined
      }
    case .sum:
      var acc = Number.finite(.zero)
      for x in k { acc = try add(acc, x, a) }
      return acc
    case .product:
      var acc = Number.finite(.one)
      for x in k { acc = try multiply(acc, x, a) }
      return acc
    case .power(_, let exponent):
      return try power(k[0], k[1], exactExponent: exponent.rationalValue, a)
    case .apply(let f, _):
      if f.isSelection { return k[1] }  // folded lazily: [condition, selected branch]
      if f.isActivation { return try activation(f, k, a) }
      return try apply(f, k, a)
    }
  }

  /// An activation through its definition in the older functions (each enclosed
  /// rigorously, so the composition is too), its arguments' values bound to placeholders;
  /// at an infinite first argument, its value there (`Expr.Function.valueAtInfinity`).
  private func activation(_ f: Expr.Function, _ k: [Number], _ a: IntervalArithmetic) throws -> Number {
    let forms = Expr.Function.placeholderForms[f]!
    var body = forms.definition
    if case .infinity(let positive) = k[0] { body = positive ? forms.atPlusInfinity : forms.atMinusInfinity }
    var memo: [Expr: Number] = [:]
    for (p, v) in zip(Expr.Function.placeholders, k) { memo[p] = v }
    var errors: [Expr: CertifiedEvaluationError] = [:]
    return try number(body, a, &memo, &errors)
  }

  private func add(_ x: Number, _ y: Number, _ a: IntervalArithmetic) throws -> Number {
    switch (x, y) {
    case (.finite(let p), .finite(let q)): return .finite(a.add(p, q))
    case (.infinity(let s), .finite), (.finite, .infinity(let s)): return .infinity(positive: s)
    case (.infinity(let s), .infinity(let t)):
      if s == t { return x }
      throw CertifiedEvaluationError.undefined
    }
  }

  private func multiply(_ x: Number, _ y: Number, _ a: IntervalArithmetic) throws -> Number {
    switch (x, y) {
    case (.finite(let p), .finite(let q)): return .finite(try a.multiply(p, q))
    case (.infinity(let s), .finite(let q)), (.finite(let q), .infinity(let s)):
      guard let sign = q.sign else { throw CertifiedEvaluationError.needsPrecision }
      if sign == 0 { throw CertifiedEvaluationError.undefined }
      return .infinity(positive: s == (sign > 0))
    case (.infinity(let s), .infinity(let t)): return .infinity(positive: s == t)
    }
  }

  private func power(_ base: Number, _ exponent: Number, exactExponent: Rational?, _ a: IntervalArithmetic) throws
    -> Number
  {
    guard case .finite(let b) = base, case .finite(let e) = exponent else {
      // inf ** r and r ** inf: leave to the limit machinery.
      throw CertifiedEvaluationError.undefined
    }
    if let r = exactExponent {
      if r.isInteger {
        if b.sign == 0 && r.signum < 0 { throw CertifiedEvaluationError.undefined }
        return .finite(try a.power(b, r.numerator))
      }
      return .finite(try rationalPower(b, r, a))
    }
    // A symbolic exponent: b ** e = exp(e log b) for b > 0.
    if let s = b.sign, s > 0 {
      return .finite(try a.exp(try a.multiply(e, try a.log(b))))
    }
    if b.sign == 0 {
      if e.lo.signum > 0 { return .finite(.zero) }
      if e.hi.signum <= 0 { throw CertifiedEvaluationError.undefined }
      throw CertifiedEvaluationError.needsPrecision
    }
    if b.hi.signum < 0 && e.isPoint {
      // A negative base: defined for an integer exponent only (as IEEE pow).
      let n = e.lo
      if n.exponent >= 0 { return .finite(try a.power(b, n.mantissa.shiftedLeft(by: n.exponent))) }
      throw CertifiedEvaluationError.domain(function: "pow", argument: b.hi.approximateDouble)
    }
    throw CertifiedEvaluationError.needsPrecision
  }

  /// `b ** (p/q)` for a non-integer exponent: the real root for odd `q` (negative bases
  /// included), a domain error for even `q` and a negative base.
  private func rationalPower(_ b: Interval, _ r: Rational, _ a: IntervalArithmetic) throws -> Interval {
    let w = a.wider(16)
    let rational = try w.number(r)
    func positivePower(_ x: Interval) throws -> Interval {
      a.rounded(try w.exp(try w.multiply(rational, try w.log(x))))
    }
    if b.lo.signum > 0 {
      // Roots of power-of-two order (square, fourth, ... 256th) by repeated square roots,
      // each rounded outward, then the integer power: no exp or log.
      if let d = r.denominator.asInt, d.nonzeroBitCount == 1, d <= 256 {
        var root = b
        for _ in 0..<d.trailingZeroBitCount { root = w.sqrtOfPositive(root) }
        return a.rounded(try w.power(root, r.numerator))
      }
      return try positivePower(b)
    }
    if b.sign == 0 {
      if r.signum > 0 { return .zero }
      throw CertifiedEvaluationError.undefined
    }
    if b.hi.signum < 0 {
      guard !r.denominator.isEven else {
        throw CertifiedEvaluationError.domain(
          function: r == Rational(numerator: 1, denominator: 2)! ? "sqrt" : "pow",
          argument: b.hi.approximateDouble)
      }
      let m = try positivePower(a.negate(b))
      return r.numerator.isEven ? m : a.negate(m)
    }
    throw CertifiedEvaluationError.needsPrecision
  }

  private func apply(_ f: Expr.Function, _ k: [Number], _ a: IntervalArithmetic) throws -> Number {
    // Exact infinities first.
    if case .infinity(let positive) = k[0] {
      switch f {
      case .exp: return positive ? k[0] : .finite(.zero)
      case .log, .log1p: if positive { return k[0] }
      case .softplus: return positive ? k[0] : .finite(.zero)
      case .sigmoid: return .finite(positive ? .one : .zero)
      case .tanh, .sign: return .finite(positive ? .one : a.negate(.one))
      case .expm1: return positive ? k[0] : .finite(a.negate(.one))
      case .abs: return .infinity(positive: true)
      case .max, .min:
        if case .infinity(let q) = k[1] { return .infinity(positive: f == .max ? (positive || q) : (positive && q)) }
        return (f == .max) == positive ? k[0] : k[1]
      case .sin, .cos: break
      case .unitInterval:
        throw CertifiedEvaluationError.domain(
          function: "binary_cross_entropy", argument: positive ? .infinity : -.infinity)
      case .erf: return .finite(positive ? .one : a.negate(.one))
      case .erfc: return .finite(positive ? .zero : Interval(Dyadic(2)))
      case .erfcx: return positive ? .finite(.zero) : .infinity(positive: true)
      case .silu, .mish, .softsign, .geluTanh, .hardswish, .elu, .gelu:
        preconditionFailure("activations are evaluated through their definitions")
      case .wherePositive, .whereNonNegative, .whereZero:
        preconditionFailure("selections are folded lazily")
      }
      throw CertifiedEvaluationError.undefined
    }
    guard case .finite(let x) = k[0] else { throw CertifiedEvaluationError.undefined }
    if f == .max || f == .min {
      switch k[1] {
      case .infinity(let positive): return (f == .max) == positive ? k[1] : k[0]
      case .finite(let y): return .finite(f == .max ? a.max(x, y) : a.min(x, y))
      }
    }
    switch f {
    case .exp: return .finite(try a.exp(x))
    case .log:
      if x.sign == 0 { return .infinity(positive: false) }
      return .finite(try a.log(x))
    case .log1p:
      if x.isPoint && Dyadic.compare(x.lo, Dyadic(-1)) == 0 { return .infinity(positive: false) }
      return .finite(try a.log1p(x))
    case .sin: return .finite(try a.sin(x))
    case .cos: return .finite(try a.cos(x))
    case .tanh: return .finite(try a.tanh(x))
    case .sigmoid: return .finite(try a.sigmoid(x))
    case .softplus: return .finite(try a.softplus(x))
    case .expm1: return .finite(try a.expm1(x))
    case .abs: return .finite(a.abs(x))
    case .sign:
      guard let s = x.sign else { throw CertifiedEvaluationError.needsPrecision }
      return .finite(Interval(Dyadic(s)))
    case .unitInterval:
      if x.lo.signum >= 0 && Dyadic.compare(x.hi, .one) <= 0 { return .finite(x) }
      if x.hi.signum < 0 || Dyadic.compare(x.lo, .one) > 0 {
        throw CertifiedEvaluationError.domain(function: "binary_cross_entropy", argument: x.lo.approximateDouble)
      }
      throw CertifiedEvaluationError.needsPrecision
    case .max, .min: fatalError("binary functions are handled above")
    case .erf: return .finite(try a.erf(x))
    case .erfc: return .finite(try a.erfc(x))
    case .erfcx: return .finite(try a.erfcx(x))
    case .silu, .mish, .softsign, .geluTanh, .hardswish, .elu, .gelu:
      preconditionFailure("activations are evaluated through their definitions")
    case .wherePositive, .whereNonNegative, .whereZero:
      preconditionFailure("selections are folded lazily")
    }
  }
}

extension Expr {
  /// The value at `values` (finite inputs), certified: see `CertifiedValue`.
  ///
  /// Throws `EvaluationError.unboundSymbol` for a missing symbol and
  /// `EvaluationError.domain` when a function is outside its real domain (certainly, not
  /// by rounding). An undefined exact value (`0/0`) is NaN, certified.
  public func certifiedValue(at values: [String: Double] = [:]) throws -> CertifiedValue {
    for name in freeSymbols where values[name] == nil { throw EvaluationError.unboundSymbol(name) }
    switch CertifiedEvaluator(values: values).evaluate([self])[0] {
    case .value(let v): return v
    case .undefined: return CertifiedValue(value: .nan, certified: true)
    case .domain(let e): throw e
    }
  }
}

extension Expr {
  /// The values of `expressions` at a point of the extended reals, as SymGrad prints them:
  /// every number certified (see `CertifiedValue`) or marked uncertified with the reason.
  ///
  /// - An expression with an input at `+-inf` or a constant `+-inf` (a mask) takes its
  ///   limit (`limitValue(at:)`'s same-rate semantics); a finite limit is an exact
  ///   constant, evaluated certified; an undefined limit is NaN, certified only when the
  ///   reason is proved (`LimitFailureReason.isProved`).
  /// - Otherwise the expression is evaluated certified at the exact inputs; when its exact
  ///   value is undefined (`0/0`), the limit as the inputs approach the point from above.
  /// - A NaN input gives NaN.
  ///
  /// Entries share work (one interval evaluation, one limit engine). Throws
  /// `EvaluationError.unboundSymbol` and `EvaluationError.domain` (certain domain errors).
  public static func certifiedValues(of expressions: [Expr], at point: [String: Double]) throws -> [CertifiedValue] {
    var results = [CertifiedValue?](repeating: nil, count: expressions.count)
    var direct: [Int] = []
    var limits: [Int] = []
    var infiniteInputs: [Int] = []
    // Which inputs each entry meets (unbound, NaN, infinite), in one fold with a memo
    // shared by all entries: O(DAG) for a 64,000-entry gradient whose entries share the
    // row sums, where per-entry symbol lists would cost entries x row length.
    let unbound: UInt8 = 1
    let nan: UInt8 = 2
    let infinite: UInt8 = 4
    var inputKinds: [Expr: UInt8] = [:]
    for (i, e) in expressions.enumerated() {
      let kinds = e.fold(memo: &inputKinds) { node, children in
        guard let name = node.symbolName else { return children.reduce(0, |) }
        guard let v = point[name] else { return unbound }
        return v.isNaN ? nan : (v.isInfinite ? infinite : 0)
      }
      if kinds & unbound != 0 {
        // The error names the first unbound symbol in natural order.
        for name in e.freeSymbols where point[name] == nil { throw EvaluationError.unboundSymbol(name) }
      }
      if kinds & nan != 0 {
        results[i] = CertifiedValue(value: .nan, certified: true)
      } else if let c = e.constantValue, c == .infinity || c == .negativeInfinity {
        // A mask entry: its own limit, without an engine (a 1000 x 1000 causal mask).
        results[i] = CertifiedValue(value: c.doubleValue, certified: true)
      } else if kinds & infinite != 0 && !e.containsInfinity {
        infiniteInputs.append(i)
      } else if kinds & infinite != 0 || e.containsInfinity {
        limits.append(i)
      } else {
        direct.append(i)
      }
    }
    // Infinite inputs where continuity gives the limit (masked logits): their finite forms
    // are evaluated with the rest; anything else goes to the limit engine.
    var substitution = InfiniteInputSubstitution(point: point)
    var forms: [Int: Expr] = [:]
    for i in infiniteInputs {
      if let f = substitution.finiteForm(of: expressions[i]) { forms[i] = f } else { limits.append(i) }
    }
    let evaluated = direct + infiniteInputs.filter { forms[$0] != nil }
    let outcomes = CertifiedEvaluator(values: point).evaluate(evaluated.map { forms[$0] ?? expressions[$0] })
    for (k, i) in evaluated.enumerated() {
      switch outcomes[k] {
      case .value(let v): results[i] = v
      case .domain where forms[i] != nil: limits.append(i)
      case .domain(let error): throw error
      case .undefined: limits.append(i)
      }
    }
    limits.sort()
    let limitResults = Expr.limitValues(of: limits.map { expressions[$0] }, at: point)
    // Finite limits are exact constants: evaluate them together (the entries of a masked
    // Jacobian share their denominators), the rest one by one.
    var constants: [(index: Int, value: Expr)] = []
    for (k, i) in limits.enumerated() {
      if case .finite(let c) = limitResults[k], c.isSymbolFree {
        constants.append((i, c))
      } else {
        results[i] = limitResults[k].certifiedValue
      }
    }
    let constantOutcomes = CertifiedEvaluator(values: [:]).evaluate(constants.map(\.value))
    for (k, entry) in constants.enumerated() {
      switch constantOutcomes[k] {
      case .value(let v): results[entry.index] = v
      case .undefined:
        results[entry.index] = CertifiedValue(
          value: .nan, certified: true, reason: "the limit is an undefined constant")
      case .domain(let error): results[entry.index] = CertifiedValue(value: .nan, certified: true, reason: "\(error)")
      }
    }
    return results.map { $0! }
  }
}

extension CertifiedEvaluator {
  /// An enclosure of a symbol-free constant at `precision` bits (one evaluation, no
  /// precision raising); nil when the constant is infinite, undefined, outside its domain
  /// or needs more precision. Rationals give their exact value's rounding.
  static func enclosure(of e: Expr, precision: Int = initialPrecision) -> Interval? {
    let a = IntervalArithmetic(precision: precision)
    if let r = e.rationalValue { return try? a.number(r) }
    var memo: [Expr: Number] = [:]
    var errors: [Expr: CertifiedEvaluationError] = [:]
    guard case .finite(let interval)? = try? CertifiedEvaluator(values: [:]).number(e, a, &memo, &errors) else {
      return nil
    }
    return interval
  }

  /// The sign of a symbol-free constant, decided by an enclosure that excludes 0 (or is
  /// exactly 0), raising the precision up to `maximumPrecision`; nil when undecided
  /// (the enclosure still contains 0: the constant may be exactly 0) or when the
  /// constant is not a finite real number.
  static func sign(of e: Expr, upTo cap: Int = maximumPrecision) -> Int? {
    signAndPrecision(of: e, upTo: cap).sign
  }

  /// `sign(of:)` and the highest precision it tried (what the answer cost).
  /// `proceed(precision)` is asked before each attempt (from the second on); false stops
  /// with no sign (a caller's work budget).
  static func signAndPrecision(
    of e: Expr, from start: Int = initialPrecision, upTo cap: Int = maximumPrecision,
    proceed: (Int) -> Bool = { _ in true }
  ) -> (sign: Int?, precision: Int) {
    let evaluator = CertifiedEvaluator(values: [:])
    var precision = start
    while precision <= cap {
      if precision > start && !proceed(precision) { return (nil, precision) }
      let a = IntervalArithmetic(precision: precision)
      var memo = ConstantEnclosures.known(for: e, at: precision)
      let known = memo.count
      var errors: [Expr: CertifiedEvaluationError] = [:]
      do {
        let n = try evaluator.number(e, a, &memo, &errors)
        if memo.count > known { ConstantEnclosures.remember(memo, at: precision) }
        switch n {
        case .infinity(let positive): return (positive ? 1 : -1, precision)
        case .finite(let interval): if let s = interval.sign { return (s, precision) }
        }
      } catch CertifiedEvaluationError.needsPrecision {
      } catch CertifiedEvaluationError.outOfRange {
        // A value past the exponent range (`exp(1e300)`) at every precision: the sign
        // by structure, where the constant is defined everywhere below (`isTotal`), still
        // proves it (`-exp(1e300 + 1) - exp(1e300 + 2)` is negative).
        if e.isTotal, let s = structuralSign(of: e) { return (s, precision) }
        return (nil, precision)
      } catch {
        return (nil, precision)
      }
      // After the first attempt, before the costly ones: the sign by structure, which
      // no precision may reach (`log(1 + exp(-10**9))` needs 10^9 bits).
      if precision == start, let s = structuralSign(of: e) { return (s, precision) }
      if precision >= cap { break }
      precision = Swift.min(2 * precision, cap)
    }
    return (nil, precision)
  }

  /// Enclosures of symbol-free constants already computed by `signAndPrecision`, by
  /// working precision, shared by every sign test of the process.
  ///
  /// The limit engine asks the sign of many constants that share their subexpressions:
  /// continuity through a 60-level nest of `elu` at `-inf` asks it of every level's
  /// constant `elu(elu(...(expm1(-1))))`, and evaluating each from scratch made that
  /// quadratic in interval arithmetic (2 s). An enclosure of a constant at a precision is a
  /// pure function of the two (the same algorithm computes it), so a remembered one is
  /// the one a fresh evaluation would give. Each precision keeps at most `capacity`
  /// entries and starts over past it.
  ///
  /// A sign test costs O(its constant's size), never O(the table): it takes only the
  /// remembered enclosures of its constant's subexpressions, and adds its new ones in
  /// place. (Taking a copy of the whole table for each test, and writing the grown copy
  /// back, cost a copy of up to 200,000 entries per test, a slowdown that grew with
  /// the process's history.)
  ///
  /// Keyed by node id, not by node: ids are never reused, so an entry can only be found
  /// through its own node, and the table keeps no expression alive (keyed by the nodes, it
  /// held up to 200,000 DAGs per precision that the intern table could never free).
  enum ConstantEnclosures {
    static let capacity = 200_000
    private static let table = Mutex<[Int: [UInt64: Number]]>([:])

    /// The remembered enclosures of `e` and its subexpressions at `precision`: a walk of
    /// `e` that stops at each remembered node.
    static func known(for e: Expr, at precision: Int) -> [Expr: Number] {
      table.withLock { t in
        guard let all = t[precision], !all.isEmpty else { return [:] }
        var found: [Expr: Number] = [:]
        var visited: [Expr: Bool] = [:]
        _ = e.fold(
          memo: &visited,
          shortcut: { node in
            guard let v = all[node.node.id] else { return nil }
            found[node] = v
            return true
          }
        ) { _, _ in true }
        return found
      }
    }

    static func remember(_ memo: [Expr: Number], at precision: Int) {
      table.withLock { t in
        if (t[precision]?.count ?? 0) + memo.count > capacity { t[precision] = [:] }
        for (node, value) in memo { t[precision, default: [:]][node.node.id] = value }
      }
    }
  }

  /// The sign proved from the structure of `e` (`Expr.structuralSign`), or of its form
  /// with the largest exponential factored out of each log-sum-exp and simplified under
  /// the zero test's small budgets (`0` then means the simplified form is exactly 0: a
  /// proof). Nil when neither proves a sign. A pure function of `e`.
  static func structuralSign(of e: Expr) -> Int? {
    if let s = e.structuralSign { return s }
    guard e.containsLogOfExponentialSum else { return nil }
    // A fresh work counter and fixed budgets: the answer must not depend on the caller's
    // context (a simplification pass in progress would otherwise lend its partly spent
    // counter), since signs are remembered across threads (`Exponent`'s order cache).
    let factored = Simplifier.$counter.withValue(nil) {
      Simplifier.$termBudget.withValue(LimitEngine.zeroTestTermBudget) {
        Simplifier.$workBudget.withValue(LimitEngine.zeroTestWorkBudget) { e.factoringLogSumExp().simplified() }
      }
    }
    return factored.structuralSign
  }
}

extension CertifiedEvaluator {
  /// The certain domain error of a symbol-free constant (`log(-1)`), or nil: evaluated
  /// at rising precision only until an enclosure goes through (every domain and sign
  /// question on the way decided), not until the value is pinned to one ulp, which
  /// a 60-level nest of exp and log needs 4096 bits for. The check stops at
  /// `domainCheckPrecision` bits: a question still undecided there is not called a domain
  /// error (the constant's own certified evaluation, which climbs to the cap, still
  /// reports one it finds), so a sign at a jump of `sign(...)` deep in a nest does not
  /// cost the whole ladder twice.
  static func domainError(of c: Expr) -> EvaluationError? {
    let evaluator = CertifiedEvaluator(values: [:])
    var precision = initialPrecision
    while precision <= domainCheckPrecision {
      var memo: [Expr: Number] = [:]
      var errors: [Expr: CertifiedEvaluationError] = [:]
      do {
        _ = try evaluator.number(c, IntervalArithmetic(precision: precision), &memo, &errors)
        return nil
      } catch CertifiedEvaluationError.domain(let f, let x) {
        return .domain(function: f, argument: x)
      } catch CertifiedEvaluationError.needsPrecision {
      } catch {
        return nil
      }
      if precision >= domainCheckPrecision { break }
      precision = Swift.min(2 * precision, domainCheckPrecision)
    }
    return nil
  }

  /// The highest precision `domainError(of:)` tries.
  static let domainCheckPrecision = 768
}

extension LimitValue {
  /// `.finite(c)` for a symbol-free `c` outside the real domain (`log(-1)`, `sqrt(-2)`)
  /// becomes `.undefined(.domain(...))`; everything else is returned as is. The check
  /// evaluates `c` only when it applies `log`, `log1p` or a non-integer power, and only
  /// as far as the domain needs (`CertifiedEvaluator.domainError(of:)`).
  func checkingDomain() -> LimitValue {
    guard case .finite(let c) = self, c.isSymbolFree, c.hasDomainRestriction else { return self }
    if let error = CertifiedEvaluator.domainError(of: c) {
      return .undefined(.domain("\(error)"))
    }
    return self
  }
}

extension Expr {
  /// Whether something with a restricted real domain occurs: `log`, `log1p`, the guard
  /// `unit_interval`, a power with a non-integer or negative exponent (a pole at 0), or
  /// `undefined`. False means the expression is defined at every real value of its symbols.
  var hasDomainRestriction: Bool {
    if containsUndefined { return true }
    var memo: [Expr: Bool] = [:]
    return fold(memo: &memo) { e, kids in
      if kids.contains(true) { return true }
      switch e.kind {
      case .apply(.log, _), .apply(.log1p, _), .apply(.unitInterval, _): return true
      case .power(_, let p):
        guard let r = p.rationalValue else { return true }
        return !r.isInteger || r.signum < 0
      default: return false
      }
    }
  }
}
