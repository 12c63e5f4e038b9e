import SymGrad

/// Re-runs a loss call of the expression language on the autograd oracle.
///
/// The bridge reads the call's structure (`CallTree`), finds the tensor it can
/// differentiate (the loss input, or the input, weight and bias of a `linear` inside it),
/// and maps the requested symbols to positions of that tensor. It lives here, in the tool
/// that imports both modules; the oracle itself knows nothing of SymGrad.
///
/// The oracle needs `_Differentiation`, which Xcode's toolchain on macOS does not ship.
/// There `isAvailable` is false and `evaluate` throws `NotApplicable` saying so: every
/// command still works, and `check` reports the oracle as not consulted, with the reason
/// (`OracleBridge+Differentiation.swift` holds the bridge itself).
enum OracleBridge {
  struct NotApplicable: Error, CustomStringConvertible {
    let description: String
  }

  /// Why the oracle cannot run on this toolchain.
  static let unavailableReason =
    "the autograd oracle is unavailable: this toolchain has no _Differentiation (Xcode's toolchain on macOS"
    + " ships none; a swift.org toolchain does)"
}

#if !canImport(_Differentiation) || SYMGRAD_SIMULATE_NO_DIFFERENTIATION
extension OracleBridge {
  static let isAvailable = false

  /// Always throws `NotApplicable` (`unavailableReason`).
  static func evaluate(_ tree: CallTree, variables: [String], at point: [String: Double]) throws
    -> (value: [Double], jacobian: [[Double]])
  {
    throw NotApplicable(description: unavailableReason)
  }
}
#endif
