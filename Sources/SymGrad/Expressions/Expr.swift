import Synchronization

/// A symbolic expression: an immutable, hash-consed (interned) node of a DAG.
///
/// Every distinct expression exists once in memory, so `==` and hashing are O(1)
/// pointer operations and shared subexpressions are stored once. Expressions are
/// always in *canonical form*: the constructors (`Expr.sum`, `Expr.product`,
/// `Expr.power`, `Expr.apply` and the operators built on them) flatten, sort, collect
/// like terms, fold numbers and apply a few safe identities, as sympy does on
/// construction. See `Expr+Canonical.swift` for the rules.
///
/// ```swift
/// let x = Expr.symbol("x"), y = Expr.symbol("y")
/// let f = exp(x) / (exp(x) + exp(y))
/// print(f)                        // exp(x)/(exp(x) + exp(y))
/// ```
///
/// Symbols stand for real numbers. Values may be the extended reals `+inf`, `-inf`
/// and `undefined` (NaN): see `Constant`.
public struct Expr: Sendable {
  /// The interned node. Two `Expr` values are equal exactly when they share it.
  let node: ExprNode

  init(node: ExprNode) { self.node = node }

  /// What kind of node this is, with its children.
  public var kind: Kind { node.kind }
}

extension Expr: Hashable {
  public static func == (lhs: Expr, rhs: Expr) -> Bool { lhs.node === rhs.node }
  public func hash(into hasher: inout Hasher) { hasher.combine(node.id) }
  /// Dictionaries keyed by expressions are on every hot path (memos, the intern table):
  /// ids are unique, so a cheap seeded mix of the id replaces SipHash.
  public func _rawHashValue(seed: Int) -> Int {
    Int(truncatingIfNeeded: StructuralHash.mix(node.id, UInt64(bitPattern: Int64(seed))))
  }
}

extension Expr {
  /// The kinds of expression nodes.
  public enum Kind: Sendable {
    /// An exact rational number.
    case number(Rational)
    /// A real-valued variable, by name.
    case symbol(String)
    /// `+inf`, `-inf`, `undefined` or `pi`.
    case constant(Constant)
    /// An n-ary sum of at least two terms, sorted; no term is a sum, at most one is a number.
    case sum([Expr])
    /// An n-ary product of at least two factors, sorted; no factor is a product, and a
    /// numeric coefficient (if any, never 1) comes first.
    case product([Expr])
    /// `base ** exponent`.
    case power(Expr, Expr)
    /// A function applied to its arguments.
    case apply(Function, [Expr])
  }

  /// The direct children of this node, in order.
  public var children: [Expr] {
    switch node.kind {
    case .number, .symbol, .constant: return []
    case .sum(let terms): return terms
    case .product(let factors): return factors
    case .power(let base, let exponent): return [base, exponent]
    case .apply(_, let arguments): return arguments
    }
  }
}

extension Expr {
  /// Named constants of the extended reals.
  ///
  /// `undefined` is the result of an indeterminate form (`inf - inf`, `0 * inf`, `0/0`)
  /// and absorbs every operation, like IEEE NaN; unlike NaN it equals itself, so
  /// expressions holding it stay usable as dictionary keys.
  public enum Constant: Int, Sendable, CaseIterable {
    case negativeInfinity, infinity, undefined, pi

    /// The IEEE double value (`pi` rounded to nearest).
    public var doubleValue: Double {
      switch self {
      case .negativeInfinity: return -.infinity
      case .infinity: return .infinity
      case .undefined: return .nan
      case .pi: return .pi
      }
    }
  }
}

/// The node behind an `Expr`: created only by the intern table.
final class ExprNode: Sendable {
  /// The kind, except for a large sum: there a placeholder (`.sum([])`), its terms being
  /// held by `large`.
  private let storedKind: Expr.Kind
  /// The terms of a sum of at least `LargeSum.threshold` terms (nil for every other node).
  let large: LargeSum?

  /// What kind of node this is, with its children (a large sum's array of terms is made on
  /// first use, once).
  var kind: Expr.Kind {
    if let large { return .sum(large.terms) }
    return storedKind
  }

  /// Unique for the life of the process (never reused).
  let id: UInt64
  /// A structural hash that is the same in every run (unlike `Hasher`), used for the
  /// intern table and as the last tie-break of the canonical order.
  let structuralHash: UInt64
  /// The ordering key of the canonical order (see `Expr+Order.swift`).
  let orderKey: OrderKey
  /// A 64-bit Bloom filter of the symbols below: a symbol's bit is set in every ancestor.
  /// A clear bit proves the symbol is absent (derivatives skip such subtrees). Bits 0-61
  /// are hashed from the names; bits 62 and 63 belong to the limit engine's two private
  /// variables alone (`exactSymbolBit`), so for them the bit is exact and `contains` is O(1).
  let symbolMask: UInt64
  /// The smallest and largest node id of the symbols below (`lowestSymbolID >
  /// highestSymbolID` when there are none; the full range for `undefined`, which must
  /// never be skipped). Symbols made one after another (a tensor's elements, row-major)
  /// have increasing ids, so a row's subtree spans only that row's ids: together with the
  /// mask this stays selective where the 64-bit mask is saturated (a sum of 1000 symbols).
  let lowestSymbolID: UInt64
  let highestSymbolID: UInt64
  /// Number of nodes on the longest path to a leaf (a leaf has height 1). Stored in 32 bits
  /// beside the two bytes below, so the node stays within the allocation size it had
  /// before `large` was added (the intern table holds millions of nodes).
  private let storedHeight: Int32
  var height: Int { Int(storedHeight) }
  /// Which of the non-finite constants occur below (`NonFinite` bits: `+inf`, `-inf`,
  /// `undefined`), so "does this contain an infinity" is O(1); one more bit says whether an
  /// activation node occurs below (`NonFinite.activation`, not a non-finite value).
  let nonFinite: UInt8
  /// For sums, computed on first use: 1 when the rational content is 1 (so `sumContent`
  /// answers at once), 2 when it is not, 0 while unknown.
  let primitiveState = Atomic<UInt8>(0)

  init(
    kind: Expr.Kind, large: LargeSum?, id: UInt64, structuralHash: UInt64, orderKey: OrderKey, height: Int,
    symbolMask: UInt64, symbolIDs: (lowest: UInt64, highest: UInt64), nonFinite: UInt8
  ) {
    self.storedKind = kind
    self.large = large
    self.id = id
    self.structuralHash = structuralHash
    self.orderKey = orderKey
    self.storedHeight = Int32(height)
    self.symbolMask = symbolMask
    self.lowestSymbolID = symbolIDs.lowest
    self.highestSymbolID = symbolIDs.highest
    self.nonFinite = nonFinite
  }

  /// The limit variable `t` and the series variable `ω` of the limit engine: names no
  /// parser can produce (a combining asterisk), with a mask bit of their own.
  static let limitVariableName = "t\u{20F0}"
  static let seriesVariableName = "\u{03C9}\u{20F0}"
  static let exactSymbolBits: UInt64 = 0b11 << 62

  /// The reserved mask bit of the engine's variables; nil for every other name.
  static func exactSymbolBit(_ name: String) -> UInt64? {
    switch name {
    case limitVariableName: return 1 << 63
    case seriesVariableName: return 1 << 62
    default: return nil
    }
  }

  /// Whether the symbol `symbol` may occur below this node: false proves it does not
  /// (its mask bit is clear or its id is outside the range of the ids below).
  @inline(__always)
  func mayContain(symbol: ExprNode) -> Bool {
    symbolMask & symbol.symbolMask != 0 && symbol.id >= lowestSymbolID && symbol.id <= highestSymbolID
  }

  /// Bits of `nonFinite`.
  enum NonFinite {
    static let plusInfinity: UInt8 = 1
    static let minusInfinity: UInt8 = 2
    static let undefined: UInt8 = 4
    /// The three non-finite bits.
    static let any: UInt8 = 7
    /// Not a non-finite value: an activation node (`Expr.Function.isActivation`) occurs
    /// below, so evaluators know whether to expand definitions in O(1).
    static let activation: UInt8 = 8
    /// Not a non-finite value: a selection node (`Expr.Function.isSelection`) occurs below,
    /// so evaluators and differentiators know in O(1) whether a branch may be skipped.
    static let selection: UInt8 = 16
  }
}
