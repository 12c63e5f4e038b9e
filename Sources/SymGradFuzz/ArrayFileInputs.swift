import SymGrad
import SymGradArrayFiles

/// The fuzzer's array files (the `arrayFiles` stage): a small valid `.npy`, `.npz` (stored
/// entries) or JSON point file made from an input's numbers, then mutated (bytes flipped,
/// the file truncated, bytes inserted or duplicated) and read back. Every read must
/// succeed or throw `ArrayFileError`: a trap or a hang is a finding.
enum ArrayFileInputs {
  /// A mutated file of a random format, with its format.
  static func file(values: [Double], _ rng: inout SplitMix64) -> (format: ArrayFiles.Format, bytes: [UInt8]) {
    let shape = values.count > 1 && values.count % 2 == 0 && rng.chance(0.5) ? [2, values.count / 2] : [values.count]
    var bytes: [UInt8]
    let format: ArrayFiles.Format
    switch rng.below(3) {
    case 0:
      format = .npy
      bytes = npy(values, shape: shape, fortran: rng.chance(0.3))
    case 1:
      format = .npz
      bytes = npz([
        ("X", npy(values, shape: shape, fortran: false)),
        ("T", npy(values.map { $0.rounded() }, shape: [values.count], fortran: false)),
      ])
    default:
      format = .json
      bytes = Array(json(values).utf8)
    }
    for _ in 0..<rng.int(in: 0...3) {
      guard !bytes.isEmpty else { break }
      let at = rng.below(bytes.count)
      switch rng.below(4) {
      case 0: bytes[at] ^= UInt8(truncatingIfNeeded: 1 << rng.below(8))
      case 1: bytes.removeSubrange(at...)
      case 2: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
      default: bytes[at] = rng.pick([0x00, 0xFF, 0x7F, 0x80, UInt8(ascii: "9"), UInt8(ascii: ",")])
      }
    }
    return (format, bytes)
  }

  /// Reads `bytes` as `format`; nil when the reader refused them (an `ArrayFileError`).
  static func read(_ bytes: [UInt8], as format: ArrayFiles.Format) -> Int? {
    do {
      switch format {
      case .npy: return try NumPyFile.read(bytes).count
      case .npz: return try NumPyArchive.read(bytes).reduce(0) { $0 + $1.array.count }
      case .json: return try PointFile.read(json: bytes).reduce(0) { $0 + $1.value.count }
      }
    } catch {
      return nil
    }
  }

  /// A version 1.0 `.npy` of little-endian float64.
  static func npy(_ values: [Double], shape: [Int], fortran: Bool) -> [UInt8] {
    let dims = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '<f8', 'fortran_order': \(fortran ? "True" : "False"), 'shape': \(dims), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
    out += [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
    out += Array(header.utf8)
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
    return out
  }

  /// A ZIP archive of stored `.npy` entries (what `np.savez` writes, without ZIP64).
  static func npz(_ entries: [(name: String, data: [UInt8])]) -> [UInt8] {
    var out: [UInt8] = []
    var central: [UInt8] = []
    func u16(_ v: Int, _ a: inout [UInt8]) { a += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    func u32(_ v: UInt32, _ a: inout [UInt8]) { for k in 0..<4 { a.append(UInt8((v >> (8 * UInt32(k))) & 0xFF)) } }
    for (name, data) in entries {
      let file = Array((name + ".npy").utf8)
      let crc = CRC32.checksum(data)
      let offset = UInt32(out.count)
      u32(0x0403_4B50, &out)
      u16(20, &out)
      u16(0, &out)
      u16(0, &out)
      u16(0, &out)
      u16(0, &out)
      u32(crc, &out)
      u32(UInt32(data.count), &out)
      u32(UInt32(data.count), &out)
      u16(file.count, &out)
      u16(0, &out)
      out += file
      out += data
      u32(0x0201_4B50, &central)
      u16(20, &central)
      u16(20, &central)
      u16(0, &central)
      u16(0, &central)
      u16(0, &central)
      u16(0, &central)
      u32(crc, &central)
      u32(UInt32(data.count), &central)
      u32(UInt32(data.count), &central)
      u16(file.count, &central)
      u16(0, &central)
      u16(0, &central)
      u16(0, &central)
      u16(0, &central)
      u32(0, &central)
      u32(offset, &central)
      central += file
    }
    let start = UInt32(out.count)
    out += central
    u32(0x0605_4B50, &out)
    u16(0, &out)
    u16(0, &out)
    u16(entries.count, &out)
    u16(entries.count, &out)
    u32(UInt32(central.count), &out)
    u32(start, &out)
    u16(0, &out)
    return out
  }

  /// A JSON point file: X as a list, one scalar, and the non-finite strings.
  static func json(_ values: [Double]) -> String {
    func number(_ v: Double) -> String {
      v.isNaN ? "\"nan\"" : v.isInfinite ? (v > 0 ? "\"inf\"" : "\"-inf\"") : "\(v)"
    }
    return "{\"X\": [" + values.map(number).joined(separator: ", ") + "], \"y\": \(number(values.first ?? 0))}"
  }
}
