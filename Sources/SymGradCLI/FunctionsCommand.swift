import SymGrad

/// `symgrad functions [NAME...] [--json]`: the functions of the expression language, from
/// the registry (name, signature with PyTorch's defaults, one-line description, family).
enum FunctionsCommand {
  static let help = """
    symgrad functions [NAME...] [--json]

    Lists the functions EXPR may call, by family (elementary, losses, attention,
    calculus): the signature with PyTorch's defaults and a one-line description. With
    NAMEs, only those (an unknown name exits 1 with the closest names). PyTorch's
    prefixes are accepted in EXPR and here: F.softmax, torch.nn.functional.softmax,
    nn.functional.softmax, torch.softmax. Tensor methods are these functions with the
    tensor first: x.softmax(-1) is softmax(x, -1), x.view(2, -1) is view(x, 2, -1), for
    \(FunctionRegistry.tensorMethods.sorted().joined(separator: ", ")).

    --json   an array of {"name", "family", "signature", "description"}

    Example:
      symgrad functions cross_entropy
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--json", "--help"], values: [])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    var entries = FunctionRegistry.entries
    if !o.positional.isEmpty {
      var chosen: [FunctionRegistry.Entry] = []
      for name in o.positional {
        guard let f = FunctionRegistry.resolve(name), let e = entries.first(where: { $0.name == f.name }) else {
          let close = FunctionRegistry.suggestions(for: name)
          throw CommandFailure(
            "symgrad: functions: unknown function '\(name)'"
              + (close.isEmpty ? "" : " (did you mean \(close.map { "'\($0)'" }.joined(separator: " or "))?)"))
        }
        chosen.append(e)
      }
      entries = chosen
    }
    if o.flags.contains("--json") {
      output.out(
        JSON.array(
          entries.map { e in
            .object([
              ("name", .string(e.name)), ("family", .string(e.family.rawValue)),
              ("signature", .string(e.signature)), ("description", .string(e.description)),
            ])
          }
        ).serialized())
      return CommandLineTool.Status.success
    }
    for family in FunctionRegistry.Family.allCases {
      let members = entries.filter { $0.family == family }
      guard !members.isEmpty else { continue }
      if o.positional.isEmpty { output.out("\(family.rawValue):") }
      for e in members {
        output.out("  \(e.signature)")
        output.out("      \(e.description)")
      }
    }
    return CommandLineTool.Status.success
  }
}
