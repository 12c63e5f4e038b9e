import Dispatch
import Foundation
import Synchronization

/// Runs independent column computations on all cores when there is enough work.
enum ParallelColumns {
  /// Below this many entries the work runs on the calling thread.
  static let threshold = 4096

  /// `[body(0), ..., body(count - 1)]`, computed concurrently when `work` is large.
  static func map<T: Sendable>(_ count: Int, work: Int, _ body: @Sendable (Int) -> T) -> [T] {
    if work < threshold || count < 2 { return (0..<count).map(body) }
    let results = Mutex<[Int: T]>([:])
    let chunks = Swift.min(count, 4 * Swift.max(1, ProcessInfo.processInfo.activeProcessorCount))
    DispatchQueue.concurrentPerform(iterations: chunks) { c in
      var local: [(Int, T)] = []
      var j = c
      while j < count {
        local.append((j, body(j)))
        j += chunks
      }
      results.withLock { r in for (k, v) in local { r[k] = v } }
    }
    return results.withLock { r in (0..<count).map { r[$0]! } }
  }
}
