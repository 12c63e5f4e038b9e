import Foundation
import SymGrad

@testable import SymGradCLI

/// The committed PyTorch records (Tests/Fixtures/pytorch), found from this file's path.
enum Fixtures {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/pytorch")

  static let records: [PyTorchRecord] = (try? PyTorchRecord.load(directory: directory)) ?? []
}

/// Evaluates like the command line: IEEE, or the limit at infinite inputs and NaN.
struct LimitAwareEvaluator {
  let values: [String: Double]
  var ieee: Evaluator
  init(values: [String: Double]) {
    self.values = values
    ieee = Evaluator(values: values)
  }
  mutating func value(of e: SymGrad.Expr) throws -> Double {
    let v = try ieee.value(of: e)
    let infinite = e.freeSymbols.contains { values[$0]?.isInfinite ?? false }
    return infinite || v.isNaN ? e.limitValue(at: values).doubleValue : v
  }
}
