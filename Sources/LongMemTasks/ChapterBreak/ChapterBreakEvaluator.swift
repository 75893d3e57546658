import Foundation
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
    /// Prefixes are left-truncated to each of these token counts (4k, 6k, 8k in the paper).
    public var prefixLengths: [Int]
    /// Suffixes are right-truncated to this many tokens (ChapterBreak's rule).
    public var suffixLength: Int
    public var limit: Int?

    public init(prefixLengths: [Int], suffixLength: Int = 128, limit: Int? = nil) {
        self.prefixLengths = prefixLengths
        self.suffixLength = suffixLength
        self.limit = limit
    }
}

/// ChapterBreak suffix identification with memory (LONGMEM.md 7.2). For each example and prefix length,
/// the six candidates are scored by their log-likelihood after the prefix; correct when no negative scores
/// strictly higher than the gold (ties count for gold), both for the summed and the per-token mean score.
///
/// Memory methods write the earlier part of the prefix to memory in local-window segments and keep the
/// last `window - suffixLength` tokens as local context; the local baseline sees only that context. The
/// prefix is computed once per example: the memory once, the context once into a prefix cache shared by
/// the six candidates (each candidate costs only its own tokens).
public final class ChapterBreakEvaluator {
    public static let protocolInfo = ProtocolInfo(name: "chapterbreak_suffix_identification", version: 1)
    public static let chance = 1.0 / 6

    let model: MemoryAugmentedModel
    let tokenizer: any TextTokenizer
    let items: [SuffixIdentificationItem]
    let configuration: ChapterBreakConfiguration

    public init(
        model: MemoryAugmentedModel, tokenizer: any TextTokenizer, items: [SuffixIdentificationItem],
        configuration: ChapterBreakConfiguration
    ) throws {
        guard !items.isEmpty else {
            throw TasksError.invalidOption(option: "--file", detail: "no examples to evaluate")
        }
        guard configuration.suffixLength < model.descriptor.contextLength else {
            throw TasksError.invalidOption(
                option: "--suffix-length",
                detail:
                    "\(configuration.suffixLength) leaves no context in a \(model.descriptor.contextLength)-token window"
            )
        }
        for length in configuration.prefixLengths where length < 1 {
            throw TasksError.invalidOption(option: "--prefix-length", detail: "\(length) must be positive")
        }
        for item in items where item.negatives.count != 5 {
            throw TasksError.invalidOption(
                option: "--file",
                detail: "\(item.split)/\(item.work)[\(item.index)] has \(item.negatives.count) negatives, not 5")
        }
        self.model = model
        self.tokenizer = tokenizer
        self.items = Array(items.prefix(configuration.limit ?? .max))
        self.configuration = configuration
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
        var computed = 0
        model.resetMemory()
        if model.memory != nil, !earlier.isEmpty {
            let segments = stride(from: earlier.startIndex, to: earlier.endIndex, by: window).map {
                earlier[$0..<min($0 + window, earlier.endIndex)]
            }
            try SegmentDriver(model: model).run(segments: segments) { _, _, _, _ in }
            computed += earlier.count
        }
        let cache = try model.makePrefixCache(capacity: window)
        let contextHidden = try model.hiddenStates(appending: context, to: cache)
        computed += context.count
        let lastContextRow = contextHidden.rows((contextHidden.rows - 1)..<contextHidden.rows)
        var sums: [Double] = [], means: [Double] = []
        for candidate in candidates {
            cache.rewind(to: context.count)
            var hidden = lastContextRow
            if candidate.count > 1 {
                hidden = Tensor.stackingRows([
                    lastContextRow, try model.hiddenStates(appending: Array(candidate.dropLast()), to: cache),
                ])
                computed += candidate.count - 1
            }
            let predictions = LogitReduction.predictions(
                hidden: hidden, head: model.outputHead, rows: Array(0..<candidate.count), targets: candidate.map { $0 })
            let total = predictions.reduce(0.0) { $0 + ($1.targetLogProbability ?? 0) }
            sums.append(total)
            means.append(total / Double(candidate.count))
        }
        return record(
            item, prefixLength: prefixLength, prefix: prefix, memoryTokens: earlier.count, context: context,
            candidates: candidates, sums: sums, means: means, computed: computed)
    }

    private func record(
        _ item: SuffixIdentificationItem, prefixLength: Int, prefix: [Int], memoryTokens: Int, context: [Int],
        candidates: [[Int]], sums: [Double], means: [Double], computed: Int
    ) -> SampleRecord {
        // Ties count for the gold suffix (index 0): correct unless a negative is strictly higher.
        func correct(_ scores: [Double]) -> Bool { scores.dropFirst().allSatisfy { $0 <= scores[0] } }
        let best = sums.indices.max { sums[$0] < sums[$1] } ?? 0
        let statistics = model.memoryStatistics
        let texts = candidates.map { tokenizer.decode($0) }
        return SampleRecord(
            id: sampleID(item, prefixLength: prefixLength),
            labels: ["split": item.split, "prefix_length": String(prefixLength), "work": item.work],
            inputSHA256: Digest.sha256(([item.context] + [item.positive] + item.negatives).joined(separator: "\u{1F}")),
            prompt: tokenizer.decode(prefix), candidates: texts,
            scores: ["sum": .array(sums.map { .double($0) }), "mean": .array(means.map { .double($0) })],
            prediction: String(best), correct: ["sum": correct(sums), "mean": correct(means)],
            details: [
                "prefix_tokens": .int(prefix.count), "memory_tokens": .int(model.memory == nil ? 0 : memoryTokens),
                "context_tokens": .int(context.count), "candidate_tokens": .array(candidates.map { .int($0.count) }),
                "tokens_written": .int(statistics.tokensWritten), "tokens_resident": .int(statistics.tokensResident),
                "tokens_evicted": .int(statistics.tokensEvicted), "tokens_computed": .int(computed),
            ])
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
