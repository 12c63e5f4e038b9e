import Foundation
@testable import SymGradCLI

/// The committed PyTorch records (Tests/Fixtures/pytorch), found from this file's path.
enum Fixtures {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/pytorch")

  static let records: [PyTorchRecord] = (try? PyTorchRecord.load(directory: directory)) ?? []
}

/// Approximate equality: relative plus absolute tolerance; NaN equals NaN and infinities
/// compare exactly.
func close(_ a: Double, _ b: Double, rtol: Double, atol: Double) -> Bool {
  if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
  if a.isInfinite || b.isInfinite { return a == b }
  return Swift.abs(a - b) <= atol + rtol * Swift.abs(b)
}
