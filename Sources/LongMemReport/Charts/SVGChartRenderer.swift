import Foundation

/// Draws charts as SVG by hand: axes with ticks and labels, a legend below the plot, no JavaScript.
///
/// The output is an `<svg>` element in the SVG namespace, ready to inline in XHTML; `standalone` adds the
/// XML declaration for a separate `.svg` file. Sizes are fixed (760 px wide, scaled by CSS), fonts are
/// 11 to 14 px, so the chart stays legible on an A4 page.
public enum SVGChartRenderer {
    static let width = 760.0
    static let plotLeft = 72.0
    static let plotRight = 736.0
    static let plotTop = 46.0
    static let plotBottom = 306.0
    static let legendTop = 356.0
    static let legendRow = 20.0

    public static func render(_ chart: Chart, standalone: Bool = false) -> String {
        let svg: String
        switch chart {
        case .line(let line): svg = render(line)
        case .bar(let bar): svg = render(bar)
        }
        return standalone ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg : svg
    }

    static func open(id: String, title: String, summary: String, legendEntries: Int) -> (String, Double) {
        let height = legendTop + Double(legendEntries) * legendRow + 12
        let n = SVGCanvas.number
        var head = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
        head += "viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" aria-labelledby=\"\(XMLText.escape(id))-title "
        head += "\(XMLText.escape(id))-desc\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n"
        head += "<title id=\"\(XMLText.escape(id))-title\">" + XMLText.escape(title) + "</title>\n"
        head += "<desc id=\"\(XMLText.escape(id))-desc\">" + XMLText.escape(summary) + "</desc>\n"
        head += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#fff\"/>\n"
        return (head, height)
    }

    /// Title, horizontal grid lines, y ticks and label, and the plot frame.
    static func frame(_ canvas: inout SVGCanvas, title: String, yLabel: String, scale: NiceScale, y: (Double) -> Double)
    {
        canvas.text(title, x: plotLeft, y: 24, size: 14, weight: "bold")
        for tick in scale.ticks {
            canvas.line(plotLeft, y(tick), plotRight, y(tick), stroke: "#d9d9d9", width: 0.8)
            canvas.line(plotLeft - 5, y(tick), plotLeft, y(tick), stroke: "#000")
            canvas.text(scale.label(tick), x: plotLeft - 8, y: y(tick) + 4, anchor: "end", size: 11)
        }
        canvas.text(yLabel, x: 18, y: (plotTop + plotBottom) / 2, anchor: "middle", size: 12, rotate: true)
        canvas.element(
            "rect",
            [
                ("x", SVGCanvas.number(plotLeft)), ("y", SVGCanvas.number(plotTop)),
                ("width", SVGCanvas.number(plotRight - plotLeft)), ("height", SVGCanvas.number(plotBottom - plotTop)),
                ("fill", "none"), ("stroke", "#000"), ("stroke-width", "1"),
            ])
    }

    // MARK: line charts

    static func render(_ chart: LineChart) -> String {
        let allY =
            chart.series.flatMap { $0.points.flatMap { [$0.y, $0.low ?? $0.y, $0.high ?? $0.y] } }
            + chart.guides.map(\.y)
        let scale = NiceScale(covering: allY, includeZero: chart.yFromZero)
        let y = { (value: Double) in
            plotBottom - (value - scale.lower) / (scale.upper - scale.lower) * (plotBottom - plotTop)
        }
        let transform = { (value: Double) in chart.xScale == .log2 ? log2(max(value, 1e-300)) : value }
        let xs = (chart.series.flatMap { $0.points.map(\.x) } + chart.xTicks.map(\.value)).map(transform)
        var (xMin, xMax) = (xs.min() ?? 0, xs.max() ?? 1)
        let pad = xMax > xMin ? (xMax - xMin) * 0.08 : 1
        (xMin, xMax) = (xMin - pad, xMax + pad)
        let x = { (value: Double) in plotLeft + (transform(value) - xMin) / (xMax - xMin) * (plotRight - plotLeft) }

        let entries = chart.series.count + chart.guides.count
        var (svg, _) = open(id: chart.id, title: chart.title, summary: chart.summary, legendEntries: entries)
        var canvas = SVGCanvas()
        frame(&canvas, title: chart.title, yLabel: chart.yLabel, scale: scale, y: y)
        for tick in chart.xTicks {
            canvas.line(x(tick.value), plotBottom, x(tick.value), plotBottom + 5, stroke: "#000")
            canvas.text(tick.label, x: x(tick.value), y: plotBottom + 19, anchor: "middle", size: 11)
        }
        canvas.text(chart.xLabel, x: (plotLeft + plotRight) / 2, y: plotBottom + 38, anchor: "middle", size: 12)
        // Guides are named in the legend only: a label on the plot would collide with series near the line.
        for guide in chart.guides {
            canvas.line(plotLeft, y(guide.y), plotRight, y(guide.y), stroke: "#666", width: 1.2, dash: "6 4")
        }
        // Series sharing an x are nudged apart so their error bars do not hide each other.
        let count = Double(chart.series.count)
        for (index, series) in chart.series.enumerated() {
            let style = SeriesStyle.at(series.style)
            let dodge = (Double(index) - (count - 1) / 2) * 5
            let points = series.points.map { (px: x($0.x) + dodge, point: $0) }
            if points.count > 1 {
                let path = points.enumerated().map { i, p in
                    (i == 0 ? "M" : "L") + SVGCanvas.number(p.px) + " " + SVGCanvas.number(y(p.point.y))
                }
                var attributes = [
                    ("d", path.joined()), ("fill", "none"), ("stroke", style.color),
                    ("stroke-width", series.isReference ? "1.6" : "2.2"),
                ]
                if let dash = series.isReference ? "2 4" : style.dash { attributes.append(("stroke-dasharray", dash)) }
                canvas.element("path", attributes)
            }
            for (px, point) in points {
                if let low = point.low, let high = point.high {
                    canvas.errorBar(x: px, low: y(low), high: y(high), color: style.color)
                }
                canvas.marker(style.marker, x: px, y: y(point.y), color: style.color, hollow: series.isReference)
            }
        }
        // Legend: one row per series, then per guide.
        for (index, series) in chart.series.enumerated() {
            let style = SeriesStyle.at(series.style)
            let rowY = legendTop + Double(index) * legendRow
            var attributes = [
                ("x1", SVGCanvas.number(plotLeft)), ("y1", SVGCanvas.number(rowY)),
                ("x2", SVGCanvas.number(plotLeft + 36)),
                ("y2", SVGCanvas.number(rowY)), ("stroke", style.color),
                ("stroke-width", series.isReference ? "1.6" : "2.2"),
            ]
            if let dash = series.isReference ? "2 4" : style.dash { attributes.append(("stroke-dasharray", dash)) }
            canvas.element("line", attributes)
            canvas.marker(style.marker, x: plotLeft + 18, y: rowY, color: style.color, hollow: series.isReference)
            canvas.text(series.name, x: plotLeft + 46, y: rowY + 4, size: 12)
        }
        for (index, guide) in chart.guides.enumerated() {
            let rowY = legendTop + Double(chart.series.count + index) * legendRow
            canvas.line(plotLeft, rowY, plotLeft + 36, rowY, stroke: "#666", width: 1.2, dash: "6 4")
            canvas.text(guide.label, x: plotLeft + 46, y: rowY + 4, size: 12)
        }
        svg += canvas.body + "</svg>\n"
        return svg
    }

    // MARK: bar charts

    static func render(_ chart: BarChart) -> String {
        let tops = chart.series.flatMap { series in
            zip(series.values, series.errors).compactMap { value, error in value.map { $0 + (error ?? 0) } }
        }
        let scale = NiceScale(covering: tops, includeZero: true)
        let y = { (value: Double) in
            plotBottom - (value - scale.lower) / (scale.upper - scale.lower) * (plotBottom - plotTop)
        }
        var (svg, _) = open(id: chart.id, title: chart.title, summary: chart.summary, legendEntries: chart.series.count)
        var canvas = SVGCanvas()
        canvas.raw("<defs>\n")
        for (index, series) in chart.series.enumerated() {
            canvas.raw(pattern(id: "\(chart.id)-fill-\(index)", style: SeriesStyle.at(series.style)))
        }
        canvas.raw("</defs>\n")
        frame(&canvas, title: chart.title, yLabel: chart.yLabel, scale: scale, y: y)
        let band = (plotRight - plotLeft) / Double(max(chart.groups.count, 1))
        let barWidth = band * 0.76 / Double(max(chart.series.count, 1))
        for (group, name) in chart.groups.enumerated() {
            let center = plotLeft + band * (Double(group) + 0.5)
            canvas.text(name, x: center, y: plotBottom + 19, anchor: "middle", size: 12)
            if group > 0 {
                canvas.line(
                    plotLeft + band * Double(group), plotBottom, plotLeft + band * Double(group), plotBottom + 5,
                    stroke: "#000")
            }
            for (index, series) in chart.series.enumerated() {
                guard group < series.values.count, let value = series.values[group] else { continue }
                let left = center - band * 0.38 + Double(index) * barWidth
                let top = y(max(value, scale.lower))
                let n = SVGCanvas.number
                canvas.raw(
                    "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(barWidth - 2))\" height=\"\(n(y(scale.lower) - top))\" "
                )
                canvas.raw(
                    "fill=\"url(#\(XMLText.escape(chart.id))-fill-\(index))\" stroke=\"#000\" stroke-width=\"0.8\">")
                let error = group < series.errors.count ? series.errors[group] : nil
                var tip = series.name + ", " + name + ": " + ReportNumber.fixed(value, digits: 1)
                if let error { tip += " ± " + ReportNumber.fixed(error, digits: 1) }
                canvas.raw("<title>" + XMLText.escape(tip) + "</title></rect>\n")
                if let error, error > 0 {
                    canvas.errorBar(
                        x: left + (barWidth - 2) / 2, low: y(max(value - error, scale.lower)), high: y(value + error),
                        color: "#000")
                }
            }
        }
        for (index, series) in chart.series.enumerated() {
            let rowY = legendTop + Double(index) * legendRow
            canvas.raw(
                "<rect x=\"\(SVGCanvas.number(plotLeft))\" y=\"\(SVGCanvas.number(rowY - 7))\" width=\"30\" height=\"14\" "
                    + "fill=\"url(#\(XMLText.escape(chart.id))-fill-\(index))\" stroke=\"#000\" stroke-width=\"0.8\"/>\n"
            )
            canvas.text(series.name, x: plotLeft + 46, y: rowY + 4, size: 12)
        }
        svg += canvas.body + "</svg>\n"
        return svg
    }

    /// A fill of the series colour overlaid with its hatch, so bars differ in grayscale too.
    static func pattern(id: String, style: SeriesStyle) -> String {
        let ink = "stroke=\"#000\" stroke-opacity=\"0.6\" stroke-width=\"1.2\""
        let marks: String
        switch style.hatch {
        case .none: marks = ""
        case .diagonal: marks = "<path d=\"M-2 2L2 -2M0 8L8 0M6 10L10 6\" \(ink)/>"
        case .horizontal: marks = "<path d=\"M0 4L8 4\" \(ink)/>"
        case .crosshatch: marks = "<path d=\"M0 0L8 8M8 0L0 8\" \(ink)/>"
        case .dots: marks = "<circle cx=\"4\" cy=\"4\" r=\"1.6\" fill=\"#000\" fill-opacity=\"0.6\"/>"
        case .vertical: marks = "<path d=\"M4 0L4 8\" \(ink)/>"
        case .backDiagonal: marks = "<path d=\"M-2 6L2 10M0 0L8 8M6 -2L10 2\" \(ink)/>"
        }
        return "<pattern id=\"\(XMLText.escape(id))\" patternUnits=\"userSpaceOnUse\" width=\"8\" height=\"8\">"
            + "<rect width=\"8\" height=\"8\" fill=\"\(style.color)\"/>" + marks + "</pattern>\n"
    }
}
