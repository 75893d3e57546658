/// One number from the paper, addressed like a metric and carrying how sure we are of it.
public struct ReferenceFigure: Codable, Sendable, Equatable {
    /// Stable id, for review comments and tests ("chapterbreak-ao3-8k-longmem").
    public var id: String
    /// The row label reports print ("LongMem", "GPT-2*").
    public var row: String
    /// The method id measured runs use for the same thing ("local", "memtrm", "longmem"), for ordering.
    public var method: String
    public var model: String
    /// Metric name and labels, as in `Metric` (accuracies as fractions, like measured runs).
    public var metric: String
    public var labels: [String: String]
    public var value: Double
    /// The figure as the paper prints it ("40.5"), so a reader can search the paper for it.
    public var asPrinted: String
    public var status: ReferenceStatus
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case id, row, method, model, metric, labels, value, asPrinted = "as_printed", status, note
    }

    public init(
        id: String, row: String, method: String, model: String, metric: String, labels: [String: String],
        value: Double, asPrinted: String, status: ReferenceStatus, note: String? = nil
    ) {
        self.id = id
        self.row = row
        self.method = method
        self.model = model
        self.metric = metric
        self.labels = labels
        self.value = value
        self.asPrinted = asPrinted
        self.status = status
        self.note = note
    }
}
