import Foundation
import Testing

@testable import SymGrad
@testable import SymGradCLI

/// `--format sympy` (a contract): the text `symgrad eval --format sympy --json` prints for
/// each case of `Tests/Fixtures/sympy/format.json` is the very text that
/// `Scripts/record_sympy_format.py` loaded with `sympy.sympify` (no locals table) and
/// evaluated at 40 digits; SymGrad's certified value at the same point is within one ulp
/// of sympy's. Cases cover every function (sigmoid, softplus, log1p, expm1 and the [0, 1]
/// guard written out; Abs, Max, Min, sign), oo and nan, names sympy would misread
/// (`gamma`, `beta`, `N0`, `x[0]`), losses, a gradient and a Hessian (Python lists).
@Suite struct SympyFormatTests {
  struct Case {
    let expr: String
    let at: [String: String]
    let text: String
    let values: [String]
  }

  static let cases: [Case] = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/sympy/format.json")
    guard let data = try? Data(contentsOf: url),
      let doc = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let cases = doc["cases"] as? [[String: Any]]
    else { return [] }
    return cases.map { c in
      let v = c["sympy_value"]
      return Case(
        expr: c["expr"] as! String, at: c["at"] as! [String: String], text: c["sympy_text"] as! String,
        values: (v as? [String]) ?? [v as! String])
    }
  }()

  @Test func fixturesArePresent() {
    #expect(Self.cases.count >= 17)
  }

  @Test(arguments: cases.indices)
  func printedTextIsWhatSympyLoaded(_ i: Int) throws {
    let c = Self.cases[i]
    let o = Output()
    let status = CommandLineTool.run(["eval", "--format", "sympy", "--json", "--", c.expr], output: o)
    #expect(status == 0, "\(o.standardError)")
    let json = try JSONSerialization.jsonObject(with: Data(o.standardOutput.utf8)) as? [String: Any]
    #expect(json?["expression"] as? String == c.text, "\(c.expr)")
    #expect(try Expr.Value(parsing: c.expr).sympyDescription == c.text)
  }

  @Test(arguments: cases.indices)
  func valuesAgreeWithSympyWithinAnUlp(_ i: Int) throws {
    let c = Self.cases[i]
    let point = c.at.mapValues { Double($0)! }
    let mine = try CompiledFunction.certifiedValues(of: Expr.Value(parsing: c.expr).flattened, at: point)
    let theirs = c.values.map { s -> Double in
      switch s {
      case "inf": return .infinity
      case "-inf": return -.infinity
      case "nan": return .nan
      default: return Double(s)!
      }
    }
    #expect(mine.count == theirs.count, "\(c.expr)")
    for (a, b) in zip(mine, theirs) {
      #expect(a.certified, "\(c.expr): \(a)")
      if b.isNaN || b.isInfinite {
        #expect(a.value.isNaN == b.isNaN && (b.isNaN || a.value == b), "\(c.expr): SymGrad \(a.value), sympy \(b)")
      } else {
        #expect(Swift.abs(a.value - b) <= b.ulp, "\(c.expr): SymGrad \(a.value), sympy \(b)")
      }
    }
  }

  /// Names: plain where sympy reads them as symbols, `Symbol('...')` elsewhere.
  @Test func symbolNames() {
    #expect(TextPrinter.sympySymbol("x") == "x" && TextPrinter.sympySymbol("w_01") == "w_01")
    #expect(TextPrinter.sympySymbol("x12") == "x12" && TextPrinter.sympySymbol("a_b2") == "a_b2")
    for name in ["E", "N", "S1", "gamma", "beta", "lambda", "x[0]", "W[1][0]", "logits", "I"] {
      #expect(TextPrinter.sympySymbol(name) == "Symbol('\(name)')", "\(name)")
    }
    #expect(TextPrinter.sympySymbol("it's") == "Symbol('it\\'s')")
  }

  @Test func unknownFormatIsAUsageError() {
    let o = Output()
    #expect(CommandLineTool.run(["simplify", "--format", "latex", "x"], output: o) == 64)
    #expect(o.standardError.contains("--format must be one of text, sympy"))
  }
}
