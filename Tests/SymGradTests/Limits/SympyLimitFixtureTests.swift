import Foundation
import Testing

@testable import SymGrad

/// One case recorded by Scripts/record_sympy_limits.py (or, for limits through `erf`,
/// `erfc` and `gelu`, Scripts/record_erf_limits.py, same schema): sympy's `limit` of an
/// expression as one variable tends to +-oo, confirmed by mpmath at large |t|.
struct SympyLimitCase: Sendable, CustomTestStringConvertible {
  let id: String
  let expression: String
  let variable: String
  let toPlus: Bool
  let fixed: [String: String]
  let limit: String
  let value: Double
  var testDescription: String { id }

  static let all: [SympyLimitCase] = load("limits.json") + load("erf-limits.json")

  static func load(_ file: String) -> [SympyLimitCase] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Fixtures/sympy/" + file)
    guard let data = try? Data(contentsOf: url),
      let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let cases = top["cases"] as? [[String: Any]]
    else { return [] }
    return cases.compactMap { c in
      guard let id = c["id"] as? String, let e = c["expr"] as? String, let v = c["variable"] as? String,
        let d = c["direction"] as? String, let l = c["limit"] as? String
      else { return nil }
      var fixed: [String: String] = [:]
      for (k, x) in (c["fixed"] as? [String: Any]) ?? [:] { fixed[k] = "\(x)" }
      let value: Double
      switch c["limit_value"] {
      case let n as NSNumber: value = n.doubleValue
      case let s as String: value = s == "inf" ? .infinity : (s == "-inf" ? -.infinity : .nan)
      default: return nil
      }
      return SympyLimitCase(
        id: id, expression: e, variable: v, toPlus: d == "+inf", fixed: fixed, limit: l, value: value)
    }
  }
}

@Suite struct SympyLimitFixtureTests {
  /// Cases outside the engine (id -> the reason it must give); none at present. The one
  /// that was here, (3**t + 5**t)**(1/t), needed irrational series exponents.
  static let knownUnsupported: [String: String] = [:]

  @Test func enoughCases() {
    #expect(SympyLimitCase.load("limits.json").count >= 200)
    #expect(SympyLimitCase.load("erf-limits.json").count >= 20)
  }

  /// Our limit equals sympy's: infinities exactly, finite values to 1e-10 relative (both
  /// are exact expressions; the tolerance covers only their rounding to doubles).
  @Test(arguments: SympyLimitCase.all)
  func matchesSympy(_ c: SympyLimitCase) throws {
    var values: [Expr: Expr] = [:]
    for (k, v) in c.fixed { values[.symbol(k)] = try Expr(parsing: v) }
    let e = try Expr(parsing: c.expression).substituting(values)
    let result = e.limit(as: .symbol(c.variable), approaches: c.toPlus ? .infinity : .negativeInfinity)
    if let reason = Self.knownUnsupported[c.id] {
      // The engine must say it cannot decide, never guess.
      guard case .undefined(let why) = result else {
        Issue.record("\(c.id) is now decided (\(result)): remove it from knownUnsupported")
        return
      }
      #expect(why.message.contains(reason))
      return
    }
    let got = result.doubleValue
    if c.value.isInfinite {
      #expect(got == c.value, "\(c.id): \(c.expression) -> \(result), sympy \(c.limit)")
    } else {
      #expect(
        Swift.abs(got - c.value) <= 1e-10 * Swift.max(1, Swift.abs(c.value)),
        "\(c.id): \(c.expression) -> \(result), sympy \(c.limit)")
    }
  }
}
