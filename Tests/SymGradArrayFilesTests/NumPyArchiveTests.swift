import Foundation
import Testing

@testable import SymGradArrayFiles

/// `.npz` reading: numpy's archives (stored, deflated, streamed with data descriptors,
/// ZIP64 everywhere, one large deflated array), then archives whose headers lie.
@Suite struct NumPyArchiveTests {
  static let archives = ["stored.npz", "compressed.npz", "streamed.npz", "zip64_everywhere.npz"]
  static let names = ["weights", "bias", "count", "mask", "fortran"]

  @Test(arguments: archives)
  func readsEveryEntryExactlyInArchiveOrder(_ file: String) throws {
    let arrays = try NumPyArchive.read(ArrayFixtures.bytes(file))
    #expect(arrays.map(\.name) == Self.names)
    let expected = ArrayFixtures.expected.filter { $0.file == file }
    #expect(expected.map(\.entry) == Self.names)
    for (e, a) in zip(expected, arrays) {
      #expect(a.array.shape == e.shape, "\(e)")
      #expect(a.array.element == e.element, "\(e)")
      #expect(a.array.values.map(\.bitPattern) == e.bits, "\(e)")
    }
    // Spot values stated inline: the Fortran-order int32 entry comes back row-major.
    let fortran = try #require(arrays.last?.array)
    #expect(
      fortran.shape == [3, 2] && fortran.values == [0, 1, 2, 3, 4, 5] && fortran.element == .int32)
    #expect(arrays[2].array == ArrayValue(scalar: 7, element: .int64))
  }

  @Test func fixturesExerciseWhatTheyClaim() throws {
    // numpy's force_zip64: local headers hold 0xFFFFFFFF sizes and a ZIP64 extra field.
    let stored = ArrayFixtures.bytes("stored.npz")
    #expect(stored.read32(18) == 0xFFFF_FFFF && stored.read16(28) == 20)
    // Streamed: data descriptors (flag bit 3) and deflate.
    let streamed = ArrayFixtures.bytes("streamed.npz")
    #expect(streamed.read16(6) & 0x08 != 0 && streamed.read16(8) == 8)
    // zip64_everywhere: a ZIP64 end record and locator.
    let z64 = ArrayFixtures.bytes("zip64_everywhere.npz")
    #expect(z64.read32(z64.count - 42) == 0x0706_4B50)
    let archive = try ZipArchive(z64)
    #expect(archive.entries.count == 5 && archive.entries.allSatisfy { $0.method == 0 })
    #expect(
      try ZipArchive(ArrayFixtures.bytes("compressed.npz")).entries.allSatisfy { $0.method == 8 })
    #expect(try NumPyArchive.read(ArrayFixtures.bytes("empty_archive.npz")).isEmpty)
  }

  /// 64 x 1000 float64 values (512,000 bytes) deflated to 12 KB: dynamic Huffman blocks and
  /// long matches. Compared with the formula and with the digest the script recorded.
  @Test func largeDeflatedArray() throws {
    let bytes = ArrayFixtures.bytes("large.npz")
    let clock = ContinuousClock()
    var arrays: [(name: String, array: ArrayValue)] = []
    let elapsed = try clock.measure { arrays = try NumPyArchive.read(bytes) }
    let a = try #require(arrays.first?.array)
    #expect(arrays.map(\.name) == ["big"])
    #expect(a.shape == [64, 1000] && a.element == .float64)
    var expected: [Double] = []
    for i in 0..<64 { for j in 0..<1000 { expected.append(ArrayFixtures.largeValue(i, j)) } }
    #expect(a.values == expected)
    let recorded = try #require(ArrayFixtures.expected.first { $0.file == "large.npz" }?.digest)
    #expect(ArrayFixtures.fnv1a64(a.values) == recorded)
    print("large.npz (512,000-byte entry): read in \(elapsed)")
  }

  // MARK: Refused archives (written by Python's zipfile)

  @Test func refusedArchivesNameTheEntry() {
    #expect(
      thrownError { try NumPyArchive.read(ArrayFixtures.bytes("reject_duplicate.npz")) }
        == .duplicateName("a.npy"))
    #expect(
      thrownError { try NumPyArchive.read(ArrayFixtures.bytes("reject_not_npy.npz")) }
        == .notNumPyEntry(name: "notes.txt"))
    #expect(
      thrownError { try NumPyArchive.read(ArrayFixtures.bytes("reject_bzip2.npz")) }
        == .unsupportedArchiveFeature(
          entry: "a.npy", reason: "compression method 12 (only stored and deflate)"))
    let bad = thrownError { try NumPyArchive.read(ArrayFixtures.bytes("reject_bad_entry.npz")) }
    guard case .inEntry("bad.npy", .malformedHeader(_, let reason)) = bad else {
      Issue.record("\(String(describing: bad))")
      return
    }
    #expect(reason.contains("not a dict"))
    #expect(bad?.description.hasPrefix("archive entry \"bad.npy\": .npy header at offset") == true)
    #expect(
      thrownError { try NumPyArchive.read(Array("{\"x\": 1}".utf8)) }
        == .badMagic(format: ".npz (ZIP)", offset: 0, found: Array("{\"x\"".utf8)))
  }

  // MARK: Headers that lie

  @Test func crcMismatch() {
    var b = ArrayFixtures.bytes("stored.npz")
    let layout = ZipLayout(b)
    b[layout.data(b, 1) + 128] ^= 0x01  // a value byte of "bias.npy" (after its 128-byte header)
    guard
      case .checksumMismatch("bias.npy", let declared, let computed) = thrownError({
        try NumPyArchive.read(b)
      })
    else {
      Issue.record("no checksum error")
      return
    }
    #expect(declared != computed)
  }

  @Test func declaredSizesThatLie() throws {
    let original = ArrayFixtures.bytes("streamed.npz")  // data descriptors: the directory alone declares sizes
    let layout = ZipLayout(original)
    let cd = layout.central[0]
    let compressed = original.read32(cd + 20)
    let uncompressed = original.read32(cd + 24)
    func patched(_ offset: Int, _ value: UInt32) -> [UInt8] {
      var b = original
      b.write32(offset, value)
      return b
    }
    // Uncompressed size too small: inflation stops at the declared size.
    #expect(
      thrownError { try NumPyArchive.read(patched(cd + 24, uncompressed - 1)) }
        == .limitExceeded(
          what: "entry \"weights.npy\" inflated past its declared size",
          limit: Int(uncompressed) - 1))
    // Too large: the stream ends first.
    #expect(
      thrownError { try NumPyArchive.read(patched(cd + 24, uncompressed + 1)) }
        == .entrySizeMismatch(
          entry: "weights.npy", declared: Int(uncompressed) + 1, actual: Int(uncompressed)))
    // Compressed size one byte too large: the stream ends before it.
    guard
      case .invalidDeflate("weights.npy", _, let reason) = thrownError({
        try NumPyArchive.read(patched(cd + 20, compressed + 1))
      })
    else {
      Issue.record("compressed + 1 accepted")
      return
    }
    #expect(
      reason
        == "the stream ends 1 bytes before the entry's declared compressed size of \(compressed + 1)"
    )
    // One byte too small: the stream is cut.
    guard
      case .invalidDeflate("weights.npy", _, _) = thrownError({
        try NumPyArchive.read(patched(cd + 20, compressed - 1))
      })
    else {
      Issue.record("compressed - 1 accepted")
      return
    }
    // Far past the file.
    guard
      case .truncated(let what, _, 0x7FFF_FFF0, _) = thrownError({
        try NumPyArchive.read(patched(cd + 20, 0x7FFF_FFF0))
      })
    else {
      Issue.record("huge compressed size accepted")
      return
    }
    #expect(what == "the data of entry \"weights.npy\"")
    // A local header that disagrees with the directory (numpy's seekable archives).
    var stored = ArrayFixtures.bytes("stored.npz")
    stored.write32(ZipLayout(stored).central[0] + 24, 225)
    guard case .malformedArchive(14, let r) = thrownError({ try NumPyArchive.read(stored) }) else {
      Issue.record("local/central disagreement accepted")
      return
    }
    #expect(r.contains("the local header declares"))
  }

  @Test func offsetsOutsideTheFile() {
    let original = ArrayFixtures.bytes("stored.npz")
    let layout = ZipLayout(original)
    var b = original
    b.write32(layout.central[1] + 42, 0x7FFF_FFFF)  // local header offset
    guard case .malformedArchive(_, let r1) = thrownError({ try NumPyArchive.read(b) }) else {
      Issue.record("bad local offset accepted")
      return
    }
    #expect(r1.contains("local header offset 2147483647"))
    b = original
    b.write32(layout.end + 16, 0xFFFF_FFF0)  // central directory offset
    guard case .malformedArchive(layout.end, let r2) = thrownError({ try NumPyArchive.read(b) })
    else {
      Issue.record("bad directory offset accepted")
      return
    }
    #expect(r2.contains("does not lie before the end record"))
    b = original
    b.write16(layout.end + 8, 0xFFFF)
    b.write16(layout.end + 10, 0xFFFF)  // entry count
    #expect(
      thrownError { try NumPyArchive.read(b) }
        == .malformedArchive(
          offset: layout.end,
          reason:
            "65535 entries cannot fit in a central directory of \(b.read32(layout.end + 12)) bytes")
    )
    b = original
    b.write16(layout.end + 4, 1)  // disk number
    #expect(
      thrownError { try NumPyArchive.read(b) }
        == .unsupportedArchiveFeature(entry: "", reason: "multi-disk archive"))
    b = original
    b.write16(layout.central[0] + 8, 1)  // encrypted
    #expect(
      thrownError { try NumPyArchive.read(b) }
        == .unsupportedArchiveFeature(entry: "weights.npy", reason: "encryption"))
    // The ZIP64 locator pointing past the file.
    var z = ArrayFixtures.bytes("zip64_everywhere.npz")
    z.write64(z.count - 42 + 8, 1 << 40)
    guard case .malformedArchive(_, let r3) = thrownError({ try NumPyArchive.read(z) }) else {
      Issue.record("bad ZIP64 locator accepted")
      return
    }
    #expect(r3.contains("ZIP64 end record offset"))
    // No end record at all (the last bytes cut), and every other prefix.
    #expect(
      thrownError { try NumPyArchive.read(Array(original.dropLast(1))) }
        == .malformedArchive(
          offset: original.count - 1, reason: "no end-of-central-directory record"))
    for n in stride(from: 0, to: original.count, by: 7) {
      #expect(thrownError { try NumPyArchive.read(Array(original[0..<n])) } != nil)
    }
  }

  @Test func overlappingEntriesAreRefused() {
    var b = ArrayFixtures.bytes("reject_duplicate.npz")
    let layout = ZipLayout(b)
    b.write32(layout.central[1] + 42, 0)  // the second record reuses the first local header
    for k in 16..<28 { b[layout.central[1] + k] = b[layout.central[0] + k] }  // with its CRC and sizes
    #expect(
      thrownError { try NumPyArchive.read(b) }
        == .malformedArchive(offset: 0, reason: "entry \"a.npy\" overlaps entry \"a.npy\""))
  }

  // MARK: Decompression bombs

  /// A fixed-Huffman stream of `literals` then `count` zero bytes: a literal 0, then
  /// matches of 258 at distance 1 (13 bits per 258 bytes).
  static func zeros(_ count: Int, after literals: [UInt8] = []) -> [UInt8] {
    var w = BitWriter()
    w.bits(1, 1)
    w.bits(1, 2)
    for b in literals { w.fixedSymbol(Int(b)) }
    w.fixedSymbol(0)
    var left = count - 1
    while left >= 258 {
      w.fixedSymbol(285)
      w.code(0, 5)
      left -= 258
    }
    for _ in 0..<left { w.fixedSymbol(0) }
    w.fixedSymbol(256)
    return w.bytes
  }

  @Test func expansionIsCappedByTheDeclaredSizeAndTheGlobalLimit() throws {
    let megabyte = 1 << 20
    let stream = Self.zeros(megabyte)
    #expect(stream.count < 7000)
    let content = [UInt8](repeating: 0, count: megabyte)
    // Declared 100 bytes: stops at 100.
    var lying = ZipBuilder()
    lying.deflated("bomb.npy", stream, content: content)
    lying.entries[0].uncompressedSize = 100
    #expect(
      thrownError { try NumPyArchive.read(lying.build()) }
        == .limitExceeded(what: "entry \"bomb.npy\" inflated past its declared size", limit: 100))
    // Declared over the global limit: refused before decoding.
    lying.entries[0].uncompressedSize = 0x7FFF_FFFF
    guard case .limitExceeded(_, 1 << 30) = thrownError({ try NumPyArchive.read(lying.build()) })
    else {
      Issue.record("2 GiB declaration accepted")
      return
    }
    // Honest: 1 MiB inflates, and is then not a .npy.
    lying.entries[0].uncompressedSize = megabyte
    #expect(
      thrownError { try NumPyArchive.read(lying.build()) }
        == .inEntry("bomb.npy", .badMagic(format: ".npy", offset: 0, found: [0, 0, 0, 0, 0, 0])))
    // Honest, but over a (test-sized) global limit, which counts all entries together.
    let header = makeNumPy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (4984,), }")
    let npy = header + [UInt8](repeating: 0, count: 4984 * 8)
    var honest = ZipBuilder()
    honest.deflated("a.npy", Self.zeros(4984 * 8, after: header), content: npy)
    honest.deflated("b.npy", Self.zeros(4984 * 8, after: header), content: npy)
    guard
      case .limitExceeded(let what, 65_536 - npy.count) = thrownError({
        try NumPyArchive.read(honest.build(), limit: 65_536)
      })
    else {
      Issue.record("global limit not applied across entries")
      return
    }
    #expect(what.contains("\"b.npy\""))
    // Within the limits both read.
    let arrays = try NumPyArchive.read(honest.build())
    #expect(
      arrays.map(\.name) == ["a", "b"]
        && arrays.allSatisfy { $0.array.values == [Double](repeating: 0, count: 4984) })
  }

  @Test func storedEntryWhoseSizesDisagree() {
    var z = ZipBuilder()
    z.stored("a.npy", [1, 2, 3])
    z.entries[0].uncompressedSize = 4
    #expect(
      thrownError { try NumPyArchive.read(z.build()) }
        == .entrySizeMismatch(entry: "a.npy", declared: 4, actual: 3))
  }

  @Test func namesWithoutTheUTF8FlagAreCP437() throws {
    var z = ZipBuilder()
    let npy = makeNumPy(
      header: "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", data: float64Bytes([1]))
    z.stored("x.npy", npy)
    var b = z.build()
    // Rename "x" to byte 0x82 (CP437 'é') in both headers.
    b[30] = 0x82
    b[ZipLayout(b).central[0] + 46] = 0x82
    #expect(try NumPyArchive.read(b).map(\.name) == ["\u{E9}"])
  }
}
