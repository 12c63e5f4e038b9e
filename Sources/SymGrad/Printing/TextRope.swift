/// Printed text assembled from pieces without copying them.
///
/// The printers build a node's text from its children's texts. With `String`, every
/// concatenation copies the children, so printing a nest of depth d whose text has n
/// characters copies O(d n) characters (a 100-level power tower's derivative: tens of MB).
/// A rope concatenates in O(1) by keeping its pieces; shared pieces are shared, not copied.
/// `string` writes the text out once, in O(n), without recursion (any depth).
///
/// What the printers ask of a piece's text is answered without writing it out: its first
/// character and whether it contains a given ASCII character (both kept per node).
struct TextRope: ExpressibleByStringInterpolation, CustomStringConvertible {
  private enum Storage {
    case leaf(String)
    case node(Node)
  }

  private final class Node {
    let parts: [TextRope]
    init(_ parts: [TextRope]) { self.parts = parts }
  }

  /// Texts up to this many UTF-8 bytes are kept as one string: copying them costs less
  /// than a node, and only longer texts make the copies of nested concatenation add up.
  static let leafLimit = 256

  private let storage: Storage
  /// The length of the text in UTF-8 bytes.
  let utf8Count: Int
  /// Which ASCII characters occur in the text: bit c of `asciiLow` (c < 64) or of
  /// `asciiHigh` (bit c - 64).
  private let asciiLow: UInt64
  private let asciiHigh: UInt64
  /// Whether the text's first character is a number (`Character.isNumber`).
  let startsWithNumber: Bool

  init(_ text: String) {
    storage = .leaf(text)
    utf8Count = text.utf8.count
    var low: UInt64 = 0
    var high: UInt64 = 0
    for b in text.utf8 where b < 128 {
      if b < 64 { low |= 1 << UInt64(b) } else { high |= 1 << UInt64(b - 64) }
    }
    asciiLow = low
    asciiHigh = high
    if let b = text.utf8.first, b < 128 {
      startsWithNumber = b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
    } else {
      startsWithNumber = text.first?.isNumber ?? false
    }
  }

  init(stringLiteral value: String) { self.init(value) }

  /// `"sqrt(\(base.text))"` as a rope: the interpolated ropes are pieces, not copies.
  struct StringInterpolation: StringInterpolationProtocol {
    fileprivate var parts: [TextRope] = []
    init(literalCapacity: Int, interpolationCount: Int) { parts.reserveCapacity(2 * interpolationCount + 1) }
    mutating func appendLiteral(_ literal: String) { parts.append(TextRope(literal)) }
    mutating func appendInterpolation(_ rope: TextRope) { parts.append(rope) }
    mutating func appendInterpolation<T: CustomStringConvertible>(_ v: T) { parts.append(TextRope(v.description)) }
  }

  init(stringInterpolation: StringInterpolation) { self = .concatenation(stringInterpolation.parts) }

  /// The text (`string`), so that a rope interpolated into a `String` is its text.
  var description: String { string }

  private init(storage: Storage, utf8Count: Int, asciiLow: UInt64, asciiHigh: UInt64, startsWithNumber: Bool) {
    self.storage = storage
    self.utf8Count = utf8Count
    self.asciiLow = asciiLow
    self.asciiHigh = asciiHigh
    self.startsWithNumber = startsWithNumber
  }

  var isEmpty: Bool { utf8Count == 0 }

  /// Whether the ASCII character `c` occurs in the text.
  func contains(ascii c: Unicode.Scalar) -> Bool {
    precondition(c.isASCII, "TextRope.contains(ascii:) takes an ASCII character")
    let v = UInt64(c.value)
    return v < 64 ? asciiLow & (1 << v) != 0 : asciiHigh & (1 << (v - 64)) != 0
  }

  /// The pieces one after another: one string when short (`leafLimit`), else a node that
  /// keeps them.
  static func concatenation(_ parts: [TextRope]) -> TextRope {
    var count = 0
    var low: UInt64 = 0
    var high: UInt64 = 0
    var startsWithNumber: Bool?
    var nonEmpty = 0
    var last = 0
    for (i, p) in parts.enumerated() where !p.isEmpty {
      // Saturating: a small DAG can be astronomically long as text (`PrintLimits`).
      let (sum, overflow) = count.addingReportingOverflow(p.utf8Count)
      count = overflow ? Int.max : sum
      low |= p.asciiLow
      high |= p.asciiHigh
      if startsWithNumber == nil { startsWithNumber = p.startsWithNumber }
      nonEmpty += 1
      last = i
    }
    if nonEmpty == 1 { return parts[last] }
    if count <= leafLimit {
      // Every piece is a leaf here: a node holds more than `leafLimit` bytes.
      var text = ""
      text.reserveCapacity(count)
      for p in parts { text += p.string }
      return TextRope(
        storage: .leaf(text), utf8Count: count, asciiLow: low, asciiHigh: high,
        startsWithNumber: startsWithNumber ?? false)
    }
    return TextRope(
      storage: .node(Node(parts.filter { !$0.isEmpty })), utf8Count: count, asciiLow: low, asciiHigh: high,
      startsWithNumber: startsWithNumber ?? false)
  }

  static func + (lhs: TextRope, rhs: TextRope) -> TextRope { concatenation([lhs, rhs]) }

  static func += (lhs: inout TextRope, rhs: TextRope) { lhs = lhs + rhs }

  /// The pieces with `separator` between neighbours.
  static func joined(_ parts: [TextRope], separator: TextRope) -> TextRope {
    var all: [TextRope] = []
    all.reserveCapacity(Swift.max(0, 2 * parts.count - 1))
    for (i, p) in parts.enumerated() {
      if i > 0 { all.append(separator) }
      all.append(p)
    }
    return concatenation(all)
  }

  /// The text, written out once (an explicit stack: no recursion).
  var string: String {
    let root: Node
    switch storage {
    case .leaf(let s): return s
    case .node(let n): root = n
    }
    var out = ""
    out.reserveCapacity(utf8Count)
    var stack: [(parts: [TextRope], next: Int)] = [(root.parts, 0)]
    while !stack.isEmpty {
      let top = stack.count - 1
      let i = stack[top].next
      guard i < stack[top].parts.count else {
        stack.removeLast()
        continue
      }
      stack[top].next = i + 1
      switch stack[top].parts[i].storage {
      case .leaf(let s): out += s
      case .node(let n): stack.append((n.parts, 0))
      }
    }
    return out
  }
}
