/// A numeric array read from a file: its shape, its values as `Double` in row-major order,
/// and the element type the file held.
///
/// Every reader in this module produces this one form, whatever the file's layout:
/// - `values` is always in row-major (C) order; a `.npy` array stored in Fortran order is
///   transposed on reading, so `values[i0 * shape[1] + i1]` is element `[i0, i1]` for any file.
/// - A 0-d array (a scalar) has `shape == []` and one value; an empty array has a 0 in its
///   shape and no values.
/// - Every value is the element's exact value: floats widen exactly, integers are read only
///   when their magnitude is at most 2^53 (readers reject larger ones rather than round),
///   booleans are 0 or 1.
///
/// Equality compares shape, element type and values, with every NaN equal to every NaN
/// (whatever its payload) so a value read twice is equal to itself; `0.0 == -0.0` as in
/// IEEE arithmetic. See `ArrayValue+Equatable.swift`.
package struct ArrayValue: Sendable {
  /// The element type a file stored, before conversion to `Double`.
  package enum Element: String, Sendable, Equatable, CaseIterable {
    /// IEEE binary64 (`.npy` `f8`; every JSON number).
    case float64
    /// IEEE binary32 (`.npy` `f4`), widened exactly.
    case float32
    /// IEEE binary16 (`.npy` `f2`), widened exactly.
    case float16
    /// Signed integers (`.npy` `i8`, `i4`, `i2`, `i1`); `int64` only within +-2^53.
    case int64, int32, int16, int8
    /// Unsigned integers (`.npy` `u8`, `u4`, `u2`, `u1`); `uint64` only up to 2^53.
    case uint64, uint32, uint16, uint8
    /// Booleans (`.npy` `b1`; JSON `true`/`false`): false is 0, true is 1.
    case bool

    /// Bytes per element in a `.npy` file.
    package var byteWidth: Int {
      switch self {
      case .float64, .int64, .uint64: 8
      case .float32, .int32, .uint32: 4
      case .float16, .int16, .uint16: 2
      case .int8, .uint8, .bool: 1
      }
    }
  }

  /// The dimensions, outermost first: `[]` for a 0-d scalar; any dimension may be 0.
  package let shape: [Int]
  /// The elements in row-major (C) order, `shape.reduce(1, *)` of them.
  package let values: [Double]
  /// What the file held (the values are always converted to `Double`).
  package let element: Element

  /// The number of elements (1 for a 0-d scalar, 0 for an empty array).
  package var count: Int { values.count }

  /// Makes an array from a shape and row-major values.
  ///
  /// - Precondition: every dimension is non-negative and their product is `values.count`
  ///   (a programming error, not file data: readers validate before calling this).
  package init(shape: [Int], values: [Double], element: Element = .float64) {
    var n = 1
    for d in shape {
      precondition(d >= 0, "negative dimension \(d) in \(shape)")
      let (p, overflow) = n.multipliedReportingOverflow(by: d)
      precondition(!overflow, "shape \(shape) overflows Int")
      n = p
    }
    precondition(n == values.count, "shape \(shape) needs \(n) values, got \(values.count)")
    self.shape = shape
    self.values = values
    self.element = element
  }

  /// A 0-d array holding one value.
  package init(scalar: Double, element: Element = .float64) {
    self.init(shape: [], values: [scalar], element: element)
  }
}
