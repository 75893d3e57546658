import Foundation
import LongMemHarness

/// Loads `results.json` files (schema in LongMemHarness/Results/EvaluationResults.swift, Reports/README.md).
public enum ResultsLoader {
    /// Loads every path in order; each is a results file or a run folder holding `results.json`.
    /// - Throws: `ReportError.noInputs` for an empty list, else the first file's problem.
    public static func load(_ paths: [String]) throws -> [RunResults] {
        guard !paths.isEmpty else { throw ReportError.noInputs }
        return try paths.map { try load(path: $0) }
    }

    /// Loads one results file or run folder; `name` is what errors and reports call it (default: `path`).
    public static func load(path: String, name: String? = nil) throws -> RunResults {
        let file = try resolve(path, name: name ?? path)
        let results = try JSONDocumentReader.decode(
            EvaluationResults.self, path: file.path, name: file.name, schema: EvaluationResults.schema,
            version: EvaluationResults.currentSchemaVersion)
        var seen = Set<String>()
        for metric in results.metrics where !seen.insert(metric.key).inserted {
            throw ReportError.duplicateMetric(path: file.name, key: metric.key)
        }
        try checkNumbers(results, path: file.name)
        return RunResults(results: results, source: file.name)
    }

    /// Every number a report shows, charts or converts to an integer: finite and within `ReportLimits`.
    static func checkNumbers(_ results: EvaluationResults, path: String) throws {
        try ReportLimits.check(
            results.wallSeconds, "wall_seconds", path: path, nonNegative: true, maximum: ReportLimits.wallSeconds)
        for (index, metric) in results.metrics.enumerated() {
            let field = "metrics[\(index)] (\(metric.key))"
            try ReportLimits.check(metric.value, field + " value", path: path)
            if let stderr = metric.stderr {
                try ReportLimits.check(stderr, field + " stderr", path: path, nonNegative: true)
            }
            guard let interval = metric.interval else { continue }
            guard interval.count == 2 else {
                throw ReportError.schemaMismatch(
                    path: path, reason: "\(field) interval has \(interval.count) bounds, expected 2")
            }
            for bound in interval { try ReportLimits.check(bound, field + " interval", path: path) }
        }
    }

    /// A folder stands for the `results.json` inside it, which is what `longmem-eval` writes per run.
    static func resolve(_ path: String, name: String) throws -> (path: String, name: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReportError.fileNotFound(path: name)
        }
        guard isDirectory.boolValue else { return (path, name) }
        let inner = (path as NSString).appendingPathComponent("results.json")
        guard FileManager.default.fileExists(atPath: inner) else {
            throw ReportError.directoryWithoutResults(path: name)
        }
        return (inner, (name as NSString).appendingPathComponent("results.json"))
    }
}
