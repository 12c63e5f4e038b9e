import Foundation
import Testing

@testable import SymGradArrayFiles

/// The committed fixtures (Tests/Fixtures/arrays, written by
/// Scripts/record_array_fixtures.py) and their manifest of expected values.
enum ArrayFixtures {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(
      "Fixtures/arrays")

  static func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

  /// The bytes of a fixture (empty if missing: the manifest test then fails by name).
  static func bytes(_ name: String) -> [UInt8] {
    (try? Data(contentsOf: url(name))).map { [UInt8]($0) } ?? []
  }

  /// Every fixture file directly in the directory with the given extension, sorted.
  static func files(withExtension ext: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasSuffix("." + ext) }.sorted()
  }

  /// One line of expected.txt: an array the script wrote and its exact values.
  struct Expected: Sendable, CustomStringConvertible {
    let file: String
    /// The archive entry or JSON name; nil for a `.npy`.
    let entry: String?
    let element: ArrayValue.Element
    let shape: [Int]
    /// IEEE binary64 bit patterns, row-major; nil when only a digest is recorded.
    let bits: [UInt64]?
    /// FNV-1a 64 of the little-endian bit patterns (`large.npz`).
    let digest: UInt64?

    var description: String { entry.map { "\(file):\($0)" } ?? file }
  }

  static let expected: [Expected] = {
    guard let text = try? String(contentsOf: url("expected.txt"), encoding: .utf8) else {
      return []
    }
    return text.split(separator: "\n").compactMap { line -> Expected? in
      if line.hasPrefix("#") { return nil }
      let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard f.count == 5, let element = ArrayValue.Element(rawValue: f[2]) else { return nil }
      let shape = f[3].split(separator: ",").compactMap { Int($0) }
      if f[4].hasPrefix("fnv1a64:") {
        return Expected(
          file: f[0], entry: f[1], element: element, shape: shape, bits: nil,
          digest: UInt64(f[4].dropFirst(8), radix: 16))
      }
      let bits = f[4].split(separator: " ").compactMap { UInt64($0, radix: 16) }
      return Expected(
        file: f[0], entry: f[1] == "-" ? nil : f[1], element: element, shape: shape,
        bits: bits, digest: nil)
    }
  }()

  /// FNV-1a 64 over the little-endian bytes of the values' bit patterns.
  static func fnv1a64(_ values: [Double]) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for v in values {
      var b = v.bitPattern
      for _ in 0..<8 {
        h = (h ^ (b & 0xFF)) &* 0x100_0000_01B3
        b >>= 8
      }
    }
    return h
  }

  /// The values of `large.npz`'s 64 x 1000 array: `large_value()` in the script.
  static func largeValue(_ i: Int, _ j: Int) -> Double {
    let base = Double((j % 50) * (i % 7 + 1) - 3 * (i / 8)) / 4
    return base + ((i * 1000 + j) % 997 == 0 ? 0.125 : 0)
  }
}

/// The error a throwing read raised, or nil if it succeeded. (Closures infer untyped
/// throws, so any other error type is recorded as an issue: the readers throw only
/// `ArrayFileError`.)
func thrownError<T>(_ body: () throws -> T, sourceLocation: SourceLocation = #_sourceLocation)
  -> ArrayFileError?
{
  do {
    _ = try body()
    return nil
  } catch let e as ArrayFileError {
    return e
  } catch {
    Issue.record("not an ArrayFileError: \(error)", sourceLocation: sourceLocation)
    return nil
  }
}

/// A small deterministic PRNG (SplitMix64), for the mutation slice.
struct SplitMix64 {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in 0..<n (n > 0).
  mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

/// Little-endian byte building and patching for hand-made files.
extension Array where Element == UInt8 {
  mutating func append16(_ v: Int) {
    append(contentsOf: [UInt8(truncatingIfNeeded: v), UInt8(truncatingIfNeeded: v >> 8)])
  }
  mutating func append32(_ v: UInt32) {
    for k in 0..<4 { append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
  }
  mutating func append64(_ v: UInt64) {
    for k in 0..<8 { append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(k)))) }
  }
  func read16(_ o: Int) -> Int { Int(self[o]) | Int(self[o + 1]) << 8 }
  func read32(_ o: Int) -> UInt32 {
    (0..<4).reduce(0) { $0 | UInt32(self[o + $1]) << (8 * UInt32($1)) }
  }
  mutating func write16(_ o: Int, _ v: Int) {
    self[o] = UInt8(truncatingIfNeeded: v)
    self[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
  }
  mutating func write32(_ o: Int, _ v: UInt32) {
    for k in 0..<4 { self[o + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
  }
  mutating func write64(_ o: Int, _ v: UInt64) {
    for k in 0..<8 { self[o + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
  }
}

/// A `.npy` file with the given header text (padded like numpy's) and data.
func makeNumPy(header: String, data: [UInt8] = [], version: UInt8 = 1, pad: Bool = true) -> [UInt8] {
  var h = Array(header.utf8)
  let prefix = version == 1 ? 10 : 12
  if pad {
    while (prefix + h.count + 1) % 64 != 0 { h.append(0x20) }
    h.append(0x0A)
  }
  var b: [UInt8] = NumPyFile.magic + [version, 0]
  if version == 1 { b.append16(h.count) } else { b.append32(UInt32(h.count)) }
  return b + h + data
}

/// Little-endian bytes of float64 values.
func float64Bytes(_ values: [Double]) -> [UInt8] {
  var b: [UInt8] = []
  for v in values { b.append64(v.bitPattern) }
  return b
}

/// Writes DEFLATE bits least significant first, and Huffman codes most significant first.
struct BitWriter {
  var bytes: [UInt8] = []
  var bitCount = 0

  mutating func bits(_ value: Int, _ n: Int) {
    for i in 0..<n {
      if bitCount % 8 == 0 { bytes.append(0) }
      if value >> i & 1 != 0 { bytes[bytes.count - 1] |= 1 << UInt8(bitCount % 8) }
      bitCount += 1
    }
  }

  /// A Huffman code of `n` bits, most significant bit first.
  mutating func code(_ value: Int, _ n: Int) {
    for i in (0..<n).reversed() { bits(value >> i & 1, 1) }
  }

  /// A literal/length symbol of the fixed code (RFC 1951 3.2.6).
  mutating func fixedSymbol(_ s: Int) {
    switch s {
    case 0..<144: code(0x30 + s, 8)
    case 144..<256: code(0x190 + s - 144, 9)
    case 256..<280: code(s - 256, 7)
    default: code(0xC0 + s - 280, 8)
    }
  }
}

/// A ZIP archive built entry by entry, with every header field under the test's control
/// (to make archives whose headers lie).
struct ZipBuilder {
  struct Entry {
    var name: String
    var method: Int = 0
    var data: [UInt8]
    var uncompressedSize: Int
    var crc: UInt32
    var flags: Int = 0
  }
  var entries: [Entry] = []

  /// A stored entry with honest headers.
  mutating func stored(_ name: String, _ data: [UInt8]) {
    entries.append(
      Entry(name: name, data: data, uncompressedSize: data.count, crc: CRC32.checksum(data)))
  }

  /// A deflate entry: `compressed` is the raw stream; `content` the bytes it decodes to.
  mutating func deflated(_ name: String, _ compressed: [UInt8], content: [UInt8]) {
    entries.append(
      Entry(
        name: name, method: 8, data: compressed, uncompressedSize: content.count,
        crc: CRC32.checksum(content)))
  }

  func build() -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    for e in entries {
      let offset = out.count
      let name = Array(e.name.utf8)
      func fixed(_ b: inout [UInt8]) {
        b.append16(20)
        b.append16(e.flags)
        b.append16(e.method)
        b.append16(0)
        b.append16(0x21)
        b.append32(e.crc)
        b.append32(UInt32(e.data.count))
        b.append32(UInt32(e.uncompressedSize))
        b.append16(name.count)
        b.append16(0)
      }
      out.append32(0x0403_4B50)
      fixed(&out)
      out += name + e.data
      central.append32(0x0201_4B50)
      central.append16(20)
      fixed(&central)
      central.append16(0)
      central.append16(0)
      central.append16(0)
      central.append32(0)
      central.append32(UInt32(offset))
      central += name
    }
    let cdOffset = out.count
    out += central
    out.append32(0x0605_4B50)
    out.append16(0)
    out.append16(0)
    out.append16(entries.count)
    out.append16(entries.count)
    out.append32(UInt32(central.count))
    out.append32(UInt32(cdOffset))
    out.append16(0)
    return out
  }
}

/// Offsets in a ZIP archive written by Python (for patching fixtures in tests).
struct ZipLayout {
  /// Offsets of the central directory records, in order.
  var central: [Int] = []
  var end: Int

  init(_ b: [UInt8]) {
    end = b.count - 22
    while end > 0 && b.read32(end) != 0x0605_4B50 { end -= 1 }
    var p = Int(b.read32(end + 16))
    for _ in 0..<b.read16(end + 10) {
      central.append(p)
      p += 46 + b.read16(p + 28) + b.read16(p + 30) + b.read16(p + 32)
    }
  }

  /// The local header offset of entry `i` (the 32-bit field).
  func local(_ b: [UInt8], _ i: Int) -> Int { Int(b.read32(central[i] + 42)) }

  /// The data offset of entry `i`, from its local header.
  func data(_ b: [UInt8], _ i: Int) -> Int {
    let l = local(b, i)
    return l + 30 + b.read16(l + 26) + b.read16(l + 28)
  }
}
