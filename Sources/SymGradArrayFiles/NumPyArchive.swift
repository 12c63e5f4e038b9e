/// Reads numpy's `.npz` format: a ZIP archive of `.npy` files, as `np.savez` (stored
/// entries) and `np.savez_compressed` (deflate) write it.
package enum NumPyArchive {
  /// Reads every array of a `.npz` file's bytes, in archive (central directory) order,
  /// named without the `.npy` suffix.
  ///
  /// Every entry must be named `<name>.npy`, no two alike, and hold a valid `.npy` (see
  /// `NumPyFile.read`, whose rules apply to each entry: Fortran order converted to row-major,
  /// integers beyond +-2^53 rejected). Names and structure are checked for the whole
  /// archive before any entry is decompressed.
  ///
  /// Edges: each entry's data is CRC-32-checked; a deflate stream may produce no more than
  /// its headers declare, and the archive's decompressed bytes together no more than
  /// `ArrayFiles.byteLimit` (1 GiB), so a small file that expands hugely stops early with
  /// `limitExceeded`. An archive with no entries gives `[]`.
  ///
  /// - Throws: `ArrayFileError`: for the ZIP structure `badMagic`, `truncated`,
  ///   `malformedArchive`, `unsupportedArchiveFeature`, `duplicateName`, `notNumPyEntry`,
  ///   `entrySizeMismatch`, `checksumMismatch`, `invalidDeflate`, `limitExceeded`; for an
  ///   entry's `.npy` contents, its error wrapped in `inEntry(name, error)`.
  package static func read(
    _ bytes: [UInt8]
  ) throws(ArrayFileError) -> [(name: String, array: ArrayValue)] {
    try read(bytes, limit: ArrayFiles.byteLimit)
  }

  /// `read(_:)` with the global limit (decompressed bytes, and bytes of `Double` values per
  /// array) as a parameter.
  static func read(
    _ bytes: [UInt8], limit: Int
  ) throws(ArrayFileError) -> [(name: String, array: ArrayValue)] {
    let archive = try ZipArchive(bytes)
    var seen = Set<String>()
    var names: [String] = []
    for entry in archive.entries {
      guard entry.name.hasSuffix(".npy"), entry.name.count > 4 else {
        throw .notNumPyEntry(name: entry.name)
      }
      let name = String(entry.name.dropLast(4))
      guard seen.insert(name).inserted else { throw .duplicateName(entry.name) }
      names.append(name)
    }
    var remaining = limit
    var arrays: [(name: String, array: ArrayValue)] = []
    for (entry, name) in zip(archive.entries, names) {
      let data = try archive.contents(of: entry, limit: remaining)
      remaining -= data.count
      do {
        arrays.append((name, try NumPyFile.read(data, limit: limit)))
      } catch {
        throw .inEntry(entry.name, error)
      }
    }
    return arrays
  }
}
