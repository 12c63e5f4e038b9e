import Foundation
import SymGradCLI

let status = CommandLineTool.run(Array(CommandLine.arguments.dropFirst()), output: Output(echo: true))
exit(status)
