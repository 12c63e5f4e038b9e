extension ArrayFileError: CustomStringConvertible {
  /// One line: what is wrong and where, for a user who has to fix or replace the file.
  package var description: String {
    switch self {
    case .unreadable(let path, let reason):
      return "cannot read \(path): \(reason)"
    case .unrecognizedFormat(let path):
      return "\(path): not a .npy, .npz or JSON point file (unknown extension and contents)"
    case .badMagic(let format, let offset, let found):
      return "not a \(format) file: unexpected bytes \(hex(found)) at offset \(offset)"
    case .unsupportedVersion(let format, let version, let offset):
      return "unsupported \(format) version \(version) at offset \(offset)"
    case .truncated(let what, let offset, let needed, let available):
      return "file ends inside \(what): needs \(needed) bytes at offset \(offset), "
        + "\(available) available"
    case .malformedHeader(let offset, let reason):
      return ".npy header at offset \(offset): \(reason)"
    case .unsupportedDType(let descr):
      return "unsupported .npy dtype \(descr)"
    case .shapeTooLarge(let shape, let limit):
      return "shape \(shape) is too large: its values would exceed \(limit) bytes"
    case .dataSizeMismatch(let offset, let expected, let available):
      return ".npy data at offset \(offset): the shape needs \(expected) bytes, "
        + "the file has \(available)"
    case .integerNotExact(let index, let value):
      return "integer element \(index) = \(value) is beyond +-2^53 and cannot be held "
        + "exactly as a Double"
    case .malformedArchive(let offset, let reason):
      return "ZIP archive at offset \(offset): \(reason)"
    case .unsupportedArchiveFeature(let entry, let reason):
      return "ZIP entry \(quoted(entry)): unsupported: \(reason)"
    case .duplicateName(let name):
      return "duplicate name \(quoted(name))"
    case .notNumPyEntry(let name):
      return "archive entry \(quoted(name)) is not a .npy array"
    case .entrySizeMismatch(let entry, let declared, let actual):
      return "ZIP entry \(quoted(entry)): declared size \(declared) bytes, actual \(actual)"
    case .checksumMismatch(let entry, let declared, let computed):
      return "ZIP entry \(quoted(entry)): CRC-32 mismatch (declared \(hex32(declared)), "
        + "computed \(hex32(computed)))"
    case .invalidDeflate(let entry, let offset, let reason):
      return "ZIP entry \(quoted(entry)): invalid DEFLATE data near offset \(offset): \(reason)"
    case .limitExceeded(let what, let limit):
      return "\(what) exceeds the limit of \(limit) bytes"
    case .inEntry(let entry, let error):
      return "archive entry \(quoted(entry)): \(error.description)"
    case .invalidJSON(let line, let column, let reason):
      return "JSON line \(line), column \(column): \(reason)"
    case .raggedList(let name, let index, let line, let column, let expected, let found):
      let what = found < 0 ? "a number" : "\(found) elements"
      let want = expected < 0 ? "a number like its siblings" : "\(expected) like its siblings"
      return "JSON line \(line), column \(column): point \(quoted(name)) is ragged: "
        + "the entry at index \(index) has \(what), expected \(want)"
    }
  }
}

private func quoted(_ s: String) -> String { "\"\(s)\"" }

private func hex32(_ v: UInt32) -> String {
  let digits = String(v, radix: 16)
  return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}

private func hex(_ bytes: [UInt8]) -> String {
  if bytes.isEmpty { return "(none: the file is empty there)" }
  return bytes.map { b in b < 16 ? "0" + String(b, radix: 16) : String(b, radix: 16) }
    .joined(separator: " ")
}
