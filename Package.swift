// swift-tools-version: 6.0
import PackageDescription

// SymGrad has no package dependencies by design: only the toolchain's modules
// (Foundation, Synchronization, _Differentiation, Testing, XCTest).
let package = Package(
  name: "SymGrad",
  platforms: [.macOS(.v15)],
  products: [
    .library(name: "SymGrad", targets: ["SymGrad"]),
    .library(name: "SymGradOracle", targets: ["SymGradOracle"]),
    // Checking your own differentiable Swift code against SymGrad, in your tests.
    .library(name: "SymGradTesting", targets: ["SymGradTesting"]),
    .executable(name: "symgrad", targets: ["symgrad"]),
    .executable(name: "symgrad-bench", targets: ["symgrad-bench"]),
  ],
  targets: [
    // The computer-algebra core, losses, limits and printers.
    .target(name: "SymGrad"),
    // The autograd oracle: PyTorch's losses as `@differentiable(reverse)` Swift code.
    // It must never import SymGrad: an oracle that shares code with what it checks proves nothing.
    .target(name: "SymGradOracle"),
    // The check API for users' tests: their `@differentiable(reverse)` code against SymGrad's
    // certified values and symbolic gradients, and gradcheck against finite differences.
    .target(name: "SymGradTesting", dependencies: ["SymGrad"]),
    // The command-line tool's logic, as a library so tests can drive it in-process.
    .target(name: "SymGradCLI", dependencies: ["SymGrad", "SymGradOracle", "SymGradArrayFiles", "SymGradIndexed"]),
    .executableTarget(name: "symgrad", dependencies: ["SymGradCLI"]),
    // Index notation (issue 11): sums over index ranges, Kronecker deltas, Iverson brackets
    // and tensor entries as atoms of core expressions; derivatives and losses for every size,
    // checked by instantiation against the explicit losses.
    .target(name: "SymGradIndexed", dependencies: ["SymGrad"]),
    .executableTarget(name: "symgrad-bench", dependencies: ["SymGrad"]),
    // The fuzzer (issue 8, item 7): a deterministic input generator and a driver that runs
    // each input through every stage with a time budget. `symgrad-fuzz` is its thin main.
    .target(name: "SymGradFuzz", dependencies: ["SymGrad", "SymGradCLI", "SymGradArrayFiles"]),
    .target(name: "SymGradArrayFiles"),
    .executableTarget(name: "symgrad-fuzz", dependencies: ["SymGradFuzz"]),
    // Test support shared by the test targets (the one approximate-equality helper); no
    // dependencies, and no product: only the test targets below use it.
    .target(name: "SymGradTestSupport"),
    .testTarget(name: "SymGradTests", dependencies: ["SymGrad", "SymGradTestSupport"]),
    .testTarget(name: "SymGradOracleTests", dependencies: ["SymGradOracle", "SymGradTestSupport"]),
    .testTarget(
      name: "SymGradCLITests", dependencies: ["SymGradCLI", "SymGrad", "SymGradOracle", "SymGradTestSupport"]),
    .testTarget(name: "SymGradFuzzTests", dependencies: ["SymGradFuzz", "SymGrad"]),
    .testTarget(name: "SymGradIndexedTests", dependencies: ["SymGradIndexed", "SymGrad", "SymGradTestSupport"]),
    .testTarget(name: "SymGradArrayFilesTests", dependencies: ["SymGradArrayFiles"]),
    // Uses SymGradTesting as a user's package would: its own loss, its own tests.
    .testTarget(name: "SymGradTestingTests", dependencies: ["SymGradTesting"]),
  ]
)
