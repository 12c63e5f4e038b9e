import SymGrad

/// Verification by instantiation: an index-notation loss and gradient, expanded at small
/// sizes with random data, against the explicit engine's loss at the same sizes and its
/// derivative by each entry. Two tests per entry: the difference simplifies to 0 (a
/// proof for that size), and the certified values agree at random points (one with
/// `-inf` in the first input entry). Two faithful roundings of one value differ by at most
/// 2 ulps; that is the only tolerance.
public struct IndexedVerification: Sendable {
  /// One instance checked: sizes and data, as text (`N=2, C=3, t=[0, -100]`).
  public var instances: [String] = []
  /// Entries compared (loss entries and gradient entries, over all instances).
  public var comparisons = 0
  /// Entries whose difference did not simplify to 0 but whose values agreed everywhere
  /// (checked numerically only).
  public var numericOnly = 0
  /// What disagreed, one line each; empty when everything agreed.
  public var failures: [String] = []

  public var passed: Bool { failures.isEmpty }

  /// One line for people: the sizes checked, the entries, how many were proved, and
  /// whether the values agreed (`derive` and `prove` print it).
  public var summary: String {
    "at \(instances.count) sizes (\(instances.joined(separator: "; "))): \(comparisons) entries, "
      + "\(comparisons - numericOnly) equal symbolically, "
      + (passed ? "all equal in certified values" : "\(failures.count) DISAGREE")
  }
}

extension IndexedDerivation {
  /// The (rows, classes) pairs verification uses: N and C from 1 to 4.
  public static let verificationSizes = [(1, 1), (1, 3), (2, 2), (2, 4), (3, 1), (3, 4), (4, 3)]
  /// Values of a third and later size (features `D`), one per pair above.
  static let otherSizes = [2, 1, 3, 2, 1, 3, 2]

  /// The values `verify` gives the symbolic sizes by default: the first two from
  /// `verificationSizes`, later ones from 1 to 3.
  public var verificationAssignments: [[String: Int]] {
    var out: [[String: Int]] = []
    for (i, (n, c)) in Self.verificationSizes.enumerated() {
      var assignment: [String: Int] = [:]
      var position = 0
      for size in sizes {
        guard case .symbolic(let name) = size, assignment[name] == nil else { continue }
        assignment[name] = position == 0 ? n : position == 1 ? c : Self.otherSizes[i]
        position += 1
      }
      if !out.contains(assignment) { out.append(assignment) }
    }
    return out
  }

  /// Checks this derivation against `explicit` (the explicit loss at an instance) at each
  /// of `assignments` (values of the symbolic sizes) with random targets (one ignored
  /// where the derivation allows it and there is more than one row), values at `points`
  /// random points per instance. Deterministic for a `seed`.
  public func verify(
    assignments: [[String: Int]]? = nil, points: Int = 3, seed: UInt64 = 1, ignoreIndex: Int = -100,
    explicit: (Instance) throws -> Expr.Tensor
  ) -> IndexedVerification {
    var report = IndexedVerification()
    var random = SplitMix64(seed: seed)
    for assignment in assignments ?? verificationAssignments {
      var instance = Instance(sizes: assignment, ignoreIndex: ignoreIndex)
      var label = sizes.compactMap { s -> String? in
        guard case .symbolic(let name) = s else { return nil }
        return "\(name)=\(assignment[name] ?? 0)"
      }.joined(separator: ", ")
      do {
        if let t = target, let rows = targetRows {
          let (n, c) = (try instance.value(of: rows), try instance.value(of: t.range))
          var values = (0..<n).map { _ in random.below(c) }
          if t.mayBeIgnored && n > 1 { values[random.below(n)] = ignoreIndex }
          instance.data[t.name] = ([n], values)
          label += ", \(t.name)=\(values)"
        }
        report.instances.append(label)
        let reference = try explicit(instance)
        try compare(instance, reference, label, points, &random, &report)
      } catch {
        report.failures.append("\(label): \(error)")
      }
    }
    return report
  }

  /// Every assignment of 1-based values to `variables`, the last fastest (row-major).
  private func tuples(_ variables: [IndexVariable], _ instance: Instance) throws -> [[IndexVariable: Int]] {
    var out: [[IndexVariable: Int]] = [[:]]
    for v in variables {
      let size = try instance.value(of: v.size)
      out = out.flatMap { e in (0..<size).map { k in e.merging([v: k + 1]) { a, _ in a } } }
    }
    return out
  }

  private func compare(
    _ instance: Instance, _ reference: Expr.Tensor, _ label: String, _ points: Int,
    _ random: inout SplitMix64, _ report: inout IndexedVerification
  ) throws {
    var pairs: [(String, Expr, Expr)] = []
    let entries = try tuples(lossIndices, instance)
    guard reference.elements.count == entries.count else {
      report.failures.append(
        "\(label): the explicit loss has \(reference.elements.count) entries, the index form \(entries.count)")
      return
    }
    let inputEntries = try tuples(inputIndices, instance)
    for (position, at) in entries.enumerated() {
      let entry = "loss" + lossIndices.map { "[\(at[$0]! - 1)]" }.joined()
      let explicitLoss = reference.elements[position]
      pairs.append((entry, try algebra.instantiate(loss, instance, at: at), explicitLoss))
      for point in inputEntries {
        let name = Expr.Tensor.elementName(input, index: inputIndices.map { point[$0]! - 1 })
        pairs.append(
          (
            "d \(entry) / d \(name)", try algebra.instantiate(gradient, instance, at: at.merging(point) { a, _ in a }),
            explicitLoss.derivative(withRespectTo: name)
          ))
      }
    }
    report.comparisons += pairs.count
    var symbols = Set<String>()
    for (what, a, b) in pairs {
      symbols.formUnion(a.freeSymbols)
      symbols.formUnion(b.freeSymbols)
      if a.freeSymbols.contains("⟦out of range⟧") {
        report.failures.append("\(label) \(what): uses an entry at an ignored target")
      }
      if !(a - b).simplified().isZero { report.numericOnly += 1 }
    }
    let first = Expr.Tensor.elementName(input, index: inputIndices.map { _ in 0 })
    for trial in 0..<points {
      var point: [String: Double] = [:]
      for s in symbols.sorted() {
        if probabilityTensors.contains(where: { s.hasPrefix($0 + "[") }) {
          point[s] = random.double(1.0 / 16, 15.0 / 16)
        } else if positiveTensors.contains(where: { s.hasPrefix($0 + "[") }) {
          point[s] = random.double(0.25, 2)
        } else {
          point[s] = random.double(-3, 3)
        }
      }
      // The last point has -inf in the input's first entry, unless the input is a probability.
      if trial == points - 1 && point[first] != nil && !probabilityTensors.contains(input) { point[first] = -.infinity }
      let values = try Expr.certifiedValues(of: pairs.flatMap { [$0.1, $0.2] }, at: point)
      for (k, (what, _, _)) in pairs.enumerated() {
        let (a, b) = (values[2 * k], values[2 * k + 1])
        if !Self.agree(a, b) {
          report.failures.append("\(label) \(what) at \(point): index form \(a), explicit \(b)")
        }
      }
    }
  }

  /// Whether two certified evaluations of one exact value agree: both certified and
  /// within 2 ulps (each is within 1 ulp of the exact value), or both the same
  /// non-finite value. An uncertified value agrees only with an uncertified one (the
  /// same test on their midpoints): a certified number never matches a guess.
  static func agree(_ a: CertifiedValue, _ b: CertifiedValue) -> Bool {
    guard a.certified == b.certified else { return false }
    if a.value.isNaN || b.value.isNaN { return a.value.isNaN && b.value.isNaN }
    if a.value.isInfinite || b.value.isInfinite { return a.value == b.value }
    let ulp = Swift.max(a.value.ulp, b.value.ulp)
    return Swift.abs(a.value - b.value) <= 2 * ulp
  }
}

extension SplitMix64 {
  /// A double in [lo, hi) with 20 random bits (short and exact, so points print plainly).
  fileprivate mutating func double(_ lo: Double, _ hi: Double) -> Double {
    lo + (hi - lo) * Double(below(1 << 20)) / Double(1 << 20)
  }
}
