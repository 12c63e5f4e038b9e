import Foundation
import SymGradFuzz

// The fuzzer's command line; everything lives in SymGradFuzz (`FuzzCommand`).
exit(FuzzCommand.run(Array(CommandLine.arguments.dropFirst())))
