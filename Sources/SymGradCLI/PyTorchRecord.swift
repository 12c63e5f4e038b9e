import Foundation
import SymGrad

/// One case recorded from PyTorch by `Scripts/record_pytorch.py` (see its header for the
/// JSON schema): an expression, the symbols differentiated, a point, and PyTorch's output
/// and autograd Jacobian there.
package struct PyTorchRecord: Sendable {
  package let id: String
  package let source: String
  package let dtype: String
  package let expression: String
  package let wrt: [String]
  package let at: [String: Double]
  package let outputShape: [Int]
  package let output: [Double]
  package let jacobian: [[Double]]
  package let note: String?

  /// Reads one JSON number or one of the strings "inf", "-inf", "nan".
  static func number(_ any: Any?) -> Double? {
    if let n = any as? NSNumber { return n.doubleValue }
    switch any as? String {
    case "inf": return .infinity
    case "-inf": return -.infinity
    case "nan": return .nan
    default: return nil
    }
  }

  init?(_ json: [String: Any]) {
    guard let id = json["id"] as? String, let expr = json["expr"] as? String,
      let wrt = json["wrt"] as? [String], let atRaw = json["at"] as? [String: Any],
      let out = json["output"] as? [Any]
    else { return nil }
    var at: [String: Double] = [:]
    for (k, v) in atRaw {
      guard let d = PyTorchRecord.number(v) else { return nil }
      at[k] = d
    }
    self.id = id
    source = json["source"] as? String ?? ""
    dtype = json["dtype"] as? String ?? "float64"
    expression = expr
    self.wrt = wrt
    self.at = at
    outputShape = (json["output_shape"] as? [Int]) ?? [out.count]
    output = out.compactMap(PyTorchRecord.number)
    jacobian = ((json["jacobian"] as? [[Any]]) ?? []).map { $0.compactMap(PyTorchRecord.number) }
    note = json["note"] as? String
  }

  /// Every record in the `*.json` files of `directory` (the function name file order).
  package static func load(directory: URL) throws -> [PyTorchRecord] {
    let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
      .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    var records: [PyTorchRecord] = []
    for f in files {
      let data = try Data(contentsOf: f)
      guard let top = try JSONSerialization.jsonObject(with: data) as? [String: Any],
        let cases = top["cases"] as? [[String: Any]]
      else { continue }
      records += cases.compactMap(PyTorchRecord.init)
    }
    return records
  }

  /// The recorded fixtures: `Tests/Fixtures/pytorch` under the working directory or under
  /// an ancestor of the executable (as when run with `swift run` in the repository).
  package static func defaultDirectory() -> URL? {
    var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
    var dir = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
      .deletingLastPathComponent()
    for _ in 0..<6 {
      candidates.append(dir)
      dir = dir.deletingLastPathComponent()
    }
    for c in candidates {
      let url = c.appendingPathComponent("Tests/Fixtures/pytorch")
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
        return url
      }
    }
    return nil
  }

  /// Whether this record is for `expression` (compared as parsed, canonical values, so
  /// spacing and `1.3900` vs `1.39` do not matter) with respect to `wrt` at `point`.
  func matches(_ value: Expr.Value, wrt names: [String], at point: [String: Double]) -> Bool {
    guard wrt == names, at.count <= point.count else { return false }
    guard at.allSatisfy({ k, v in point[k].map { $0 == v || ($0.isNaN && v.isNaN) } ?? false }) else { return false }
    return (try? Expr.Value(parsing: expression)) == value
  }
}
