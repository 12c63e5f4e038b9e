/// The bound on text and LaTeX printing.
///
/// Printed text writes a shared subexpression once per occurrence, so an expression whose
/// DAG is small can be astronomically large as text (`silu(silu(...(x)))` doubles at every
/// level; 60 levels are 10^18 nodes). The printers build the text as a rope (`TextRope`:
/// O(DAG) work, shared pieces not copied), which knows its length before it is written
/// out; past `maximumTextBytes` they print `oversizedText` instead: a plain statement that
/// the expression is too large to print, with its sizes -- never a partial or wrong
/// formula. The expression itself is unaffected: it differentiates, evaluates and prints
/// with shared subexpressions (`symgrad diff --share`) as usual.
public enum PrintLimits {
  /// The longest text printed: 10,000,000 UTF-8 bytes (about a million nodes as a tree).
  public static let maximumTextBytes = 10_000_000

  /// What the text printers return for an expression past `maximumTextBytes`; it starts
  /// with `oversizedPrefix`, which is not valid expression-language text (it does not parse).
  public static func oversizedText(_ e: Expr) -> String {
    "\(oversizedPrefix) more than \(maximumTextBytes) bytes written out as a tree (\(e.nodeCount) distinct nodes); print it with shared subexpressions (symgrad diff --share)>"
  }

  /// The start of `oversizedText`.
  public static let oversizedPrefix = "<too large to print:"

  /// What the LaTeX printer returns for an expression past `maximumTextBytes`.
  static func oversizedLatex(_ e: Expr) -> String {
    "\\text{(too large to print: more than \(maximumTextBytes) bytes as a tree, \(e.nodeCount) distinct nodes)}"
  }

  /// Whether `text` is short enough to write out.
  static func fits(_ text: TextRope) -> Bool { text.utf8Count <= maximumTextBytes }
}
