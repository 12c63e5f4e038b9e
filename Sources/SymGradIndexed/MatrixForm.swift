import SymGrad

/// A result in matrix notation: `(P - Y)/N`, `(P - Y)^T A`, `diag(s) - s s^T`.
///
/// Built by `IndexedAlgebra.matrixForm(of:)` from an index-notation result, never by
/// hand per loss. Each form knows its entries (`entry(at:_:)`, the index expression it
/// stands for), so a recognized form is printed only after its entries are proved equal
/// to the index form it came from.
public indirect enum MatrixForm: Hashable {
  /// A matrix or column vector read off the index form: its label (`X`, `Y`, `w[t]`,
  /// `X[n, :]`) and its entry, free in `rows` (and `columns`).
  case leaf(label: String, latex: String, entry: Expr, rows: IndexVariable, columns: IndexVariable?)
  /// Softmax along each row (of a matrix; of the entries of a vector).
  case softmax(MatrixForm)
  case transpose(MatrixForm)
  /// The diagonal matrix of a vector.
  case diagonal(MatrixForm)
  /// The matrix product, left to right.
  case product([MatrixForm])
  /// The entrywise product.
  case hadamard([MatrixForm])
  case sum([MatrixForm])
  /// A scalar (free of the matrix's indices) times a form.
  case scaled(Expr, MatrixForm)

  /// The sizes of the rows and columns (nil for a column vector's columns, a row
  /// vector's rows; both nil for a scalar).
  var shape: (rows: IndexSize?, columns: IndexSize?) {
    switch self {
    case .leaf(_, _, _, let r, let c): return (r.size, c?.size)
    case .softmax(let f), .scaled(_, let f): return f.shape
    case .transpose(let f):
      let s = f.shape
      return (s.columns, s.rows)
    case .diagonal(let f): return (f.shape.rows, f.shape.rows)
    case .product(let fs): return (fs.first!.shape.rows, fs.last!.shape.columns)
    case .hadamard(let fs), .sum(let fs): return fs.first!.shape
    }
  }

  var isScalar: Bool { shape.rows == nil && shape.columns == nil }

  /// The structure without index variables: forms with equal keys have equal entries
  /// (leaves differ only in the names of their free variables).
  var key: String {
    switch self {
    case .leaf(let label, _, _, _, _): return label
    case .softmax(let f): return "softmax(\(f.key))"
    case .transpose(let f): return "(\(f.key))^T"
    case .diagonal(let f): return "diag(\(f.key))"
    case .product(let fs): return "(" + fs.map(\.key).joined(separator: " @ ") + ")"
    case .hadamard(let fs): return "(" + fs.map(\.key).joined(separator: " * ") + ")"
    case .sum(let fs): return "(" + fs.map(\.key).joined(separator: " + ") + ")"
    case .scaled(let s, let f): return "(\(s) \(f.key))"
    }
  }

  /// A column of ones of the size of `rows` (`1 s^T` spreads a row vector over rows).
  static func ones(_ rows: IndexVariable) -> MatrixForm {
    .leaf(label: "1", latex: "\\mathbf{1}", entry: .one, rows: rows, columns: nil)
  }
}

extension IndexedAlgebra {
  /// The entry of `form` at row `r` and column `c` (nil where the form has no such
  /// dimension), in index notation.
  func entry(of form: MatrixForm, at r: IndexTerm?, _ c: IndexTerm?) -> Expr {
    switch form {
    case .leaf(_, _, let e, let rows, let columns):
      var out = e
      var temporaries: [(IndexVariable, IndexTerm)] = []
      for (v, t) in [(rows, r), (columns, c)] {
        guard let v, let t else { continue }
        let temporary = fresh(v.size)
        out = substituting(v, with: .variable(temporary), in: out)
        temporaries.append((temporary, t))
      }
      for (v, t) in temporaries { out = substituting(v, with: t, in: out) }
      return out
    case .softmax(let f):
      if f.shape.columns == nil {
        let k = fresh(f.shape.rows!)
        return exp(entry(of: f, at: r, nil)) / sum(k, exp(entry(of: f, at: .variable(k), nil)))
      }
      let k = fresh(f.shape.columns!)
      return exp(entry(of: f, at: r, c)) / sum(k, exp(entry(of: f, at: r, .variable(k))))
    case .transpose(let f): return entry(of: f, at: c, r)
    case .diagonal(let f): return delta(r!, c!) * entry(of: f, at: r, nil)
    case .product(let fs):
      var left = fs[0]
      for right in fs.dropFirst() { left = .product([left, right]) }
      guard case .product(let pair) = left, pair.count == 2 else { return entry(of: left, at: r, c) }
      let (a, b) = (pair[0], pair[1])
      if let inner = a.shape.columns, b.shape.rows != nil {
        let k = fresh(inner)
        return sum(k, entry(of: a, at: r, .variable(k)) * entry(of: b, at: .variable(k), c))
      }
      // A column times a row: the outer product.
      return entry(of: a, at: r, nil) * entry(of: b, at: nil, c)
    case .hadamard(let fs): return .product(fs.map { entry(of: $0, at: r, c) })
    case .sum(let fs): return .sum(fs.map { entry(of: $0, at: r, c) })
    case .scaled(let s, let f): return s * entry(of: f, at: r, c)
    }
  }
}

/// A recognized matrix form with its printed text, LaTeX and the names it introduces.
public struct MatrixFormResult {
  public let form: MatrixForm
  /// `dL/dX = (P - Y)/N`, or for a Jacobian block `row n: d L[n, :]/d X[n, :] = ...`.
  public let text: String
  public let latex: String
  /// What the names stand for: `P = softmax(X, dim=1)`, `Y = one_hot(t, C)`.
  public let definitions: [String]
  public let latexDefinitions: [String]
}
