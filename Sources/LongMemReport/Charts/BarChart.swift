/// Grouped bars with error bars: ICL accuracy per task, one bar per method.
public struct BarChart: Sendable, Equatable {
    public struct Series: Sendable, Equatable {
        public var name: String
        /// One value per group; nil leaves a gap (the run has no figure for that task).
        public var values: [Double?]
        /// Half-length of each error bar (std over seeds); nil draws none.
        public var errors: [Double?]
        /// Index into `SeriesStyle`, shared with the line charts for the same method and model.
        public var style: Int

        public init(name: String, values: [Double?], errors: [Double?], style: Int) {
            self.name = name
            self.values = values
            self.errors = errors
            self.style = style
        }
    }

    public var id: String
    public var title: String
    public var yLabel: String
    public var groups: [String]
    public var series: [Series]
    public var summary: String

    public init(id: String, title: String, yLabel: String, groups: [String], series: [Series], summary: String) {
        self.id = id
        self.title = title
        self.yLabel = yLabel
        self.groups = groups
        self.series = series
        self.summary = summary
    }
}
