/// A tiny SVG writer: elements appended as escaped text with coordinates rounded to 0.1 px, so the same
/// chart always produces the same bytes.
struct SVGCanvas {
    private(set) var body = ""

    static func number(_ value: Double) -> String { ReportNumber.fixed(value, digits: 1) }

    mutating func raw(_ text: String) { body += text }

    mutating func element(_ name: String, _ attributes: [(String, String)], content: String? = nil) {
        body += "<" + name
        for (key, value) in attributes { body += " " + key + "=\"" + XMLText.escape(value) + "\"" }
        if let content {
            body += ">" + XMLText.escape(content) + "</" + name + ">\n"
        } else {
            body += "/>\n"
        }
    }

    mutating func line(
        _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: String? = nil
    ) {
        var attributes = [
            ("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)), ("y2", Self.number(y2)),
            ("stroke", stroke), ("stroke-width", Self.number(width)),
        ]
        if let dash { attributes.append(("stroke-dasharray", dash)) }
        element("line", attributes)
    }

    mutating func text(
        _ content: String, x: Double, y: Double, anchor: String = "start", size: Double = 12, weight: String? = nil,
        rotate: Bool = false, fill: String = "#111"
    ) {
        var attributes = [
            ("x", Self.number(x)), ("y", Self.number(y)), ("text-anchor", anchor), ("font-size", Self.number(size)),
            ("fill", fill),
        ]
        if let weight { attributes.append(("font-weight", weight)) }
        if rotate { attributes.append(("transform", "rotate(-90 \(Self.number(x)) \(Self.number(y)))")) }
        element("text", attributes, content: content)
    }

    /// A marker centred on (x, y); hollow markers (the paper's figures) are filled white.
    mutating func marker(_ marker: SeriesStyle.Marker, x: Double, y: Double, color: String, hollow: Bool) {
        let fill = hollow ? "#fff" : color
        let n = Self.number
        let paint = [("fill", fill), ("stroke", hollow ? color : "#000"), ("stroke-width", hollow ? "1.6" : "0.8")]
        switch marker {
        case .circle: element("circle", [("cx", n(x)), ("cy", n(y)), ("r", "4.5")] + paint)
        case .square: element("rect", [("x", n(x - 4)), ("y", n(y - 4)), ("width", "8"), ("height", "8")] + paint)
        case .triangleUp:
            element(
                "polygon", [("points", "\(n(x)),\(n(y - 5.5)) \(n(x + 5)),\(n(y + 4)) \(n(x - 5)),\(n(y + 4))")] + paint
            )
        case .diamond:
            element(
                "polygon",
                [("points", "\(n(x)),\(n(y - 5.5)) \(n(x + 5.5)),\(n(y)) \(n(x)),\(n(y + 5.5)) \(n(x - 5.5)),\(n(y))")]
                    + paint)
        case .triangleDown:
            element(
                "polygon", [("points", "\(n(x)),\(n(y + 5.5)) \(n(x + 5)),\(n(y - 4)) \(n(x - 5)),\(n(y - 4))")] + paint
            )
        case .cross:
            element(
                "path",
                [
                    (
                        "d",
                        "M\(n(x - 4)) \(n(y - 4))L\(n(x + 4)) \(n(y + 4))M\(n(x - 4)) \(n(y + 4))L\(n(x + 4)) \(n(y - 4))"
                    ),
                    ("stroke", color), ("stroke-width", "2.2"), ("fill", "none"),
                ])
        case .plus:
            element(
                "path",
                [
                    ("d", "M\(n(x - 5)) \(n(y))L\(n(x + 5)) \(n(y))M\(n(x)) \(n(y - 5))L\(n(x)) \(n(y + 5))"),
                    ("stroke", color), ("stroke-width", "2.2"), ("fill", "none"),
                ])
        }
    }

    /// A vertical error bar with caps.
    mutating func errorBar(x: Double, low: Double, high: Double, color: String) {
        line(x, low, x, high, stroke: color, width: 1.3)
        line(x - 4, low, x + 4, low, stroke: color, width: 1.3)
        line(x - 4, high, x + 4, high, stroke: color, width: 1.3)
    }
}
