import Foundation
import LongMemHarness
import LongMemTestSupport
import Testing

/// Runs `longmem-eval` and decodes the run folder's results.
enum Runs {
    static let textModel = FixturePaths.fixture("longmem-text-tiny")
    static let bpe = FixturePaths.dataset("gpt2_bpe")

    static func results(_ folder: String) throws -> EvaluationResults {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(
            EvaluationResults.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/results.json")))
    }

    static func records(_ folder: String) throws -> [SampleRecord] {
        try String(contentsOfFile: folder + "/samples.jsonl", encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(SampleRecord.self, from: Data($0.utf8))
        }
    }

    @discardableResult
    static func succeed(_ arguments: [String]) throws -> CommandLineRunner.Outcome {
        let outcome = try CommandLineRunner.run(arguments + ["--data-dir", FixturePaths.datasets, "--quiet"])
        #expect(outcome.status == 0, "\(arguments.prefix(2)): \(outcome.standardError)")
        return outcome
    }

    static func icl(_ extra: [String]) -> [String] {
        ["icl", "--model", textModel, "--tokenizer", bpe, "--tasks", "sst2", "--seeds", "1"] + extra
    }
}

@Suite("Task commands end to end on the committed tiny text model")
struct TaskCommandTests {
    @Test("icl --shots 20 --tasks sst2 --seeds 1 --limit 50: prompts, demo indices, predictions and both metrics")
    func icl() throws {
        let folder = FixturePaths.temporaryDirectory()
        try Runs.succeed(Runs.icl(["--shots", "20", "--limit", "50", "--method", "longmem", "--output", folder]))
        let records = try Runs.records(folder)
        let queries = records.filter { $0.labels["record"] == nil }
        #expect(queries.count == 50)
        for record in queries {
            #expect(
                record.prompt?.hasSuffix(" Sentiment:") == true && record.prompt!.contains("Sentiment: positive. ")
                    || record.prompt!.contains("Sentiment: negative. "))
            #expect(
                record.details["demo_indices"].map { if case .array(let a) = $0 { return a.count } else { return 0 } }
                    == 20)
            #expect(record.prediction != nil && record.correct?.keys.sorted() == ["greedy_prefix", "label_rank"])
        }
        let setup = try #require(records.first { $0.id == "icl_sst2/seed1/setup" })
        #expect(setup.cost?.memory?.tokensWritten ?? 0 > 60_000, "2,000 demonstrations written to memory")
        let results = try Runs.results(folder)
        #expect(results.task == "icl" && results.method == "longmem" && results.options["chunk_size"] == .int(2))
        #expect(results.metrics.contains { $0.name == "greedy_prefix" && $0.labels["aggregate"] == "mean_over_seeds" })
        #expect(results.metrics.contains { $0.name == "label_rank" && $0.labels["seed"] == "1" && $0.count == 50 })
    }

    @Test("local perplexity equals exp(mean NLL) of `logprobs` over the same windows")
    func perplexityMatchesLogprobs() throws {
        let directory = FixturePaths.temporaryDirectory()
        let text = try String(contentsOfFile: FixturePaths.dataset("longtext/pg22_like/pg64317.txt"), encoding: .utf8)
        let file = directory + "/chapter.txt"
        try String(text.dropFirst(2_000).prefix(6_000)).write(toFile: file, atomically: true, encoding: .utf8)
        try Runs.succeed([
            "ppl", "--model", GPT2Fixture.directory, "--tokenizer", Runs.bpe, "--files", file, "--output",
            directory + "/run",
        ])
        let outcome = try CommandLineRunner.run([
            "logprobs", "--model", GPT2Fixture.directory, "--tokenizer", Runs.bpe, "--file", file, "--window", "64",
            "--output", directory + "/scores.jsonl",
        ])
        let summary = try #require(
            JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
        let expected = try #require(summary["perplexity"] as? Double)
        let results = try Runs.results(directory + "/run")
        let measured = try #require(
            results.metrics.first { $0.name == "token_perplexity" && $0.labels["bucket"] == "all" })
        #expect(abs(measured.value - expected) / expected < 1e-9, "ppl \(measured.value) vs logprobs \(expected)")
        #expect(measured.count == summary["scored_tokens"] as? Int)
    }

    @Test("logprobs --method memtrm: per-token scores with memory, summing to ppl's; the first window equals local's")
    func memoryLogprobs() throws {
        let directory = FixturePaths.temporaryDirectory()
        let text = try String(contentsOfFile: FixturePaths.dataset("longtext/pg22_like/pg64317.txt"), encoding: .utf8)
        let file = directory + "/chapter.txt"
        try String(text.dropFirst(2_000).prefix(6_000)).write(toFile: file, atomically: true, encoding: .utf8)
        let common = ["--model", Runs.textModel, "--tokenizer", Runs.bpe, "--window", "128", "--memory-size", "16384"]
        try Runs.succeed(["ppl", "--files", file, "--method", "memtrm", "--output", directory + "/run"] + common)
        func logprobs(_ method: String) throws -> (scores: [Double?], summary: [String: Any]) {
            let path = directory + "/\(method).jsonl"
            let outcome = try CommandLineRunner.run(
                ["logprobs", "--file", file, "--method", method, "--output", path] + common)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
            return (lines.dropLast().map { ($0["logprob"] as? Double).flatMap { $0.isNaN ? nil : $0 } }, lines.last!)
        }
        let memory = try logprobs("memtrm"), local = try logprobs("local")
        #expect(memory.summary["method"] as? String == "memtrm")
        let results = try Runs.results(directory + "/run")
        let measured = try #require(
            results.metrics.first { $0.name == "token_perplexity" && $0.labels["bucket"] == "all" })
        let expected = try #require(memory.summary["perplexity"] as? Double)
        #expect(abs(measured.value - expected) / expected < 1e-9, "ppl \(measured.value) vs logprobs \(expected)")
        let first = zip(memory.scores.prefix(128), local.scores.prefix(128))
        #expect(first.allSatisfy { $0 == $1 }, "the first window reads an empty memory")
        let later = zip(memory.scores.dropFirst(128), local.scores.dropFirst(128)).filter { $0 != $1 }
        #expect(later.count > 100, "later windows read the memory: \(later.count) scores differ")
    }

    @Test("memtrm perplexity through the IVF index: exact until trained, then close to exact; recorded")
    func ivfIndex() throws {
        let directory = FixturePaths.temporaryDirectory()
        let common = [
            "ppl", "--model", Runs.textModel, "--tokenizer", Runs.bpe, "--method", "memtrm", "--memory-size", "16384",
            "--files", FixturePaths.dataset("longtext/pg22_like/pg65248.txt"),
        ]
        try Runs.succeed(common + ["--output", directory + "/exact"])
        // 16 lists train once 624 chunks (2,496 tokens) are held: from the document's fourth segment on.
        try Runs.succeed(
            common + [
                "--memory-index", "ivf", "--ivf-lists", "16", "--ivf-probes", "4", "--output", directory + "/ivf",
            ])
        let exact = try Runs.results(directory + "/exact"), ivf = try Runs.results(directory + "/ivf")
        #expect(ivf.options["memory_index"] == "ivf" && ivf.options["ivf_lists"] == .int(16))
        #expect(exact.options["memory_index"] == "exact")
        func perplexity(_ results: EvaluationResults) throws -> Double {
            try #require(results.metrics.first { $0.name == "token_perplexity" && $0.labels["bucket"] == "all" }).value
        }
        let ivfPerplexity = try perplexity(ivf), exactPerplexity = try perplexity(exact)
        let gap = abs(ivfPerplexity - exactPerplexity) / exactPerplexity
        #expect(gap > 0 && gap < 0.01, "IVF perplexity differs from exact by \(gap)")
    }

    @Test("two shards merged equal the unsharded run exactly")
    func shards() throws {
        let directory = FixturePaths.temporaryDirectory()
        let common = Runs.icl([
            "--shots", "4", "--seeds", "1,2", "--limit", "9", "--method", "memtrm", "--memory-demos", "300",
        ])
        try Runs.succeed(common + ["--output", directory + "/whole"])
        try Runs.succeed(common + ["--shard", "0/2", "--output", directory + "/s0"])
        try Runs.succeed(common + ["--shard", "1/2", "--output", directory + "/s1"])
        let merged = try CommandLineRunner.run([
            "merge", directory + "/s1", directory + "/s0", "--output", directory + "/merged",
        ])
        #expect(merged.status == 0, "\(merged.standardError)")
        let whole = try Runs.results(directory + "/whole"), combined = try Runs.results(directory + "/merged")
        #expect(combined.metrics == whole.metrics)
        #expect(combined.memory == whole.memory && combined.tokensProcessed == whole.tokensProcessed)
        // The merged run spans its shards: from the first start to the last finish.
        let parts = [try Runs.results(directory + "/s0"), try Runs.results(directory + "/s1")]
        #expect(combined.started == parts.map(\.started).min() && combined.finished == parts.map(\.finished).max())
        #expect(combined.wallSeconds >= parts.map(\.wallSeconds).max()!)
        // A shard says so in its notes (reports print them); the merged run does not.
        #expect(parts[0].notes.contains("shard 0/2 only: merge all 2 shards for the whole evaluation"))
        #expect(!combined.notes.contains { $0.hasPrefix("shard") })
        let shardRecords = try Runs.records(directory + "/s0").count,
            wholeRecords = try Runs.records(directory + "/whole").count
        #expect(shardRecords < wholeRecords)
        // Rerunning a shard's command resumes it (every sample done); the merge carries that note over.
        try Runs.succeed(common + ["--shard", "0/2", "--output", directory + "/s0"])
        let remerged = try CommandLineRunner.run([
            "merge", directory + "/s0", directory + "/s1", "--output", directory + "/merged-again",
        ])
        #expect(remerged.status == 0, "\(remerged.standardError)")
        let again = try Runs.results(directory + "/merged-again")
        #expect(again.notes.contains { $0.hasPrefix("shard 0/2: resumed with \(shardRecords) of \(shardRecords)") })
        #expect(again.metrics == whole.metrics)
        let incomplete = try CommandLineRunner.run(["merge", directory + "/s0", "--output", directory + "/bad"])
        #expect(incomplete.status != 0 && incomplete.standardError.contains("need each of 0..<2 once"))
    }

    @Test("a run killed with SIGKILL mid-way resumes to the uninterrupted result")
    func killAndResume() throws {
        let directory = FixturePaths.temporaryDirectory()
        let arguments = Runs.icl(["--shots", "20", "--limit", "40", "--method", "longmem"])
        try Runs.succeed(arguments + ["--output", directory + "/reference"])

        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineRunner.executable)
        process.arguments =
            arguments + ["--output", directory + "/killed", "--data-dir", FixturePaths.datasets, "--quiet"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let samples = directory + "/killed/samples.jsonl"
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let lines = (try? String(contentsOfFile: samples, encoding: .utf8))?.split(separator: "\n").count ?? 0
            if lines >= 10 { break }
            usleep(20_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
        // Complete lines only: the kill may have torn the last one (the resumed run repairs it).
        let partial = try String(contentsOfFile: samples, encoding: .utf8).filter { $0 == "\n" }.count
        #expect(partial < 41 && !FileManager.default.fileExists(atPath: directory + "/killed/results.json"))

        try Runs.succeed(arguments + ["--output", directory + "/killed"])
        let resumed = try Runs.results(directory + "/killed"), reference = try Runs.results(directory + "/reference")
        #expect(resumed.metrics == reference.metrics)
        #expect(resumed.tokensProcessed == reference.tokensProcessed && resumed.memory == reference.memory)
        #expect(try Runs.records(directory + "/killed").count == 41)
        // Its period is the last session's only, and its notes say so.
        #expect(resumed.notes.contains { $0.hasPrefix("resumed with \(partial) of 41 samples already done") })
        #expect(!reference.notes.contains { $0.hasPrefix("resumed") })
    }

    @Test("a run folder holding another run is refused")
    func differentRun() throws {
        let folder = FixturePaths.temporaryDirectory()
        try Runs.succeed(Runs.icl(["--shots", "4", "--limit", "2", "--output", folder]))
        let outcome = try CommandLineRunner.run(
            Runs.icl(["--shots", "8", "--limit", "2", "--output", folder, "--data-dir", FixturePaths.datasets]))
        #expect(outcome.status != 0)
        #expect(
            outcome.standardError.contains("holds a different run (options shots=4 vs 8)"), "\(outcome.standardError)")
    }
}
