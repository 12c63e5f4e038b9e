/// A raw DEFLATE (RFC 1951) decoder: stored, fixed-Huffman and dynamic-Huffman blocks.
///
/// Huffman codes decode through a table indexed by the next 9 bits (7 for the code-length
/// code), which resolves every code of that length or shorter in one lookup; longer codes
/// fall back to canonical bit-by-bit decoding (as in zlib's `puff.c`). Code-length sets are
/// validated as zlib does: an over-subscribed set is an error, and an incomplete one is
/// accepted only for a single code of length 1 (literal/length and distance codes).
///
/// Edges: the output never exceeds `limit` bytes (`Failure.outputLimit` as soon as it
/// would), so a stream that expands hugely stops at the limit without allocating more; the
/// stream must lie within `start..<end` of the input (running out is `Failure.invalid`);
/// every distance is checked against the output produced so far; every table index derives
/// from a value checked against the table's size. Decoding ends at the final block, and
/// the result tells where it ended so the caller can require the stream to fill its entry.
enum Inflate {
  /// Why decoding stopped.
  enum Failure: Error, Equatable {
    /// The stream is invalid near byte `offset` of the input (offsets are absolute).
    case invalid(offset: Int, reason: String)
    /// The output would exceed the limit.
    case outputLimit(Int)
  }

  /// Decodes the raw DEFLATE stream starting at `input[start]`, reading no byte at or past
  /// `end`, producing at most `limit` bytes.
  ///
  /// - Returns: the output and the offset one past the stream's last byte (the byte holding
  ///   the final block's last bit).
  static func decompress(
    _ input: [UInt8], from start: Int = 0, to end: Int? = nil, limit: Int,
    expectedSize: Int? = nil
  ) throws(Failure) -> (output: [UInt8], end: Int) {
    let stop = Swift.max(0, Swift.min(end ?? input.count, input.count))
    var d = Decoder(
      input: input, position: Swift.max(0, Swift.min(start, stop)), end: stop,
      limit: Swift.max(0, limit))
    // Reserve the declared size only as far as the compressed bytes can produce it
    // (DEFLATE expands at most 1032:1) and never more than 64 MiB up front: the output
    // grows past that only as the stream actually produces bytes.
    let (most, overflow) = (stop - d.position).multipliedReportingOverflow(by: 1032)
    let reserve = Swift.min(expectedSize ?? 0, d.limit, overflow ? Int.max : most, 1 << 26)
    if reserve > 0 { d.output.reserveCapacity(reserve) }
    try d.run()
    return (d.output, d.position - d.bitCount / 8)
  }

  // MARK: Tables (RFC 1951 section 3.2.5)

  static let lengthBase: [Int] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
    131, 163, 195, 227, 258,
  ]
  static let lengthExtra: [Int] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
  ]
  static let distanceBase: [Int] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
  ]
  static let distanceExtra: [Int] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
  ]
  /// The order in which a dynamic block lists the code-length code's lengths.
  static let codeLengthOrder: [Int] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
  ]

  /// The fixed literal/length code (block type 1): 288 symbols, complete.
  static let fixedLiterals: HuffmanTable = {
    var lengths = [UInt8](repeating: 8, count: 288)
    for i in 144..<256 { lengths[i] = 9 }
    for i in 256..<280 { lengths[i] = 7 }
    // A complete, valid set: construction cannot fail.
    return (try? HuffmanTable(lengths: lengths, fastBits: 9)) ?? HuffmanTable.empty
  }()
  /// The fixed distance code: 32 five-bit codes (30 and 31 are invalid when decoded).
  static let fixedDistances: HuffmanTable =
    (try? HuffmanTable(lengths: [UInt8](repeating: 5, count: 32), fastBits: 9))
    ?? HuffmanTable.empty

  // MARK: Huffman table

  /// A canonical Huffman code built from code lengths, with a lookup table for short codes.
  struct HuffmanTable {
    /// Indexed by the next `fastBits` input bits: `symbol << 4 | length`, or 0 when the code
    /// there is longer than `fastBits` (or unused).
    var fast: [UInt16]
    var fastBits: Int
    /// `counts[n]`: how many codes have length n (n = 0 ... 15).
    var counts: [Int]
    /// The symbols in canonical code order.
    var symbols: [Int]

    static let empty = HuffmanTable(
      fast: [0, 0], fastBits: 1, counts: [Int](repeating: 0, count: 16), symbols: [])

    private init(fast: [UInt16], fastBits: Int, counts: [Int], symbols: [Int]) {
      self.fast = fast
      self.fastBits = fastBits
      self.counts = counts
      self.symbols = symbols
    }

    /// Builds the code; throws a reason when the lengths are over-subscribed, or incomplete
    /// beyond a single code of length 1 (`allowIncomplete`), or longer than 15.
    init(lengths: [UInt8], fastBits: Int, allowIncomplete: Bool = true) throws(CodeLengthError) {
      var counts = [Int](repeating: 0, count: 16)
      for l in lengths {
        guard l <= 15 else { throw CodeLengthError("code length \(l) over 15") }
        counts[Int(l)] += 1
      }
      counts[0] = 0
      let used = lengths.count - lengths.reduce(0) { $1 == 0 ? $0 + 1 : $0 }
      var left = 1
      for n in 1...15 {
        left = (left << 1) - counts[n]
        if left < 0 { throw CodeLengthError("over-subscribed code lengths") }
      }
      if left > 0 && used > 0 {
        let singleLengthOne = used == 1 && counts[1] == 1
        if !(allowIncomplete && singleLengthOne) {
          throw CodeLengthError("incomplete code lengths")
        }
      }
      // Canonical codes: first code of each length, then symbols in code order.
      var offsets = [Int](repeating: 0, count: 16)
      for n in 1..<15 { offsets[n + 1] = offsets[n] + counts[n] }
      var symbols = [Int](repeating: 0, count: used)
      for (symbol, l) in lengths.enumerated() where l != 0 {
        symbols[offsets[Int(l)]] = symbol
        offsets[Int(l)] += 1
      }
      var fast = [UInt16](repeating: 0, count: 1 << fastBits)
      var code = 0
      var index = 0
      for n in 1...15 {
        for _ in 0..<counts[n] {
          if n <= fastBits {
            // DEFLATE packs Huffman codes most significant bit first into an LSB-first
            // stream: the table is indexed by the code's bits reversed.
            var reversed = 0
            for b in 0..<n where code >> b & 1 != 0 { reversed |= 1 << (n - 1 - b) }
            let entry = UInt16(symbols[index] << 4 | n)
            var i = reversed
            while i < fast.count {
              fast[i] = entry
              i += 1 << n
            }
          }
          code += 1
          index += 1
        }
        code <<= 1
      }
      self.init(fast: fast, fastBits: fastBits, counts: counts, symbols: symbols)
    }
  }

  /// Why a set of code lengths does not define a usable code.
  struct CodeLengthError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
  }

  // MARK: Decoder

  struct Decoder {
    let input: [UInt8]
    /// The next input byte to load into `bitBuffer`.
    var position: Int
    let end: Int
    let limit: Int
    var bitBuffer: UInt64 = 0
    var bitCount = 0
    var output: [UInt8] = []

    init(input: [UInt8], position: Int, end: Int, limit: Int) {
      self.input = input
      self.position = position
      self.end = end
      self.limit = limit
    }

    /// The input byte holding the next unread bit (for error messages).
    var offset: Int { position - bitCount / 8 }

    func invalid(_ reason: String) -> Failure { .invalid(offset: offset, reason: reason) }

    mutating func refill() {
      while bitCount <= 56 && position < end {
        bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
        position += 1
        bitCount += 8
      }
    }

    /// The next `n` bits (n <= 32), least significant first.
    mutating func bits(_ n: Int) throws(Failure) -> Int {
      if bitCount < n {
        refill()
        if bitCount < n { throw invalid("the stream ends inside a block") }
      }
      let v = Int(truncatingIfNeeded: bitBuffer & (UInt64(1) << UInt64(n) - 1))
      bitBuffer >>= UInt64(n)
      bitCount -= n
      return v
    }

    mutating func decode(_ table: HuffmanTable) throws(Failure) -> Int {
      if bitCount < 15 { refill() }
      let entry = table.fast[Int(truncatingIfNeeded: bitBuffer) & (table.fast.count - 1)]
      let n = Int(entry & 15)
      if entry != 0 && n <= bitCount {
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return Int(entry >> 4)
      }
      // Canonical decoding, one bit at a time (codes longer than the table, or too few
      // bits left for the table's answer).
      var code = 0
      var first = 0
      var index = 0
      for n in 1...15 {
        code |= try bits(1)
        let count = table.counts[n]
        if code - count < first {
          let i = index + (code - first)
          guard i >= 0 && i < table.symbols.count else { break }
          return table.symbols[i]
        }
        index += count
        first = (first + count) << 1
        code <<= 1
      }
      throw invalid("invalid Huffman code")
    }

    mutating func run() throws(Failure) {
      var final = false
      while !final {
        final = try bits(1) == 1
        switch try bits(2) {
        case 0: try stored()
        case 1: try codes(Inflate.fixedLiterals, Inflate.fixedDistances)
        case 2:
          let (literals, distances) = try dynamicTables()
          try codes(literals, distances)
        default: throw invalid("reserved block type 3")
        }
      }
    }

    mutating func stored() throws(Failure) {
      // Discard the rest of the current byte, then LEN and NLEN.
      _ = try bits(bitCount % 8)
      let length = try bits(16)
      let complement = try bits(16)
      guard length == ~complement & 0xFFFF else {
        throw invalid("stored block length \(length) does not match its complement")
      }
      // Hand the whole bytes still buffered back to the input.
      position -= bitCount / 8
      bitBuffer = 0
      bitCount = 0
      guard length <= end - position else {
        throw .invalid(
          offset: position,
          reason:
            "stored block of \(length) bytes runs past the end of the stream (\(end - position) bytes left)"
        )
      }
      guard length <= limit - output.count else { throw .outputLimit(limit) }
      output.append(contentsOf: input[position..<(position + length)])
      position += length
    }

    mutating func dynamicTables() throws(Failure) -> (HuffmanTable, HuffmanTable) {
      let literalCount = try bits(5) + 257
      let distanceCount = try bits(5) + 1
      let codeLengthCount = try bits(4) + 4
      guard literalCount <= 286, distanceCount <= 30 else {
        throw invalid("too many length or distance symbols (\(literalCount), \(distanceCount))")
      }
      var codeLengthLengths = [UInt8](repeating: 0, count: 19)
      for i in 0..<codeLengthCount {
        codeLengthLengths[Inflate.codeLengthOrder[i]] = UInt8(try bits(3))
      }
      let codeLengthCode: HuffmanTable
      do {
        codeLengthCode = try HuffmanTable(
          lengths: codeLengthLengths, fastBits: 7, allowIncomplete: false)
      } catch { throw invalid("code-length code: \(error)") }
      var lengths = [UInt8]()
      lengths.reserveCapacity(literalCount + distanceCount)
      while lengths.count < literalCount + distanceCount {
        let symbol = try decode(codeLengthCode)
        var repeated: UInt8 = 0
        let times: Int
        switch symbol {
        case 0..<16:
          lengths.append(UInt8(symbol))
          continue
        case 16:
          guard let last = lengths.last else {
            throw invalid("repeat of a code length with no previous length")
          }
          repeated = last
          times = 3 + (try bits(2))
        case 17: times = 3 + (try bits(3))
        default: times = 11 + (try bits(7))
        }
        guard times <= literalCount + distanceCount - lengths.count else {
          throw invalid("code lengths repeat past the \(literalCount + distanceCount) symbols")
        }
        lengths.append(contentsOf: repeatElement(repeated, count: times))
      }
      guard lengths[256] != 0 else { throw invalid("no end-of-block code") }
      let literals: HuffmanTable
      let distances: HuffmanTable
      do {
        literals = try HuffmanTable(lengths: Array(lengths[0..<literalCount]), fastBits: 9)
      } catch { throw invalid("literal/length code: \(error)") }
      do {
        distances = try HuffmanTable(lengths: Array(lengths[literalCount...]), fastBits: 9)
      } catch { throw invalid("distance code: \(error)") }
      return (literals, distances)
    }

    mutating func codes(_ literals: HuffmanTable, _ distances: HuffmanTable) throws(Failure) {
      while true {
        let symbol = try decode(literals)
        if symbol < 256 {
          guard output.count < limit else { throw .outputLimit(limit) }
          output.append(UInt8(truncatingIfNeeded: symbol))
          continue
        }
        if symbol == 256 { return }
        let l = symbol - 257
        guard l < 29 else { throw invalid("invalid length symbol \(symbol)") }
        let length = Inflate.lengthBase[l] + (try bits(Inflate.lengthExtra[l]))
        let d = try decode(distances)
        guard d < 30 else { throw invalid("invalid distance symbol \(d)") }
        let distance = Inflate.distanceBase[d] + (try bits(Inflate.distanceExtra[d]))
        guard distance <= output.count else {
          throw invalid("distance \(distance) too far back (\(output.count) bytes produced)")
        }
        guard length <= limit - output.count else { throw .outputLimit(limit) }
        // Byte by byte: the source may overlap what is being written (distance < length).
        var from = output.count - distance
        for _ in 0..<length {
          output.append(output[from])
          from += 1
        }
      }
    }
  }
}
