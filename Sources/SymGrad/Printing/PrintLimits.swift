/// The bound on text and LaTeX printing.
///
/// Printed text writes a shared subexpression once per occurrence, so an expression whose
/// DAG is small can be astronomically large as text (`silu(silu(...(x)))` doubles at every
/// level; 60 levels are 10^18 nodes). Before building any text, the printers measure the
/// tree (`Expr.treeSize(cappedAt:)`, O(DAG)); past `maximumTreeNodes` they print
/// `oversizedText` instead: a plain statement that the expression is too large to print,
/// with its sizes -- never a partial or wrong formula. The expression itself is unaffected:
/// it differentiates, evaluates and prints with shared subexpressions
/// (`symgrad diff --share`) as usual.
public enum PrintLimits {
  /// The largest tree printed as text or LaTeX: 1,000,000 nodes (about 10 MB of text).
  public static let maximumTreeNodes = 1_000_000

  /// What the printers return for an expression past `maximumTreeNodes`; it starts with
  /// `oversizedPrefix`, which is not valid expression-language text (it does not parse).
  public static func oversizedText(_ e: Expr) -> String {
    "\(oversizedPrefix) more than \(maximumTreeNodes) nodes written out as a tree (\(e.nodeCount) distinct); print it with shared subexpressions (symgrad diff --share)>"
  }

  /// The start of `oversizedText`.
  public static let oversizedPrefix = "<too large to print:"

  /// Whether printing `e` as a tree stays within `maximumTreeNodes`.
  static func fits(_ e: Expr) -> Bool { e.treeSize(cappedAt: maximumTreeNodes) <= maximumTreeNodes }
}
