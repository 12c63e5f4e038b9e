import Foundation

/// Source code of one function computing an expression's value and gradient (or a list's
/// values and Jacobian) in IEEE doubles, in Swift, C, Python, NumPy or PyTorch.
///
/// The signature is a contract (`symgrad codegen`): the function is named `name`
/// (default `symgrad_fn`); its parameters are the differentiated variables in the order
/// given, then the expression's other symbols sorted by name; a tensor is one parameter
/// holding its entries (Swift `[Double]` and C `const double *` flat row-major, Python
/// nested lists, NumPy and PyTorch arrays of its shape). It returns:
/// - a scalar expression: the value and the gradient, one entry per variable in order
///   (a tensor's entries row-major), as a pair in Python, NumPy and PyTorch, a tuple
///   `(value:gradient:)` in Swift, out-parameters `value` and `gradient` in C;
/// - a list: the values and the Jacobian's rows (one row per value; C: `jacobian` flat,
///   row-major).
///
/// Shared subexpressions are computed once and the numerically stable forms of
/// `CodeProgramBuilder` replace the naive formula (a max-shifted log-sum-exp and softmax,
/// softplus, `log1p`, `expm1`, a two-sided sigmoid), so the generated code stays finite
/// where the naive formula overflows: cross-entropy at logits `(1000, -1000)` is 2000.
/// It is IEEE arithmetic, not certified: at large inputs of ill-conditioned formulas it
/// rounds as any double code does, and at an infinite input it gives IEEE's result, which
/// is NaN where the limit (what `symgrad eval` prints) needs `inf - inf` (a fully masked
/// softmax row is NaN, as in PyTorch).
public struct CodeGenerator: Sendable {
  /// The function name used when none is given (a contract).
  public static let defaultName = "symgrad_fn"

  /// A parameter of the generated function: a scalar symbol, or a tensor of symbols.
  public struct Parameter: Sendable, Equatable {
    /// The name (a symbol's, or a tensor's).
    public let name: String
    /// The tensor's shape; `[]` for a scalar.
    public let shape: [Int]
    /// The symbol names it holds, row-major (`[name]` for a scalar).
    public let symbols: [String]

    /// The scalar symbol `name`.
    public static func scalar(_ name: String) -> Parameter { Parameter(name: name, shape: [], symbols: [name]) }

    /// The tensor `name` of `shape`, whose entries are `Tensor.symbols(name, shape:)`'s
    /// symbols `name[i][j]...`.
    public static func tensor(_ name: String, shape: [Int]) throws(TensorError) -> Parameter {
      let t = try Expr.Tensor.symbols(name, shape: shape)
      return Parameter(name: name, shape: shape, symbols: t.elements.map { $0.symbolName! })
    }
  }

  /// The parameters in signature order: the variables, then the others by name.
  public let parameters: [Parameter]
  /// How many leading parameters are differentiated.
  public let variableCount: Int
  /// Whether the expression is a list (values and Jacobian) or a scalar (value, gradient).
  public let isList: Bool
  /// The values (one for a scalar), then the gradient or the Jacobian row by row.
  public let outputs: [Expr]
  /// How many of `outputs` are values.
  public let valueCount: Int
  /// The identifier of each parameter in generated code: its name with characters that
  /// are not letters, digits or `_` replaced by `_`, made unique, and suffixed with `_`
  /// where it is a keyword or a name the generated code uses in any language.
  public let identifiers: [String]
  let program: CodeProgram

  /// Code for `f`'s value and gradient with respect to the symbols of `variables`.
  ///
  /// `tensors`: tensors whose entries, where `f` uses them, become one parameter (not
  /// differentiated); other symbols of `f` are scalar parameters.
  /// Throws `CodeGenerationError`.
  public init(_ f: Expr, withRespectTo variables: [Parameter], tensors: [Parameter] = []) throws {
    let symbols = variables.flatMap(\.symbols).map(Expr.symbol)
    try self.init(
      values: [f], derivatives: f.gradient(withRespectTo: symbols), isList: false,
      variables: variables, tensors: tensors)
  }

  /// Code for the values of `list` and its Jacobian with respect to `variables`.
  public init(list: [Expr], withRespectTo variables: [Parameter], tensors: [Parameter] = []) throws {
    let symbols = variables.flatMap(\.symbols).map(Expr.symbol)
    try self.init(
      values: list, derivatives: list.jacobian(withRespectTo: symbols).flatMap { $0 }, isList: true,
      variables: variables, tensors: tensors)
  }

  private init(values: [Expr], derivatives: [Expr], isList: Bool, variables: [Parameter], tensors: [Parameter]) throws {
    guard !variables.isEmpty else { throw CodeGenerationError.noVariables }
    var owner: [String: String] = [:]
    for p in variables {
      for s in p.symbols {
        if let other = owner[s] { throw CodeGenerationError.duplicateVariable(s, in: [other, p.name]) }
        owner[s] = p.name
      }
    }
    // The other parameters: tensors the expression uses, and its remaining symbols.
    let used = Expr.symbolNames(of: values + derivatives)
    var others: [Parameter] = []
    var covered = Set(owner.keys)
    for t in tensors where !t.symbols.allSatisfy(covered.contains) && t.symbols.contains(where: used.contains) {
      others.append(t)
      covered.formUnion(t.symbols)
    }
    for s in used.subtracting(covered) { others.append(.scalar(s)) }
    others.sort { $0.name < $1.name }
    parameters = variables + others
    variableCount = variables.count
    self.isList = isList
    outputs = values + derivatives
    valueCount = values.count
    identifiers = Self.identifiers(for: parameters.map(\.name))
    var builder = CodeProgramBuilder(inputs: parameters.flatMap(\.symbols))
    try builder.addOutputs(outputs)
    program = builder.program
  }

  /// Valid, distinct identifiers for `names`, in order.
  static func identifiers(for names: [String]) -> [String] {
    var taken: Set<String> = []
    return names.map { name in
      // Each run of other characters is one '_', dropped at the end: X[0][1] is X_0_1.
      var id = ""
      var pending = false
      for u in name.unicodeScalars {
        if u.isASCII && (CharacterSet.alphanumerics.contains(u) || u == "_") {
          if pending { id += "_" }
          pending = false
          id.unicodeScalars.append(u)
        } else {
          pending = true
        }
      }
      if id.isEmpty || id.first!.isNumber { id = "_" + id }
      while CodeLanguage.reservedNames.contains(id) || id.hasPrefix("_") && CodeEmitter.pythonHelperNames.contains(id) {
        id += "_"
      }
      var unique = id
      var k = 2
      while taken.contains(unique) {
        unique = "\(id)_\(k)"
        k += 1
      }
      taken.insert(unique)
      return unique
    }
  }

  /// The source of the function in `language`, named `name`; `source`, when given, is
  /// the expression's text for the doc comment.
  ///
  /// Throws `CodeGenerationError.invalidName` for a name that is not an identifier of
  /// every language or is reserved.
  public func code(in language: CodeLanguage, name: String = CodeGenerator.defaultName, source: String? = nil) throws
    -> String
  {
    guard let first = name.unicodeScalars.first,
      first == "_" || (first.isASCII && CharacterSet.letters.contains(first)),
      name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_") }),
      !CodeLanguage.reservedNames.contains(name), !identifiers.contains(name)
    else { throw CodeGenerationError.invalidName(name) }
    var prefix = "t"
    // Temporaries are prefix + digits: no parameter or function may be named so.
    while (identifiers + [name]).contains(where: {
      $0.hasPrefix(prefix) && $0.dropFirst(prefix.count).allSatisfy(\.isNumber)
    }) {
      prefix += "_"
    }
    let emitter = CodeEmitter(
      language: language, program: program, inputText: inputTexts(language), temporaryPrefix: prefix)
    return CodeFunctionWriter(generator: self, language: language, name: name, source: source, emitter: emitter).text
  }

  /// How each input (a parameter's symbol) is written in `language`.
  private func inputTexts(_ language: CodeLanguage) -> [String] {
    var out: [String] = []
    for (p, id) in zip(parameters, identifiers) {
      if p.shape.isEmpty {
        out.append(id)
        continue
      }
      for flat in 0..<p.symbols.count {
        var index: [Int] = []
        var rest = flat
        for d in p.shape.reversed() {
          index.append(rest % d)
          rest /= d
        }
        index.reverse()
        switch language {
        case .swift, .c: out.append("\(id)[\(flat)]")
        case .python: out.append(id + index.map { "[\($0)]" }.joined())
        case .numpy, .torch: out.append("\(id)[" + index.map(String.init).joined(separator: ", ") + "]")
        }
      }
    }
    return out
  }
}

/// Why code could not be generated.
public enum CodeGenerationError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The function name is not an identifier in every language, or is reserved.
  case invalidName(String)
  /// No variables to differentiate by.
  case noVariables
  /// A symbol is in two variables.
  case duplicateVariable(String, in: [String])

  public var description: String {
    switch self {
    case .invalidName(let n):
      return
        "'\(n)' cannot name the function: use letters, digits and '_' (not first a digit), not a keyword or a parameter's name"
    case .noVariables: return "no variables to differentiate by"
    case .duplicateVariable(let s, let names): return "'\(s)' is given twice (in \(names.joined(separator: " and ")))"
    }
  }
}
