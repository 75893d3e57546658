import Foundation

/// The paper's published numbers as data (`Reports/reference/paper.json`), shown as labelled reference rows.
///
/// Kept as a file, not code, so that correcting a figure or confirming a recalled one is a data change that
/// reviewers can read next to LONGMEM.md section 8. Each figure is addressed like a `Metric` (name and
/// labels), so the table builders place it in the same cell a measured run would fill.
public struct PaperReference: Codable, Sendable, Equatable {
    public static let schema = "longmem-eval/reference"
    public static let currentSchemaVersion = 1

    public var schema: String = PaperReference.schema
    public var schemaVersion: Int = PaperReference.currentSchemaVersion
    /// The citation the figures come from.
    public var source: String
    /// Where they were transcribed from (LONGMEM.md section 8).
    public var transcribedFrom: String
    public var figures: [ReferenceFigure]
    public var statements: [ReferenceStatement]

    enum CodingKeys: String, CodingKey {
        case schema, schemaVersion = "schema_version", source, transcribedFrom = "transcribed_from", figures
        case statements
    }

    public init(source: String, transcribedFrom: String, figures: [ReferenceFigure], statements: [ReferenceStatement]) {
        self.source = source
        self.transcribedFrom = transcribedFrom
        self.figures = figures
        self.statements = statements
    }

    /// Reads and checks a reference file; `name` is what errors call it.
    public static func load(path: String, name: String? = nil) throws -> PaperReference {
        let reference = try JSONDocumentReader.decode(
            PaperReference.self, path: path, name: name ?? path, schema: schema, version: currentSchemaVersion)
        for figure in reference.figures {
            try ReportLimits.check(figure.value, "figure \(figure.id) value", path: name ?? path)
        }
        return reference
    }

    /// The figures of one metric whose labels include all of `labels`.
    func figures(metric: String, matching labels: [String: String]) -> [ReferenceFigure] {
        figures.filter { figure in
            figure.metric == metric && labels.allSatisfy { figure.labels[$0.key] == $0.value }
        }
    }

    /// Statements about one topic ("chapterbreak", "perplexity", "icl").
    func statements(topic: String) -> [ReferenceStatement] { statements.filter { $0.topic == topic } }
}
