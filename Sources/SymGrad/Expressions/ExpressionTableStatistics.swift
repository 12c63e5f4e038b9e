/// Diagnostics of the process-wide table of expression nodes (`InternTable`), for the
/// fuzzer and the benchmark: how much of what a process built it still holds.
public enum ExpressionTableStatistics {
  /// The entries the table holds: live nodes, and dropped ones not yet swept.
  public static var entries: Int { InternTable.entryCount }

  /// Frees every node nothing outside the table references (all the way down), and returns
  /// the entries left: the nodes still referenced (by values, caches and memos).
  public static func collectedEntries() -> Int {
    InternTable.collectGarbage()
    return InternTable.entryCount
  }
}
