import Synchronization

/// A thread-safe memo of a pure function, bounded in size: past `capacity` entries it is
/// emptied and refilled. Only for functions whose value depends on the key alone, so that
/// a hit, a miss and an eviction all return the same value (sharing it across threads and
/// limits cannot change results, only their cost). The value is computed outside the
/// lock: two threads may compute the same key at once, and both store the same value.
final class BoundedMemo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
  private let storage = Mutex<[Key: Value]>([:])
  let capacity: Int

  init(capacity: Int = 4096) { self.capacity = capacity }

  func value(for key: Key, _ compute: (Key) -> Value) -> Value {
    if let known = storage.withLock({ $0[key] }) { return known }
    let value = compute(key)
    storage.withLock { cache in
      if cache.count > capacity { cache.removeAll() }
      cache[key] = value
    }
    return value
  }
}
