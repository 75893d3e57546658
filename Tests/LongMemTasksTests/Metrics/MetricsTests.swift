import Foundation
import LongMemData
import LongMemHarness
import LongMemTasks
import Testing

@Suite("Metrics from sample records")
struct MetricsTests {
    @Test("Wilson intervals and population standard deviations")
    func statistics() {
        let interval = Statistics.wilsonInterval(successes: 8, count: 10)
        #expect(abs(interval[0] - 0.4902) < 1e-4 && abs(interval[1] - 0.9433) < 1e-4)
        #expect(Statistics.wilsonInterval(successes: 0, count: 5)[0] == 0)
        #expect(Statistics.wilsonInterval(successes: 5, count: 5)[1] == 1)
        #expect(abs(Statistics.populationStandardDeviation([0.5, 0.7, 0.9]) - 0.163299) < 1e-6)
    }

    func query(_ task: String, seed: Int, greedy: Bool, rank: Bool) -> SampleRecord {
        SampleRecord(
            id: "\(task)/\(seed)/\(UUID())", labels: ["task": task, "seed": String(seed), "shots": "4"],
            inputSHA256: "", correct: ["greedy_prefix": greedy, "label_rank": rank])
    }

    @Test("ICL: accuracy per seed, mean and population std over seeds, the average over tasks")
    func icl() throws {
        var records: [SampleRecord] = []
        for (seed, hits) in [(1, 3), (2, 1)] {
            for index in 0..<4 { records.append(query("icl_sst2", seed: seed, greedy: index < hits, rank: true)) }
        }
        for index in 0..<2 { records.append(query("icl_mr", seed: 1, greedy: index == 0, rank: false)) }
        records.append(
            SampleRecord(id: "setup", labels: ["task": "icl_mr", "seed": "1", "record": "setup"], inputSHA256: ""))
        let metrics = ICLMetrics.compute(records)
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            metrics.first { $0.name == name && $0.labels == labels }?.value
        }
        #expect(value("greedy_prefix", ["task": "icl_sst2", "seed": "1", "shots": "4"]) == 0.75)
        #expect(value("greedy_prefix", ["task": "icl_sst2", "shots": "4", "aggregate": "mean_over_seeds"]) == 0.5)
        #expect(value("greedy_prefix", ["task": "icl_sst2", "shots": "4", "aggregate": "std_over_seeds"]) == 0.25)
        #expect(
            value("label_rank", ["shots": "4", "aggregate": "average_over_tasks", "tasks": "icl_mr,icl_sst2"]) == 0.5)
        #expect(
            value("greedy_prefix", ["shots": "4", "aggregate": "average_over_tasks", "tasks": "icl_mr,icl_sst2"]) == 0.5
        )
    }

    @Test("perplexity aggregates are token-level, not a mean of document perplexities")
    func perplexity() throws {
        func document(_ name: String, nll: Double, tokens: Int, bucket: String) -> SampleRecord {
            SampleRecord(
                id: name, labels: ["document": name, "dataset": "pg22", "bucket": bucket], inputSHA256: "",
                scores: ["nll": .double(nll)], details: ["scored_tokens": .int(tokens), "bytes": .int(tokens * 4)])
        }
        let metrics = PerplexityMetrics.compute([
            document("a", nll: 100, tokens: 100, bucket: "5K-10K"),
            document("b", nll: 600, tokens: 200, bucket: "10K-100K"),
        ])
        let all = try #require(metrics.first { $0.name == "token_perplexity" && $0.labels["bucket"] == "all" })
        #expect(abs(all.value - exp(700.0 / 300)) < 1e-9 && all.count == 300)
        let bucket = try #require(
            metrics.first { $0.name == "token_perplexity" && $0.labels == ["dataset": "pg22", "bucket": "5K-10K"] })
        #expect(abs(bucket.value - exp(1.0)) < 1e-12)
        let bits = try #require(metrics.first { $0.name == "bits_per_byte" && $0.labels["document"] == "b" })
        #expect(abs(bits.value - 600 / log(2) / 800) < 1e-12)
        #expect(
            PerplexityEvaluator.bucket(tokens: 4_999) == "<5K"
                && PerplexityEvaluator.bucket(tokens: 100_000) == "100K-500K")
    }

    @Test("ChapterBreak: ties count for the gold suffix, for summed and mean scores")
    func chapterBreak() {
        func example(_ correct: Bool) -> SampleRecord {
            SampleRecord(
                id: UUID().uuidString, labels: ["split": "pg19", "prefix_length": "4096"], inputSHA256: "",
                correct: ["sum": correct, "mean": !correct])
        }
        let metrics = ChapterBreakMetrics.compute([example(true), example(true), example(false), example(true)])
        #expect(metrics.first { $0.labels["score"] == "sum" }?.value == 0.75)
        #expect(metrics.first { $0.labels["score"] == "mean" }?.value == 0.25)
    }
}
