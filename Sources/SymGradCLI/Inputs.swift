import Foundation
import SymGrad
import SymGradArrayFiles

/// What `--tensor`, `--at` and `--wrt` give a command (a contract, see `help`):
/// tensors of symbols, data arrays, the point and the variables.
///
/// - `--tensor NAME=D1xD2x...` (repeatable) declares NAME as a tensor of symbols
///   `NAME[i][j]...` (row-major; see `Tensor.symbols`), usable in EXPR by its name.
/// - `--at` items, comma-separated and repeatable: `NAME=VALUE` (a decimal, `inf`,
///   `-inf`, `nan`), `@FILE` (every array of a `.json`, `.npz` or `.npy` file, by name),
///   `NAME=@FILE` (the one array of FILE, e.g. a `.npy`, named NAME).
/// - An array of rank >= 1 bound to NAME makes NAME a tensor of that shape: its elements
///   are symbols (with the array's values at the point) when NAME is declared with
///   `--tensor` (the shapes must agree) or listed in `--wrt`; otherwise NAME is data, its
///   numbers substituted into EXPR. A 0-d array (a JSON number) is the value of the
///   symbol NAME, as `NAME=VALUE` is.
/// - `--wrt NAME,...` or `--wrt @FILE` (names one per line or comma-separated): a tensor's
///   name stands for all its elements, row-major.
struct Inputs {
  /// Tensors of symbols by name (declared, or bound to an array and differentiated).
  var tensors: [String: Expr.Tensor] = [:]
  /// Data arrays by name (bound to an array, not differentiated).
  var data: [String: Expr.Value] = [:]
  /// The values of the symbols (nil when no `--at` was given).
  var point: [String: Double]?

  /// The names EXPR's text may use for tensors and data.
  var bindings: [String: Expr.Value] {
    var b = data
    for (name, t) in tensors { b[name] = t.value }
    return b
  }

  static let help = """
    Inputs (eval, diff and hessian):
      --tensor NAME=D1xD2x...  declare NAME as a tensor of symbols NAME[i][j]... (row-major),
                               usable in EXPR by name (repeatable)
      --at @FILE               values from FILE: .json (name -> number, "inf", "-inf",
                               "nan", or nested lists), .npz or .npy (float64, float32,
                               int64, int32, bool; C or Fortran order)
      --at NAME=@FILE.npy      the array of one .npy file, named NAME
      --wrt @FILE              names one per line or comma-separated
    An array bound to NAME makes NAME a tensor of its shape: symbols when NAME is in --wrt
    or declared with --tensor, data (its numbers substituted) otherwise. A tensor's name
    in --wrt stands for all its elements; the gradient then has the tensor's shape.
    """

  /// Reads the options. `needsWrt`: whether `--wrt` may be read (its names decide which
  /// file arrays are symbols).
  init(_ o: Options) throws {
    var declared: [String: [Int]] = [:]
    for text in o.all("--tensor") {
      let (name, shape) = try Inputs.declaration(text)
      guard declared.updateValue(shape, forKey: name) == nil else {
        throw UsageError("--tensor: '\(name)' is declared twice")
      }
    }
    let wrt = Set(try o.variableNames() ?? [])
    var point: [String: Double] = [:]
    var sawAt = false
    var arrays: [(name: String, array: ArrayValue, source: String)] = []
    for text in o.all("--at") {
      sawAt = true
      for item in Inputs.items(text) {
        if item.hasPrefix("@") {
          let path = String(item.dropFirst())
          for (name, array) in try Inputs.read(path) { arrays.append((name, array, path)) }
          continue
        }
        let parts = item.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, !parts[0].trimmedWhitespace.isEmpty else {
          throw UsageError("--at expects NAME=VALUE pairs or @FILE, separated by commas, got '\(item)'")
        }
        let name = parts[0].trimmedWhitespace
        let raw = parts[1].trimmedWhitespace
        if raw.hasPrefix("@") {
          let path = String(raw.dropFirst())
          let read = try Inputs.read(path)
          guard read.count == 1 else {
            throw UsageError(
              "--at \(name)=@\(path): the file holds \(read.count) arrays (\(read.map(\.name).joined(separator: ", "))); NAME=@FILE takes a file of one array (a .npy), @FILE takes them all by name"
            )
          }
          arrays.append((name, read[0].value, path))
          continue
        }
        guard let v = Options.number(raw) else {
          throw UsageError("--at: '\(raw)' is not a number for \(name) (use decimals, inf, -inf or nan)")
        }
        guard point.updateValue(v, forKey: name) == nil else { throw UsageError("--at: '\(name)' is given twice") }
      }
    }
    for (name, shape) in declared {
      do {
        tensors[name] = try Expr.Tensor.symbols(name, shape: shape)
      } catch {
        throw UsageError("--tensor \(name): \(error)")
      }
    }
    for (name, array, source) in arrays {
      guard ExpressionLanguage.isSymbolName(name) else {
        throw UsageError("--at: '\(name)' (from \(source)) is not a name EXPR can use")
      }
      if array.shape.isEmpty {
        guard point.updateValue(array.values[0], forKey: name) == nil else {
          throw UsageError("--at: '\(name)' is given twice")
        }
        continue
      }
      guard tensors[name] == nil || declared[name] != nil, data[name] == nil else {
        throw UsageError("--at: '\(name)' is given twice")
      }
      if let shape = declared[name] {
        guard shape == array.shape else {
          throw UsageError(
            "--at: '\(name)' from \(source) has shape \(Inputs.shapeText(array.shape)), but --tensor declares \(Inputs.shapeText(shape))"
          )
        }
      } else if wrt.contains(name) {
        do {
          tensors[name] = try Expr.Tensor.symbols(name, shape: array.shape)
        } catch {
          throw UsageError("--at: '\(name)' from \(source): \(error)")
        }
      } else {
        data[name] = Inputs.dataValue(array)
        continue
      }
      // Symbols with the array's values at the point.
      for (symbol, v) in zip(tensors[name]!.elements, array.values) {
        guard point.updateValue(v, forKey: symbol.symbolName!) == nil else {
          throw UsageError("--at: '\(symbol.symbolName!)' is given twice (inline and in \(source))")
        }
      }
    }
    self.point = sawAt ? point : nil
  }

  /// `NAME=D1xD2x...` as a name and a shape.
  static func declaration(_ text: String) throws -> (String, [Int]) {
    let parts = text.split(separator: "=", maxSplits: 1)
    guard parts.count == 2 else {
      throw UsageError("--tensor expects NAME=D1xD2x... (e.g. X=64x1000), got '\(text)'")
    }
    let name = parts[0].trimmedWhitespace
    guard ExpressionLanguage.isSymbolName(name) else {
      throw UsageError("--tensor: '\(name)' is not a name EXPR can use (letters, digits, _)")
    }
    var shape: [Int] = []
    for d in parts[1].split(separator: "x", omittingEmptySubsequences: false) {
      guard let n = Int(d.trimmedWhitespace), n >= 0 else {
        throw UsageError("--tensor \(name): '\(parts[1])' is not a shape D1xD2x... of non-negative integers")
      }
      shape.append(n)
    }
    return (name, shape)
  }

  /// The comma-separated items of one `--at` value.
  static func items(_ text: String) -> [String] {
    text.split(separator: ",", omittingEmptySubsequences: true).map { $0.trimmedWhitespace }.filter { !$0.isEmpty }
  }

  /// The arrays of a file, by name; errors name the file.
  static func read(_ path: String) throws -> [(name: String, value: ArrayValue)] {
    do {
      return try ArrayFiles.read(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw CommandFailure("symgrad: cannot read '\(path)': \(error)")
    }
  }

  /// A data array as a value of the language: its numbers, nested by its shape
  /// (`inf`, `-inf` and NaN as the constants).
  static func dataValue(_ array: ArrayValue) -> Expr.Value {
    let elements = array.values.map { v -> Expr in
      if v.isNaN { return .undefined }
      if v.isInfinite { return v > 0 ? .infinity : .negativeInfinity }
      return Expr(v)
    }
    return Expr.Tensor(shape: array.shape, elements: elements).value
  }

  static func shapeText(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }

  /// The `--wrt` variables of `value`: each name with its symbols (a tensor's elements,
  /// row-major) and its shape (nil for a scalar symbol). A scalar name must be a symbol of
  /// EXPR and a tensor must have an element in EXPR: a typo would make every check agree
  /// vacuously.
  func variables(_ o: Options, of value: Expr.Value) throws -> [(name: String, symbols: [Expr], shape: [Int]?)] {
    guard let names = try o.variableNames() else { throw UsageError("missing --wrt NAME[,NAME...]") }
    let symbols = Expr.symbolNames(of: value.flattened)
    var out: [(String, [Expr], [Int]?)] = []
    var unknown: [String] = []
    for name in names {
      if let t = tensors[name] {
        guard t.elements.contains(where: { symbols.contains($0.symbolName!) }) else {
          throw UsageError("--wrt: tensor '\(name)' is not used by EXPR")
        }
        out.append((name, t.elements, t.shape))
      } else if data[name] != nil {
        throw UsageError("--wrt: '\(name)' is data here; a file's array is differentiated when its name is in --wrt")
      } else {
        if !symbols.contains(name) { unknown.append(name) }
        out.append((name, [.symbol(name)], nil))
      }
    }
    guard unknown.isEmpty else {
      let some = symbols.sorted().prefix(20)
      let listed =
        symbols.isEmpty
        ? "EXPR has no symbols"
        : "EXPR's symbols: " + some.joined(separator: ", ")
          + (symbols.count > 20 ? ", ... (\(symbols.count) in all)" : "")
      throw UsageError(
        "--wrt: \(unknown.map { "'\($0)'" }.joined(separator: ", ")) \(unknown.count == 1 ? "is not a symbol" : "are not symbols") of EXPR (\(listed))"
      )
    }
    var seen: Set<Expr> = []
    for (name, syms, _) in out {
      for s in syms where !seen.insert(s).inserted {
        throw UsageError("--wrt: '\(s.symbolName!)' is given twice" + (s.symbolName == name ? "" : " (in \(name))"))
      }
    }
    return out
  }
}
