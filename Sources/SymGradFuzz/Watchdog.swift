import Foundation
import Synchronization

/// Monotonic nanoseconds (for the watchdog: `ContinuousClock.Instant` cannot live in an
/// atomic).
func monotonicNanoseconds() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// The CPU time this process has used (all threads), in nanoseconds: what an input's
/// work costs, whatever else the machine runs. (Wall-clock time also counts moments when
/// the process is not running: on this project's shared 2-core VM, inputs that take
/// 0.6-0.9 s alone, also beside a second fuzz process, were reported at 2.0-2.1 s in
/// 10^6-input runs.)
func processCPUNanoseconds() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
  return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// What the driver is doing now, shared with the watchdog thread.
final class Progress: Sendable {
  /// `Stage.rawValue` of the running stage.
  let stage = Atomic<Int>(0)
  /// When the current input started (monotonic ns); 0 when idle.
  let started = Atomic<UInt64>(0)
  /// The process's CPU time when the current input started (ns).
  let startedCPU = Atomic<UInt64>(0)
  let index = Atomic<Int>(0)
  let text = Mutex<String>("")
  let stopped = Atomic<Bool>(false)

  /// An input starts now. The CPU time is stored first: a watchdog that reads `started`
  /// and then `startedCPU` never pairs a new start with an older CPU reading.
  func markStart() {
    startedCPU.store(processCPUNanoseconds(), ordering: .releasing)
    started.store(monotonicNanoseconds(), ordering: .releasing)
  }

  func markIdle() { started.store(0, ordering: .releasing) }
}

/// A hang: an input that exceeded the time budget.
package struct HangReport: Sendable {
  package let seed: UInt64
  package let index: Int
  package let stage: Stage
  /// CPU seconds the input had used.
  package let seconds: Double
  /// Wall-clock seconds since it started.
  package let wallSeconds: Double
  package let text: String

  /// The report block (also printed).
  package var rendered: String {
    "HANG index=\(index) seed=\(seed) stage=\(stage.name) after=\(String(format: "%.1f", seconds))s"
      + " CPU (\(String(format: "%.1f", wallSeconds))s wall)\n"
      + "  input: \(Findings.excerpt(text, seed: seed, index: index))\n"
      + "  replay: symgrad-fuzz --seed \(seed) --start \(index) --count 1 --trace\n"
  }
}

/// A thread that watches `Progress` and, when one input has used more than `budget` of
/// the process's CPU time (or, blocked or starved, more than `wallBudgetFactor` times
/// the budget of wall-clock time), reports the hang and ends the process with
/// `FuzzExit.hang`: a computation that does not return cannot be interrupted in-process.
final class Watchdog: Sendable {
  let progress: Progress
  let budgetNanoseconds: UInt64
  /// The wall-clock limit, as a multiple of the CPU budget: for an input that waits
  /// instead of computing (it would never use up its CPU budget).
  static let wallBudgetFactor: UInt64 = 10
  let seed: UInt64
  let reportPath: String?

  init(progress: Progress, budget: Double, seed: UInt64, reportPath: String?) {
    self.progress = progress
    self.budgetNanoseconds = UInt64(max(0.001, budget) * 1e9)
    self.seed = seed
    self.reportPath = reportPath
  }

  func start() {
    let w = self
    Thread.detachNewThread {
      let tick = UInt32(max(5_000, min(100_000, w.budgetNanoseconds / 20_000)))  // microseconds
      while !w.progress.stopped.load(ordering: .acquiring) {
        usleep(tick)
        let started = w.progress.started.load(ordering: .acquiring)
        guard started != 0 else { continue }
        let startedCPU = w.progress.startedCPU.load(ordering: .acquiring)
        let now = monotonicNanoseconds()
        let cpu = processCPUNanoseconds()
        let wall = now > started ? now - started : 0
        let used = cpu > startedCPU ? cpu - startedCPU : 0
        guard w.isOverBudget(cpu: used, wall: wall) else { continue }
        w.fire(
          index: w.progress.index.load(ordering: .acquiring),
          stage: Stage(rawValue: w.progress.stage.load(ordering: .acquiring)) ?? .generate, cpu: used, wall: wall,
          text: w.progress.text.withLock { $0 })
      }
    }
  }

  func stop() { progress.stopped.store(true, ordering: .releasing) }

  /// An input that finished over the budget between two of the watchdog's ticks (it looks
  /// every budget/20) is a hang all the same: reported and ended like one. Called by the
  /// driver when an input returns, with the CPU time it measured.
  func finished(index: Int, stage: Stage, cpuNanoseconds used: UInt64, wallNanoseconds wall: UInt64, text: String) {
    guard isOverBudget(cpu: used, wall: wall) else { return }
    fire(index: index, stage: stage, cpu: used, wall: wall, text: text)
  }

  /// The budget: CPU time, or `wallBudgetFactor` times it of wall-clock time.
  private func isOverBudget(cpu: UInt64, wall: UInt64) -> Bool {
    cpu > budgetNanoseconds || wall > budgetNanoseconds * Watchdog.wallBudgetFactor
  }

  private func fire(index: Int, stage: Stage, cpu: UInt64, wall: UInt64, text: String) -> Never {
    fire(
      HangReport(
        seed: seed, index: index, stage: stage, seconds: Double(cpu) / 1e9, wallSeconds: Double(wall) / 1e9, text: text)
    )
  }

  private func fire(_ report: HangReport) -> Never {
    let block = report.rendered
    if let path = reportPath { Findings.append(block, to: path) }
    FileHandle.standardError.write(Data(block.utf8))
    print(block, terminator: "")
    print("symgrad-fuzz: stopped at a hang (exit \(FuzzExit.hang)); continue with --start \(report.index + 1)")
    fflush(nil)
    _exit(FuzzExit.hang)
  }
}

/// Exit statuses of `symgrad-fuzz`. A crash ends the process by a signal (status > 128
/// in a shell).
package enum FuzzExit {
  /// No crash, hang or round-trip failure.
  package static let clean: Int32 = 0
  /// Round-trip failures were found (the run completed).
  package static let roundTripFailures: Int32 = 1
  /// An input exceeded the time budget; the run stopped there.
  package static let hang: Int32 = 3
  /// Bad command-line arguments.
  package static let usage: Int32 = 64
}
