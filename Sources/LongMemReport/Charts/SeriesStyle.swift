/// How series are told apart: colour for the screen, and for a grayscale printout a distinct marker shape,
/// dash pattern and (for bars) hatch pattern per series. Colours are the Okabe-Ito palette, which also
/// stays distinguishable for the common forms of colour blindness.
struct SeriesStyle {
    enum Marker: CaseIterable {
        case circle, square, triangleUp, diamond, triangleDown, cross, plus
    }

    enum Hatch: CaseIterable {
        case none, diagonal, horizontal, crosshatch, dots, vertical, backDiagonal
    }

    var color: String
    /// SVG stroke-dasharray, nil for a solid line.
    var dash: String?
    var marker: Marker
    var hatch: Hatch

    static let colors = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#555555"]
    static let dashes: [String?] = [nil, "8 4", "3 3", "10 3 2 3", "5 2", "1 3", "12 4 4 4"]

    /// The style of the `index`-th series; styles cycle after seven series (markers and dashes stay out of
    /// step with each other so that pairs repeat much later).
    static func at(_ index: Int) -> SeriesStyle {
        SeriesStyle(
            color: colors[index % colors.count], dash: dashes[index % dashes.count],
            marker: Marker.allCases[index % Marker.allCases.count], hatch: Hatch.allCases[index % Hatch.allCases.count])
    }
}
