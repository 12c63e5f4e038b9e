import Foundation
import Testing

@testable import SymGradArrayFiles

/// A deterministic mutation slice: every valid fixture, mutated a few hundred times with a
/// seeded SplitMix64 (bit flips, interesting bytes and 32-bit values, truncations,
/// insertions, deletions; half of them aimed at the headers at either end of the file).
/// Each read must return or throw `ArrayFileError` (the typed throw guarantees the type;
/// the test is that nothing traps, hangs or exhausts memory), and what it returns must be
/// consistent. For `.npz`, where CRC-32 protects the data and the directory duplicates the
/// local headers, a single mutation must be detected or leave the arrays unchanged.
@Suite struct MutationSliceTests {
  enum Reader: String, Sendable { case npy, npz, json, deflate }

  struct Target: Sendable, CustomStringConvertible {
    let file: String
    let reader: Reader
    let mutations: Int
    var description: String { "\(file) x \(mutations)" }
  }

  static let targets: [Target] = {
    var t: [Target] = []
    for f in ArrayFixtures.files(withExtension: "npy") where !f.hasPrefix("reject_") {
      t.append(Target(file: f, reader: .npy, mutations: 150))
    }
    for f in ArrayFixtures.files(withExtension: "npz")
    where !f.hasPrefix("reject_") && f != "large.npz" {
      t.append(Target(file: f, reader: .npz, mutations: 600))
    }
    t.append(Target(file: "large.npz", reader: .npz, mutations: 20))
    t.append(Target(file: "points.json", reader: .json, mutations: 1500))
    for f in ["deflate/fixed.raw", "deflate/level1.raw", "deflate/level9.raw"] {
      t.append(Target(file: f, reader: .deflate, mutations: 100))
    }
    return t
  }()

  @Test func sliceIsAFewThousandMutations() {
    let total = Self.targets.reduce(0) { $0 + $1.mutations }
    #expect(total >= 8000, "\(total) mutations")
    #expect(Self.targets.count >= 35)
  }

  static func mutate(_ original: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
    var b = original
    // Half the positions fall in the first 160 or last 100 bytes (headers, ZIP directory).
    func position(_ count: Int) -> Int {
      guard count > 0 else { return 0 }
      switch rng.below(4) {
      case 0: return rng.below(Swift.min(count, 160))
      case 1: return count - 1 - rng.below(Swift.min(count, 100))
      default: return rng.below(count)
      }
    }
    switch rng.below(7) {
    case 0, 1:
      for _ in 0...rng.below(3) where !b.isEmpty {
        b[position(b.count)] ^= 1 << UInt8(rng.below(8))
      }
    case 2:
      let values: [UInt8] = [0, 0xFF, 0x7F, 0x80, 0x01, 0x20, 0x0A, 0x27, 0x22, 0x5B, 0x7B, 0x2C]
      if !b.isEmpty { b[position(b.count)] = values[rng.below(values.count)] }
    case 3:
      b = Array(b.prefix(rng.below(b.count + 1)))
    case 4:
      let at = rng.below(b.count + 1)
      b.insert(
        contentsOf: (0...rng.below(8)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, at: at)
    case 5:
      if !b.isEmpty {
        let at = position(b.count)
        b.removeSubrange(at..<Swift.min(b.count, at + 1 + rng.below(16)))
      }
    default:
      let words: [UInt32] = [0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, 0, 0xFFFF, 0x1_0000]
      let w = words[rng.below(words.count)]
      let at = position(b.count)
      if at + 4 <= b.count { b.write32(at, w) }
    }
    return b
  }

  @Test(arguments: targets)
  func mutatedInputsFailCleanly(_ target: Target) throws {
    let original = ArrayFixtures.bytes(target.file)
    #expect(!original.isEmpty, "missing fixture \(target.file)")
    let baseline: [(name: String, array: ArrayValue)] =
      target.reader == .npz ? try NumPyArchive.read(original) : []
    var seed: UInt64 = 0x5EED_A77A
    for u in target.file.unicodeScalars { seed = seed &* 31 &+ UInt64(u.value) }
    var rng = SplitMix64(seed: seed)
    var failures: [String: Int] = [:]
    var successes = 0
    for _ in 0..<target.mutations {
      let input = Self.mutate(original, &rng)
      do {
        switch target.reader {
        case .npy:
          let a = try NumPyFile.read(input)
          #expect(a.values.count == a.shape.reduce(1, *) && a.shape.allSatisfy { $0 >= 0 })
        case .npz:
          let arrays = try NumPyArchive.read(input)
          // Undetected changes are not allowed: the same names and arrays, or an error.
          #expect(arrays.map(\.name) == baseline.map(\.name), "mutation changed the names")
          #expect(
            arrays.map(\.array) == baseline.map(\.array), "mutation changed the values undetected")
        case .json:
          for (_, v) in try PointFile.read(json: input) {
            #expect(v.values.count == v.shape.reduce(1, *))
          }
        case .deflate:
          do {
            _ = try Inflate.decompress(input, limit: 1 << 20)
          } catch {
            throw ArrayFileError.invalidDeflate(entry: target.file, offset: 0, reason: "\(error)")
          }
        }
        successes += 1
      } catch let error as ArrayFileError {
        failures[Self.kind(error), default: 0] += 1
      } catch {
        Issue.record("not an ArrayFileError: \(error)")
      }
    }
    let summary = failures.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
      separator: ", ")
    print("\(target.file): \(successes) read, \(target.mutations - successes) refused (\(summary))")
    #expect(failures.values.reduce(0, +) > 0, "no mutation of \(target.file) was refused")
  }

  static func kind(_ e: ArrayFileError) -> String {
    Mirror(reflecting: e).children.first?.label ?? "\(e)"
  }
}
