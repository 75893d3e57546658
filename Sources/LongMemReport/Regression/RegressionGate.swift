import LongMemHarness

/// Compares a run's metrics with a baseline, metric by metric (`Metric.key`: name and labels).
public enum RegressionGate {
    /// One comparison per key in either file, sorted by key. A metric on one side only is a failure:
    /// a silently vanished metric would otherwise pass the gate forever.
    public static func compare(results: EvaluationResults, baseline: Baseline) -> [MetricComparison] {
        let actual = Dictionary(results.metrics.map { ($0.key, $0) }) { first, _ in first }
        let keys = Set(actual.keys).union(baseline.metrics.keys).sorted()
        return keys.map { key in
            let entry = baseline.metrics[key]
            let metric = actual[key]
            let tolerance = entry?.tolerance(defaults: baseline.defaults) ?? baseline.defaults
            guard let entry else {
                return MetricComparison(
                    key: key, expected: nil, actual: metric?.value, tolerance: tolerance, status: .missingFromBaseline)
            }
            guard let metric else {
                return MetricComparison(
                    key: key, expected: entry.expected, actual: nil, tolerance: tolerance, status: .missingFromResults)
            }
            let status: MetricComparison.Status
            if metric.value == entry.expected {
                status = .unchanged
            } else if tolerance.accepts(expected: entry.expected, actual: metric.value) {
                status = .withinTolerance
            } else if !metric.value.isFinite {
                status = .changed
            } else {
                let higherIsBetter = entry.higherIsBetter ?? metric.higherIsBetter
                status = (metric.value > entry.expected) == higherIsBetter ? .improved : .regressed
            }
            return MetricComparison(
                key: key, expected: entry.expected, actual: metric.value, tolerance: tolerance, status: status)
        }
    }

    /// A new baseline holding the run's values, keeping the old file's defaults, description and
    /// per-metric tolerances; metrics the run no longer has are dropped. Returns what changed, in words.
    public static func update(
        _ baseline: Baseline?, from results: EvaluationResults
    ) -> (baseline: Baseline, changes: [String]) {
        let old = baseline?.metrics ?? [:]
        var metrics: [String: BaselineEntry] = [:]
        var changes: [String] = []
        for metric in results.metrics.sorted(by: { $0.key < $1.key }) {
            var entry = old[metric.key] ?? BaselineEntry(expected: metric.value)
            if let previous = old[metric.key] {
                if previous.expected != metric.value {
                    changes.append("changed \(metric.key): \(previous.expected) -> \(metric.value)")
                }
            } else {
                changes.append("added \(metric.key): \(metric.value)")
            }
            entry.expected = metric.value
            entry.higherIsBetter = metric.higherIsBetter
            metrics[metric.key] = entry
        }
        for key in old.keys.sorted() where metrics[key] == nil {
            changes.append("removed \(key) (was \(old[key]!.expected))")
        }
        let updated = Baseline(
            description: baseline?.description, origin: Baseline.Origin(results),
            defaults: baseline?.defaults ?? .newBaselineDefault, metrics: metrics)
        if baseline != nil, changes.isEmpty, updated != baseline {
            changes.append("values unchanged; updated the origin and higher_is_better fields")
        }
        return (updated, changes)
    }
}
