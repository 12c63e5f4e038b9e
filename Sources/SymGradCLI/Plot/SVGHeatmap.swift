import Foundation

/// A matrix of numbers drawn as an SVG heatmap, well-formed XML with no scripts or
/// external references.
///
/// Each cell is one `<rect class="cell">` carrying `data-row`, `data-col` and
/// `data-value`: the number as Swift prints a `Double` (shortest round-trip text, e.g.
/// `0.7310585786300049`, `-0.0`), or `nan`, `inf`, `-inf`, or `masked` for a cell marked
/// in `masked` (whatever its number). The picture has a title, row and column labels
/// (`<text class="row-label">`, `class="col-label"`) and a legend: a gradient bar
/// (`class="legend"`) with its minimum, maximum and (for the diverging map) zero ticks,
/// plus swatches for masked and NaN cells when there are any.
///
/// Colours: finite values map linearly onto `ColorMap.sequential` (viridis, interpolated
/// between 8 anchors; perceptually ordered, dark = low) over [min, max] of the finite,
/// unmasked values, or onto `ColorMap.diverging` (blue-white-red, white at exactly 0)
/// over [-m, m] with m the largest magnitude. `+inf`/`-inf` take the top/bottom colour
/// with an infinity sign written on the cell. NaN cells are mid grey with "NaN" written on
/// them; masked cells are black with a white diagonal hatch (`url(#hatch)`), the blog's
/// convention for attention masks. A constant matrix maps onto the middle of the range;
/// `fixedRange` replaces the data's range (values outside clamp to the ends). Up to
/// `maximumLabelledCells` cells, each finite value is also written on its cell
/// (`class="cell-value"`, 3 significant digits).
struct SVGHeatmap {
  /// How values become colours.
  enum ColorMap: String {
    /// Viridis-like, low to high.
    case sequential
    /// Blue-white-red, symmetric around 0 (for Jacobians with both signs).
    case diverging
    /// Diverging when the finite values have both signs, sequential otherwise.
    case automatic
  }

  var values: [[Double]]
  /// Cells drawn as masked (`data-value="masked"`); nil for none.
  var masked: [[Bool]]? = nil
  var rowLabels: [String]
  var columnLabels: [String]
  var title: String
  var colorMap: ColorMap = .automatic
  /// The value range of the colours, instead of the data's (attention weights: 0...1).
  var fixedRange: ClosedRange<Double>? = nil

  /// Numbers are written on the cells (3 significant digits) up to this many cells.
  static let maximumLabelledCells = 144

  static let cell = 40.0, left = 80.0, top = 64.0, legendWidth = 18.0

  /// Viridis at 8 evenly spaced points (matplotlib's `viridis` at 0, 1/7, ..., 1).
  static let viridis: [(Double, Double, Double)] = [
    (68, 1, 84), (70, 50, 126), (54, 92, 141), (39, 127, 142), (31, 161, 135), (74, 193, 109),
    (160, 218, 57), (253, 231, 37),
  ]
  /// ColorBrewer RdBu ends around white.
  static let diverging: [(Double, Double, Double)] = [(33, 102, 172), (247, 247, 247), (178, 24, 43)]
  static let nanFill = "#9e9e9e"

  func isMasked(_ i: Int, _ j: Int) -> Bool { masked?[i][j] ?? false }

  /// The finite values of unmasked cells.
  var finite: [Double] {
    values.enumerated().flatMap { i, row in
      row.enumerated().compactMap { j, v in isMasked(i, j) || !v.isFinite ? nil : v }
    }
  }

  /// The value range the colours span, and whether the diverging map is used.
  var range: (low: Double, high: Double, diverging: Bool) {
    if let r = fixedRange, r.lowerBound < r.upperBound {
      return (r.lowerBound, r.upperBound, colorMap == .diverging)
    }
    let f = finite
    let lo = f.min() ?? 0
    let hi = f.max() ?? 0
    let diverging = colorMap == .diverging || (colorMap == .automatic && lo < 0 && hi > 0)
    if diverging {
      let m = Swift.max(-lo, hi)
      return m > 0 ? (-m, m, true) : (-1, 1, true)
    }
    if f.isEmpty { return (0, 1, false) }
    return lo == hi ? (lo - 0.5, hi + 0.5, false) : (lo, hi, false)
  }

  /// The colour at `t` in [0, 1] (clamped) along `anchors`, as `#rrggbb`.
  static func interpolate(_ anchors: [(Double, Double, Double)], _ t: Double) -> String {
    let x = Swift.min(1, Swift.max(0, t)) * Double(anchors.count - 1)
    let i = Swift.min(anchors.count - 2, Int(x))
    let f = x - Double(i)
    let a = anchors[i]
    let b = anchors[i + 1]
    func c(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * f).rounded()) }
    return hex(c(a.0, b.0), c(a.1, b.1), c(a.2, b.2))
  }

  static func hex(_ r: Int, _ g: Int, _ b: Int) -> String { String(format: "#%02x%02x%02x", r, g, b) }

  /// The fill of a value that is finite or infinite (infinities clamp to the ends).
  func color(_ v: Double) -> String {
    let r = range
    return SVGHeatmap.interpolate(
      r.diverging ? SVGHeatmap.diverging : SVGHeatmap.viridis, (v - r.low) / (r.high - r.low))
  }

  /// Black or white, whichever reads better on `fill` (`#rrggbb`).
  static func ink(on fill: String) -> String {
    guard fill.hasPrefix("#"), let n = Int(fill.dropFirst(), radix: 16) else { return "#ffffff" }
    let r = Double((n >> 16) & 255)
    let g = Double((n >> 8) & 255)
    let b = Double(n & 255)
    return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? "#000000" : "#ffffff"
  }

  /// `data-value` text: Swift's shortest round-trip text, or `nan`, `inf`, `-inf`.
  static func text(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    return "\(v)"
  }

  /// A label: 3 significant digits (`0.731`, `-1.2e-05`).
  static func short(_ v: Double) -> String {
    guard v.isFinite else { return text(v) }
    return v == 0 ? "0" : String(format: "%.3g", v)
  }

  /// Escapes text and attribute values for XML.
  static func escape(_ s: String) -> String {
    var out = ""
    for c in s {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&apos;"
      default: out.append(c)
      }
    }
    return out
  }

  /// `Double` as SVG coordinate text.
  static func n(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v) }

  /// Whether an unmasked cell is NaN.
  var anyNaN: Bool {
    values.indices.contains { i in values[i].indices.contains { j in values[i][j].isNaN && !isMasked(i, j) } }
  }

  /// The SVG document.
  func svg() -> String {
    typealias H = SVGHeatmap
    let rows = values.count
    let cols = values.first?.count ?? 0
    let c = H.cell
    let r = range
    let anchors = r.diverging ? H.diverging : H.viridis
    let gridRight = H.left + Double(cols) * c
    let width = Swift.max(gridRight + 130, H.left + Double(title.count) * 7.5 + 20)
    let legendHeight = Swift.max(Double(rows) * c, 100)
    let specialCells = (masked?.contains(where: { $0.contains(true) }) ?? false ? 1 : 0) + (anyNaN ? 1 : 0)
    let height = H.top + legendHeight + 24 + 20 * Double(specialCells)
    let labelled = rows * cols <= H.maximumLabelledCells
    var s = """
      <?xml version="1.0" encoding="UTF-8"?>
      <svg xmlns="http://www.w3.org/2000/svg" role="img" width="\(H.n(width))" height="\(H.n(height))" viewBox="0 0 \(H.n(width)) \(H.n(height))" font-family="sans-serif" font-size="12">
      <title>\(H.escape(title))</title>
      <defs>
      <pattern id="hatch" patternUnits="userSpaceOnUse" width="6" height="6"><rect width="6" height="6" fill="#000000"/><path d="M0,6 L6,0 M-1,1 L1,-1 M5,7 L7,5" stroke="#ffffff" stroke-width="1.2"/></pattern>
      <linearGradient id="legend-gradient" x1="0" y1="1" x2="0" y2="0">

      """
    for (k, a) in anchors.enumerated() {
      let offset = Double(k) / Double(anchors.count - 1)
      s += "<stop offset=\"\(H.short(offset))\" stop-color=\"\(H.hex(Int(a.0), Int(a.1), Int(a.2)))\"/>\n"
    }
    s += "</linearGradient>\n</defs>\n"
    s += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
    s += "<text class=\"title\" x=\"\(H.n(H.left))\" y=\"26\" font-size=\"15\">\(H.escape(title))</text>\n"
    for (j, label) in columnLabels.enumerated() {
      s +=
        "<text class=\"col-label\" x=\"\(H.n(H.left + (Double(j) + 0.5) * c))\" y=\"\(H.n(H.top - 8))\" text-anchor=\"middle\">\(H.escape(label))</text>\n"
    }
    for (i, label) in rowLabels.enumerated() {
      s +=
        "<text class=\"row-label\" x=\"\(H.n(H.left - 8))\" y=\"\(H.n(H.top + (Double(i) + 0.5) * c + 4))\" text-anchor=\"end\">\(H.escape(label))</text>\n"
    }
    for i in 0..<rows {
      for j in 0..<cols {
        let v = values[i][j]
        let x = H.left + Double(j) * c
        let y = H.top + Double(i) * c
        let (fill, value, mark): (String, String, String?) =
          isMasked(i, j)
          ? ("url(#hatch)", "masked", nil)
          : v.isNaN
            ? (H.nanFill, "nan", "NaN")
            : (color(v), H.text(v), v.isInfinite ? (v > 0 ? "+\u{221E}" : "\u{2212}\u{221E}") : nil)
        let label =
          rowLabels.indices.contains(i) && columnLabels.indices.contains(j)
          ? "\(rowLabels[i]), \(columnLabels[j]): \(value)" : value
        s +=
          "<rect class=\"cell\" data-row=\"\(i)\" data-col=\"\(j)\" data-value=\"\(value)\" x=\"\(H.n(x))\" y=\"\(H.n(y))\" width=\"\(H.n(c))\" height=\"\(H.n(c))\" fill=\"\(fill)\" stroke=\"#ffffff\" stroke-width=\"1\"><title>\(H.escape(label))</title></rect>\n"
        if mark == nil && labelled && !isMasked(i, j) {
          s +=
            "<text class=\"cell-value\" x=\"\(H.n(x + c / 2))\" y=\"\(H.n(y + c / 2 + 4))\" text-anchor=\"middle\" font-size=\"10\" fill=\"\(H.ink(on: fill))\">\(H.short(v))</text>\n"
        }
        if let m = mark {
          s +=
            "<text class=\"cell-mark\" x=\"\(H.n(x + c / 2))\" y=\"\(H.n(y + c / 2 + 4))\" text-anchor=\"middle\" fill=\"\(H.ink(on: fill))\">\(m)</text>\n"
        }
      }
    }
    // Legend: the colour bar, its ticks, then swatches for the special cells.
    let lx = gridRight + 24
    s +=
      "<rect class=\"legend\" x=\"\(H.n(lx))\" y=\"\(H.n(H.top))\" width=\"\(H.n(H.legendWidth))\" height=\"\(H.n(legendHeight))\" fill=\"url(#legend-gradient)\" stroke=\"#444444\" stroke-width=\"0.5\"/>\n"
    func tick(_ cls: String, _ value: Double) {
      let y = H.top + legendHeight * (1 - (value - r.low) / (r.high - r.low))
      s +=
        "<line x1=\"\(H.n(lx + H.legendWidth))\" y1=\"\(H.n(y))\" x2=\"\(H.n(lx + H.legendWidth + 4))\" y2=\"\(H.n(y))\" stroke=\"#444444\"/>"
      s +=
        "<text class=\"\(cls)\" x=\"\(H.n(lx + H.legendWidth + 7))\" y=\"\(H.n(y + 4))\">\(H.escape(H.short(value)))</text>\n"
    }
    tick("legend-max", r.high)
    if r.diverging { tick("legend-zero", 0) }
    tick("legend-min", r.low)
    var swatchY = H.top + legendHeight + 14
    func swatch(_ cls: String, _ fill: String, _ text: String) {
      s +=
        "<rect class=\"\(cls)\" x=\"\(H.n(lx))\" y=\"\(H.n(swatchY))\" width=\"14\" height=\"14\" fill=\"\(fill)\" stroke=\"#444444\" stroke-width=\"0.5\"/>"
      s += "<text x=\"\(H.n(lx + 20))\" y=\"\(H.n(swatchY + 11))\">\(text)</text>\n"
      swatchY += 20
    }
    if masked?.contains(where: { $0.contains(true) }) ?? false { swatch("legend-masked", "url(#hatch)", "masked") }
    if anyNaN { swatch("legend-nan", H.nanFill, "NaN") }
    s += "</svg>\n"
    return s
  }
}
