import Foundation

/// Prints a `CodeProgram` as statements of one language: a temporary per node read more
/// than once (or read twice by its reader's printed form, or too large to print inline),
/// every other node inline in its reader.
struct CodeEmitter {
  let language: CodeLanguage
  let program: CodeProgram
  /// How input `k` is written (a parameter's name or a tensor's entry).
  let inputText: [String]
  /// Temporaries' names: `prefix` and the node's rank among temporaries.
  let temporaryPrefix: String

  /// The statements computing every temporary, in order, as `(name, expression)`.
  private(set) var statements: [(name: String, expression: String)] = []
  /// The text of each output.
  private(set) var outputTexts: [String] = []
  /// The Python helpers the text calls (`python` only): `_exp`, `_log`, ...
  private(set) var pythonHelpers: Set<String> = []
  /// Whether NumPy output calls `math` (erf and erfc), so it must import it.
  private(set) var usesMath = false

  /// The most operations printed inline in one expression before a subexpression gets a
  /// temporary of its own.
  static let maximumInlineWeight = 12

  private var text: [Int: (String, Precedence)] = [:]
  private var temporaries: Set<Int> = []

  enum Precedence: Int, Comparable {
    case sum = 0
    case product = 1
    case unary = 2
    case atom = 3
    static func < (a: Precedence, b: Precedence) -> Bool { a.rawValue < b.rawValue }
  }

  init(language: CodeLanguage, program: CodeProgram, inputText: [String], temporaryPrefix: String) {
    self.language = language
    self.program = program
    self.inputText = inputText
    self.temporaryPrefix = temporaryPrefix
    emit()
  }

  private mutating func emit() {
    let readers = program.readerCounts()
    var weight = [Int](repeating: 0, count: program.nodes.count)
    var temporaryCount = 0
    for (id, node) in program.nodes.enumerated() where readers[id] > 0 {
      let rendered = render(node)
      switch node.op {
      case .input, .number:
        text[id] = rendered
        continue
      default: break
      }
      weight[id] = 1 + node.args.reduce(0) { $0 + weight[$1] }
      if readers[id] > 1 || weight[id] > Self.maximumInlineWeight {
        let name = "\(temporaryPrefix)\(temporaryCount)"
        temporaryCount += 1
        statements.append((name, rendered.0))
        text[id] = (name, .atom)
        temporaries.insert(id)
        weight[id] = 0
      } else {
        text[id] = rendered
      }
    }
    outputTexts = program.outputs.map { text[$0]!.0 }
  }

  // MARK: Rendering

  private func operand(_ id: Int, atLeast p: Precedence) -> String {
    let (s, q) = text[id]!
    return q >= p ? s : "(\(s))"
  }

  private func call(_ name: String, _ args: [Int]) -> String {
    "\(name)(" + args.map { text[$0]!.0 }.joined(separator: ", ") + ")"
  }

  private var isPython: Bool { language.isPython }

  private mutating func render(_ node: CodeProgram.Node) -> (String, Precedence) {
    let args = node.args
    switch node.op {
    case .input(let k): return (inputText[k], .atom)
    case .number(let bits): return number(Double(bitPattern: bits))
    case .sum:
      var s = ""
      for (i, a) in args.enumerated() {
        if case .negate = program.nodes[a].op, !temporaries.contains(a) {
          let inner = operand(program.nodes[a].args[0], atLeast: .product)
          s += i == 0 ? "-\(inner)" : " - \(inner)"
        } else {
          s += (i == 0 ? "" : " + ") + operand(a, atLeast: .sum)
        }
      }
      return (s, .sum)
    case .negate:
      return ("-" + operand(args[0], atLeast: .product), .unary)
    case .product:
      var numerators: [Int] = []
      var denominators: [Int] = []
      for a in args {
        if case .reciprocal = program.nodes[a].op, !temporaries.contains(a) {
          denominators.append(program.nodes[a].args[0])
        } else {
          numerators.append(a)
        }
      }
      let top =
        numerators.isEmpty ? number(1).0 : numerators.map { operand($0, atLeast: .unary) }.joined(separator: " * ")
      if denominators.isEmpty { return (top, .product) }
      let bottom =
        denominators.count == 1
        ? operand(denominators[0], atLeast: .atom)
        : "(" + denominators.map { operand($0, atLeast: .unary) }.joined(separator: " * ") + ")"
      return divide(top, bottom)
    case .reciprocal:
      return divide(number(1).0, operand(args[0], atLeast: .atom))
    case .square:
      let x = operand(args[0], atLeast: .atom)
      return ("\(x) * \(x)", .product)
    case .power(let bits):
      let e = number(Double(bitPattern: bits)).0
      return (powerCall(text[args[0]]!.0, e), .atom)
    case .realRoot(let bits, let evenNumerator):
      let e = number(Double(bitPattern: bits)).0
      let x = operand(args[0], atLeast: .atom)
      let magnitude = powerCall(absCall(x), e)
      if evenNumerator { return (magnitude, .atom) }
      let negative = "-" + powerCall("-\(x)", e)
      let positive = powerCall(x, e)
      return (select(condition: "\(x) < 0", negative, positive), .atom)
    case .powerOf:
      return (powerCall(text[args[0]]!.0, text[args[1]]!.0), .atom)
    case .squareRoot:
      return (function("sqrt", args), .atom)
    case .elementary(let f):
      return (function(f.rawValue, args), .atom)
    case .sign:
      let x = operand(args[0], atLeast: .atom)
      switch language {
      case .numpy: return ("np.sign(\(x))", .atom)
      case .torch: return ("torch.sign(\(x))", .atom)
      default:
        let one = number(1).0
        let minusOne = number(-1).0
        return (select(condition: "\(x) > 0", one, select(condition: "\(x) < 0", minusOne, x)), .atom)
      }
    case .maximum, .minimum:
      let isMax: Bool = if case .maximum = node.op { true } else { false }
      return (extremum(isMax, args, propagatingNaN: true), .atom)
    case .largest:
      return (extremum(true, args, propagatingNaN: false), .atom)
    case .positivePart:
      return (extremum(true, [args[0], -1], propagatingNaN: false), .atom)
    case .finiteOrZero:
      let m = operand(args[0], atLeast: .atom)
      let condition: String =
        switch language {
        case .swift: "\(m).isFinite"
        case .c: "isfinite(\(m))"
        case .python: "math.isfinite(\(m))"
        case .numpy: "np.isfinite(\(m))"
        case .torch: "torch.isfinite(\(m))"
        }
      let zero = language == .torch ? "torch.zeros_like(\(m))" : number(0).0
      return (select(condition: condition, m, zero), .atom)
    case .selectNonNegative:
      let x = operand(args[0], atLeast: .atom)
      return (select(condition: "\(x) >= 0", text[args[1]]!.0, text[args[2]]!.0), .atom)
    case .selection(let comparison):
      let x = operand(args[0], atLeast: .atom)
      let isNumber: String =
        switch language {
        case .swift: "!\(x).isNaN"
        case .c: "!isnan(\(x))"
        case .python, .numpy, .torch: "\(x) == \(x)"
        }
      let otherwise = select(condition: isNumber, text[args[2]]!.0, x)
      return (select(condition: "\(x) \(comparison.rawValue) 0", text[args[1]]!.0, otherwise), .atom)
    case .unitInterval:
      let x = operand(args[0], atLeast: .atom)
      let condition: String =
        switch language {
        case .swift, .c: "\(x) >= 0 && \(x) <= 1"
        case .python: "0.0 <= \(x) <= 1.0"
        case .numpy, .torch: "(\(x) >= 0) & (\(x) <= 1)"
        }
      let nan = language == .torch ? "torch.full_like(\(x), math.nan)" : number(.nan).0
      return (select(condition: condition, x, nan), .atom)
    }
  }

  /// `top / bottom` (`_div` in plain Python, where `/` raises on a zero divisor).
  private mutating func divide(_ top: String, _ bottom: String) -> (String, Precedence) {
    if language == .python {
      pythonHelpers.insert("_div")
      return ("_div(\(top), \(bottom))", .atom)
    }
    return ("\(top) / \(bottom)", .product)
  }

  /// `cond ? a : b` in the language (NumPy's and PyTorch's `where` compute both).
  private func select(condition: String, _ a: String, _ b: String) -> String {
    switch language {
    case .swift, .c: return "(\(condition) ? \(a) : \(b))"
    case .python: return "(\(a) if \(condition) else \(b))"
    case .numpy: return "np.where(\(condition), \(a), \(b))"
    case .torch: return "torch.where(\(condition), \(a), \(b))"
    }
  }

  private mutating func function(_ name: String, _ args: [Int]) -> String {
    switch language {
    case .swift: return call(name == "abs" ? "Swift.abs" : "Foundation.\(name)", args)
    case .c: return call(name == "abs" ? "fabs" : name, args)
    case .numpy:
      // NumPy has no erf: math's, elementwise.
      if name == "erf" || name == "erfc" {
        usesMath = true
        return call("np.vectorize(math.\(name), otypes=[np.float64])", args)
      }
      return call("np.\(name)", args)
    case .torch: return call("torch.\(name)", args)
    case .python:
      switch name {
      case "abs": return call("abs", args)
      case "tanh", "erf", "erfc": return call("math.\(name)", args)
      default:
        pythonHelpers.insert("_\(name)")
        return call("_\(name)", args)
      }
    }
  }

  private func absCall(_ x: String) -> String {
    switch language {
    case .swift: return "Swift.abs(\(x))"
    case .c: return "fabs(\(x))"
    case .python: return "abs(\(x))"
    case .numpy: return "np.abs(\(x))"
    case .torch: return "torch.abs(\(x))"
    }
  }

  private mutating func powerCall(_ x: String, _ e: String) -> String {
    switch language {
    case .swift: return "Foundation.pow(\(x), \(e))"
    case .c: return "pow(\(x), \(e))"
    case .numpy: return "np.power(\(x), \(e))"
    case .torch: return "torch.pow(\(x), \(e))"
    case .python:
      pythonHelpers.insert("_pow")
      return "_pow(\(x), \(e))"
    }
  }

  /// The largest (smallest) of `args`; `-1` stands for the number 0. With
  /// `propagatingNaN`, NaN when any operand is NaN.
  private func extremum(_ isMax: Bool, _ args: [Int], propagatingNaN: Bool) -> String {
    let texts = args.map { $0 < 0 ? number(0).0 : text[$0]!.0 }
    let numbers = args.map { $0 < 0 ? 0 : program.numberValue($0) }
    switch language {
    case .swift:
      let m = "Swift.\(isMax ? "max" : "min")(" + texts.joined(separator: ", ") + ")"
      guard propagatingNaN else { return m }
      return "((" + texts.map { "\($0).isNaN" }.joined(separator: " || ") + ") ? Double.nan : \(m))"
    case .c:
      let m = texts.dropFirst().reduce(texts[0]) { "\(isMax ? "fmax" : "fmin")(\($0), \($1))" }
      guard propagatingNaN else { return m }
      return "((" + texts.map { "isnan(\($0))" }.joined(separator: " || ") + ") ? NAN : \(m))"
    case .python:
      let m = "\(isMax ? "max" : "min")(" + texts.joined(separator: ", ") + ")"
      guard propagatingNaN else { return m }
      return "(math.nan if " + texts.map { "math.isnan(\($0))" }.joined(separator: " or ") + " else \(m))"
    case .numpy:
      return texts.dropFirst().reduce(texts[0]) { "np.\(isMax ? "maximum" : "minimum")(\($0), \($1))" }
    case .torch:
      // torch.maximum takes tensors only: a number operand is a clamp's bound.
      let tensors = zip(texts, numbers).filter { $0.1 == nil }.map(\.0)
      let bounds = numbers.compactMap { $0 }
      // Only numbers (fuzz seed 29 #526353 trapped on tensors[0]): the extremum itself,
      // written as a tensor so the result has the other outputs' type.
      if tensors.isEmpty {
        let ordered = bounds.filter { !$0.isNaN }
        let value =
          (propagatingNaN && ordered.count < bounds.count) || ordered.isEmpty
          ? Double.nan : (isMax ? ordered.max()! : ordered.min()!)
        return "torch.as_tensor(\(number(value).0), dtype=torch.float64)"
      }
      var m = tensors.dropFirst().reduce(tensors[0]) { "torch.\(isMax ? "maximum" : "minimum")(\($0), \($1))" }
      if let b = isMax ? bounds.max() : bounds.min() {
        m = "torch.clamp(\(m), \(isMax ? "min" : "max")=\(number(b).0))"
      }
      return m
    }
  }

  /// A double literal that reads back to `d` exactly (shortest round-trip digits).
  func number(_ d: Double) -> (String, Precedence) {
    if d.isNaN {
      switch language {
      case .swift: return ("Double.nan", .atom)
      case .c: return ("NAN", .atom)
      case .python, .torch: return ("math.nan", .atom)
      case .numpy: return ("np.nan", .atom)
      }
    }
    if d.isInfinite {
      let inf: String =
        switch language {
        case .swift: "Double.infinity"
        case .c: "INFINITY"
        case .python, .torch: "math.inf"
        case .numpy: "np.inf"
        }
      return d < 0 ? ("-" + inf, .unary) : (inf, .atom)
    }
    var s = d.magnitude.description
    if !s.contains(".") && !s.contains("e") { s += ".0" }
    return d < 0 || (d == 0 && d.sign == .minus) ? ("-" + s, .unary) : (s, .atom)
  }
}
