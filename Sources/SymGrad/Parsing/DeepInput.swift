import Foundation

/// Parsing and interpreting are recursive in the nesting depth of the text (up to
/// `Parser.maxDepth` levels). The stack of the caller's thread may be small (a secondary
/// thread, a task), so text that could nest deeply is handled on a thread of its own with
/// a large stack; shallow text (the common case) runs where it is.
enum DeepInput {
  /// Stack for deeply nested input: 1000 levels use a few megabytes; leave a wide margin.
  static let stackSize = 256 << 20

  /// Whether `text` could nest more than a shallow depth: it holds many openers or
  /// operators that nest (`(`, `[`, `*`, `^`, `-`, `+`).
  static func mayNestDeeply(_ text: String) -> Bool {
    var count = 0
    for byte in text.utf8 {
      switch byte {
      case 0x28, 0x5B, 0x2A, 0x5E, 0x2D, 0x2B:
        count += 1
        if count > 64 { return true }
      default: break
      }
    }
    return false
  }

  /// `body()`, on a large-stack thread when `text` may nest deeply.
  static func run<T>(for text: String, _ body: @escaping @Sendable () throws -> T) throws -> T {
    guard mayNestDeeply(text) else { return try body() }
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      box.result = Result { try body() }
      done.signal()
    }
    thread.stackSize = stackSize
    thread.start()
    done.wait()
    return try box.result!.get()
  }

  /// The result handed from the worker thread to the waiting caller (the semaphore
  /// orders the write before the read).
  private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
  }
}
