extension ArrayValue: Equatable {
  /// Equal when shape, element type and every value agree, with NaN equal to NaN.
  ///
  /// Values compare with IEEE `==` except that any two NaNs are equal (so an array holding
  /// NaN equals itself, as a value read from a file should); `0.0` and `-0.0` are equal.
  /// Use `values.map(\.bitPattern)` to tell signed zeros or NaN payloads apart.
  package static func == (lhs: ArrayValue, rhs: ArrayValue) -> Bool {
    guard lhs.shape == rhs.shape, lhs.element == rhs.element, lhs.values.count == rhs.values.count
    else { return false }
    for (a, b) in zip(lhs.values, rhs.values) where !(a == b || (a.isNaN && b.isNaN)) {
      return false
    }
    return true
  }
}
