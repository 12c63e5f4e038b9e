/// The functions of the expression language, in one table: each entry is owned by the
/// module that builds it (`ElementaryFunctions`, `ActivationFunctions`, `LossFunctions`, `AttentionFunctions`,
/// `CalculusFunctions`) and registered here with its family. The interpreter, the
/// `symgrad functions` listing, "did you mean" suggestions and the README's language table
/// (kept in step by a test) all read this table.
///
/// Names are a contract. PyTorch spellings are accepted with their module prefixes:
/// `F.softmax`, `torch.nn.functional.softmax`, `nn.functional.softmax` and
/// `torch.softmax` all name `softmax`.
public enum FunctionRegistry {
  /// The family of a function (the module that owns it).
  public enum Family: String, Sendable, CaseIterable {
    case elementary, activations, losses, attention, calculus
  }

  /// One registered function.
  public struct Entry: Sendable {
    public let function: LanguageFunction
    public let family: Family

    public var name: String { function.name }

    /// The call signature with PyTorch's defaults, e.g.
    /// `softmax(x, dim=None)`: the summary up to its closing parenthesis.
    public var signature: String {
      let s = function.summary
      guard let open = s.firstIndex(of: "(") else { return s }
      var depth = 0
      for i in s[open...].indices {
        switch s[i] {
        case "(": depth += 1
        case ")":
          depth -= 1
          if depth == 0 { return String(s[...i]) }
        default: break
        }
      }
      return s
    }

    /// The one-line description: the summary after the signature and its colon (every
    /// entry has one; a test checks).
    public var description: String {
      var rest = Substring(function.summary.dropFirst(signature.count))
      while let first = rest.first, first == ":" || first == " " { rest = rest.dropFirst() }
      return String(rest)
    }
  }

  /// Every function, in family order and then as the family lists them.
  public static let entries: [Entry] =
    ElementaryFunctions.all.map { Entry(function: $0, family: .elementary) }
    + ActivationFunctions.all.map { Entry(function: $0, family: .activations) }
    + LossFunctions.all.map { Entry(function: $0, family: .losses) }
    + MarginLossFunctions.all.map { Entry(function: $0, family: .losses) }
    + AttentionFunctions.all.map { Entry(function: $0, family: .attention) }
    + CalculusFunctions.all.map { Entry(function: $0, family: .calculus) }

  /// The functions by name.
  public static let byName: [String: LanguageFunction] = {
    var table: [String: LanguageFunction] = [:]
    for e in entries { table[e.name] = e.function }
    return table
  }()

  /// The functions that may also be called as tensor methods, `x.f(args)` for `f(x, args)`
  /// (those `torch.Tensor` has as methods with the tensor first).
  public static var tensorMethods: Set<String> { Parser.methods }

  /// The module prefixes PyTorch code writes before a function's name, longest first.
  public static let prefixes = ["torch.nn.functional.", "nn.functional.", "F.", "torch."]

  /// The function a name in text refers to (with or without a PyTorch prefix), or nil.
  public static func resolve(_ name: String) -> LanguageFunction? {
    if let f = byName[name] { return f }
    for p in prefixes where name.hasPrefix(p) {
      if let f = byName[String(name.dropFirst(p.count))] { return f }
    }
    return nil
  }

  /// The registered names closest to an unknown `name` (prefix removed), for "did you
  /// mean": within an edit distance of a third of the name's length (at least 1,
  /// transpositions counting once), nearest first.
  public static func suggestions(for name: String) -> [String] {
    var bare = name
    for p in prefixes where bare.hasPrefix(p) {
      bare = String(bare.dropFirst(p.count))
      break
    }
    return Suggestions.closest(to: bare, among: entries.map(\.name))
  }
}
