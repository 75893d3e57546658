import Foundation
import LongMemData
import LongMemHarness
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTokenizer

/// A document to score.
public struct PerplexityDocument: Sendable, Equatable {
    /// Name in results: the path relative to the data directory (or as given).
    public var name: String
    public var path: String
    /// "pg22", "pg19", "arxiv", or "files".
    public var dataset: String
}

/// What a perplexity run evaluates.
public struct PerplexityConfiguration: Sendable, Equatable {
    public var documents: [PerplexityDocument]
    /// Score each segment's first token from the previous segment's last position (and the document's
    /// first token after the end-of-text token); otherwise it is not scored (nothing in its window
    /// precedes it).
    public var scoreFirstToken: Bool
    /// Evaluate only the first `limit` documents.
    public var limit: Int?
    /// What the documents were asked for as (dataset ids, files), for the results.
    public var datasets: [String]
    public var files: [String]

    public init(
        documents: [PerplexityDocument], scoreFirstToken: Bool = false, limit: Int? = nil, datasets: [String] = [],
        files: [String] = []
    ) {
        self.documents = documents
        self.scoreFirstToken = scoreFirstToken
        self.limit = limit
        self.datasets = datasets
        self.files = files
    }
}

/// Long-text perplexity with memory (LongMem's PG-22 / ArXiv protocol, LONGMEM.md 7.3): per document the
/// memory is reset, the document is fed in non-overlapping local-window segments, each scored with the
/// memory of the earlier ones and then written to it. Token-level perplexity = exp(total NLL / scored
/// tokens); bits per byte = total NLL / ln 2 / UTF-8 bytes of the scored tokens.
///
/// A memory sweep runs the same documents once per memory size, each with its own model.
public final class PerplexityEvaluator: Evaluator {
    public static let task = TaskKind.perplexity
    public static let protocolInfo = ProtocolInfo(name: "longmem_perplexity", version: 1)
    /// Length buckets by document tokens: the paper's 5K-10K, 10K-100K, 100K-500K [edges recalled], plus
    /// the ends.
    public static let bucketEdges: [(label: String, upTo: Int)] = [
        ("<5K", 5_000), ("5K-10K", 10_000), ("10K-100K", 100_000), ("100K-500K", 500_000), ("500K-1M", 1_000_000),
        (">1M", .max),
    ]

    /// One model per memory size of the sweep (nil: the model's own size, no sweep).
    let models: [(memorySize: Int?, model: MemoryAugmentedModel)]
    let tokenizer: any TextTokenizer
    let configuration: PerplexityConfiguration
    /// Conditions the document's first token when `scoreFirstToken` is set.
    let prefixToken: Int?

    public init(
        models: [(memorySize: Int?, model: MemoryAugmentedModel)], tokenizer: any TextTokenizer,
        configuration: PerplexityConfiguration
    ) throws {
        guard !configuration.documents.isEmpty else {
            throw TasksError.invalidSetting(.documents, detail: "no documents to score")
        }
        precondition(!models.isEmpty, "a perplexity run needs a model")
        self.models = models
        self.tokenizer = tokenizer
        self.configuration = configuration
        prefixToken = (tokenizer as? FairseqTokenizer)?.dictionary.eos ?? tokenizer.endOfTextID
    }

    public var documents: [PerplexityDocument] { Array(configuration.documents.prefix(configuration.limit ?? .max)) }

    public static func bucket(tokens: Int) -> String { bucketEdges.first { tokens < $0.upTo }!.label }

    public var seeds: [Int]? { nil }
    public var dataFiles: [String] { documents.map(\.path) }
    public var sampleCount: Int { documents.count * models.count }

    public var recordedOptions: [String: JSONValue] {
        [
            "datasets": .array(configuration.datasets.map { .string($0) }),
            "files": .array(configuration.files.map { .string($0) }),
            "score_first_token": .bool(configuration.scoreFirstToken),
            "limit": configuration.limit.map { .int($0) } ?? .null,
            "memory_sweep": .array(models.compactMap(\.memorySize).map { .int($0) }),
            "bucket_edges": .array(Self.bucketEdges.map { .string($0.label) }),
        ]
    }

    public var notes: [String] {
        [
            configuration.scoreFirstToken
                ? "first token of each segment scored from the previous segment's end"
                : "first token of each segment not scored"
        ]
    }

    /// Labels a sweep's records carry.
    static func sweepLabels(_ memorySize: Int?) -> [String: String] {
        memorySize.map { ["memory_size": String($0)] } ?? [:]
    }

    func sampleID(_ document: PerplexityDocument, labels: [String: String]) -> String {
        (["perplexity", document.name] + labels.keys.sorted().map { "\($0)=\(labels[$0]!)" }).joined(separator: "/")
    }

    /// Scores the documents this shard owns and has not finished, sweep by sweep.
    public func run(_ run: EvaluationRun, progress: ProgressReporter) throws {
        let documents = self.documents
        for (sweep, entry) in models.enumerated() {
            let labels = Self.sweepLabels(entry.memorySize)
            for (index, document) in documents.enumerated()
            where run.specification.shard.owns(sweep * documents.count + index)
                && !run.isFinished(sampleID(document, labels: labels))
            {
                try run.record(try score(document, model: entry.model, labels: labels))
                progress.advance()
            }
        }
    }

    /// One document, segment by segment.
    func score(
        _ document: PerplexityDocument, model: MemoryAugmentedModel, labels: [String: String]
    ) throws
        -> SampleRecord
    {
        let text = GutenbergText(try TextFile.read(document.path, normalizeNewlines: true)).body
        guard !text.isEmpty else { throw TasksError.emptyText(source: document.path) }
        let tokens = tokenizer.encode(text)
        let score = try SegmentScorer(
            model: model, scoreFirstToken: configuration.scoreFirstToken, prefixToken: prefixToken
        ).score(tokens)
        var nll = 0.0, scored = 0, bytes = 0
        for token in score.tokens {
            guard let logProbability = token.logProbability else { continue }
            try TasksError.requireFinite(logProbability, sample: document.path, what: "token \(token.index)")
            nll -= logProbability
            scored += 1
            bytes += tokenizer.decodeBytes([token.token]).count
        }
        let statistics = model.memoryStatistics
        let window = model.descriptor.contextLength
        return SampleRecord(
            id: sampleID(document, labels: labels),
            labels: [
                "document": document.name, "dataset": document.dataset, "bucket": Self.bucket(tokens: tokens.count),
            ]
            .merging(labels) { $1 },
            inputSHA256: Digest.sha256(tokens.map(String.init).joined(separator: ",")),
            scores: [
                "nll": .double(nll), "token_perplexity": .double(Foundation.exp(nll / Double(max(scored, 1)))),
                "bits_per_byte": .double(nll / Foundation.log(2) / Double(max(bytes, 1))),
            ],
            details: [
                "tokens": .int(tokens.count), "scored_tokens": .int(scored), "bytes": .int(bytes),
                "segments": .int((tokens.count + window - 1) / window),
            ],
            cost: SampleCost(
                tokensComputed: tokens.count + (configuration.scoreFirstToken ? 1 : 0),
                memory: MemoryCounters(statistics)))
    }
}
