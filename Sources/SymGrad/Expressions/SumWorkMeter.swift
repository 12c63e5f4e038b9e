import Synchronization

/// Counts the work of building large sums that grows with their size, so tests can check
/// the complexity of `acc = acc + t` loops by counting instead of timing.
///
/// Off unless a task binds one (`SumWorkMeter.$current.withValue(meter) { ... }`); it is
/// read only by steps that already cost O(n) or allocate tree nodes, never per small sum.
final class SumWorkMeter: Sendable {
  @TaskLocal static var current: SumWorkMeter?

  /// Terms visited by whole-sum steps: hashing an array into a large sum, converting
  /// between array and tree, comparing two large sums term by term.
  let termsVisited = Atomic<Int>(0)
  /// Tree nodes allocated by `+` on large sums (path copies, rotations, joins).
  let treeNodesAllocated = Atomic<Int>(0)

  init() {}
}
