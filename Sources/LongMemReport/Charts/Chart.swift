/// A chart of a report section, drawn as inline SVG by `SVGChartRenderer`.
public enum Chart: Sendable, Equatable {
    case line(LineChart)
    case bar(BarChart)

    public var id: String {
        switch self {
        case .line(let chart): return chart.id
        case .bar(let chart): return chart.id
        }
    }

    public var title: String {
        switch self {
        case .line(let chart): return chart.title
        case .bar(let chart): return chart.title
        }
    }

    /// A sentence saying what is drawn, for Markdown (which gets no SVG) and for screen readers.
    public var summary: String {
        switch self {
        case .line(let chart): return chart.summary
        case .bar(let chart): return chart.summary
        }
    }
}
