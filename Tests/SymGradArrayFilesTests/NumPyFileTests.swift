import Foundation
import Testing

@testable import SymGradArrayFiles

/// `.npy` reading: numpy-written fixtures against the exact values numpy recorded, then
/// valid files the reader must refuse, then hand-made hostile headers.
@Suite struct NumPyFileTests {
  static let npyExpectations = ArrayFixtures.expected.filter { $0.file.hasSuffix(".npy") }

  @Test func manifestCoversEveryDTypeOrderAndLayout() {
    let files = Set(Self.npyExpectations.map(\.file))
    #expect(files.count >= 28, "expected.txt lists \(files.count) .npy files")
    // Every element type appears, and every multi-byte one in both byte orders.
    for element in ArrayValue.Element.allCases {
      #expect(
        Self.npyExpectations.contains { $0.element == element }, "no .npy fixture of \(element)")
    }
    for f in [
      "float64_be.npy", "float32_be.npy", "float16_be.npy", "int64_be.npy", "int32_be.npy",
      "int16_be.npy", "uint16_be.npy", "uint64_be.npy", "fortran_2d.npy", "fortran_3d_i4_be.npy",
      "c_3d.npy", "scalar.npy", "empty.npy", "empty_3d.npy", "version2.npy", "version3.npy",
    ] {
      #expect(files.contains(f), "missing fixture \(f)")
    }
  }

  @Test(arguments: npyExpectations)
  func readsExactly(_ e: ArrayFixtures.Expected) throws {
    let a = try NumPyFile.read(ArrayFixtures.bytes(e.file))
    #expect(a.shape == e.shape)
    #expect(a.element == e.element)
    #expect(a.count == e.shape.reduce(1, *))
    // Bit patterns: signed zeros and NaN payloads must match too.
    #expect(a.values.map(\.bitPattern) == e.bits)
  }

  @Test func spotValuesStatedInline() throws {
    let f8 = try NumPyFile.read(ArrayFixtures.bytes("float64_be.npy"))
    #expect(f8.shape == [2, 4])
    #expect(f8.values[0] == 1.5 && f8.values[1].sign == .minus && f8.values[1] == 0)
    #expect(f8.values[2] == .infinity && f8.values[3] == -.infinity && f8.values[4].isNaN)
    #expect(f8.values[5] == .leastNonzeroMagnitude && f8.values[6] == .greatestFiniteMagnitude)
    #expect(f8.values[7] == 0.1)
    let f4 = try NumPyFile.read(ArrayFixtures.bytes("float32_le.npy"))
    #expect(f4.values[0] == Double(Float(0.1)))  // widened exactly, not re-rounded to 0.1
    let i8 = try NumPyFile.read(ArrayFixtures.bytes("int64_be.npy"))
    #expect(
      i8.values == [
        0, -1, 9_007_199_254_740_992, -9_007_199_254_740_992, 123_456_789_012_345,
        -9_007_199_254_740_991,
      ])
    // Fortran order comes back row-major: element [i, j] of arange(6).reshape(2, 3) + 0.5.
    let fortran = try NumPyFile.read(ArrayFixtures.bytes("fortran_2d.npy"))
    #expect(fortran.shape == [2, 3] && fortran.values == [0.5, 1.5, 2.5, 3.5, 4.5, 5.5])
    let fortran3 = try NumPyFile.read(ArrayFixtures.bytes("fortran_3d_i4_be.npy"))
    #expect(fortran3.shape == [2, 3, 4] && fortran3.values == (0..<24).map(Double.init))
    let scalar = try NumPyFile.read(ArrayFixtures.bytes("scalar.npy"))
    #expect(scalar.shape == [] && scalar.values == [3.25] && scalar.count == 1)
    let empty = try NumPyFile.read(ArrayFixtures.bytes("empty_3d.npy"))
    #expect(empty.shape == [2, 0, 3] && empty.values.isEmpty && empty.element == .int32)
    let bools = try NumPyFile.read(ArrayFixtures.bytes("bool.npy"))
    #expect(bools.values == [1, 0, 1, 0, 0, 1] && bools.element == .bool)
  }

  // MARK: Valid numpy files that are refused

  @Test func int64BeyondTwoToThe53IsRejectedNotRounded() throws {
    let e = thrownError { try NumPyFile.read(ArrayFixtures.bytes("reject_int64_beyond_2_53.npy")) }
    #expect(e == .integerNotExact(index: [1, 1], value: "9007199254740993"))
    // Fortran order: the index is still the row-major position of the element.
    let f = thrownError { try NumPyFile.read(ArrayFixtures.bytes("reject_fortran_int64.npy")) }
    #expect(f == .integerNotExact(index: [1, 2], value: "-1152921504606846976"))
    let u = thrownError { try NumPyFile.read(ArrayFixtures.bytes("reject_uint64_beyond_2_53.npy")) }
    #expect(u == .integerNotExact(index: [0], value: "18446744073709551615"))
    // The boundary itself is exact and accepted: +-2^53 (int64_le.npy) and 2^53 (uint64).
    #expect(try NumPyFile.read(ArrayFixtures.bytes("uint64_le.npy")).values[1] == 0x1p53)
  }

  @Test func unsupportedDTypesAreNamed() {
    #expect(
      thrownError { try NumPyFile.read(ArrayFixtures.bytes("reject_complex.npy")) }
        == .unsupportedDType(descr: "<c16"))
    guard
      case .unsupportedDType(let d) = thrownError({
        try NumPyFile.read(ArrayFixtures.bytes("reject_structured.npy"))
      })
    else {
      Issue.record("structured dtype accepted")
      return
    }
    #expect(d.contains("structured"))
    for descr in ["<U5", "|O", "<M8[ns]", "<f16", "<i3", "<f+8", "", "f"] {
      let b = makeNumPy(
        header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (1,), }", data: [0])
      #expect(thrownError { try NumPyFile.read(b) } == .unsupportedDType(descr: descr), "\(descr)")
    }
  }

  // MARK: Hostile headers

  @Test func wrongMagicVersionAndTruncation() {
    #expect(
      thrownError { try NumPyFile.read([]) } == .badMagic(format: ".npy", offset: 0, found: []))
    #expect(
      thrownError { try NumPyFile.read(Array("PK\u{3}\u{4}rest".utf8)) }
        == .badMagic(format: ".npy", offset: 0, found: Array("PK\u{3}\u{4}re".utf8)))
    #expect(
      thrownError { try NumPyFile.read(NumPyFile.magic) }
        == .truncated(what: "the .npy version", offset: 6, needed: 1, available: 0))
    #expect(
      thrownError { try NumPyFile.read(NumPyFile.magic + [4, 0, 0, 0]) }
        == .unsupportedVersion(format: ".npy", version: "4.0", offset: 6))
    #expect(
      thrownError { try NumPyFile.read(NumPyFile.magic + [1, 1, 0, 0]) }
        == .unsupportedVersion(format: ".npy", version: "1.1", offset: 6))
    #expect(
      thrownError { try NumPyFile.read(NumPyFile.magic + [1, 0, 0x10]) }
        == .truncated(what: "the .npy header length", offset: 8, needed: 2, available: 1))
    // A header length beyond the file: no allocation, a clear error.
    #expect(
      thrownError { try NumPyFile.read(NumPyFile.magic + [2, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x7B]) }
        == .truncated(what: "the .npy header", offset: 12, needed: 0xFFFF_FFFF, available: 1))
    // Every prefix of a valid file fails cleanly.
    let valid = ArrayFixtures.bytes("float64_le.npy")
    for n in 0..<valid.count {
      #expect(thrownError { try NumPyFile.read(Array(valid[0..<n])) } != nil)
    }
  }

  /// (header text, what the reason or error must say)
  static let badHeaders: [(String, String)] = [
    ("[1, 2]", "is a list, not a dict"),
    ("'descr'", "not a dict"),
    ("{'descr': '<f8', 'fortran_order': False}", "missing key 'shape'"),
    ("{'fortran_order': False, 'shape': (1,)}", "missing key 'descr'"),
    (
      "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
      "unexpected key 'extra'"
    ),
    (
      "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (1,)}",
      "duplicate key 'descr'"
    ),
    ("{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", "not True or False"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': [1]}", "not a tuple"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", "not a non-negative integer"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1.5,)}", "only decimal integers"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (10**12,)}", "expected ',' or ')'"),
    (
      "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000000000000000000000,)}",
      "does not fit 64 bits"
    ),
    ("{'descr': 8, 'fortran_order': False, 'shape': (1,)}", "not a dtype string"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", "ends inside the dictionary"),
    ("{'descr': '<f8, 'fortran_order': False}", "expected ',' or '}'"),
    ("{'descr: '<f8'}", "expected ':'"),
    ("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} junk", "unexpected text after"),
    ("{1: 2}", "key is the integer 1, not a string"),
    ("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1,)}", "unsupported name 'Maybe'"),
    ("{'a': 'b\\q'}", "unsupported escape"),
    ("{'a': 'unterminated}", "newline inside a string"),
    ("", "ends where a value was expected"),
    (
      String(repeating: "(", count: 40) + String(repeating: ")", count: 40), "nested deeper than 16"
    ),
  ]

  @Test(arguments: badHeaders)
  func malformedHeaderSaysWhatAndWhere(_ header: String, _ message: String) throws {
    let e = try #require(
      thrownError { try NumPyFile.read(makeNumPy(header: header, data: float64Bytes([1]))) })
    guard case .malformedHeader(let offset, let reason) = e else {
      Issue.record("\(e)")
      return
    }
    #expect(reason.contains(message), "\(reason)")
    #expect(offset >= 10 && offset <= 10 + header.utf8.count + 64)
    #expect(e.description.contains(".npy header at offset \(offset)"))
  }

  @Test func hugeOrOverflowingShapesFailBeforeAllocating() throws {
    func shaped(_ shape: String, _ data: [UInt8] = []) -> [UInt8] {
      makeNumPy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }", data: data)
    }
    #expect(
      thrownError { try NumPyFile.read(shaped("(1000000000000, 1000000000000)")) }
        == .shapeTooLarge(shape: [1_000_000_000_000, 1_000_000_000_000], limit: 1 << 30))
    #expect(
      thrownError { try NumPyFile.read(shaped("(1099511627776, 1099511627776)")) }
        == .shapeTooLarge(shape: [1 << 40, 1 << 40], limit: 1 << 30))
    #expect(
      thrownError { try NumPyFile.read(shaped("(9223372036854775807, 2)")) }
        == .shapeTooLarge(shape: [Int.max, 2], limit: 1 << 30))
    // Within Int but more Doubles than the 1 GiB limit holds.
    #expect(
      thrownError { try NumPyFile.read(shaped("(134217729,)")) }
        == .shapeTooLarge(shape: [134_217_729], limit: 1 << 30))
    // A zero dimension makes an empty array whatever the others are.
    #expect(try NumPyFile.read(shaped("(0, 9223372036854775807)")).shape == [0, Int.max])
    // The internal limit parameter scales the same rule down.
    #expect(
      thrownError { try NumPyFile.read(shaped("(3,)", float64Bytes([1, 2, 3])), limit: 16) }
        == .shapeTooLarge(shape: [3], limit: 16))
  }

  @Test func dataShorterOrLongerThanTheShapeNeeds() throws {
    let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }"
    let short = makeNumPy(header: header, data: float64Bytes([1, 2, 3]))
    #expect(
      thrownError { try NumPyFile.read(short) }
        == .dataSizeMismatch(offset: 128, expected: 32, available: 24))
    let long = makeNumPy(header: header, data: float64Bytes([1, 2, 3, 4]) + [0])
    #expect(
      thrownError { try NumPyFile.read(long) }
        == .dataSizeMismatch(offset: 128, expected: 32, available: 33))
    let exact = makeNumPy(header: header, data: float64Bytes([1, 2, 3, 4]))
    #expect(try NumPyFile.read(exact).values == [1, 2, 3, 4])
  }

  @Test func headerVariantsNumpyHasWritten() throws {
    // Python 2's long integers, double quotes, no trailing comma, no padding, a u prefix.
    let b = makeNumPy(
      header: "{\"descr\": u'>i2', \"fortran_order\": True, \"shape\": (2L, 1L)}",
      data: [0xFF, 0xFE, 0, 5], pad: false)
    let a = try NumPyFile.read(b)
    #expect(a.shape == [2, 1] && a.values == [-2, 5] && a.element == .int16)
    // '?' and '|b1' are both bool; non-zero bytes are true.
    let q = makeNumPy(
      header: "{'descr': '?', 'fortran_order': False, 'shape': (3,), }", data: [0, 1, 7])
    #expect(try NumPyFile.read(q).values == [0, 1, 1])
    // Version 3.0 headers are UTF-8.
    let v3 = makeNumPy(
      header: "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", data: float64Bytes([2]),
      version: 3)
    #expect(try NumPyFile.read(v3).values == [2])
  }

  @Test func errorDescriptionsNameWhatAndWhere() {
    #expect(
      ArrayFileError.dataSizeMismatch(offset: 64, expected: 32, available: 24).description
        == ".npy data at offset 64: the shape needs 32 bytes, the file has 24")
    #expect(
      ArrayFileError.integerNotExact(index: [1, 1], value: "9007199254740993").description
        == "integer element [1, 1] = 9007199254740993 is beyond +-2^53 and cannot be held exactly as a Double"
    )
    #expect(
      ArrayFileError.badMagic(format: ".npy", offset: 0, found: [0x50, 0x4B]).description
        == "not a .npy file: unexpected bytes 50 4b at offset 0")
  }
}
