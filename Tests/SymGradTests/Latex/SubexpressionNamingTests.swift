import SymGrad
import Testing

/// `SubexpressionNaming`: which subexpressions get names, in what order, under which names.
@Suite struct SubexpressionNamingTests {
  /// The 3x3 Jacobian of softmax written out by hand, as in the brief.
  static func softmaxJacobian() throws -> [[Expr]] {
    let d = "(exp(x0) + exp(x1) + exp(x2))"
    let s = try Expr.Value(parsing: "[exp(x0)/\(d), exp(x1)/\(d), exp(x2)/\(d)]").flattened
    return s.jacobian(withRespectTo: ["x0", "x1", "x2"].map(Expr.symbol))
  }

  /// Substitutes the definitions back, last first, undoing the naming.
  static func expand(_ e: Expr, _ n: SubexpressionNaming) -> Expr {
    n.definitions.reversed().reduce(e) { $0.substituting([$1.name: $1.definition]) }
  }

  @Test func softmaxDenominatorIsNamedOnce() throws {
    let j = try Self.softmaxJacobian().flatMap { $0 }
    let n = SubexpressionNaming(j)
    try #require(n.definitions.count == 1)
    #expect(n.definitions[0].name == Expr.symbol("S"))
    #expect(n.definitions[0].definition == (try Expr(parsing: "exp(x0) + exp(x1) + exp(x2)")))
    // Every entry uses S and no longer spells the sum out.
    for e in n.entries {
      #expect(e.freeSymbols.contains("S"))
      #expect(!e.latex.contains("e^{x_{0}} + e^{x_{1}}"))
    }
    #expect(n.entries.map { Self.expand($0, n) } == j)
  }

  @Test func definitionsComeBeforeUse() throws {
    // A repeated inner sum A inside a repeated outer expression B: both named, A first,
    // and B's definition refers to A by name.
    let a = "(exp(x) + exp(y) + exp(z))"
    let b = "log(\(a) * sin(w) + 1)"
    let entries = try ["\(b) * x", "\(b) * y", "\(a) * z + \(b)", "\(a)**2"].map { try Expr(parsing: $0) }
    let n = SubexpressionNaming(entries)
    #expect(n.definitions.count == 2)
    let names = n.definitions.map { $0.name.description }
    for (k, d) in n.definitions.enumerated() {
      let used = Set(d.definition.freeSymbols).intersection(names)
      #expect(used.isSubset(of: names[..<k]), "definition \(k) uses a later name")
    }
    #expect(n.definitions[1].definition.freeSymbols.contains(names[0]))
    let defined = Set(names)
    for e in n.entries { #expect(Set(e.freeSymbols).intersection(["S", "T", "U"]).isSubset(of: defined)) }
    #expect(n.entries.map { Self.expand($0, n) } == entries)
  }

  @Test func namesNeverClashWithSymbols() throws {
    // S and T are symbols of the entries: the first free name is U (`U_1` prints as U_{1}).
    let inner = "(exp(S) + exp(T) + exp(U_1))"
    let entries = try ["\(inner) * S", "\(inner) * T", "S1 + \(inner)"].map { try Expr(parsing: $0) }
    let n = SubexpressionNaming(entries)
    try #require(n.definitions.count == 1)
    #expect(n.definitions[0].name == Expr.symbol("U"))
    let symbols = Set(entries.flatMap(\.freeSymbols))
    #expect(!symbols.contains(n.definitions[0].name.description))
  }

  @Test func smallOrSingleSubexpressionsStayInline() throws {
    // exp(x) + y has 4 nodes: repeated but small.
    let small = try ["(exp(x) + y) * a", "(exp(x) + y) * b"].map { try Expr(parsing: $0) }
    #expect(SubexpressionNaming(small).definitions.isEmpty)
    // A 6-node sum that occurs once is not named either.
    let once = try Expr(parsing: "a * (exp(x) + exp(y) + exp(z))")
    #expect(SubexpressionNaming([once]).definitions.isEmpty)
  }

  @Test func veryLargeSubexpressionsAreNamedEvenOnce() throws {
    let terms = (0..<20).map { "exp(x\($0))" }.joined(separator: " + ")
    let e = try Expr(parsing: "a / (\(terms))")
    let n = SubexpressionNaming([e])
    try #require(n.definitions.count == 1)
    #expect(n.definitions[0].definition.nodeCount >= 40)
    #expect(Self.expand(n.entries[0], n) == e)
    #expect(SubexpressionNaming([e], largeSize: .max).definitions.isEmpty)
  }

  @Test func theResultIsDeterministic() throws {
    let j = try Self.softmaxJacobian()
    let first = LatexDocument.matrix(j)
    // Rebuilding the expressions from text and naming again gives the same text.
    for _ in 0..<3 { #expect(LatexDocument.matrix(try Self.softmaxJacobian()) == first) }
    #expect(
      first == """
        \\begin{pmatrix}
        \\frac{e^{x_{0}}}{S} - \\frac{e^{2 x_{0}}}{S^{2}} & -\\frac{e^{x_{0} + x_{1}}}{S^{2}} & -\\frac{e^{x_{0} + x_{2}}}{S^{2}} \\\\
        -\\frac{e^{x_{0} + x_{1}}}{S^{2}} & \\frac{e^{x_{1}}}{S} - \\frac{e^{2 x_{1}}}{S^{2}} & -\\frac{e^{x_{1} + x_{2}}}{S^{2}} \\\\
        -\\frac{e^{x_{0} + x_{2}}}{S^{2}} & -\\frac{e^{x_{1} + x_{2}}}{S^{2}} & \\frac{e^{x_{2}}}{S} - \\frac{e^{2 x_{2}}}{S^{2}}
        \\end{pmatrix},\\\\
        \\text{where }\\begin{aligned}[t]
        S &= e^{x_{0}} + e^{x_{1}} + e^{x_{2}}
        \\end{aligned}
        """)
  }
}
