import Foundation
import Testing

@testable import SymGradArrayFiles

/// `ArrayFiles.read(contentsOf:)`: the format by extension, then by content; the errors of
/// files that cannot be read at all.
@Suite struct ArrayFilesTests {
  @Test func readsEachFormatByExtension() throws {
    let npy = try ArrayFiles.read(contentsOf: ArrayFixtures.url("c_3d.npy"))
    #expect(npy.map(\.name) == ["c_3d"] && npy.first?.value.shape == [2, 3, 4])
    let npz = try ArrayFiles.read(contentsOf: ArrayFixtures.url("compressed.npz"))
    #expect(npz.map(\.name) == NumPyArchiveTests.names)
    let json = try ArrayFiles.read(contentsOf: ArrayFixtures.url("points.json"))
    #expect(json.first?.name == "x" && json.first?.value == ArrayValue(scalar: 1.5))
  }

  @Test func unknownExtensionsAreSniffed() throws {
    #expect(ArrayFiles.Format(sniffing: ArrayFixtures.bytes("scalar.npy")) == .npy)
    #expect(ArrayFiles.Format(sniffing: ArrayFixtures.bytes("stored.npz")) == .npz)
    #expect(ArrayFiles.Format(sniffing: ArrayFixtures.bytes("empty_archive.npz")) == .npz)
    #expect(ArrayFiles.Format(sniffing: Array(" \n{\"a\": 1}".utf8)) == .json)
    #expect(ArrayFiles.Format(sniffing: Array("a,b\n1,2".utf8)) == nil)
    #expect(ArrayFiles.Format(pathExtension: "NPZ") == .npz)

    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("SymGradArrayFilesTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let data = directory.appendingPathComponent("weights.bin")
    try Data(ArrayFixtures.bytes("scalar.npy")).write(to: data)
    #expect(try ArrayFiles.read(contentsOf: data).map(\.name) == ["weights"])
    let csv = directory.appendingPathComponent("table.csv")
    try Data("a,b\n".utf8).write(to: csv)
    #expect(
      thrownError { try ArrayFiles.read(contentsOf: csv) } == .unrecognizedFormat(path: csv.path))
    #expect(
      thrownError { try ArrayFiles.read(contentsOf: directory) }
        == .unreadable(path: directory.path, reason: "is a directory"))
    let missing = directory.appendingPathComponent("missing.npy")
    #expect(
      thrownError { try ArrayFiles.read(contentsOf: missing) }
        == .unreadable(path: missing.path, reason: "no such file"))
    // Devices and other special files are refused before reading.
    #expect(
      thrownError { try ArrayFiles.read(contentsOf: URL(fileURLWithPath: "/dev/zero")) }
        == .unreadable(path: "/dev/zero", reason: "not a regular file"))
    // A symbolic link to a fixture reads like the fixture, under the link's name.
    let link = directory.appendingPathComponent("linked.npy")
    try FileManager.default.createSymbolicLink(
      at: link, withDestinationURL: ArrayFixtures.url("scalar.npy"))
    #expect(try ArrayFiles.read(contentsOf: link).map(\.name) == ["linked"])
    // The extension decides: a .npz holding JSON is reported as a bad ZIP, not guessed.
    let wrong = directory.appendingPathComponent("points.npz")
    try Data("{\"x\": 1}".utf8).write(to: wrong)
    guard
      case .badMagic(".npz (ZIP)", 0, _) = thrownError({ try ArrayFiles.read(contentsOf: wrong) })
    else {
      Issue.record("a .npz holding JSON was not refused as a ZIP")
      return
    }
  }

  @Test func everyErrorDescribesItself() {
    let errors: [ArrayFileError] = [
      .unreadable(path: "/x", reason: "no such file"),
      .unrecognizedFormat(path: "/x.csv"),
      .badMagic(format: ".npy", offset: 0, found: []),
      .unsupportedVersion(format: ".npy", version: "4.0", offset: 6),
      .truncated(what: "the .npy header", offset: 10, needed: 118, available: 3),
      .malformedHeader(offset: 10, reason: "the header is a list, not a dict"),
      .unsupportedDType(descr: "<c16"),
      .shapeTooLarge(shape: [1 << 40, 1 << 40], limit: 1 << 30),
      .dataSizeMismatch(offset: 128, expected: 32, available: 24),
      .integerNotExact(index: [0], value: "9007199254740993"),
      .malformedArchive(offset: 0, reason: "no end-of-central-directory record"),
      .unsupportedArchiveFeature(entry: "a.npy", reason: "encryption"),
      .duplicateName("a.npy"),
      .notNumPyEntry(name: "notes.txt"),
      .entrySizeMismatch(entry: "a.npy", declared: 4, actual: 3),
      .checksumMismatch(entry: "a.npy", declared: 0x1234, computed: 0xABCD_EF01),
      .invalidDeflate(entry: "a.npy", offset: 99, reason: "invalid Huffman code"),
      .limitExceeded(what: "entry \"a.npy\" inflated past its declared size", limit: 100),
      .inEntry("a.npy", .unsupportedDType(descr: "<c16")),
      .invalidJSON(line: 2, column: 5, reason: "null is not a value"),
      .raggedList(name: "w", index: [1], line: 3, column: 9, expected: 3, found: 2),
    ]
    for e in errors {
      #expect(!e.description.isEmpty && !e.description.contains("\n"), "\(e)")
    }
    #expect(
      errors[15].description
        == "ZIP entry \"a.npy\": CRC-32 mismatch (declared 0x00001234, computed 0xabcdef01)")
    #expect(errors[18].description == "archive entry \"a.npy\": unsupported .npy dtype <c16")
    #expect(
      errors[7].description
        == "shape [1099511627776, 1099511627776] is too large: its values would exceed 1073741824 bytes"
    )
  }

  @Test func equalityTreatsNaNAsEqual() {
    #expect(ArrayValue(scalar: .nan) == ArrayValue(scalar: .nan))
    #expect(ArrayValue(scalar: 0) == ArrayValue(scalar: -0.0))
    #expect(ArrayValue(scalar: 1) != ArrayValue(scalar: 1, element: .int64))
    #expect(ArrayValue(shape: [2], values: [1, 2]) != ArrayValue(shape: [2, 1], values: [1, 2]))
  }
}
