/// Reads numpy's `.npy` array format (versions 1.0, 2.0 and 3.0).
///
/// The layout (numpy's `numpy.lib.format`): the magic `\x93NUMPY`, a major and minor
/// version byte, the header length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0),
/// the header (a Python dict literal, Latin-1 in 1.0/2.0 and UTF-8 in 3.0), then the raw
/// elements. See `ArrayValue` for the form every array is returned in.
package enum NumPyFile {
  /// Reads a `.npy` file's bytes into an array.
  ///
  /// The header must be a dict with exactly the keys `descr` (a dtype string, see below),
  /// `fortran_order` (`True`/`False`) and `shape` (a tuple of non-negative integers; `()`
  /// for a 0-d scalar). Supported dtypes: `f8`, `f4`, `f2`, `i8`, `i4`, `i2`, `i1`, `u8`,
  /// `u4`, `u2`, `u1`, `b1`, each little- (`<`) or big-endian (`>`).
  ///
  /// Edges:
  /// - A Fortran-order array is converted to row-major: `values` is always C order.
  /// - `int64`/`uint64` elements beyond +-2^53 are rejected (`integerNotExact`), never rounded.
  /// - Booleans read as 0 and 1 (any non-zero byte is true, as in numpy).
  /// - The data after the header must be exactly what the shape needs
  ///   (`dataSizeMismatch` otherwise, including trailing bytes); the check precedes any
  ///   allocation, so a header claiming a huge shape costs nothing.
  /// - A shape whose element count overflows `Int`, or whose `Double` values would exceed
  ///   `ArrayFiles.byteLimit` (1 GiB), is `shapeTooLarge`.
  ///
  /// - Throws: `ArrayFileError` (`badMagic`, `unsupportedVersion`, `truncated`,
  ///   `malformedHeader`, `unsupportedDType`, `shapeTooLarge`, `dataSizeMismatch`,
  ///   `integerNotExact`), with the byte offset where the problem is.
  package static func read(_ bytes: [UInt8]) throws(ArrayFileError) -> ArrayValue {
    try read(bytes, limit: ArrayFiles.byteLimit)
  }

  /// The `.npy` signature.
  static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

  /// `read(_:)` with the size limit on the values (bytes of `Double`) as a parameter.
  static func read(_ bytes: [UInt8], limit: Int) throws(ArrayFileError) -> ArrayValue {
    let r = ByteReader(bytes)
    guard r.prefix(0, magic.count) == magic else {
      throw .badMagic(format: ".npy", offset: 0, found: r.prefix(0, magic.count))
    }
    let major = try r.uint8(at: 6, "the .npy version")
    let minor = try r.uint8(at: 7, "the .npy version")
    let headerLength: Int
    let headerStart: Int
    switch (major, minor) {
    case (1, 0):
      headerLength = Int(try r.uint16(at: 8, "the .npy header length"))
      headerStart = 10
    case (2, 0), (3, 0):
      headerLength = Int(try r.uint32(at: 8, "the .npy header length"))
      headerStart = 12
    default:
      throw .unsupportedVersion(format: ".npy", version: "\(major).\(minor)", offset: 6)
    }
    try r.require(headerStart, headerLength, "the .npy header")
    let dataStart = headerStart + headerLength
    let header = try PythonLiteral.parse(bytes, from: headerStart, to: dataStart, utf8: major == 3)
    let (dtype, fortranOrder, shape) = try fields(of: header, at: headerStart)

    // Element count and size, overflow-checked, before touching the data.
    let count = try elementCount(shape, limit: limit)
    let expected = count * dtype.element.byteWidth  // <= limit: cannot overflow
    let available = bytes.count - dataStart
    guard available == expected else {
      throw .dataSizeMismatch(offset: dataStart, expected: expected, available: available)
    }

    var values = [Double]()
    values.reserveCapacity(count)
    var offset = dataStart
    for i in 0..<count {
      guard let v = dtype.value(bytes, at: offset) else {
        let index = fortranOrder ? columnMajorIndex(i, shape) : rowMajorIndex(i, shape)
        throw .integerNotExact(index: index, value: integerText(bytes, at: offset, dtype))
      }
      values.append(v)
      offset += dtype.element.byteWidth
    }
    if fortranOrder && shape.count > 1 { values = rowMajor(fromColumnMajor: values, shape: shape) }
    return ArrayValue(shape: shape, values: values, element: dtype.element)
  }

  /// The dtype, Fortran flag and shape of a parsed header.
  static func fields(of header: PythonLiteral, at offset: Int) throws(ArrayFileError) -> (
    NumPyDType, Bool, [Int]
  ) {
    guard case .dict(let items) = header else {
      throw .malformedHeader(offset: offset, reason: "the header is \(header.kind), not a dict")
    }
    var descr: NumPyDType?
    var fortran: Bool?
    var shape: [Int]?
    for item in items {
      func bad(_ reason: String) -> ArrayFileError {
        .malformedHeader(offset: item.offset, reason: reason)
      }
      switch item.key {
      case "descr":
        guard descr == nil else { throw bad("duplicate key 'descr'") }
        switch item.value {
        case .string(let s): descr = try NumPyDType(descr: s)
        case .list: throw .unsupportedDType(descr: "a structured dtype (a list of fields)")
        default: throw bad("'descr' is \(item.value.kind), not a dtype string")
        }
      case "fortran_order":
        guard fortran == nil else { throw bad("duplicate key 'fortran_order'") }
        guard case .bool(let b) = item.value else {
          throw bad("'fortran_order' is \(item.value.kind), not True or False")
        }
        fortran = b
      case "shape":
        guard shape == nil else { throw bad("duplicate key 'shape'") }
        guard case .tuple(let dims) = item.value else {
          throw bad("'shape' is \(item.value.kind), not a tuple of integers")
        }
        var s: [Int] = []
        for d in dims {
          guard case .integer(let n) = d, n >= 0 else {
            throw bad("'shape' holds \(d.kind), not a non-negative integer")
          }
          s.append(n)
        }
        shape = s
      default:
        throw bad(
          "unexpected key '\(item.key)' (a .npy header has 'descr', 'fortran_order' and 'shape')")
      }
    }
    guard let descr, let fortran, let shape else {
      let missing = [
        ("descr", descr == nil), ("fortran_order", fortran == nil), ("shape", shape == nil),
      ]
      .filter(\.1).map { "'\($0.0)'" }.joined(separator: ", ")
      throw .malformedHeader(offset: offset, reason: "missing key \(missing)")
    }
    return (descr, fortran, shape)
  }

  /// The product of the dimensions, rejecting overflow and more `Double`s than `limit`
  /// bytes hold. A shape with a 0 dimension has no elements whatever the others are.
  static func elementCount(_ shape: [Int], limit: Int) throws(ArrayFileError) -> Int {
    if shape.contains(0) { return 0 }
    var n = 1
    for d in shape {
      let (p, overflow) = n.multipliedReportingOverflow(by: d)
      guard !overflow else { throw .shapeTooLarge(shape: shape, limit: limit) }
      n = p
    }
    guard n <= limit / MemoryLayout<Double>.size else {
      throw .shapeTooLarge(shape: shape, limit: limit)
    }
    return n
  }

  /// Reorders column-major values (first index fastest) to row-major (last index fastest).
  static func rowMajor(fromColumnMajor source: [Double], shape: [Int]) -> [Double] {
    let rank = shape.count
    guard !source.isEmpty, rank > 1 else { return source }
    var stride = [Int](repeating: 1, count: rank)  // column-major strides
    for k in 1..<rank { stride[k] = stride[k - 1] * shape[k - 1] }
    var result = [Double]()
    result.reserveCapacity(source.count)
    var index = [Int](repeating: 0, count: rank)
    var offset = 0
    for _ in 0..<source.count {
      result.append(source[offset])
      var k = rank - 1
      while k >= 0 {
        index[k] += 1
        offset += stride[k]
        if index[k] < shape[k] { break }
        offset -= stride[k] * shape[k]
        index[k] = 0
        k -= 1
      }
    }
    return result
  }

  /// The index (outermost first) of the `i`-th element in row-major order.
  static func rowMajorIndex(_ i: Int, _ shape: [Int]) -> [Int] {
    var rest = i
    var index = [Int](repeating: 0, count: shape.count)
    for k in shape.indices.reversed() where shape[k] > 0 {
      index[k] = rest % shape[k]
      rest /= shape[k]
    }
    return index
  }

  /// The index (outermost first) of the `i`-th element in column-major order.
  static func columnMajorIndex(_ i: Int, _ shape: [Int]) -> [Int] {
    var rest = i
    var index = [Int](repeating: 0, count: shape.count)
    for k in shape.indices where shape[k] > 0 {
      index[k] = rest % shape[k]
      rest /= shape[k]
    }
    return index
  }

  /// The decimal text of a 64-bit integer element (for `integerNotExact`).
  static func integerText(_ bytes: [UInt8], at offset: Int, _ dtype: NumPyDType) -> String {
    var w: UInt64 = 0
    for i in 0..<8 {
      let b = UInt64(bytes[offset + (dtype.bigEndian ? i : 7 - i)])
      w = w << 8 | b
    }
    return dtype.element == .int64 ? String(Int64(bitPattern: w)) : String(w)
  }
}
