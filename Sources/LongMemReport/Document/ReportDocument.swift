/// A whole report, independent of the output format: what `MarkdownRenderer` and `HTMLRenderer` print.
///
/// Built by `ReportBuilder` from results files alone: no clock, no host name, no absolute path that the
/// user did not type, so rendering the same files twice gives the same bytes (the snapshot tests rely on it).
public struct ReportDocument: Sendable, Equatable {
    public var title: String
    /// Lines under the title: what was loaded and how to read the tables.
    public var overview: [String]
    public var sections: [ReportSection]
    public var provenance: [ProvenanceEntry]
    /// Every run's notes and the paper's statements, gathered at the end.
    public var notes: [String]

    public init(
        title: String, overview: [String], sections: [ReportSection], provenance: [ProvenanceEntry], notes: [String]
    ) {
        self.title = title
        self.overview = overview
        self.sections = sections
        self.provenance = provenance
        self.notes = notes
    }
}
