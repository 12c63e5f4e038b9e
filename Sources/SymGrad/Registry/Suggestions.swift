/// "Did you mean ...": the candidates closest to a misspelled name.
enum Suggestions {
  /// The candidates within `max(1, name.count / 3)` edits of `name` (optimal string
  /// alignment distance: insertions, deletions, substitutions and adjacent transpositions
  /// cost 1), nearest first, ties in the order given; at most three.
  static func closest(to name: String, among candidates: [String]) -> [String] {
    let limit = Swift.max(1, name.count / 3)
    let scored = candidates.compactMap { c -> (String, Int)? in
      let d = distance(name, c)
      return d <= limit && d > 0 ? (c, d) : nil
    }
    return Array(
      scored.enumerated().sorted { ($0.element.1, $0.offset) < ($1.element.1, $1.offset) }.prefix(3).map(\.element.0))
  }

  /// The optimal string alignment distance between `a` and `b` (by characters).
  static func distance(_ a: String, _ b: String) -> Int {
    let x = Array(a)
    let y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
    for i in 0...x.count { d[i][0] = i }
    for j in 0...y.count { d[0][j] = j }
    for i in 1...x.count {
      for j in 1...y.count {
        let cost = x[i - 1] == y[j - 1] ? 0 : 1
        d[i][j] = Swift.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
        if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] {
          d[i][j] = Swift.min(d[i][j], d[i - 2][j - 2] + 1)
        }
      }
    }
    return d[x.count][y.count]
  }

  /// `" (did you mean 'a' or 'b'?)"`, or "" when there is nothing close.
  static func clause(_ names: [String]) -> String {
    guard !names.isEmpty else { return "" }
    let quoted = names.map { "'\($0)'" }
    let list = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    return " (did you mean \(list)?)"
  }
}
