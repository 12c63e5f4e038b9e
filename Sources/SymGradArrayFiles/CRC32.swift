/// The CRC-32 of ZIP and gzip (ISO 3309 / ITU-T V.42; reflected polynomial 0xEDB88320,
/// initial value and final XOR 0xFFFFFFFF), computed with a byte-at-a-time table.
///
/// `CRC32.checksum(Array("123456789".utf8)) == 0xCBF43926`, the standard check value.
package enum CRC32 {
  static let table: [UInt32] = (0..<256).map { n in
    var c = UInt32(n)
    for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    return c
  }

  /// The CRC-32 of `bytes` (0 for no bytes).
  package static func checksum(_ bytes: [UInt8]) -> UInt32 {
    var c: UInt32 = 0xFFFF_FFFF
    table.withUnsafeBufferPointer { t in
      bytes.withUnsafeBufferPointer { b in
        for byte in b { c = t[Int(UInt8(truncatingIfNeeded: c) ^ byte)] ^ (c >> 8) }
      }
    }
    return c ^ 0xFFFF_FFFF
  }
}
