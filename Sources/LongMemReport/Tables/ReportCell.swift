/// One formatted figure. Text is final (numbers already rounded) so both renderers print the same thing.
public struct ReportCell: Sendable, Equatable {
    /// The figure ("37.7"); nil when the row has no figure for this column.
    public var value: String?
    /// Its uncertainty or scope: "[35.1, 40.4]" (interval), "± 2.1" (std over seeds), "2 of 5 tasks".
    public var detail: String?
    /// Difference against the measured local-window row (a paper row: the paper's GPT-2*), in the cell's unit ("+5.2").
    public var delta: String?
    /// A recalled reference figure: renderers mark it (†) wherever it appears.
    public var recalled: Bool

    public init(value: String?, detail: String? = nil, delta: String? = nil, recalled: Bool = false) {
        self.value = value
        self.detail = detail
        self.delta = delta
        self.recalled = recalled
    }

    public static let empty = ReportCell(value: nil)
}
