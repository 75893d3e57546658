import LongMemHarness

/// A run as the report sees it: its results, the name of its file, and the anchor of its provenance entry.
struct ReportRun: Sendable {
    var results: EvaluationResults
    var source: String
    /// "run-1", "run-2", ...: numbered after sorting, so the same inputs always get the same anchors.
    var anchor: String
    var number: Int

    var method: String { results.method }
    /// The model column: a trained SideNet's folder shows as "backbone + SideNet".
    var model: String { MethodCatalog.model(results.model.name, notes: results.notes) }
    /// The model a local-window baseline must have to compare with this run: a trained SideNet's backbone.
    var baselineModel: String { MethodCatalog.trainedBackbone(notes: results.notes) ?? results.model.name }
    /// The method's display name, with the tokens a SideNet trained by `longmem-eval train` saw.
    var label: String { MethodCatalog.display(results.method, notes: results.notes) }
    var isLocal: Bool { results.method == "local" }

    /// Metrics named `name` whose labels all lie within `allowed` and include every key of `required`.
    /// Restricting the label set keeps per-seed or per-document slices out of aggregate tables.
    func metrics(named name: String, required: Set<String>, allowed: Set<String>) -> [Metric] {
        results.metrics.filter { metric in
            metric.name == name && required.isSubset(of: metric.labels.keys)
                && Set(metric.labels.keys).isSubset(of: allowed)
        }
    }

    /// The metric with exactly these labels, if the run has it.
    func metric(named name: String, labels: [String: String]) -> Metric? {
        results.metrics.first { $0.name == name && $0.labels == labels }
    }
}
