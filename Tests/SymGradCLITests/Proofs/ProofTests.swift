import Foundation
import Testing

@testable import SymGradCLI

/// `symgrad prove`: the ten committed claims hold and their outputs are fresh; malformed
/// and false proofs fail.
@Suite struct ProofTests {
  static let proofs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Proofs")

  func run(_ args: [String]) -> (Int32, String, String) {
    let o = Output()
    let s = CommandLineTool.run(args, output: o)
    return (s, o.standardOutput, o.standardError)
  }

  @Test(.needsOracle) func everyClaimHoldsAndOutputsAreFresh() {
    let (status, out, err) = run(["prove", Self.proofs.path, "--check-fresh"])
    #expect(status == 0, "\(out)\(err)")
    #expect(out.contains("12 of 12 claims hold"))
    #expect(!out.contains("STALE"))
  }

  func temporaryProof(_ text: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-proof-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let file = dir.appendingPathComponent("claim.proof")
    try text.write(to: file, atomically: true, encoding: .utf8)
    return file
  }

  @Test func aFalseClaimFails() throws {
    let file = try temporaryProof(
      """
      title: A false claim
      claim: The softmax Jacobian is diag(s).
      let s = softmax([a, b, c])
      show: jacobian(s, [a, b, c]) == diag(s)
      """)
    defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
    let (status, out, _) = run(["prove", file.path])
    #expect(status == 1)
    #expect(out.contains("FAIL") && out.contains("line 4"))
  }

  /// A general claim that forgets the 1/N of the mean fails, and says what was derived.
  @Test func aWrongGeneralFormulaFails() throws {
    let file = try temporaryProof(
      """
      claim: the mean cross-entropy gradient without its 1/N
      for: cross_entropy(X, t) with X=N,C
      show gradient: exp(X[n, c])/Sum(exp(X[n, k]), (k, 1, C)) - KroneckerDelta(c, t[n])
      """)
    defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
    let (status, out, _) = run(["prove", file.path])
    #expect(status == 1)
    #expect(out.contains("FAIL") && out.contains("line 3") && out.contains("not proved equal"), "\(out)")
  }

  /// A matrix form that is not the recognized one (the 1/N missing, the transpose on the
  /// wrong side) fails; the recognized one passes.
  @Test func aWrongMatrixFormFails() throws {
    let file = try temporaryProof(
      """
      claim: matrix forms of the mean cross-entropy gradient and of the linear layer's
      for: cross_entropy(X, t) with X=N,C
      show matrix: (P - Y)/N
      show matrix: P - Y
      for: cross_entropy(linear(A, W), t, reduction="sum") with A=N,D; W=C,D
      show matrix: (P - Y)^T A
      show matrix: A^T (P - Y)
      """)
    defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
    let (status, out, _) = run(["prove", file.path])
    #expect(status == 1)
    #expect(
      !out.contains("line 3:") && out.contains("line 4:") && !out.contains("line 6:") && out.contains("line 7:"),
      "\(out)")
    #expect(out.contains("the matrix form is dL/dX = (P - Y)/N"), "\(out)")
  }

  @Test func aWrongValueFails() throws {
    let file = try temporaryProof(
      """
      claim: a wrong number
      value: softmax([a, b]) at a=0, b=0 == [0.4, 0.6]
      """)
    defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
    #expect(run(["prove", file.path]).0 == 1)
  }

  @Test func malformedProofNamesFileLineAndColumn() throws {
    let file = try temporaryProof(
      """
      claim: something
        frobnicate: x
      """)
    defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
    let (status, _, err) = run(["prove", file.path])
    #expect(status == 1)
    #expect(err.contains("claim.proof:2:3: unknown line"))
  }

  @Test(.enabled(if: LatexDocumentTests.pdflatex != nil, "pdflatex is not installed"))
  func generatedTexCompiles() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("symgrad-proof-tex-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.proofs.path).filter { $0.hasSuffix(".tex") }
    #expect(names.count == 12)
    for n in names {
      let copy = dir.appendingPathComponent(n)
      try FileManager.default.copyItem(at: Self.proofs.appendingPathComponent(n), to: copy)
      #expect(try LatexDocumentTests.compile(copy) == 0, "pdflatex failed on \(n)")
    }
  }
}
