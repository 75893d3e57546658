/// Series of (x, y) points with optional error bars: accuracy vs prefix length, perplexity vs memory size.
public struct LineChart: Sendable, Equatable {
    public enum XScale: Sendable, Equatable {
        case linear
        /// Memory sizes double from one setting to the next: equal steps on the page.
        case log2
    }

    public struct Point: Sendable, Equatable {
        public var x: Double
        public var y: Double
        /// Error bar ends (an interval, or y ± stderr); nil draws no bar.
        public var low: Double?
        public var high: Double?

        public init(x: Double, y: Double, low: Double? = nil, high: Double? = nil) {
            self.x = x
            self.y = y
            self.low = low
            self.high = high
        }
    }

    public struct Series: Sendable, Equatable {
        public var name: String
        public var points: [Point]
        /// Reference series (the paper's figures) are drawn with hollow markers and a dotted line.
        public var isReference: Bool
        /// Index into `SeriesStyle`: the same method and model keep one look across all charts of a report.
        public var style: Int

        public init(name: String, points: [Point], isReference: Bool = false, style: Int) {
            self.name = name
            self.points = points
            self.isReference = isReference
            self.style = style
        }
    }

    /// An x-axis tick at a measured setting ("4k" at 4096).
    public struct Tick: Sendable, Equatable {
        public var value: Double
        public var label: String

        public init(value: Double, label: String) {
            self.value = value
            self.label = label
        }
    }

    /// A labelled horizontal line: chance level, or a run without memory.
    public struct Guide: Sendable, Equatable {
        public var y: Double
        public var label: String

        public init(y: Double, label: String) {
            self.y = y
            self.label = label
        }
    }

    public var id: String
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: XScale
    /// Ticks sit on the measured settings rather than on round numbers.
    public var xTicks: [Tick]
    public var yFromZero: Bool
    public var series: [Series]
    public var guides: [Guide]
    public var summary: String

    public init(
        id: String, title: String, xLabel: String, yLabel: String, xScale: XScale,
        xTicks: [Tick], yFromZero: Bool, series: [Series], guides: [Guide], summary: String
    ) {
        self.id = id
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.xTicks = xTicks
        self.yFromZero = yFromZero
        self.series = series
        self.guides = guides
        self.summary = summary
    }
}
