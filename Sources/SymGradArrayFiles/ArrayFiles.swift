import Foundation

/// Reads any supported array file from disk, choosing the format by extension.
package enum ArrayFiles {
  /// The size limit, 1 GiB: no file larger than this is read, no archive decompresses to
  /// more than this in total, and no array's `Double` values may take more than this
  /// (2^27 elements).
  package static let byteLimit = 1 << 30

  /// The formats this module reads.
  package enum Format: String, Sendable, CaseIterable {
    /// numpy's single-array `.npy`.
    case npy
    /// numpy's archive of arrays `.npz`.
    case npz
    /// A JSON point file (`.json`).
    case json

    /// The format a file's extension names (case-insensitive), or nil.
    package init?(pathExtension: String) {
      self.init(rawValue: pathExtension.lowercased())
    }

    /// The format the first bytes show: the `.npy` magic, a ZIP signature, or `{` after
    /// optional whitespace (and byte-order mark); nil otherwise.
    package init?(sniffing bytes: [UInt8]) {
      if bytes.starts(with: NumPyFile.magic) {
        self = .npy
      } else if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04])
        || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06])
      {
        self = .npz
      } else {
        var rest = bytes[...]
        if rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
        guard rest.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "{")
        else { return nil }
        self = .json
      }
    }
  }

  /// Reads the named arrays of a `.npy`, `.npz` or `.json` file.
  ///
  /// The format comes from the extension (`npy`, `npz`, `json`, any case); a file with
  /// another extension is recognized by its first bytes. A `.npy` gives one array named by
  /// the file's name without its extension; a `.npz` its arrays in archive order
  /// (`NumPyArchive.read`); a `.json` its points in file order (`PointFile.read`). All of
  /// those readers' rules apply (row-major values, integers within +-2^53, size limits).
  ///
  /// - Throws: `ArrayFileError.unreadable` (missing, a directory, not a regular file, not
  ///   readable, larger than `byteLimit`), `.unrecognizedFormat`, or any error of the
  ///   format's reader.
  package static func read(
    contentsOf url: URL
  ) throws(ArrayFileError) -> [(name: String, value: ArrayValue)] {
    let path = url.path
    let bytes = try contents(of: url)
    let format = Format(pathExtension: url.pathExtension) ?? Format(sniffing: bytes)
    switch format {
    case .npy:
      let name = url.deletingPathExtension().lastPathComponent
      return [(name, try NumPyFile.read(bytes))]
    case .npz:
      return try NumPyArchive.read(bytes).map { ($0.name, $0.array) }
    case .json:
      return try PointFile.read(json: bytes)
    case nil:
      throw .unrecognizedFormat(path: path)
    }
  }

  /// The file's bytes: only a regular file (after resolving symbolic links), and never more
  /// than `byteLimit` bytes read (a device or a file that grows cannot exhaust memory).
  static func contents(of url: URL) throws(ArrayFileError) -> [UInt8] {
    let path = url.path
    let resolved = url.resolvingSymlinksInPath().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory) else {
      throw .unreadable(path: path, reason: "no such file")
    }
    guard !isDirectory.boolValue else { throw .unreadable(path: path, reason: "is a directory") }
    let attributes = (try? FileManager.default.attributesOfItem(atPath: resolved)) ?? [:]
    guard attributes[.type] as? FileAttributeType == .typeRegular else {
      throw .unreadable(path: path, reason: "not a regular file")
    }
    let tooLarge = "the file is larger than the limit of \(byteLimit) bytes"
    if let size = (attributes[.size] as? NSNumber)?.intValue, size > byteLimit {
      throw .unreadable(path: path, reason: tooLarge)
    }
    do {
      let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: resolved))
      defer { try? handle.close() }
      let data = try handle.read(upToCount: byteLimit + 1) ?? Data()
      guard data.count <= byteLimit else {
        throw ArrayFileError.unreadable(path: path, reason: tooLarge)
      }
      return [UInt8](data)
    } catch let e as ArrayFileError {
      throw e
    } catch {
      throw .unreadable(path: path, reason: error.localizedDescription)
    }
  }
}
