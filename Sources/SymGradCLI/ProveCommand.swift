import Foundation
import SymGrad

/// `symgrad prove PATH... [--check-fresh]`: checks every claim in `Proofs/`.
enum ProveCommand {
  static let help = """
    symgrad prove PATH... [--check-fresh]

    Checks each proof file (.proof; a directory means all its .proof files): every
    derivation step, symbolic equality, value and cross-check. Prints one line per claim,
    writes beside each a .md (GitHub) and a .tex (a complete document), and exits 1 when a
    claim fails. --check-fresh writes nothing and fails when a committed .md/.tex differs
    from what would be written.

    Example:
      symgrad prove Proofs/ --check-fresh
    """

  static func run(_ arguments: [String], output: Output) throws -> Int32 {
    let o = try Options(arguments, flags: ["--check-fresh", "--help"], values: ["--fixtures"])
    if o.flags.contains("--help") {
      output.out(help)
      return CommandLineTool.Status.success
    }
    guard !o.positional.isEmpty else { throw UsageError("prove needs a proof file or a directory") }
    var files: [String] = []
    for p in o.positional {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: p, isDirectory: &isDirectory) else {
        throw CommandFailure("symgrad: no such file '\(p)'")
      }
      if isDirectory.boolValue {
        let names = try FileManager.default.contentsOfDirectory(atPath: p).filter { $0.hasSuffix(".proof") }.sorted()
        files += names.map { (p as NSString).appendingPathComponent($0) }
      } else {
        files.append(p)
      }
    }
    let directory = o.values["--fixtures"].map { URL(fileURLWithPath: $0) } ?? PyTorchRecord.defaultDirectory()
    let records = try directory.map { try PyTorchRecord.load(directory: $0) } ?? []
    var failures = 0
    var stale = 0
    for path in files {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw CommandFailure("symgrad: cannot read '\(path)'")
      }
      let file: ProofFile
      do {
        file = try ProofFile(path: path, text: text)
      } catch let e as ProofFile.SyntaxError {
        output.err(e.description)
        failures += 1
        continue
      }
      let outcome = ProofChecker(file: file, records: records).run()
      output.out("\(outcome.passed ? "PASS" : "FAIL")  \((path as NSString).lastPathComponent): \(outcome.claim)")
      for r in outcome.results where !r.passed {
        output.out("      line \(r.line): \(r.statement)\n        \(r.detail)")
      }
      if !outcome.passed { failures += 1 }
      let base = (path as NSString).deletingPathExtension
      let outputs = [
        (base + ".md", ProofRenderer.markdown(outcome, sourceFile: (path as NSString).lastPathComponent)),
        (base + ".tex", ProofRenderer.tex(outcome)),
      ]
      for (target, content) in outputs {
        if o.flags.contains("--check-fresh") {
          let existing = try? String(contentsOfFile: target, encoding: .utf8)
          if existing != content {
            output.out("STALE \(target): run 'symgrad prove \(path)' and commit the result")
            stale += 1
          }
        } else {
          try content.write(toFile: target, atomically: true, encoding: .utf8)
        }
      }
    }
    output.out(
      "\(files.count - failures) of \(files.count) claims hold" + (stale > 0 ? "; \(stale) outputs stale" : ""))
    return failures == 0 && stale == 0 ? CommandLineTool.Status.success : CommandLineTool.Status.failure
  }
}
