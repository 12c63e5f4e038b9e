import Foundation
import Testing

@testable import SymGradArrayFiles

/// The DEFLATE decoder against zlib's streams (levels 0, 1, 6, 9 and the fixed, Huffman-only
/// and RLE strategies), then hand-made invalid streams, each refused with its reason.
@Suite struct InflateTests {
  static let streams = [
    "stored.raw", "level1.raw", "level6.raw", "level9.raw", "fixed.raw", "huffman_only.raw",
    "rle.raw",
  ]

  static func inflate(_ bytes: [UInt8], limit: Int = 1 << 30) throws(Inflate.Failure) -> [UInt8] {
    let (output, end) = try Inflate.decompress(bytes, limit: limit)
    #expect(end == bytes.count)
    return output
  }

  @Test(arguments: streams)
  func decodesZlibStreams(_ name: String) throws {
    let input = ArrayFixtures.bytes("deflate/input.bin")
    #expect(input.count > 20_000)
    let stream = ArrayFixtures.bytes("deflate/" + name)
    #expect(!stream.isEmpty)
    let output = try Self.inflate(stream)
    #expect(output == input)
    // The same stream within a larger buffer: only start..<end is read, and the end is found.
    let framed = [0xAA, 0xBB] + stream + [0xCC]
    let (inner, end) = try Inflate.decompress(framed, from: 2, to: framed.count - 1, limit: 1 << 30)
    #expect(inner == input && end == framed.count - 1)
    // One byte short of the whole stream is always an error (the final block is cut).
    #expect(throws: Inflate.Failure.self) {
      try Inflate.decompress(stream, to: stream.count - 1, limit: 1 << 30)
    }
    // The output limit holds exactly.
    #expect(throws: Inflate.Failure.outputLimit(input.count - 1)) {
      try Inflate.decompress(stream, limit: input.count - 1)
    }
    #expect(try Inflate.decompress(stream, limit: input.count).output == input)
  }

  @Test func streamsUseTheBlockTypesTheyClaim() {
    // The first block's type (bits 1-2): stored 0, fixed 1, dynamic 2.
    func firstBlockType(_ name: String) -> UInt8 {
      ArrayFixtures.bytes("deflate/" + name).first.map { $0 >> 1 & 3 } ?? 9
    }
    #expect(firstBlockType("stored.raw") == 0)
    #expect(firstBlockType("fixed.raw") == 1)
    #expect(firstBlockType("level6.raw") == 2)
    #expect(firstBlockType("level9.raw") == 2)
  }

  @Test func prefixesOfAStreamFailCleanly() throws {
    let stream = ArrayFixtures.bytes("deflate/level6.raw")
    for n in stride(from: 0, to: stream.count, by: 61) {
      #expect(throws: Inflate.Failure.self) {
        try Inflate.decompress(stream, to: n, limit: 1 << 30)
      }
    }
  }

  @Test func crcCheckValue() {
    #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    #expect(CRC32.checksum([]) == 0)
  }

  // MARK: Invalid streams

  static func reason(_ bytes: [UInt8]) -> String? {
    do {
      _ = try Inflate.decompress(bytes, limit: 1 << 20)
      return nil
    } catch {
      if case .invalid(_, let r) = error { return r }
      return "\(error)"
    }
  }

  static func fixedBlock(_ body: (inout BitWriter) -> Void) -> [UInt8] {
    var w = BitWriter()
    w.bits(1, 1)
    w.bits(1, 2)
    body(&w)
    return w.bytes
  }

  @Test func hostileStreams() {
    #expect(Self.reason([]) == "the stream ends inside a block")
    #expect(Self.reason([0x07]) == "reserved block type 3")
    // Stored: LEN and NLEN disagree; LEN past the input.
    #expect(
      Self.reason([0x01, 0x05, 0x00, 0x00, 0x00])
        == "stored block length 5 does not match its complement")
    #expect(
      Self.reason([0x01, 0x05, 0x00, 0xFA, 0xFF, 0x41])
        == "stored block of 5 bytes runs past the end of the stream (1 bytes left)")
    // Fixed: a match before any output, a too-far distance, invalid symbols.
    #expect(
      Self.reason(
        Self.fixedBlock { w in
          w.fixedSymbol(257)
          w.code(0, 5)
        }) == "distance 1 too far back (0 bytes produced)")
    #expect(
      Self.reason(
        Self.fixedBlock { w in
          w.fixedSymbol(65)
          w.fixedSymbol(257)
          w.code(1, 5)
        }) == "distance 2 too far back (1 bytes produced)")
    #expect(Self.reason(Self.fixedBlock { w in w.fixedSymbol(286) }) == "invalid length symbol 286")
    #expect(
      Self.reason(
        Self.fixedBlock { w in
          w.fixedSymbol(65)
          w.fixedSymbol(257)
          w.code(30, 5)
        }) == "invalid distance symbol 30")
    // Fixed block without an end-of-block code.
    #expect(
      Self.reason(Self.fixedBlock { w in w.fixedSymbol(65) }) == "the stream ends inside a block")
    // A non-final empty block and nothing after it.
    #expect(
      Self.reason(Self.fixedBlock { w in w.fixedSymbol(256) }.map { $0 & 0xFE })
        == "the stream ends inside a block")
  }

  /// A dynamic block header: HLIT, HDIST, HCLEN and the code-length code's lengths (in the
  /// RFC's permuted order), then whatever `body` writes.
  static func dynamicBlock(
    literals: Int = 257, distances: Int = 1, codeLengths: [Int],
    _ body: (inout BitWriter) -> Void = { _ in }
  ) -> [UInt8] {
    var w = BitWriter()
    w.bits(1, 1)
    w.bits(2, 2)
    w.bits(literals - 257, 5)
    w.bits(distances - 1, 5)
    w.bits(codeLengths.count - 4, 4)
    for l in codeLengths { w.bits(l, 3) }
    body(&w)
    return w.bytes
  }

  @Test func hostileDynamicHeaders() {
    // Code-length code over-subscribed: three codes of length 1.
    #expect(
      Self.reason(Self.dynamicBlock(codeLengths: [1, 1, 1, 0]))
        == "code-length code: over-subscribed code lengths")
    // Incomplete code-length code (zlib refuses it, even for one code).
    #expect(
      Self.reason(Self.dynamicBlock(codeLengths: [0, 0, 0, 1]))
        == "code-length code: incomplete code lengths")
    // Too many symbols declared.
    #expect(
      Self.reason(Self.dynamicBlock(literals: 287, codeLengths: [0, 0, 0, 0]))
        == "too many length or distance symbols (287, 1)")
    // The order is 16, 17, 18, 0, 8, ...: give symbols 16 and 0 one-bit codes
    // (canonical: "0" is 0, "1" is 16), then repeat with no previous length.
    let repeatFirst = Self.dynamicBlock(codeLengths: [1, 0, 0, 1]) { w in
      w.code(1, 1)
      w.bits(0, 2)
    }
    #expect(Self.reason(repeatFirst) == "repeat of a code length with no previous length")
    // All lengths zero (symbol 18 = "1", 0 = "0" with 18 and 0 as the two one-bit codes):
    // 11 + 127 zeros, 11 + 109 zeros = 258 lengths, no end-of-block code.
    let noEnd = Self.dynamicBlock(codeLengths: [0, 0, 1, 1]) { w in
      w.code(1, 1)
      w.bits(127, 7)
      w.code(1, 1)
      w.bits(109, 7)
    }
    #expect(Self.reason(noEnd) == "no end-of-block code")
    // Repeats past the declared symbol count.
    let overrun = Self.dynamicBlock(codeLengths: [0, 0, 1, 1]) { w in
      w.code(1, 1)
      w.bits(127, 7)
      w.code(1, 1)
      w.bits(127, 7)
    }
    #expect(Self.reason(overrun) == "code lengths repeat past the 258 symbols")
    // Incomplete literal/length code: two symbols (65 and 256) of length 2 plus nothing else.
    // Code-length code: symbols 0 and 2 one-bit ("0" -> 0, "1" -> 2); the list order puts
    // 0 at position 3 and 2 at position 15.
    var order = [Int](repeating: 0, count: 16)
    order[3] = 1
    order[15] = 1
    let incomplete = Self.dynamicBlock(codeLengths: order) { w in
      for s in 0..<258 { w.code(s == 65 || s == 256 ? 1 : 0, 1) }
    }
    #expect(Self.reason(incomplete) == "literal/length code: incomplete code lengths")
  }

  /// A single literal/length code of length 1 plus a one-symbol distance code is legal
  /// (zlib accepts an incomplete code only in that form); the invalid half of the code
  /// is then refused when met.
  @Test func singleCodeOfLengthOneIsAcceptedAndItsUnusedHalfRefused() throws {
    // Lengths: 256 -> 1 (only end-of-block), distance 0 -> 1.
    // Code-length code: symbols 0 and 1 with one-bit codes ("0" -> 0, "1" -> 1); in list
    // order 0 is position 3 and 1 is position 17.
    var order = [Int](repeating: 0, count: 18)
    order[3] = 1
    order[17] = 1
    func block(_ endBit: Int) -> [UInt8] {
      Self.dynamicBlock(codeLengths: order) { w in
        for s in 0..<258 { w.code(s == 256 || s == 257 ? 1 : 0, 1) }
        w.code(endBit, 1)
      }
    }
    #expect(try Inflate.decompress(block(0), limit: 10).output.isEmpty)
    #expect(Self.reason(block(1)) != nil)
  }
}
