import Foundation
import LongMemHarness

/// A regression baseline (format in Reports/README.md): expected metric values keyed by `Metric.key`,
/// default tolerances, per-metric overrides, and where the values were last taken from.
public struct Baseline: Codable, Sendable, Equatable {
    public static let schema = "longmem-eval/baseline"
    public static let currentSchemaVersion = 1

    /// What the expected values were taken from, so a reader can tell a stale baseline from a regression.
    public struct Origin: Codable, Sendable, Equatable {
        public var task: String
        public var method: String
        public var model: String
        public var weightsSHA256: String
        public var evaluationProtocol: String
        public var gitRevision: String?

        enum CodingKeys: String, CodingKey {
            case task, method, model, weightsSHA256 = "weights_sha256", evaluationProtocol = "protocol"
            case gitRevision = "git_revision"
        }

        public init(_ results: EvaluationResults) {
            task = results.task
            method = results.method
            model = results.model.name
            weightsSHA256 = results.model.weightsSHA256
            evaluationProtocol = results.evaluationProtocol.name + " v\(results.evaluationProtocol.version)"
            gitRevision = results.environment.gitRevision
        }
    }

    public var schema: String = Baseline.schema
    public var schemaVersion: Int = Baseline.currentSchemaVersion
    public var description: String?
    public var origin: Origin?
    public var defaults: Tolerance
    public var metrics: [String: BaselineEntry]

    enum CodingKeys: String, CodingKey {
        case schema, schemaVersion = "schema_version", description, origin, defaults, metrics
    }

    public init(
        description: String? = nil, origin: Origin? = nil, defaults: Tolerance, metrics: [String: BaselineEntry]
    ) {
        self.description = description
        self.origin = origin
        self.defaults = defaults
        self.metrics = metrics
    }

    public static func load(path: String) throws -> Baseline {
        let baseline = try JSONDocumentReader.decode(
            Baseline.self, path: path, name: path, schema: schema, version: currentSchemaVersion)
        let tolerances =
            [baseline.defaults.absolute, baseline.defaults.relative]
            + baseline.metrics.values.flatMap { [$0.absolute, $0.relative].compactMap { $0 } }
        if let bad = tolerances.first(where: { !$0.isFinite || $0 < 0 }) {
            throw ReportError.schemaMismatch(path: path, reason: "tolerance \(bad) is negative or not finite")
        }
        for key in baseline.metrics.keys.sorted() {
            try ReportLimits.check(baseline.metrics[key]!.expected, "metrics.\(key).expected", path: path)
        }
        return baseline
    }

    /// The file's text: sorted keys, so an update shows in a diff as exactly the lines that changed.
    public func encoded() throws -> String {
        let data = try JSONEncoder.longMemDocuments.encode(self)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
