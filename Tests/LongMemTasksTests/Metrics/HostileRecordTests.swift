import LongMemHarness
import LongMemTasks
import Testing

/// Hostile sample records (issue 12): a results file is never written from a NaN metric or from nothing,
/// and counts read back from an edited samples.jsonl cannot trap.
@Suite("Hostile input: sample records and metrics")
struct HostileRecordTests {
    func document(nll: Double, scored: JSONValue) -> SampleRecord {
        SampleRecord(
            id: "perplexity/doc", labels: ["document": "doc", "dataset": "files", "bucket": "<5K"], inputSHA256: "",
            scores: ["nll": .double(nll)], details: ["scored_tokens": scored, "bytes": .int(40)])
    }

    @Test("a count of 1e300 in samples.jsonl does not trap", .timeLimit(.minutes(1)))
    func hugeCount() {
        #expect(PerplexityMetrics.compute([document(nll: 20, scored: .double(1e300))]).isEmpty)
        #expect(JSONValue.double(1e300).intValue == nil && JSONValue.double(12).intValue == 12)
    }

    @Test("no metric from samples, or a NaN metric, is an error naming the task", .timeLimit(.minutes(1)))
    func checkedMetrics() throws {
        #expect(
            throws: TasksError.emptyEvaluation(what: "perplexity", detail: "1 records gave no metric")
        ) { try TaskKind.perplexity.checkedMetrics([document(nll: 20, scored: .int(0))], ownedSamples: 1) }
        #expect(try TaskKind.perplexity.checkedMetrics([], ownedSamples: 0).isEmpty, "a shard that owns nothing")
        #expect(throws: TasksError.self) {
            try TaskKind.perplexity.checkedMetrics([document(nll: .nan, scored: .int(5))], ownedSamples: 1)
        }
        let message = "\(TasksError.nonFiniteScore(sample: "doc", detail: "the log-probability of token 3 is nan"))"
        #expect(
            message == "doc: the log-probability of token 3 is nan (the model's weights or activations are not finite)")
    }
}
