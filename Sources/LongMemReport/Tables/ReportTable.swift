/// A table shaped like one of the paper's, independent of the output format.
///
/// Builders decide what goes where (which run, which metric, which reference figure, which delta); the
/// Markdown and HTML renderers only lay it out, so the two formats cannot disagree on a number.
public struct ReportTable: Sendable, Equatable {
    /// Anchor id, unique in the report ("chapterbreak-ao3").
    public var id: String
    public var title: String
    /// How to read the cells (unit, interval, what the delta is against).
    public var caption: String
    /// Headers of the data columns; every row has one cell per column.
    public var columns: [String]
    public var rows: [ReportRow]
    /// Printed under the table: recalled-figure legend, the paper's statements, settings shared by all rows.
    public var footnotes: [String]

    public init(id: String, title: String, caption: String, columns: [String], rows: [ReportRow], footnotes: [String]) {
        self.id = id
        self.title = title
        self.caption = caption
        self.columns = columns
        self.rows = rows
        self.footnotes = footnotes
    }

    /// True when any cell shows a recalled figure (the table then needs the recalled legend).
    public var hasRecalledFigures: Bool { rows.contains { $0.cells.contains(where: \.recalled) } }
}
