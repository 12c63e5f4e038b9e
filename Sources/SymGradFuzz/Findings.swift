import Foundation
import SymGradCLI

/// A print/parse round trip that failed: the printed text did not parse, or parsed to
/// something that prints differently.
package struct RoundTripFailure: Sendable, Equatable {
  package let index: Int
  /// `input`, `derivative` or `simplified`: what was printed.
  package let what: String
  package let input: String
  package let printed: String
  /// The second print, or nil when the printed text did not parse.
  package let reprinted: String?
  /// The parse error of the printed text, if any.
  package let error: String?
  /// The known issue class of this failure (`KnownIssue.nonCanonicalPrint`), if any.
  package var known: KnownIssue?

  func rendered(seed: UInt64) -> String {
    var s = "ROUND-TRIP index=\(index) seed=\(seed) of=\(what)" + (known.map { " known=\($0.rawValue)" } ?? "") + "\n"
    s += "  input: \(Findings.excerpt(input, seed: seed, index: index))\n"
    s += "  printed: \(Findings.excerpt(printed, seed: seed, index: index))\n"
    if let r = reprinted { s += "  reprinted: \(Findings.excerpt(r, seed: seed, index: index))\n" }
    if let e = error { s += "  reparse error: \(e)\n" }
    return s
  }
}

/// Writing findings and the breadcrumb.
package enum Findings {
  /// Texts longer than this are shortened in reports (with how to regenerate them).
  static let excerptLimit = 2000

  /// A text for a report: JSON-escaped (so newlines and control characters stay visible),
  /// shortened when long.
  package static func excerpt(_ text: String, seed: UInt64, index: Int) -> String {
    if text.count <= excerptLimit { return escaped(text) }
    return escaped(String(text.prefix(excerptLimit)))
      + " ... (\(text.count) characters; regenerate: symgrad-fuzz --seed \(seed) --start \(index) --count 1 --dump)"
  }

  /// The text as a JSON string literal (the command line's own quoting).
  package static func escaped(_ text: String) -> String { JSON.quote(text) }

  /// Appends `block` to the file at `path` (created if needed).
  static func append(_ block: String, to path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    guard fd >= 0 else { return }
    defer { close(fd) }
    let bytes = Array(block.utf8)
    bytes.withUnsafeBytes { p in _ = write(fd, p.baseAddress, p.count) }
  }
}

/// The breadcrumb: before each input, its index and text (and the counts so far) go to a
/// file, and the running stage is overwritten in place as stages change. When the process
/// dies (a trap kills it), the file holds the input and the stage that killed it; the
/// long-run script records it and restarts at the next index.
///
/// Format (text):
/// ```
/// stage: derivative              <- fixed width, rewritten in place
/// index: 1234
/// seed: 1
/// kind: expression
/// counts: inputs=1234 thrown.parse=... (before this input)
/// ----
/// the input text, to the end of the file
/// ```
final class Breadcrumb {
  private let fd: Int32
  static let stageWidth = 24

  init?(path: String) {
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o644)
    if fd < 0 { return nil }
  }

  deinit { close(fd) }

  func begin(_ input: FuzzInput, seed: UInt64, counts: String) {
    let header =
      stageLine(.generate) + "index: \(input.index)\nseed: \(seed)\nkind: \(input.kind)\ncounts: \(counts)\n----\n"
    let bytes = Array((header + input.text).utf8)
    _ = ftruncate(fd, 0)
    bytes.withUnsafeBytes { p in _ = pwrite(fd, p.baseAddress, p.count, 0) }
  }

  func stage(_ s: Stage) {
    let bytes = Array(stageLine(s).utf8)
    bytes.withUnsafeBytes { p in _ = pwrite(fd, p.baseAddress, p.count, 0) }
  }

  private func stageLine(_ s: Stage) -> String {
    let name = s.name
    return "stage: " + name + String(repeating: " ", count: max(0, Breadcrumb.stageWidth - name.count)) + "\n"
  }
}
