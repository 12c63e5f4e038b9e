import Foundation
import SymGradTestSupport
import Testing

@testable import SymGrad

/// `CodeGenerator`: the signature contract, the stable forms, and the generated Swift and
/// C compiled and run against the certified evaluator.
@Suite struct CodeGenerationTests {
  // MARK: The contract

  @Test func parametersAreTheVariablesThenTheOtherSymbolsByName() throws {
    let f = try Expr(parsing: "w*log(exp(b) + exp(a)) + z - y")
    let g = try CodeGenerator(f, withRespectTo: [.scalar("b"), .scalar("a")])
    #expect(g.parameters.map(\.name) == ["b", "a", "w", "y", "z"])
    #expect(g.variableCount == 2)
    let c = try g.code(in: .c)
    #expect(
      c.contains("void symgrad_fn(double b, double a, double w, double y, double z, double *value, double *gradient)"))
    let py = try g.code(in: .python, name: "loss_and_grad")
    #expect(py.contains("def loss_and_grad(b, a, w, y, z):"))
    #expect(py.contains("return value, gradient"))
    let swift = try g.code(in: .swift)
    #expect(
      swift.contains(
        "func symgrad_fn(_ b: Double, _ a: Double, _ w: Double, _ y: Double, _ z: Double) -> (value: Double, gradient: [Double])"
      ))
  }

  /// A max or min whose operands are all numbers in the generated program (an infinite
  /// value under attention, fuzz seed 29 #526353) trapped in the PyTorch emitter, which
  /// clamps tensors by number bounds; every language now writes it.
  @Test func extremaOfNumbersOnlyAreWrittenInEveryLanguage() throws {
    let e = try Expr.Value(parsing: "scaled_dot_product_attention([[w], [0], [6/5]], [[4], [.5]], [[7, w], [v, inf]])")
    let g = try CodeGenerator(list: e.flattened, withRespectTo: [.scalar("w")])
    for language in CodeLanguage.allCases {
      let code = try g.code(in: language)
      #expect(code.contains("symgrad_fn"), "\(language)")
    }
    #expect(try g.code(in: .torch).contains("torch.as_tensor(4.8, dtype=torch.float64)"))
  }

  @Test func namesThatAreNotIdentifiersAreRenamed() throws {
    #expect(
      CodeGenerator.identifiers(for: ["X[0][1]", "lambda", "X_0_1", "2x", "t0"]) == [
        "X_0_1", "lambda_", "X_0_1_2", "_2x", "t0",
      ])
    let g = try CodeGenerator(try Expr(parsing: "t0*x"), withRespectTo: [.scalar("x")])
    // A parameter named like a temporary moves the temporaries' prefix.
    let c = try g.code(in: .c)
    #expect(!c.contains("const double t0 ="))
    #expect(throws: CodeGenerationError.invalidName("1f")) { try g.code(in: .c, name: "1f") }
    #expect(throws: CodeGenerationError.invalidName("def")) { try g.code(in: .python, name: "def") }
    #expect(throws: CodeGenerationError.invalidName("x")) { try g.code(in: .python, name: "x") }
    #expect(throws: CodeGenerationError.noVariables) { try CodeGenerator(try Expr(parsing: "x"), withRespectTo: []) }
  }

  @Test func tensorsAreOneParameter() throws {
    let x = try CodeGenerator.Parameter.tensor("X", shape: [2, 2])
    let f = try Expr(parsing: "cross_entropy([[X[0][0], X[0][1]], [X[1][0], X[1][1]]], [0, 1])")
    let g = try CodeGenerator(f, withRespectTo: [x])
    let c = try g.code(in: .c)
    #expect(c.contains("void symgrad_fn(const double *X, double *value, double *gradient)"))
    #expect(c.contains("X[3]"))
    #expect(try g.code(in: .numpy).contains("X[1, 1]"))
    #expect(try g.code(in: .python).contains("X[1][1]"))
  }

  // MARK: Stable forms and sharing

  @Test func crossEntropyIsShiftedAndSharesTheSum() throws {
    let f = try Expr(parsing: "cross_entropy([[a, b, c]], [1])")
    let c = try CodeGenerator(f, withRespectTo: [.scalar("a"), .scalar("b"), .scalar("c")]).code(in: .c)
    #expect(c.contains("fmax(fmax(a, b), c)"))
    // One exponential per logit, shared by the value and the three gradient entries.
    #expect(c.components(separatedBy: "exp(").count - 1 == 3)
    #expect(c.components(separatedBy: "log(").count - 1 == 1)
  }

  @Test func softplusSigmoidLog1pExpm1() throws {
    let g = try CodeGenerator(
      try Expr(parsing: "log(1 + exp(x)) + log(1 + x**2) + sigmoid(x)"), withRespectTo: [.scalar("x")])
    let c = try g.code(in: .c)
    // softplus: max(x, 0) + log1p(exp(-|x|)); log(1 + x**2): log1p; no bare log.
    #expect(c.contains("exp(-fabs(x))") && c.contains("fmax(x, 0.0) + log1p("))
    #expect(c.components(separatedBy: "log1p(").count - 1 == 2)
    #expect(!c.contains(" log(") && !c.contains("(log("))
    #expect(c.contains("(x >= 0 ? "))
    #expect(!c.contains("log(1.0 +"))
    let m = try CodeGenerator(try Expr(parsing: "exp(x) - 1"), withRespectTo: [.scalar("x")]).code(in: .c)
    #expect(m.contains("*value = expm1(x);"))
  }

  // MARK: Compiled and run

  /// Expressions, variables and points: random points, and extreme ones where the naive
  /// formula overflows or cancels.
  static let cases: [(text: String, wrt: [String], points: [[Double]])] = [
    (
      "cross_entropy([[a, b, c]], [1])", ["a", "b", "c"],
      [[1000, -1000, 0], [700, 710, 0], [-1000, -1000, -1000], [0.5, -2, 3], [1e6, 0, -1e6], [-.infinity, 0, 1]]
    ),
    (
      "softmax([a, b, c], dim=0)", ["a", "b", "c"],
      [[710, 700, -5], [-800, -801, -900], [1, 2, 3], [0, -.infinity, 2]]
    ),
    (
      "binary_cross_entropy_with_logits(x, y)", ["x", "y"],
      [[800, 0], [-800, 1], [800, 0.25], [0.3, 0.7], [-40, 0.5]]
    ),
    ("log(1 + exp(x)) + sigmoid(x) + log(1 + x**2) + (exp(x) - 1)", ["x"], [[-800], [800], [1e-9], [-3.5], [0]]),
    (
      "sqrt(x**2 + 1) + x**(1/3) + y**(2/3) + max(x, y) + min(x, y)*tanh(y) + log1p(y**2) + abs(x)*sign(y) + 1/(x**2 + y**2)",
      ["x", "y"], [[-8, 27], [2.5, -0.125], [0.1, 0.2], [-3, -4]]
    ),
    (
      "w*log(exp(a) + 2*exp(b) + 1) - cos(a)*sin(b) + a**3 * exp(-b)", ["a", "b"],
      [[700, 1], [-700, 705], [0.5, 0.25]]
    ),
    // Activation nodes and erf (away from kinks: elu at 0, hardswish at +-3), generated
    // as their definitions: gelu as x*erfc(-x/sqrt(2))/2, without ATen's cancellation.
    (
      "silu(x) + gelu(y) + elu(x, alpha=0.5)*erf(y) + hardswish(x) + softsign(y) - erfc(x) + mish(y) + gelu(x, approximate=\"tanh\")",
      ["x", "y"], [[0.5, -1.5], [-4, 2], [3.5, 0.25], [-0.5, -7]]
    ),
    // Selections: the unselected branch is undefined at some points (log of a negative,
    // sqrt below 0), and ties select by the relation.
    (
      "where(x > 0, log(x), 0) + where(x - y >= 1, sqrt(x - y - 1), y) + where(x == y, 1, x*y) + (x < y)", ["x", "y"],
      [[-1, 2], [3, 1], [2, 2], [0, -3], [0.5, 0.25], [-2, -2.5]]
    ),
  ]

  /// The points as generated code sees them: the variables, then the other symbols
  /// (here `w` only, fixed at 0.75).
  static func inputs(_ g: CodeGenerator, _ point: [Double]) -> [Double] {
    point + g.parameters.dropFirst(g.variableCount).map { _ in 0.75 }
  }

  static func generator(_ c: (text: String, wrt: [String], points: [[Double]])) throws -> CodeGenerator {
    let v = try Expr.Value(parsing: c.text)
    let wrt = c.wrt.map(CodeGenerator.Parameter.scalar)
    if case .scalar(let f) = v { return try CodeGenerator(f, withRespectTo: wrt) }
    return try CodeGenerator(list: v.flattened, withRespectTo: wrt)
  }

  /// Compares what generated code computed with the certified values of its outputs.
  /// Tolerance: the generated code is plain double arithmetic on well-conditioned stable
  /// forms (a few dozen roundings): `isApprox` with 5e-13 relative plus 5e-13 absolute
  /// (for entries that are differences of O(1) terms, `softmax - 1` near 0), at most
  /// 1e-12 * max(1, |value|); infinities and NaN exactly.
  static func compare(_ g: CodeGenerator, _ point: [Double], _ got: [Double], _ label: String) throws {
    var at: [String: Double] = [:]
    for (p, x) in zip(g.parameters, inputs(g, point)) { at[p.name] = x }
    let want = try Expr.certifiedValues(of: g.outputs, at: at)
    #expect(got.count == want.count, "\(label): \(got.count) outputs, \(want.count) expected")
    for (k, (x, w)) in zip(got, want).enumerated() {
      // Beyond the double range the exact value rounds to an infinity, which IEEE code gives.
      let beyondRange = w.value.isInfinite && (w.reason ?? "").contains("beyond the double range")
      #expect(w.certified || beyondRange, "\(label) at \(point): reference \(k) is not certified: \(w)")
      #expect(
        isApprox(x, w.value, rtol: 5e-13, atol: 5e-13),
        "\(label) at \(point): output \(k) is \(x), certified \(w.value)")
    }
  }

  /// Compares the driver's output for every case and point (`results`, by label `cIpK`).
  static func compareAll(_ results: [String: [Double]], _ generators: [CodeGenerator], language: String) throws {
    for (i, (c, g)) in zip(cases, generators).enumerated() {
      for (k, p) in c.points.enumerated() {
        let got = try #require(results["c\(i)p\(k)"], "\(language): no output for case \(i) at point \(k)")
        try compare(g, p, got, "\(language) \(c.text)")
      }
    }
  }

  /// Parses the driver's lines `case point k bits...` (hex bit patterns).
  static func results(_ out: String) -> [String: [Double]] {
    var r: [String: [Double]] = [:]
    for line in out.split(separator: "\n") {
      let parts = line.split(separator: " ")
      guard parts.count >= 2 else { continue }
      r[String(parts[0])] = parts.dropFirst().map { Double(bitPattern: UInt64($0, radix: 16)!) }
    }
    return r
  }

  static func directory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-codegen-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
  }

  @Test(.enabled(if: ExternalTool.path(of: "cc") != nil, "no C compiler"))
  func generatedCComputesTheCertifiedValues() throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var source = "#include <stdio.h>\n#include <string.h>\n#include <stdint.h>\n"
    var main = "static double d(uint64_t b) { double x; memcpy(&x, &b, 8); return x; }\n"
    main +=
      "static void show(const char *label, const double *v, int n) { printf(\"%s\", label); for (int i = 0; i < n; i++) { uint64_t b; memcpy(&b, &v[i], 8); printf(\" %llx\", (unsigned long long)b); } printf(\"\\n\"); }\n"
    main += "int main(void) {\n"
    let generators = try Self.cases.map(Self.generator)
    for (i, (c, g)) in zip(Self.cases, generators).enumerated() {
      source += try g.code(in: .c, name: "f\(i)", source: c.text).replacingOccurrences(
        of: "#include <math.h>", with: i == 0 ? "#include <math.h>" : "")
      let n = g.outputs.count - g.valueCount
      for (k, p) in c.points.enumerated() {
        let args = Self.inputs(g, p).map { "d(0x\(String($0.bitPattern, radix: 16))ULL)" }.joined(separator: ", ")
        main += "  { double v[\(g.valueCount)], j[\(n)], all[\(g.outputs.count)]; f\(i)(\(args), v, j);"
        main +=
          " memcpy(all, v, sizeof v); memcpy(all + \(g.valueCount), j, sizeof j); show(\"c\(i)p\(k)\", all, \(g.outputs.count)); }\n"
      }
    }
    // Scalar cases take `double *value`: an array of one works for both signatures.
    main += "  return 0;\n}\n"
    let file = dir.appendingPathComponent("generated.c")
    try (source + main).write(to: file, atomically: true, encoding: .utf8)
    let exe = dir.appendingPathComponent("generated").path
    let (status, log) = try ExternalTool.run(
      ExternalTool.path(of: "cc")!, ["-std=c99", "-O2", "-Wall", "-Werror", file.path, "-o", exe, "-lm"])
    try #require(status == 0, "cc failed:\n\(log)")
    let (ran, out) = try ExternalTool.run(exe, [])
    try #require(ran == 0, "\(out)")
    try Self.compareAll(Self.results(out), generators, language: "C")
  }

  @Test(.enabled(if: ExternalTool.path(of: "swiftc") != nil, "no swiftc"))
  func generatedSwiftComputesTheCertifiedValues() throws {
    let dir = try Self.directory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var source = ""
    var main =
      "func show(_ label: String, _ v: [Double]) { print(([label] + v.map { String($0.bitPattern, radix: 16) }).joined(separator: \" \")) }\n"
    let generators = try Self.cases.map(Self.generator)
    for (i, (c, g)) in zip(Self.cases, generators).enumerated() {
      source += try g.code(in: .swift, name: "f\(i)", source: c.text).replacingOccurrences(
        of: "import Foundation", with: i == 0 ? "import Foundation" : "")
      for (k, p) in c.points.enumerated() {
        let args = Self.inputs(g, p).map { "Double(bitPattern: 0x\(String($0.bitPattern, radix: 16)))" }.joined(
          separator: ", ")
        main +=
          g.isList
          ? "do { let r = f\(i)(\(args)); show(\"c\(i)p\(k)\", r.values + r.jacobian.flatMap { $0 }) }\n"
          : "do { let r = f\(i)(\(args)); show(\"c\(i)p\(k)\", [r.value] + r.gradient) }\n"
      }
    }
    let file = dir.appendingPathComponent("main.swift")
    try (source + main).write(to: file, atomically: true, encoding: .utf8)
    let exe = dir.appendingPathComponent("generated").path
    let (status, log) = try ExternalTool.run(ExternalTool.path(of: "swiftc")!, ["-Onone", file.path, "-o", exe])
    try #require(status == 0, "swiftc failed:\n\(log)")
    let (ran, out) = try ExternalTool.run(exe, [])
    try #require(ran == 0, "\(out)")
    try Self.compareAll(Self.results(out), generators, language: "Swift")
  }
}
