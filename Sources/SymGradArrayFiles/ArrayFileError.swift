/// Why an array file could not be read: what is wrong and where.
///
/// Every reader in this module throws only this type, for every input: a truncated,
/// corrupted or hostile file gives one of these cases, never a crash, a hang or an
/// allocation larger than the bytes present justify. Offsets are 0-based byte offsets in
/// the file (for a `.npy` inside a `.npz`, in the entry's decompressed bytes, and the error
/// is wrapped in `inEntry`); JSON positions are 1-based lines and columns (columns count
/// Unicode scalars).
package enum ArrayFileError: Error, Equatable, Sendable {
  /// The file could not be read from disk (missing, a directory, permissions).
  case unreadable(path: String, reason: String)
  /// Neither the file's extension nor its first bytes name a supported format.
  case unrecognizedFormat(path: String)
  /// The bytes at `offset` are not the format's signature (`format` names what was expected).
  case badMagic(format: String, offset: Int, found: [UInt8])
  /// A format version this reader does not support.
  case unsupportedVersion(format: String, version: String, offset: Int)
  /// The file ends inside `what`: it needs `needed` bytes at `offset`, `available` remain.
  case truncated(what: String, offset: Int, needed: Int, available: Int)
  /// The `.npy` header dictionary (which starts at `offset`) is not what numpy writes.
  case malformedHeader(offset: Int, reason: String)
  /// A `.npy` dtype this reader does not convert (structured, complex, strings, objects ...).
  case unsupportedDType(descr: String)
  /// The shape's element count overflows `Int` or its values would exceed the size limit
  /// (`limit` bytes of `Double`s, `ArrayFiles.byteLimit` by default).
  case shapeTooLarge(shape: [Int], limit: Int)
  /// The `.npy` data after the header (at `offset`) is not the size the shape needs.
  case dataSizeMismatch(offset: Int, expected: Int, available: Int)
  /// An integer element (at row-major `index`) beyond +-2^53, which `Double` cannot hold
  /// for every value in that range; it is rejected rather than rounded.
  case integerNotExact(index: [Int], value: String)
  /// The ZIP structure (of a `.npz`) is inconsistent at `offset`.
  case malformedArchive(offset: Int, reason: String)
  /// A ZIP feature numpy never writes and this reader does not implement (encryption,
  /// multi-disk archives, compression methods other than stored and deflate); `entry` is
  /// empty when the feature concerns the whole archive.
  case unsupportedArchiveFeature(entry: String, reason: String)
  /// Two archive entries (or two JSON keys) with the same name.
  case duplicateName(String)
  /// An archive entry that is not a `.npy` array (its name lacks the `.npy` suffix).
  case notNumPyEntry(name: String)
  /// The entry's data does not have the size its headers declare.
  case entrySizeMismatch(entry: String, declared: Int, actual: Int)
  /// The CRC-32 of an entry's data is not the one its headers declare.
  case checksumMismatch(entry: String, declared: UInt32, computed: UInt32)
  /// The DEFLATE stream of an entry is invalid near file byte `offset`.
  case invalidDeflate(entry: String, offset: Int, reason: String)
  /// Decoding `what` would produce more than `limit` bytes (the size the headers declare,
  /// or the global limit `ArrayFiles.byteLimit`).
  case limitExceeded(what: String, limit: Int)
  /// An error in the `.npy` of the archive entry `entry`.
  indirect case inEntry(String, ArrayFileError)
  /// The JSON point file is not valid JSON, or not of the point-file form, at a position.
  case invalidJSON(line: Int, column: Int, reason: String)
  /// A nested list of point `name` whose sublist at `line`/`column` (index path `index`)
  /// has `found` elements where its siblings have `expected` (`-1`: a number, not a list).
  case raggedList(name: String, index: [Int], line: Int, column: Int, expected: Int, found: Int)
}
