import Testing

@testable import SymGradCLI

extension Trait where Self == ConditionTrait {
  /// Disables a test that needs the autograd oracle where the toolchain has no
  /// `_Differentiation` (Xcode's on macOS): there `symgrad check` says the oracle was not
  /// consulted, and these tests assert its comparisons.
  static var needsOracle: Self {
    .enabled(if: OracleBridge.isAvailable, "needs the autograd oracle: this toolchain has no _Differentiation")
  }
}

/// Where the oracle is missing, `check` says so plainly and still consults the other
/// references (runs only there: on Linux, in the simulated build the README describes).
@Suite struct OracleUnavailableTests {
  @Test(.enabled(if: !OracleBridge.isAvailable, "the oracle is available on this toolchain"))
  func checkSaysTheOracleIsUnavailable() {
    let o = Output()
    let status = CommandLineTool.run(
      ["check", "cross_entropy([[a, b]], [1])", "--wrt", "a,b", "--at", "a=0.5,b=2"], output: o)
    #expect(status == 0, "\(o.standardOutput)")
    #expect(o.standardOutput.contains("(autograd oracle not consulted: \(OracleBridge.unavailableReason))"))
    #expect(o.standardOutput.contains("vs central finite differences"))
  }
}
