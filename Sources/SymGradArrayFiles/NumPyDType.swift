/// A `.npy` dtype descriptor (`'<f8'`, `'>i4'`, `'|b1'`): element type and byte order.
///
/// Accepted: a byte-order character `<` (little), `>` (big), `|` (not applicable: one-byte
/// types) or `=` (native: little-endian on every platform Swift supports here), then a kind
/// `f` (widths 2, 4, 8), `i` and `u` (1, 2, 4, 8) or `b` (1), then the width in bytes. Also
/// numpy's one-character aliases `'?'` (bool), `'b'`/`'B'` (int8/uint8). Anything else
/// (complex, strings, datetimes, objects, structured dtypes) is `unsupportedDType`.
struct NumPyDType: Equatable {
  let element: ArrayValue.Element
  let bigEndian: Bool

  init(element: ArrayValue.Element, bigEndian: Bool) {
    self.element = element
    self.bigEndian = bigEndian
  }

  init(descr: String) throws(ArrayFileError) {
    switch descr {
    case "?", "|?":
      self.init(element: .bool, bigEndian: false)
      return
    case "b":
      self.init(element: .int8, bigEndian: false)
      return
    case "B":
      self.init(element: .uint8, bigEndian: false)
      return
    default: break
    }
    var chars = Array(descr.unicodeScalars)
    var bigEndian = false
    if let order = chars.first, "<>|=".unicodeScalars.contains(order) {
      bigEndian = order == ">"
      chars.removeFirst()
    }
    let digits = chars.dropFirst()
    guard chars.count >= 2, chars.count <= 4, digits.allSatisfy({ $0 >= "0" && $0 <= "9" }),
      let width = Int(String(String.UnicodeScalarView(digits)))
    else {
      throw .unsupportedDType(descr: descr)
    }
    let element: ArrayValue.Element? =
      switch (chars[0], width) {
      case ("f", 8): .float64
      case ("f", 4): .float32
      case ("f", 2): .float16
      case ("i", 8): .int64
      case ("i", 4): .int32
      case ("i", 2): .int16
      case ("i", 1): .int8
      case ("u", 8): .uint64
      case ("u", 4): .uint32
      case ("u", 2): .uint16
      case ("u", 1): .uint8
      case ("b", 1): .bool
      default: nil
      }
    guard let element else { throw .unsupportedDType(descr: descr) }
    self.init(element: element, bigEndian: bigEndian && element.byteWidth > 1)
  }

  /// The element at `offset` of `bytes` (which must hold `element.byteWidth` bytes there) as
  /// an exact `Double`, or nil for an integer beyond +-2^53.
  func value(_ bytes: [UInt8], at offset: Int) -> Double? {
    let width = element.byteWidth
    var w: UInt64 = 0
    if bigEndian {
      for i in 0..<width { w = w << 8 | UInt64(bytes[offset + i]) }
    } else {
      var i = width - 1
      while i >= 0 {
        w = w << 8 | UInt64(bytes[offset + i])
        i -= 1
      }
    }
    switch element {
    case .float64: return Double(bitPattern: w)
    case .float32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: w)))
    case .float16: return NumPyDType.half(UInt16(truncatingIfNeeded: w))
    case .int64:
      let v = Int64(bitPattern: w)
      return v.magnitude <= NumPyDType.exactIntegerLimit ? Double(v) : nil
    case .uint64: return w <= NumPyDType.exactIntegerLimit ? Double(w) : nil
    case .int32: return Double(Int32(truncatingIfNeeded: w))
    case .int16: return Double(Int16(truncatingIfNeeded: w))
    case .int8: return Double(Int8(truncatingIfNeeded: w))
    case .uint32, .uint16, .uint8: return Double(w)
    case .bool: return w == 0 ? 0 : 1
    }
  }

  /// 2^53: every integer of at most this magnitude is exactly a `Double`.
  static let exactIntegerLimit: UInt64 = 1 << 53

  /// The IEEE binary16 value with bits `h`, exactly (NaN payloads kept in the high bits).
  static func half(_ h: UInt16) -> Double {
    let sign = UInt64(h >> 15) << 63
    let exponent = Int(h >> 10 & 0x1F)
    let fraction = UInt64(h & 0x3FF)
    switch exponent {
    case 0:
      let magnitude = Double(fraction) * 0x1p-24
      return sign != 0 ? -magnitude : magnitude
    case 31:
      return Double(bitPattern: sign | 0x7FF << 52 | fraction << 42)
    default:
      return Double(bitPattern: sign | UInt64(exponent - 15 + 1023) << 52 | fraction << 42)
    }
  }
}
