import Foundation
import LongMemHarness
import LongMemTestSupport
import Testing

/// `longmem-eval chapterbreak` and `icl` on the tiny text model against the values the PyTorch reference
/// computes for the same protocol (Tests/Fixtures/tasks, Scripts/reference/make_task_fixtures.py), each run
/// with the command-line arguments recorded beside the expected values.
///
/// Log-likelihoods agree within 1e-4 nats (the port and the reference differ by about 1e-5 on 32-token sums,
/// a wrong token, row or memory segment moves them by far more); predictions, correctness and accuracies
/// must match exactly: the fixture holds no decision closer than 1e-3, so rounding cannot flip one.
@Suite("ChapterBreak and ICL end to end against the PyTorch reference")
struct TaskReferenceTests {
    static let tolerance = 1e-4

    /// Runs `arguments` on the tiny text model into a fresh temporary folder and returns its folder.
    func run(_ arguments: [String]) throws -> String {
        let folder = FixturePaths.temporaryDirectory()
        try Runs.succeed(
            arguments + ["--model", Runs.textModel, "--tokenizer", Runs.bpe, "--output", folder, "--fresh"])
        return folder
    }

    /// Every expected metric is in results.json with the same labels, value and count.
    func expectMetrics(_ expected: [TaskFixtures.Metric], in folder: String) throws {
        let metrics = try Runs.results(folder).metrics
        for metric in expected {
            let measured = metrics.first { $0.name == metric.name && $0.labels == metric.labels }
            #expect(measured?.value == metric.value, "\(metric.name) \(metric.labels)")
            #expect(measured?.count == metric.count, "\(metric.name) \(metric.labels)")
        }
    }

    func records(_ folder: String) throws -> [String: SampleRecord] {
        Dictionary(uniqueKeysWithValues: try Runs.records(folder).map { ($0.id, $0) })
    }

    func doubles(_ value: JSONValue?) -> [Double] {
        guard case .array(let values) = value else { return [] }
        return values.map { $0.doubleValue ?? .nan }
    }

    /// Same length and every pair within the tolerance (a NaN or a missing value fails).
    func close(_ measured: [Double], _ expected: [Double]) -> Bool {
        measured.count == expected.count && zip(measured, expected).allSatisfy { abs($0 - $1) < Self.tolerance }
    }

    @Test(
        "chapterbreak: per-candidate sums and means, the tie counted for the gold, predictions, accuracies",
        arguments: ["local", "longmem"])
    func chapterBreak(method: String) throws {
        let expected = try #require(try TaskFixtures.chapterBreak().runs[method])
        let folder = try run(expected.arguments + ["--file", TaskFixtures.chapterBreakFile])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let records = try records(folder)
        #expect(records.count == expected.samples.count)
        for sample in expected.samples {
            let record = try #require(records[sample.id], "\(sample.id) missing")
            for (score, values) in [("sum", sample.sum), ("mean", sample.mean)] {
                let measured = doubles(record.scores[score])
                #expect(close(measured, values), "\(sample.id) \(score): \(measured) vs \(values)")
            }
            #expect(record.correct == sample.correct, "\(sample.id)")
            #expect(record.prediction == sample.prediction, "\(sample.id)")
            #expect(record.details["prefix_tokens"] == .int(sample.prefix_tokens), "\(sample.id)")
            #expect(record.details["memory_tokens"] == .int(sample.memory_tokens), "\(sample.id)")
            #expect(record.details["context_tokens"] == .int(sample.context_tokens), "\(sample.id)")
            #expect(record.details["candidate_tokens"] == .array(sample.candidate_tokens.map { .int($0) }))
        }
        try expectMetrics(expected.metrics, in: folder)
        guard method == "local" else { return }
        // Without memory, a longer prefix with the same local context reuses the scores: equal, and free.
        let reused = records.values.filter { $0.labels["prefix_length"] == "1000" && $0.cost?.tokensComputed == 0 }
        #expect(!reused.isEmpty)
        for record in reused {
            let shorter = try #require(records[record.id.replacingOccurrences(of: "prefix1000", with: "prefix600")])
            #expect(
                record.scores == shorter.scores && record.details["context_tokens"] == shorter.details["context_tokens"]
            )
        }
    }

    @Test(
        "icl: drawn demonstrations, greedy predictions, label log-likelihoods, both metrics per seed and over seeds",
        arguments: ["local", "longmem"])
    func icl(method: String) throws {
        let expected = try #require(try TaskFixtures.icl().runs[method])
        let folder = try run(expected.arguments)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let records = try records(folder)
        #expect(records.count == expected.setup.count + expected.samples.count)
        func integers(_ values: [Int]) -> JSONValue { .array(values.map { .int($0) }) }
        for setup in expected.setup {
            let record = try #require(records[setup.id], "\(setup.id) missing")
            #expect(record.details["shot_indices"] == integers(setup.shot_indices), "\(setup.id)")
            if let indices = setup.memory_demo_indices {
                #expect(record.details["memory_demo_indices"] == integers(indices), "\(setup.id)")
                #expect(record.details["memory_demo_tokens"] == setup.memory_demo_tokens.map { .int($0) })
                #expect(record.details["memory_demo_tokens_fed"] == setup.memory_demo_tokens_fed.map { .int($0) })
                #expect(record.details["segments"] == setup.segments.map { .int($0) }, "\(setup.id)")
            }
        }
        for sample in expected.samples {
            let record = try #require(records[sample.id], "\(sample.id) missing")
            for (word, score) in sample.scores {
                let measured = record.scores[word]?.doubleValue ?? .nan
                #expect(close([measured], [score]), "\(sample.id) \(word): \(measured) vs \(score)")
            }
            #expect(record.prediction == sample.prediction, "\(sample.id)")
            #expect(record.correct == sample.correct, "\(sample.id)")
            #expect(record.details["predicted_token"] == .int(sample.predicted_token), "\(sample.id)")
            #expect(record.details["label_rank_prediction"] == .string(sample.label_rank_prediction))
            #expect(record.details["label"] == .string(sample.label), "\(sample.id)")
            #expect(record.details["prompt_tokens"] == .int(sample.prompt_tokens), "\(sample.id)")
            #expect(record.details["truncated"] == .bool(sample.truncated), "\(sample.id)")
        }
        try expectMetrics(expected.metrics, in: folder)
    }
}
