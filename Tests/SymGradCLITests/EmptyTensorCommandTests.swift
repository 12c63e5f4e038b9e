import Foundation
import Testing

@testable import SymGradCLI

/// Tensors of no elements on the command line: printed in torch's spelling, in JSON as
/// PyTorch's `tolist()` writes them, with a value (there is nothing uncertain about no
/// numbers), and PyTorch's errors where an extremum has no entries.
@Suite struct EmptyTensorCommandTests {
  func run(_ arguments: [String]) -> (status: Int32, output: Output) {
    let o = Output()
    return (CommandLineTool.run(arguments, output: o), o)
  }

  @Test func printedAndWrittenAsJSON() throws {
    let text = run(["eval", "exp(zeros(1, 0, 3))"])
    #expect(text.status == 0 && text.output.standardOutput == "zeros(1, 0, 3)\n= [[]]\n")
    let json = run(["eval", "linear(zeros(0, 3), [[x, y, z]], [b])", "--at", "x=1,y=2,z=3,b=1", "--json"])
    #expect(json.status == 0)
    let top = try #require(
      try JSONSerialization.jsonObject(with: Data(json.output.standardOutput.utf8)) as? [String: Any])
    #expect(top["expression"] as? String == "zeros(0, 1)")
    #expect((top["value"] as? [Any])?.isEmpty == true && top["certified"] as? Bool == true)
  }

  @Test func extremaOfNoEntriesAreErrors() {
    let r = run(["eval", "max(zeros(0, 3), 0)"])
    #expect(r.status != 0)
    #expect(r.output.standardError.contains("Expected reduction dim 0 to have non-zero size"))
    let all = run(["eval", "amax([])"])
    #expect(all.status != 0 && all.output.standardError.contains("Expected reduction dim to be specified"))
  }
}
