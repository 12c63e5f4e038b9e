import Foundation

/// A matrix of numbers drawn as an SVG heatmap: one `<rect>` per cell carrying
/// `data-row`, `data-col` and `data-value` (the number, or `nan`, `inf`, `-inf`,
/// `masked`), row and column labels, a title and a colour legend. Masked cells are drawn
/// black with a white hatch; NaN cells grey. Colours: viridis for one-signed data, a
/// blue-white-red map symmetric around 0 when the data has both signs.
struct SVGHeatmap {
  var values: [[Double]]
  var masked: [[Bool]]? = nil
  var rowLabels: [String]
  var columnLabels: [String]
  var title: String

  static let cell = 36.0, left = 70.0, top = 60.0, legendWidth = 18.0

  static let viridis: [(Double, Double, Double)] = [
    (68, 1, 84), (70, 50, 126), (54, 92, 141), (39, 127, 142), (31, 161, 135), (74, 193, 109), (160, 218, 57), (253, 231, 37),
  ]
  static let diverging: [(Double, Double, Double)] = [(33, 102, 172), (247, 247, 247), (178, 24, 43)]

  var finite: [Double] {
    values.enumerated().flatMap { i, row in
      row.enumerated().compactMap { j, v in (masked?[i][j] ?? false) || !v.isFinite ? nil : v }
    }
  }

  var range: (low: Double, high: Double, diverging: Bool) {
    let f = finite
    guard let lo = f.min(), let hi = f.max() else { return (0, 1, false) }
    if lo < 0 && hi > 0 {
      let m = Swift.max(-lo, hi)
      return (-m, m, true)
    }
    return lo == hi ? (lo - 0.5, hi + 0.5, false) : (lo, hi, false)
  }

  static func interpolate(_ anchors: [(Double, Double, Double)], _ t: Double) -> String {
    let x = Swift.min(1, Swift.max(0, t)) * Double(anchors.count - 1)
    let i = Swift.min(anchors.count - 2, Int(x))
    let f = x - Double(i)
    let a = anchors[i], b = anchors[i + 1]
    func c(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
    return String(format: "#%02x%02x%02x", c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
  }

  func color(_ v: Double) -> String {
    let r = range
    return SVGHeatmap.interpolate(r.diverging ? SVGHeatmap.diverging : SVGHeatmap.viridis, (v - r.low) / (r.high - r.low))
  }

  static func text(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    return "\(v)"
  }

  /// A legend label: 4 significant digits.
  static func short(_ v: Double) -> String { v.isFinite ? String(format: "%.4g", v) : text(v) }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  func svg() -> String {
    let rows = values.count, cols = values.first?.count ?? 0
    let c = SVGHeatmap.cell
    let width = SVGHeatmap.left + Double(cols) * c + 150, height = SVGHeatmap.top + Double(rows) * c + 40
    var s = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="11">
      <defs>
      <pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6"><rect width="6" height="6" fill="#000000"/><path d="M0,6 L6,0" stroke="#ffffff" stroke-width="1"/></pattern>
      <linearGradient id="legend" x1="0" y1="1" x2="0" y2="0">

      """
    let r = range
    let anchors = r.diverging ? SVGHeatmap.diverging : SVGHeatmap.viridis
    for (k, a) in anchors.enumerated() {
      let offset = Double(k) / Double(anchors.count - 1)
      s += "<stop offset=\"\(offset)\" stop-color=\"\(String(format: "#%02x%02x%02x", Int(a.0), Int(a.1), Int(a.2)))\"/>\n"
    }
    s += "</linearGradient>\n</defs>\n"
    s += "<text class=\"title\" x=\"\(SVGHeatmap.left)\" y=\"24\" font-size=\"14\">\(SVGHeatmap.escape(title))</text>\n"
    for (j, label) in columnLabels.enumerated() {
      s += "<text class=\"col-label\" x=\"\(SVGHeatmap.left + (Double(j) + 0.5) * c)\" y=\"\(SVGHeatmap.top - 8)\" text-anchor=\"middle\">\(SVGHeatmap.escape(label))</text>\n"
    }
    for (i, label) in rowLabels.enumerated() {
      s += "<text class=\"row-label\" x=\"\(SVGHeatmap.left - 8)\" y=\"\(SVGHeatmap.top + (Double(i) + 0.6) * c)\" text-anchor=\"end\">\(SVGHeatmap.escape(label))</text>\n"
    }
    for i in 0..<rows {
      for j in 0..<cols {
        let v = values[i][j]
        let isMasked = masked?[i][j] ?? false
        let fill = isMasked ? "url(#hatch)" : (v.isFinite ? color(v) : "#9e9e9e")
        let value = isMasked ? "masked" : SVGHeatmap.text(v)
        s += "<rect class=\"cell\" data-row=\"\(i)\" data-col=\"\(j)\" data-value=\"\(value)\" x=\"\(SVGHeatmap.left + Double(j) * c)\" y=\"\(SVGHeatmap.top + Double(i) * c)\" width=\"\(c)\" height=\"\(c)\" fill=\"\(fill)\" stroke=\"#ffffff\" stroke-width=\"1\"><title>\(SVGHeatmap.escape("\(rowLabels[i]), \(columnLabels[j]): \(value)"))</title></rect>\n"
      }
    }
    let lx = SVGHeatmap.left + Double(cols) * c + 20, lh = Swift.max(Double(rows) * c, 60)
    s += "<rect class=\"legend\" x=\"\(lx)\" y=\"\(SVGHeatmap.top)\" width=\"\(SVGHeatmap.legendWidth)\" height=\"\(lh)\" fill=\"url(#legend)\"/>\n"
    s += "<text class=\"legend-max\" x=\"\(lx + 24)\" y=\"\(SVGHeatmap.top + 10)\">\(SVGHeatmap.short(r.high))</text>\n"
    s += "<text class=\"legend-min\" x=\"\(lx + 24)\" y=\"\(SVGHeatmap.top + lh)\">\(SVGHeatmap.short(r.low))</text>\n"
    if masked?.contains(where: { $0.contains(true) }) ?? false {
      s += "<rect x=\"\(lx)\" y=\"\(SVGHeatmap.top + lh + 8)\" width=\"12\" height=\"12\" fill=\"url(#hatch)\"/><text x=\"\(lx + 16)\" y=\"\(SVGHeatmap.top + lh + 18)\">masked</text>\n"
    }
    s += "</svg>\n"
    return s
  }
}
