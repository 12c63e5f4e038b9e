/// A ZIP archive read through its central directory (PKWARE APPNOTE 6.3), as much of the
/// format as numpy's `np.savez` and `np.savez_compressed` (Python's `zipfile`) write.
///
/// Reading starts from the end-of-central-directory record (and the ZIP64 locator and
/// record when present), walks the central directory, then checks each entry's local
/// header against its directory record. Supported: stored (method 0) and deflate (8)
/// entries; ZIP64 extra fields (numpy writes every entry with `force_zip64=True`, so local
/// headers carry sizes of 0xFFFFFFFF and the real sizes in the extra field); data
/// descriptors (flag bit 3, written to non-seekable streams: sizes and CRC come from the
/// central directory); UTF-8 (flag bit 11) and CP437 names.
///
/// Edges: every offset and size from the file is checked against the file before use
/// (`truncated` or `malformedArchive`); entries may not overlap each other or the central
/// directory (which defeats overlapping-entry "zip bombs"); the declared entry count must
/// fit the directory's size before anything is allocated for it; encryption, multi-disk
/// archives and other compression methods are `unsupportedArchiveFeature`. Extraction caps
/// the output at the entry's declared size and at a caller's limit, and checks the CRC-32.
struct ZipArchive {
  struct Entry {
    let name: String
    let method: UInt16
    let flags: UInt16
    let crc: UInt32
    let compressedSize: Int
    let uncompressedSize: Int
    /// Offset of the local file header.
    let headerOffset: Int
    /// Offset of the entry's (compressed) data, after the local header.
    let dataOffset: Int
  }

  let bytes: [UInt8]
  /// The entries in central-directory order.
  let entries: [Entry]

  static let localSignature: UInt32 = 0x0403_4B50
  static let centralSignature: UInt32 = 0x0201_4B50
  static let endSignature: UInt32 = 0x0605_4B50
  static let zip64EndSignature: UInt32 = 0x0606_4B50
  static let zip64LocatorSignature: UInt32 = 0x0706_4B50

  init(_ bytes: [UInt8]) throws(ArrayFileError) {
    self.bytes = bytes
    let r = ByteReader(bytes)
    // A numpy archive starts with a local header, or is an empty archive (only the end
    // record): anything else is not a ZIP file at all.
    let start = r.contains(0, 4) ? try r.uint32(at: 0, "") : 0
    guard start == Self.localSignature || start == Self.endSignature else {
      throw .badMagic(format: ".npz (ZIP)", offset: 0, found: r.prefix(0, 4))
    }
    let end = try Self.findEnd(r)
    let directory = try Self.directoryBounds(r, end: end)
    var entries: [Entry] = []
    var p = directory.offset
    let directoryEnd = directory.offset + directory.size
    for _ in 0..<directory.count {
      let (entry, next) = try Self.centralRecord(
        r, at: p, directoryEnd: directoryEnd, directoryStart: directory.offset)
      entries.append(entry)
      p = next
    }
    guard p == directoryEnd else {
      throw .malformedArchive(
        offset: p,
        reason:
          "the central directory holds \(directoryEnd - p) bytes after its \(directory.count) declared entries"
      )
    }
    // No two entries share bytes (local header through data).
    let ordered = entries.sorted { $0.headerOffset < $1.headerOffset }
    for (a, b) in zip(ordered, ordered.dropFirst())
    where a.dataOffset + a.compressedSize > b.headerOffset {
      throw .malformedArchive(
        offset: b.headerOffset, reason: "entry \"\(b.name)\" overlaps entry \"\(a.name)\"")
    }
    self.entries = entries
  }

  // MARK: Directory

  /// The offset of the end-of-central-directory record: the last signature whose comment
  /// length reaches exactly the end of the file.
  static func findEnd(_ r: ByteReader) throws(ArrayFileError) -> Int {
    guard r.count >= 22 else {
      throw .truncated(
        what: "the ZIP end-of-central-directory record", offset: 0, needed: 22, available: r.count)
    }
    var e = r.count - 22
    let lowest = Swift.max(0, r.count - 22 - 0xFFFF)
    while e >= lowest {
      if r.bytes[e] == 0x50, r.bytes[e + 1] == 0x4B, r.bytes[e + 2] == 0x05, r.bytes[e + 3] == 0x06,
        Int(try r.uint16(at: e + 20, "")) == r.count - e - 22
      {
        return e
      }
      e -= 1
    }
    throw .malformedArchive(offset: r.count, reason: "no end-of-central-directory record")
  }

  /// Offset, size and entry count of the central directory, from the end record or the
  /// ZIP64 end record.
  static func directoryBounds(_ r: ByteReader, end e: Int) throws(ArrayFileError) -> (
    offset: Int, size: Int, count: Int
  ) {
    let what = "the end-of-central-directory record"
    var disk = UInt64(try r.uint16(at: e + 4, what))
    var directoryDisk = UInt64(try r.uint16(at: e + 6, what))
    var entriesOnDisk = UInt64(try r.uint16(at: e + 8, what))
    var count = UInt64(try r.uint16(at: e + 10, what))
    var size = UInt64(try r.uint32(at: e + 12, what))
    var offset = UInt64(try r.uint32(at: e + 16, what))
    var limit = e  // the directory ends before the end record(s)
    if e >= 20, try r.uint32(at: e - 20, "") == zip64LocatorSignature {
      let locator = e - 20
      let recordOffset = try int(
        try r.uint64(at: locator + 8, "the ZIP64 locator"), at: locator + 8)
      guard try r.uint32(at: locator + 4, "the ZIP64 locator") == 0,
        try r.uint32(at: locator + 16, "the ZIP64 locator") <= 1
      else {
        throw .unsupportedArchiveFeature(entry: "", reason: "multi-disk archive")
      }
      guard recordOffset <= locator - 56 else {
        throw .malformedArchive(
          offset: locator + 8,
          reason:
            "the ZIP64 end record offset \(recordOffset) is not before the locator at \(locator)")
      }
      let w = "the ZIP64 end-of-central-directory record"
      guard try r.uint32(at: recordOffset, w) == zip64EndSignature else {
        throw .badMagic(
          format: "ZIP64 end-of-central-directory record", offset: recordOffset,
          found: r.prefix(recordOffset, 4))
      }
      disk = UInt64(try r.uint32(at: recordOffset + 16, w))
      directoryDisk = UInt64(try r.uint32(at: recordOffset + 20, w))
      entriesOnDisk = try r.uint64(at: recordOffset + 24, w)
      count = try r.uint64(at: recordOffset + 32, w)
      size = try r.uint64(at: recordOffset + 40, w)
      offset = try r.uint64(at: recordOffset + 48, w)
      limit = recordOffset
    }
    guard disk == 0, directoryDisk == 0, entriesOnDisk == count else {
      throw .unsupportedArchiveFeature(entry: "", reason: "multi-disk archive")
    }
    let o = try int(offset, at: e + 16)
    let s = try int(size, at: e + 12)
    guard o <= limit, s <= limit - o else {
      throw .malformedArchive(
        offset: e,
        reason:
          "the central directory (\(size) bytes at offset \(offset)) does not lie before the end record at \(limit)"
      )
    }
    // Each directory record takes at least 46 bytes.
    guard count <= UInt64(s / 46) else {
      throw .malformedArchive(
        offset: e, reason: "\(count) entries cannot fit in a central directory of \(s) bytes")
    }
    return (o, s, Int(count))
  }

  /// One central-directory record at `p`, with its local header checked.
  static func centralRecord(_ r: ByteReader, at p: Int, directoryEnd: Int, directoryStart: Int)
    throws(ArrayFileError) -> (Entry, next: Int)
  {
    let what = "a central directory record"
    guard p <= directoryEnd - 46 else {
      throw .malformedArchive(
        offset: p,
        reason: "a central directory record runs past the directory's end at \(directoryEnd)")
    }
    guard try r.uint32(at: p, what) == centralSignature else {
      throw .badMagic(format: "ZIP central directory record", offset: p, found: r.prefix(p, 4))
    }
    let flags = try r.uint16(at: p + 8, what)
    let method = try r.uint16(at: p + 10, what)
    let crc = try r.uint32(at: p + 16, what)
    let compressed32 = try r.uint32(at: p + 20, what)
    let uncompressed32 = try r.uint32(at: p + 24, what)
    let nameLength = Int(try r.uint16(at: p + 28, what))
    let extraLength = Int(try r.uint16(at: p + 30, what))
    let commentLength = Int(try r.uint16(at: p + 32, what))
    let disk32 = try r.uint16(at: p + 34, what)
    let offset32 = try r.uint32(at: p + 42, what)
    let next = p + 46 + nameLength + extraLength + commentLength
    guard next <= directoryEnd else {
      throw .malformedArchive(
        offset: p,
        reason: "a central directory record runs past the directory's end at \(directoryEnd)")
    }
    let nameBytes = try r.slice(p + 46, nameLength, what)
    let name = try decodeName(nameBytes, utf8: flags & 0x800 != 0, at: p + 46)

    // ZIP64: the saturated fields, in this order, are in extra field 0x0001.
    var uncompressed = UInt64(uncompressed32)
    var compressed = UInt64(compressed32)
    var offset = UInt64(offset32)
    var disk = UInt64(disk32)
    if let z = try extraField(0x0001, r, at: p + 46 + nameLength, length: extraLength) {
      var q = z.offset
      func take(_ width: Int) throws(ArrayFileError) -> UInt64 {
        guard q + width <= z.offset + z.length else {
          throw .malformedArchive(
            offset: z.offset, reason: "entry \"\(name)\": ZIP64 extra field too short")
        }
        defer { q += width }
        return width == 8
          ? try r.uint64(at: q, "a ZIP64 extra field")
          : UInt64(try r.uint32(at: q, "a ZIP64 extra field"))
      }
      if uncompressed32 == 0xFFFF_FFFF { uncompressed = try take(8) }
      if compressed32 == 0xFFFF_FFFF { compressed = try take(8) }
      if offset32 == 0xFFFF_FFFF { offset = try take(8) }
      if disk32 == 0xFFFF { disk = try take(4) }
    }
    guard disk == 0 else {
      throw .unsupportedArchiveFeature(entry: name, reason: "multi-disk archive")
    }
    guard flags & 0x41 == 0 else {
      throw .unsupportedArchiveFeature(entry: name, reason: "encryption")
    }
    guard method == 0 || method == 8 else {
      throw .unsupportedArchiveFeature(
        entry: name, reason: "compression method \(method) (only stored and deflate)")
    }
    let compressedSize = try int(compressed, at: p + 20)
    let uncompressedSize = try int(uncompressed, at: p + 24)
    let headerOffset = try int(offset, at: p + 42)

    // The local header: same name and method, sizes and CRC consistent unless deferred to a
    // data descriptor, data inside the file and before the central directory.
    let lw = "the local header of entry \"\(name)\""
    guard headerOffset <= directoryStart - 30 else {
      throw .malformedArchive(
        offset: p + 42,
        reason:
          "entry \"\(name)\": local header offset \(headerOffset) is not before the central directory at \(directoryStart)"
      )
    }
    guard try r.uint32(at: headerOffset, lw) == localSignature else {
      throw .badMagic(
        format: "ZIP local header", offset: headerOffset, found: r.prefix(headerOffset, 4))
    }
    let localFlags = try r.uint16(at: headerOffset + 6, lw)
    let localMethod = try r.uint16(at: headerOffset + 8, lw)
    let localCRC = try r.uint32(at: headerOffset + 14, lw)
    let localCompressed32 = try r.uint32(at: headerOffset + 18, lw)
    let localUncompressed32 = try r.uint32(at: headerOffset + 22, lw)
    let localNameLength = Int(try r.uint16(at: headerOffset + 26, lw))
    let localExtraLength = Int(try r.uint16(at: headerOffset + 28, lw))
    guard try r.slice(headerOffset + 30, localNameLength, lw) == nameBytes else {
      throw .malformedArchive(
        offset: headerOffset + 30,
        reason: "entry \"\(name)\": the local header names a different file")
    }
    guard localMethod == method else {
      throw .malformedArchive(
        offset: headerOffset + 8,
        reason: "entry \"\(name)\": local header method \(localMethod), central directory \(method)"
      )
    }
    if localFlags & 0x08 == 0 {
      var localCompressed = UInt64(localCompressed32)
      var localUncompressed = UInt64(localUncompressed32)
      if let z = try extraField(
        0x0001, r, at: headerOffset + 30 + localNameLength, length: localExtraLength)
      {
        var q = z.offset
        if localUncompressed32 == 0xFFFF_FFFF, q + 8 <= z.offset + z.length {
          localUncompressed = try r.uint64(at: q, lw)
          q += 8
        }
        if localCompressed32 == 0xFFFF_FFFF, q + 8 <= z.offset + z.length {
          localCompressed = try r.uint64(at: q, lw)
        }
      }
      guard localCRC == crc, localCompressed == compressed, localUncompressed == uncompressed else {
        throw .malformedArchive(
          offset: headerOffset + 14,
          reason:
            "entry \"\(name)\": the local header declares CRC \(localCRC), sizes \(localCompressed)/\(localUncompressed); the central directory \(crc), \(compressed)/\(uncompressed)"
        )
      }
    }
    let dataOffset = headerOffset + 30 + localNameLength + localExtraLength
    guard dataOffset <= directoryStart, compressedSize <= directoryStart - dataOffset else {
      throw .truncated(
        what: "the data of entry \"\(name)\"", offset: dataOffset, needed: compressedSize,
        available: Swift.max(0, directoryStart - dataOffset))
    }
    let entry = Entry(
      name: name, method: method, flags: flags, crc: crc, compressedSize: compressedSize,
      uncompressedSize: uncompressedSize, headerOffset: headerOffset, dataOffset: dataOffset)
    return (entry, next)
  }

  /// The data span of extra field `id` inside the extra block at `offset`, or nil.
  static func extraField(_ id: UInt16, _ r: ByteReader, at offset: Int, length: Int)
    throws(ArrayFileError) -> (offset: Int, length: Int)?
  {
    var q = offset
    let end = offset + length
    while q < end {
      guard end - q >= 4 else {
        throw .malformedArchive(offset: q, reason: "extra field header runs past the extra block")
      }
      let fieldID = try r.uint16(at: q, "an extra field")
      let size = Int(try r.uint16(at: q + 2, "an extra field"))
      guard size <= end - q - 4 else {
        throw .malformedArchive(
          offset: q, reason: "extra field of \(size) bytes runs past the extra block")
      }
      if fieldID == id { return (q + 4, size) }
      q += 4 + size
    }
    return nil
  }

  /// A size or offset as `Int`, or `malformedArchive` if it cannot be one.
  static func int(_ v: UInt64, at offset: Int) throws(ArrayFileError) -> Int {
    guard v <= UInt64(Int.max) else {
      throw .malformedArchive(offset: offset, reason: "size or offset \(v) is too large")
    }
    return Int(v)
  }

  /// An entry name: UTF-8 when flag bit 11 says so, CP437 otherwise.
  static func decodeName(_ bytes: [UInt8], utf8: Bool, at offset: Int) throws(ArrayFileError)
    -> String
  {
    if utf8 {
      guard let s = String(validating: bytes, as: UTF8.self) else {
        throw .malformedArchive(
          offset: offset, reason: "entry name is flagged UTF-8 but is not valid UTF-8")
      }
      return s
    }
    var s = ""
    for b in bytes {
      let scalar = b < 0x80 ? UnicodeScalar(b) : UnicodeScalar(cp437High[Int(b) - 0x80]) ?? "?"
      s.unicodeScalars.append(scalar)
    }
    return s
  }

  /// Code page 437, bytes 0x80 ... 0xFF.
  static let cp437High: [UInt32] = [
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF,
    0x00EE, 0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9,
    0x00FF, 0x00D6, 0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA,
    0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB,
    0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557,
    0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F,
    0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
    0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580,
    0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4,
    0x221E, 0x03C6, 0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248,
    0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
  ]

  // MARK: Extraction

  /// The entry's uncompressed bytes, CRC-checked.
  ///
  /// - Parameter limit: the most bytes this extraction may produce (the caller's remaining
  ///   global budget); the entry's declared size caps it too.
  /// - Throws: `limitExceeded` when the declared size is over `limit` (before decoding) or
  ///   the data would inflate past either; `invalidDeflate`; `entrySizeMismatch`;
  ///   `checksumMismatch`.
  func contents(of entry: Entry, limit: Int) throws(ArrayFileError) -> [UInt8] {
    guard entry.uncompressedSize <= limit else {
      throw .limitExceeded(
        what:
          "the decompressed data of the archive (at entry \"\(entry.name)\", \(entry.uncompressedSize) bytes)",
        limit: limit)
    }
    let data: [UInt8]
    switch entry.method {
    case 0:
      guard entry.compressedSize == entry.uncompressedSize else {
        throw .entrySizeMismatch(
          entry: entry.name, declared: entry.uncompressedSize, actual: entry.compressedSize)
      }
      data = Array(bytes[entry.dataOffset..<(entry.dataOffset + entry.compressedSize)])
    default:
      let end = entry.dataOffset + entry.compressedSize
      let result: (output: [UInt8], end: Int)
      do {
        result = try Inflate.decompress(
          bytes, from: entry.dataOffset, to: end, limit: entry.uncompressedSize,
          expectedSize: entry.uncompressedSize)
      } catch {
        switch error {
        case .invalid(let offset, let reason):
          throw .invalidDeflate(entry: entry.name, offset: offset, reason: reason)
        case .outputLimit(let l):
          throw .limitExceeded(
            what: "entry \"\(entry.name)\" inflated past its declared size", limit: l)
        }
      }
      guard result.output.count == entry.uncompressedSize else {
        throw .entrySizeMismatch(
          entry: entry.name, declared: entry.uncompressedSize, actual: result.output.count)
      }
      guard result.end == end else {
        throw .invalidDeflate(
          entry: entry.name, offset: result.end,
          reason:
            "the stream ends \(end - result.end) bytes before the entry's declared compressed size of \(entry.compressedSize)"
        )
      }
      data = result.output
    }
    let crc = CRC32.checksum(data)
    guard crc == entry.crc else {
      throw .checksumMismatch(entry: entry.name, declared: entry.crc, computed: crc)
    }
    return data
  }
}
