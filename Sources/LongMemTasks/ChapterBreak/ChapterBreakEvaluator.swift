import Foundation
import LongMemData
import LongMemHarness
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTokenizer

/// One suffix-identification example: a prefix ending at a chapter break, the true next-chapter beginning
/// and five beginnings of other chapters of the same work.
public struct SuffixIdentificationItem: Sendable, Equatable {
    public var split: String
    public var work: String
    public var index: Int
    public var context: String
    public var positive: String
    public var negatives: [String]

    public init(split: String, work: String, index: Int, context: String, positive: String, negatives: [String]) {
        self.split = split
        self.work = work
        self.index = index
        self.context = context
        self.positive = positive
        self.negatives = negatives
    }
}

/// What a ChapterBreak run evaluates.
public struct ChapterBreakConfiguration: Sendable, Equatable {
    /// The ChapterBreak file and split the examples come from.
    public var file: String
    public var split: String
    /// Rebuilt from Project Gutenberg books by `datasets build-chapterbreak` (ChapterBreak-PG), not official.
    public var rebuilt: Bool
    /// Prefixes are left-truncated to each of these token counts (4k, 6k, 8k in the paper).
    public var prefixLengths: [Int]
    /// Suffixes are right-truncated to this many tokens (ChapterBreak's rule).
    public var suffixLength: Int
    public var limit: Int?

    public init(
        file: String, split: String, rebuilt: Bool, prefixLengths: [Int], suffixLength: Int = 128, limit: Int? = nil
    ) {
        self.file = file
        self.split = split
        self.rebuilt = rebuilt
        self.prefixLengths = prefixLengths
        self.suffixLength = suffixLength
        self.limit = limit
    }

    /// The checks that need no data or model (the command line runs them before loading anything).
    public func validate() throws {
        guard !prefixLengths.isEmpty else { throw TasksError.invalidSetting(.prefixLength, detail: "none given") }
        for length in prefixLengths where length < 1 {
            throw TasksError.invalidSetting(.prefixLength, detail: "\(length) must be positive")
        }
        guard suffixLength >= 1 else { throw TasksError.invalidSetting(.suffixLength, detail: "must be at least 1") }
        if let limit, limit < 1 { throw TasksError.invalidSetting(.limit, detail: "must be at least 1") }
    }
}

/// ChapterBreak suffix identification with memory (LONGMEM.md 7.2). For each example and prefix length,
/// the six candidates are scored by their log-likelihood after the prefix; correct when no negative scores
/// strictly higher than the gold (ties count for gold), both for the summed and the per-token mean score.
///
/// Memory methods write the earlier part of the prefix to memory in local-window segments and keep the
/// last `window - suffixLength` tokens as local context; the local baseline sees only that context. The
/// prefix is computed once per example: the memory once, the context once into a prefix cache shared by
/// the six candidates (each candidate costs only its own tokens). Without memory, an example's scores depend
/// on its local context alone, the same for every prefix length of at least a window: scored once, then
/// reused (the reused records cost no tokens).
public final class ChapterBreakEvaluator: Evaluator {
    public static let task = TaskKind.chapterbreak
    public static let protocolInfo = ProtocolInfo(name: "chapterbreak_suffix_identification", version: 1)

    let model: MemoryAugmentedModel
    let tokenizer: any TextTokenizer
    let items: [SuffixIdentificationItem]
    let configuration: ChapterBreakConfiguration

    public init(
        model: MemoryAugmentedModel, tokenizer: any TextTokenizer, items: [SuffixIdentificationItem],
        configuration: ChapterBreakConfiguration
    ) throws {
        try configuration.validate()
        guard !items.isEmpty else {
            throw TasksError.invalidSetting(
                .examples, detail: "\(configuration.file): split \(configuration.split) has no examples")
        }
        guard configuration.suffixLength < model.descriptor.contextLength else {
            throw TasksError.invalidSetting(
                .suffixLength,
                detail:
                    "\(configuration.suffixLength) leaves no context in a \(model.descriptor.contextLength)-token window"
            )
        }
        for item in items where item.negatives.count != TaskKind.chapterBreakCandidates - 1 {
            throw TasksError.invalidSetting(
                .examples,
                detail: "\(configuration.file): \(item.split)/\(item.work)[\(item.index)] has \(item.negatives.count) "
                    + "negatives, not \(TaskKind.chapterBreakCandidates - 1)")
        }
        self.model = model
        self.tokenizer = tokenizer
        self.items = Array(items.prefix(configuration.limit ?? .max))
        self.configuration = configuration
    }

    public var seeds: [Int]? { nil }
    public var dataFiles: [String] { [configuration.file] }

    public var recordedOptions: [String: JSONValue] {
        [
            "file": .string(configuration.file), "split": .string(configuration.split),
            "set": .string(configuration.rebuilt ? "rebuilt" : "official"),
            "prefix_lengths": .array(configuration.prefixLengths.map { .int($0) }),
            "suffix_length": .int(configuration.suffixLength), "limit": configuration.limit.map { .int($0) } ?? .null,
        ]
    }

    public var notes: [String] {
        [Self.task.chanceNote!]
            + (configuration.rebuilt
                ? ["ChapterBreak-PG, rebuilt from Project Gutenberg books: not the official ChapterBreak"] : [])
    }

    public var sampleCount: Int { items.count * configuration.prefixLengths.count }

    func sampleID(_ item: SuffixIdentificationItem, prefixLength: Int) -> String {
        "chapterbreak/\(item.split)/\(item.work)/\(item.index)/prefix\(prefixLength)"
    }

    /// Scores the examples this shard owns and has not finished.
    public func run(_ run: EvaluationRun, progress: ProgressReporter) throws {
        var position = 0
        for length in configuration.prefixLengths {
            for item in items {
                defer { position += 1 }
                let id = sampleID(item, prefixLength: length)
                guard run.specification.shard.owns(position), !run.isFinished(id) else { continue }
                try run.record(try score(item, prefixLength: length))
                progress.advance()
            }
        }
    }

    /// Scores of a method without memory, by example and local context.
    private var contextScores: [ContextKey: ContextScores] = [:]
    private struct ContextKey: Hashable {
        let example: String
        let context: [Int]
    }

    /// One example at one prefix length.
    func score(_ item: SuffixIdentificationItem, prefixLength: Int) throws -> SampleRecord {
        let prefix = Array(tokenizer.encode(item.context).suffix(prefixLength))
        guard !prefix.isEmpty else {
            throw TasksError.emptyText(source: "\(item.split)/\(item.work)[\(item.index)] context")
        }
        let candidates = ([item.positive] + item.negatives).map {
            Array(tokenizer.encode($0).prefix(configuration.suffixLength))
        }
        if let empty = candidates.firstIndex(where: \.isEmpty) {
            throw TasksError.emptyText(source: "\(item.split)/\(item.work)[\(item.index)] candidate \(empty)")
        }
        let window = model.descriptor.contextLength
        let context = Array(prefix.suffix(window - configuration.suffixLength))
        let earlier = prefix.dropLast(context.count)
        model.resetMemory()
        var memoryTokens = 0
        if model.readsMemory, !earlier.isEmpty {
            let driver = try SegmentDriver(model: model)
            try driver.write(segments: driver.segments(of: earlier))
            memoryTokens = earlier.count
        }
        let key = ContextKey(example: "\(item.split)/\(item.work)/\(item.index)", context: context)
        let reused = !model.readsMemory ? contextScores[key] : nil
        let scores = try reused ?? ContinuationScorer(model: model).score(context: context, continuations: candidates)
        if !model.readsMemory { contextScores[key] = scores }
        for (candidate, result) in scores.continuations.enumerated() {
            try TasksError.requireFinite(
                result.logLikelihood, sample: sampleID(item, prefixLength: prefixLength), what: "candidate \(candidate)"
            )
        }
        return record(
            item, prefixLength: prefixLength, prefix: prefix, memoryTokens: memoryTokens, context: context,
            candidates: candidates, scores: scores.continuations,
            computed: memoryTokens + (reused == nil ? scores.tokensComputed : 0))
    }

    /// Correct unless a negative scores strictly higher than the gold (index 0): ties count for the gold.
    static func goldWins(_ scores: [Double]) -> Bool { scores.dropFirst().allSatisfy { $0 <= scores[0] } }

    private func record(
        _ item: SuffixIdentificationItem, prefixLength: Int, prefix: [Int], memoryTokens: Int, context: [Int],
        candidates: [[Int]], scores: [LoglikelihoodResult], computed: Int
    ) -> SampleRecord {
        let sums = scores.map(\.logLikelihood)
        let means = scores.map { $0.logLikelihood / Double($0.tokenCount) }
        let best = sums.indices.max { sums[$0] < sums[$1] } ?? 0
        let statistics = model.memoryStatistics
        let texts = candidates.map { tokenizer.decode($0) }
        return SampleRecord(
            id: sampleID(item, prefixLength: prefixLength),
            labels: ["split": item.split, "prefix_length": String(prefixLength), "work": item.work],
            inputSHA256: Digest.sha256(([item.context] + [item.positive] + item.negatives).joined(separator: "\u{1F}")),
            prompt: tokenizer.decode(prefix), candidates: texts,
            scores: ["sum": .array(sums.map { .double($0) }), "mean": .array(means.map { .double($0) })],
            prediction: String(best), correct: ["sum": Self.goldWins(sums), "mean": Self.goldWins(means)],
            details: [
                "prefix_tokens": .int(prefix.count), "memory_tokens": .int(memoryTokens),
                "context_tokens": .int(context.count), "candidate_tokens": .array(candidates.map { .int($0.count) }),
            ],
            cost: SampleCost(tokensComputed: computed, memory: MemoryCounters(statistics)))
    }
}

/// Accuracy per split, prefix length and score (sum, mean) with 95% Wilson intervals.
public enum ChapterBreakMetrics {
    public static func compute(_ records: [SampleRecord]) -> [Metric] {
        let groups = Dictionary(grouping: records) { [$0.labels["split"] ?? "", $0.labels["prefix_length"] ?? ""] }
        return groups.keys.sorted { ($0[0], Int($0[1]) ?? 0) < ($1[0], Int($1[1]) ?? 0) }.flatMap { key -> [Metric] in
            let members = groups[key]!
            return ["sum", "mean"].map { score in
                let successes = members.filter { $0.correct?[score] == true }.count
                return Metric(
                    name: "acc", value: Double(successes) / Double(members.count),
                    stderr: Statistics.proportionStandardError(successes: successes, count: members.count),
                    interval: Statistics.wilsonInterval(successes: successes, count: members.count),
                    higherIsBetter: true,
                    count: members.count, labels: ["split": key[0], "prefix_length": key[1], "score": score])
            }
        }
    }
}
