import Foundation
import LongMemHarness

/// Perplexity metrics from the per-document records: per document, per length bucket and over all
/// documents of a dataset (labelled bucket "all"), for each memory size of a sweep. Aggregates are
/// token-level: exp(sum of NLL / sum of scored tokens), never a mean of per-document perplexities.
public enum PerplexityMetrics {
    public static func compute(_ records: [SampleRecord]) -> [Metric] {
        var metrics: [Metric] = []
        let records = records.sorted { $0.id < $1.id }  // the same metrics whatever order samples finished in
        for record in records {
            metrics += aggregate([record], labels: record.labels)
        }
        let groups = Dictionary(grouping: records) { record in
            record.labels.filter { $0.key != "document" && $0.key != "bucket" }
        }
        for (labels, members) in groups.sorted(by: { $0.key.description < $1.key.description }) {
            for (bucket, inBucket) in Dictionary(grouping: members, by: { $0.labels["bucket"] ?? "" }).sorted(by: {
                $0.key < $1.key
            }) {
                metrics += aggregate(inBucket, labels: labels.merging(["bucket": bucket]) { $1 })
            }
            metrics += aggregate(members, labels: labels.merging(["bucket": "all"]) { $1 })
        }
        return metrics
    }

    /// token_perplexity and bits_per_byte of `records` taken together.
    static func aggregate(_ records: [SampleRecord], labels: [String: String]) -> [Metric] {
        let nll = records.reduce(0.0) { $0 + ($1.scores["nll"]?.doubleValue ?? 0) }
        // Counts read back from samples.jsonl: `intValue`, so that an edited 1e300 cannot trap.
        let scored = records.reduce(0) { $0 + ($1.details["scored_tokens"]?.intValue ?? 0) }
        let bytes = records.reduce(0) { $0 + ($1.details["bytes"]?.intValue ?? 0) }
        guard scored > 0 else { return [] }
        return [
            Metric(
                name: "token_perplexity", value: exp(nll / Double(scored)), higherIsBetter: false, count: scored,
                labels: labels),
            Metric(
                name: "bits_per_byte", value: nll / log(2) / Double(max(bytes, 1)), higherIsBetter: false, count: bytes,
                labels: labels),
        ]
    }
}
