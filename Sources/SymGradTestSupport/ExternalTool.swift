import Foundation

/// Finding and running the programs some tests need (pdflatex, cc, swiftc).
///
/// A test that needs one is enabled only where `path(of:)` finds it: an installed tool that
/// fails to compile or to run fails the test.
package enum ExternalTool {
  /// The executable `name` in `PATH`, then in `extraDirectories`; nil when none exists.
  package static func path(of name: String, extraDirectories: [String] = []) -> String? {
    let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
    for dir in path + extraDirectories where !dir.isEmpty {
      let p = "\(dir)/\(name)"
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
  }

  /// Runs `executable` with `arguments`: its exit status and its standard output followed
  /// by its standard error.
  package static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self) + String(decoding: errors, as: UTF8.self))
  }
}
