/// Reads a JSON point file: an object mapping names to numbers or nested lists of numbers.
///
/// ```json
/// {"x": 1.5, "y": "-inf", "w": [[1, 2, 3], [4, "nan", 6]], "mask": [true, false]}
/// ```
package enum PointFile {
  /// Reads the named values of a JSON point file, in file order.
  ///
  /// Each value is one of:
  /// - a JSON number: a 0-d `float64` array holding the correctly rounded `Double` of its
  ///   decimal text (a literal beyond the `Double` range rounds to +-infinity, as in IEEE
  ///   arithmetic and numpy);
  /// - a string spelling a non-finite value, case-insensitively: `"inf"`, `"+inf"`,
  ///   `"-inf"`, `"infinity"`, `"+infinity"`, `"-infinity"`, `"nan"`; also the bare tokens
  ///   `NaN`, `Infinity`, `-Infinity` that Python's `json` module writes;
  /// - `true` or `false`: 1 or 0 (element `bool` when every leaf of the value is a boolean,
  ///   `float64` otherwise);
  /// - a nested list of those, rectangular: its shape is read from the first element at
  ///   each depth and every sibling must match (`raggedList`, with the offending sublist's
  ///   index, line and column otherwise: the first mismatch in reading order); `[]` has
  ///   shape `[0]`. Lists are read in one pass straight into row-major values, so memory
  ///   grows with the values (8 bytes each), not with the nesting.
  ///
  /// Edges: names must be unique; `null`, objects as values, other strings, and lists
  /// nested deeper than 64 levels are errors; a UTF-8 byte-order mark is skipped; anything
  /// after the top-level object except whitespace is an error.
  ///
  /// - Throws: `ArrayFileError.invalidJSON(line:column:reason:)` (1-based; columns count
  ///   Unicode scalars) or `.raggedList`.
  package static func read(
    json bytes: [UInt8]
  ) throws(ArrayFileError) -> [(name: String, value: ArrayValue)] {
    var p = JSONPointParser(bytes: bytes)
    return try p.points()
  }
}

/// The hand-written JSON parser behind `PointFile` (RFC 8259 syntax, plus Python's
/// non-finite tokens), which keeps byte offsets for line/column errors.
struct JSONPointParser {
  let bytes: [UInt8]
  var position = 0

  static let maximumDepth = 64

  init(bytes: [UInt8]) { self.bytes = bytes }

  /// The shape and values of one point as they are read: the shape is fixed by the first
  /// element at each depth (`shape[d]` when the first list at depth d closes, `rank` at the
  /// first number, or at the first empty list), and every later element is checked against
  /// it as soon as it can be.
  struct PointState {
    let name: String
    /// The depth of the numbers (the number of dimensions), once known.
    var rank: Int?
    /// `shape[d]`: the element count of lists at depth d, once known.
    var shape: [Int?] = []
    var values: [Double] = []
    var allBool = true
    /// The index path of the element being read (for errors).
    var index: [Int] = []

    init(name: String) { self.name = name }

    func expectedCount(_ depth: Int) -> Int? { depth < shape.count ? shape[depth] : nil }
  }

  // MARK: Errors and positions

  /// 1-based line and column (in Unicode scalars) of byte `offset`.
  func lineColumn(_ offset: Int) -> (line: Int, column: Int) {
    var line = 1
    var column = 1
    for b in bytes[0..<Swift.min(Swift.max(offset, 0), bytes.count)] {
      if b == 0x0A {
        line += 1
        column = 1
      } else if b & 0xC0 != 0x80 {
        column += 1
      }
    }
    return (line, column)
  }

  func error(_ reason: String, at offset: Int? = nil) -> ArrayFileError {
    let (line, column) = lineColumn(offset ?? position)
    return .invalidJSON(line: line, column: column, reason: reason)
  }

  var current: UInt8? { position < bytes.count ? bytes[position] : nil }

  mutating func skipWhitespace() {
    while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { position += 1 }
  }

  func describe(_ c: UInt8?) -> String {
    guard let c else { return "the end of the file" }
    return c >= 0x20 && c < 0x7F ? "'\(UnicodeScalar(c))'" : "byte 0x\(String(c, radix: 16))"
  }

  // MARK: Points

  mutating func points() throws(ArrayFileError) -> [(name: String, value: ArrayValue)] {
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    skipWhitespace()
    guard current == UInt8(ascii: "{") else {
      throw error(
        "expected '{' (a point file is an object mapping names to values), found \(describe(current))"
      )
    }
    position += 1
    var result: [(name: String, value: ArrayValue)] = []
    var seen = Set<String>()
    skipWhitespace()
    if current == UInt8(ascii: "}") {
      position += 1
    } else {
      while true {
        skipWhitespace()
        let keyOffset = position
        guard current == UInt8(ascii: "\"") else {
          throw error("expected a name in double quotes, found \(describe(current))")
        }
        let name = try string()
        guard seen.insert(name).inserted else {
          throw error("duplicate name \"\(name)\"", at: keyOffset)
        }
        skipWhitespace()
        guard current == UInt8(ascii: ":") else {
          throw error("expected ':' after the name \"\(name)\", found \(describe(current))")
        }
        position += 1
        result.append((name, try point(name: name)))
        skipWhitespace()
        if current == UInt8(ascii: ",") {
          position += 1
          continue
        }
        guard current == UInt8(ascii: "}") else {
          throw error("expected ',' or '}', found \(describe(current))")
        }
        position += 1
        break
      }
    }
    skipWhitespace()
    guard position == bytes.count else {
      throw error("unexpected \(describe(current)) after the top-level object")
    }
    return result
  }

  /// One point's value, read in one pass into row-major values.
  mutating func point(name: String) throws(ArrayFileError) -> ArrayValue {
    var state = PointState(name: name)
    try element(&state, depth: 0)
    let rank = state.rank ?? 0
    var shape: [Int] = []
    for d in 0..<rank {
      // Every depth below the rank was closed by its first list.
      guard let n = state.expectedCount(d) else {
        throw error("internal: shape at depth \(d) unknown")
      }
      shape.append(n)
    }
    let element: ArrayValue.Element = state.allBool && !state.values.isEmpty ? .bool : .float64
    return ArrayValue(shape: shape, values: state.values, element: element)
  }

  func ragged(_ s: PointState, at offset: Int, expected: Int, found: Int) -> ArrayFileError {
    let (line, column) = lineColumn(offset)
    return .raggedList(
      name: s.name, index: s.index, line: line, column: column, expected: expected, found: found)
  }

  /// Reads the element at `depth` (a number or a list) into `s`, checking it against the
  /// shape known so far.
  mutating func element(_ s: inout PointState, depth: Int) throws(ArrayFileError) {
    skipWhitespace()
    let start = position
    guard current == UInt8(ascii: "[") else {
      let v = try scalar()
      if let rank = s.rank {
        // A list at depth >= rank is refused when opened, so here depth <= rank.
        guard depth == rank else {
          throw ragged(s, at: start, expected: s.expectedCount(depth) ?? -1, found: -1)
        }
      } else {
        s.rank = depth
      }
      s.values.append(v.value)
      s.allBool = s.allBool && v.isBool
      return
    }
    if let rank = s.rank, depth >= rank {
      throw ragged(s, at: start, expected: -1, found: try skipList(depth: depth))
    }
    guard depth < Self.maximumDepth else {
      throw error("lists nested deeper than \(Self.maximumDepth) levels")
    }
    position += 1
    var count = 0
    skipWhitespace()
    if current == UInt8(ascii: "]") {
      position += 1
    } else {
      while true {
        if let expected = s.expectedCount(depth), count >= expected {
          // More elements than the first list at this depth: count them all for the error.
          let found = try skipItems(counted: count, depth: depth)
          throw ragged(s, at: start, expected: expected, found: found)
        }
        s.index.append(count)
        try element(&s, depth: depth + 1)
        s.index.removeLast()
        count += 1
        skipWhitespace()
        if current == UInt8(ascii: ",") {
          position += 1
          continue
        }
        guard current == UInt8(ascii: "]") else {
          throw error("expected ',' or ']', found \(describe(current))")
        }
        position += 1
        break
      }
    }
    while s.shape.count <= depth { s.shape.append(nil) }
    if let expected = s.shape[depth] {
      guard count == expected else { throw ragged(s, at: start, expected: expected, found: count) }
    } else {
      s.shape[depth] = count
      if count == 0 && s.rank == nil { s.rank = depth + 1 }
    }
  }

  /// Skips the list at `position` (syntax still checked), returning its element count.
  mutating func skipList(depth: Int) throws(ArrayFileError) -> Int {
    guard depth < Self.maximumDepth else {
      throw error("lists nested deeper than \(Self.maximumDepth) levels")
    }
    position += 1
    skipWhitespace()
    if current == UInt8(ascii: "]") {
      position += 1
      return 0
    }
    return try skipItems(counted: 0, depth: depth)
  }

  /// Skips the remaining elements of a list at `depth` (positioned before element number
  /// `counted`) and its closing bracket, returning its element count.
  mutating func skipItems(counted: Int, depth: Int) throws(ArrayFileError) -> Int {
    var count = counted
    while true {
      skipWhitespace()
      if current == UInt8(ascii: "[") {
        _ = try skipList(depth: depth + 1)
      } else {
        _ = try scalar()
      }
      count += 1
      skipWhitespace()
      if current == UInt8(ascii: ",") {
        position += 1
        continue
      }
      guard current == UInt8(ascii: "]") else {
        throw error("expected ',' or ']', found \(describe(current))")
      }
      position += 1
      return count
    }
  }

  /// A number, a non-finite string, or a boolean.
  mutating func scalar() throws(ArrayFileError) -> (value: Double, isBool: Bool) {
    skipWhitespace()
    let start = position
    guard let c = current else { throw error("the file ends where a value was expected") }
    switch c {
    case UInt8(ascii: "\""):
      let s = try string()
      guard let v = Self.nonFinite(s) else {
        throw error(
          "the string \"\(s)\" is not a number (write a number, or \"inf\", \"-inf\", \"nan\")",
          at: start)
      }
      return (v, false)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      if c == UInt8(ascii: "-"), word(at: position + 1) == "Infinity" {
        position += 9
        return (-.infinity, false)
      }
      return (try number(), false)
    case UInt8(ascii: "{"):
      throw error("an object is not a value (a value is a number, a non-finite string or a list)")
    default:
      let w = word(at: position)
      position += w.utf8.count
      switch w {
      case "true": return (1, true)
      case "false": return (0, true)
      case "NaN": return (.nan, false)
      case "Infinity": return (.infinity, false)
      case "null": throw error("null is not a value", at: start)
      default: throw error("unexpected \(w.isEmpty ? describe(c) : "'\(w)'")", at: start)
      }
    }
  }

  /// The run of ASCII letters at `offset`.
  func word(at offset: Int) -> String {
    var end = offset
    while end < bytes.count, (bytes[end] | 0x20) >= 0x61, (bytes[end] | 0x20) <= 0x7A { end += 1 }
    return offset < end ? String(decoding: bytes[offset..<end], as: UTF8.self) : ""
  }

  /// The value of a non-finite spelling, or nil.
  static func nonFinite(_ s: String) -> Double? {
    switch s.lowercased() {
    case "inf", "+inf", "infinity", "+infinity": .infinity
    case "-inf", "-infinity": -.infinity
    case "nan": .nan
    default: nil
    }
  }

  /// A JSON number (RFC 8259 grammar), correctly rounded to `Double`.
  mutating func number() throws(ArrayFileError) -> Double {
    let start = position
    func digits() -> Int {
      let s = position
      while let c = current, c >= 0x30 && c <= 0x39 { position += 1 }
      return position - s
    }
    if current == UInt8(ascii: "-") { position += 1 }
    if current == UInt8(ascii: "0") {
      position += 1
    } else if digits() == 0 {
      throw error("expected a digit, found \(describe(current))")
    }
    if current == UInt8(ascii: ".") {
      position += 1
      guard digits() > 0 else {
        throw error("expected a digit after '.', found \(describe(current))")
      }
    }
    if let c = current, c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
      position += 1
      if let s = current, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { position += 1 }
      guard digits() > 0 else {
        throw error("expected a digit in the exponent, found \(describe(current))")
      }
    }
    if let c = current,
      (c >= 0x30 && c <= 0x39) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x7A) || c == UInt8(ascii: ".")
    {
      throw error("invalid number (leading zeros and other forms are not JSON)")
    }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    guard let v = Double(text) else { throw error("invalid number \(text)", at: start) }
    return v
  }

  /// A JSON string (at its opening quote), escapes decoded, UTF-8 validated.
  mutating func string() throws(ArrayFileError) -> String {
    let start = position
    position += 1
    var content: [UInt8] = []
    while true {
      guard let c = current else { throw error("unterminated string", at: start) }
      if c == UInt8(ascii: "\"") {
        position += 1
        break
      }
      if c < 0x20 { throw error("control character \(describe(c)) in a string (escape it)") }
      if c != UInt8(ascii: "\\") {
        content.append(c)
        position += 1
        continue
      }
      position += 1
      guard let e = current else { throw error("unterminated string", at: start) }
      position += 1
      switch e {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): content.append(e)
      case UInt8(ascii: "b"): content.append(0x08)
      case UInt8(ascii: "f"): content.append(0x0C)
      case UInt8(ascii: "n"): content.append(0x0A)
      case UInt8(ascii: "r"): content.append(0x0D)
      case UInt8(ascii: "t"): content.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if scalar >= 0xD800 && scalar < 0xDC00 {
          guard current == UInt8(ascii: "\\"), position + 1 < bytes.count,
            bytes[position + 1] == UInt8(ascii: "u")
          else {
            throw error("unpaired surrogate \\u\(String(scalar, radix: 16)) in a string")
          }
          position += 2
          let low = try hex4()
          guard low >= 0xDC00 && low < 0xE000 else { throw error("unpaired surrogate in a string") }
          scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
        } else if scalar >= 0xDC00 && scalar < 0xE000 {
          throw error("unpaired surrogate \\u\(String(scalar, radix: 16)) in a string")
        }
        guard let u = UnicodeScalar(scalar) else { throw error("invalid \\u escape") }
        content.append(contentsOf: Array(String(Character(u)).utf8))
      default:
        position -= 2
        throw error(
          "invalid escape \\\(e >= 0x20 && e < 0x7F ? String(UnicodeScalar(e)) : describe(e)) in a string"
        )
      }
    }
    guard let s = String(validating: content, as: UTF8.self) else {
      throw error("string is not valid UTF-8", at: start)
    }
    return s
  }

  mutating func hex4() throws(ArrayFileError) -> UInt32 {
    var v: UInt32 = 0
    for _ in 0..<4 {
      guard let c = current, let d = Int(String(UnicodeScalar(c)), radix: 16) else {
        throw error("expected 4 hexadecimal digits after \\u")
      }
      v = v << 4 | UInt32(d)
      position += 1
    }
    return v
  }
}
