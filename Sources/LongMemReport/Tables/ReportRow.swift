/// One row of a report table: a measured run (or one slice of it) or the paper's figures for one method.
public struct ReportRow: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Measured by a run; `run` is the anchor of its provenance entry ("run-3").
        case measured(run: String)
        /// The paper's numbers, never measured here.
        case reference
    }

    public var kind: Kind
    /// "LongMem", or "LongMem (paper)" for a reference row.
    public var label: String
    public var model: String
    public var cells: [ReportCell]
    /// The run's notes (e.g. "untrained SideNet") and the settings that differ from the other rows.
    public var notes: [String]

    public init(kind: Kind, label: String, model: String, cells: [ReportCell], notes: [String]) {
        self.kind = kind
        self.label = label
        self.model = model
        self.cells = cells
        self.notes = notes
    }

    public var isReference: Bool { kind == .reference }
}
