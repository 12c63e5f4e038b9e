/// Bounds-checked little-endian reads from a byte array, at absolute offsets.
///
/// Every read checks, without overflowing, that the requested bytes lie inside the array
/// and otherwise throws `ArrayFileError.truncated` naming what was being read. File data
/// never reaches an unchecked subscript through this type.
struct ByteReader {
  let bytes: [UInt8]

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  var count: Int { bytes.count }

  /// Whether `length` bytes at `offset` lie inside the array (false on negative values).
  func contains(_ offset: Int, _ length: Int) -> Bool {
    guard offset >= 0, length >= 0, offset <= bytes.count else { return false }
    return length <= bytes.count - offset
  }

  /// Throws `truncated` unless `length` bytes at `offset` lie inside the array.
  func require(_ offset: Int, _ length: Int, _ what: String) throws(ArrayFileError) {
    guard contains(offset, length) else {
      let available = offset >= 0 && offset <= bytes.count ? bytes.count - offset : 0
      throw .truncated(what: what, offset: offset, needed: length, available: available)
    }
  }

  func uint8(at offset: Int, _ what: String) throws(ArrayFileError) -> UInt8 {
    try require(offset, 1, what)
    return bytes[offset]
  }

  func uint16(at offset: Int, _ what: String) throws(ArrayFileError) -> UInt16 {
    try require(offset, 2, what)
    return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
  }

  func uint32(at offset: Int, _ what: String) throws(ArrayFileError) -> UInt32 {
    try require(offset, 4, what)
    var v: UInt32 = 0
    for i in (0..<4).reversed() { v = v << 8 | UInt32(bytes[offset + i]) }
    return v
  }

  func uint64(at offset: Int, _ what: String) throws(ArrayFileError) -> UInt64 {
    try require(offset, 8, what)
    var v: UInt64 = 0
    for i in (0..<8).reversed() { v = v << 8 | UInt64(bytes[offset + i]) }
    return v
  }

  /// A copy of `length` bytes at `offset`.
  func slice(_ offset: Int, _ length: Int, _ what: String) throws(ArrayFileError) -> [UInt8] {
    try require(offset, length, what)
    return Array(bytes[offset..<(offset + length)])
  }

  /// Up to `length` bytes at `offset` (fewer at the end of the array; none outside it), for
  /// error messages that show what was found.
  func prefix(_ offset: Int, _ length: Int) -> [UInt8] {
    guard offset >= 0, offset < bytes.count, length > 0 else { return [] }
    return Array(bytes[offset..<(offset + Swift.min(length, bytes.count - offset))])
  }
}
