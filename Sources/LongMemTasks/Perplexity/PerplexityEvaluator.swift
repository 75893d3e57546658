import Foundation
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

    public init(documents: [PerplexityDocument], scoreFirstToken: Bool = false, limit: Int? = nil) {
        self.documents = documents
        self.scoreFirstToken = scoreFirstToken
        self.limit = limit
    }
}

/// Long-text perplexity with memory (LongMem's PG-22 / ArXiv protocol, LONGMEM.md 7.3): per document the
/// memory is reset, the document is fed in non-overlapping local-window segments, each scored with the
/// memory of the earlier ones and then written to it. Token-level perplexity = exp(total NLL / scored
/// tokens); bits per byte = total NLL / ln 2 / UTF-8 bytes of the scored tokens.
public final class PerplexityEvaluator {
    public static let protocolInfo = ProtocolInfo(name: "longmem_perplexity", version: 1)
    /// Length buckets by document tokens: the paper's 5K-10K, 10K-100K, 100K-500K [edges recalled], plus
    /// the ends.
    public static let bucketEdges: [(label: String, upTo: Int)] = [
        ("<5K", 5_000), ("5K-10K", 10_000), ("10K-100K", 100_000), ("100K-500K", 500_000), ("500K-1M", 1_000_000),
        (">1M", .max),
    ]

    let model: MemoryAugmentedModel
    let tokenizer: any TextTokenizer
    let configuration: PerplexityConfiguration
    /// Conditions the document's first token when `scoreFirstToken` is set.
    let prefixToken: Int?
    /// Labels every record carries (e.g. memory_size in a sweep).
    let extraLabels: [String: String]

    public init(
        model: MemoryAugmentedModel, tokenizer: any TextTokenizer, configuration: PerplexityConfiguration,
        extraLabels: [String: String] = [:]
    ) throws {
        guard !configuration.documents.isEmpty else {
            throw TasksError.invalidOption(option: "--files/--dataset", detail: "no documents to score")
        }
        self.model = model
        self.tokenizer = tokenizer
        self.configuration = configuration
        self.extraLabels = extraLabels
        prefixToken = (tokenizer as? FairseqTokenizer)?.dictionary.eos ?? tokenizer.endOfTextID
    }

    public var documents: [PerplexityDocument] { Array(configuration.documents.prefix(configuration.limit ?? .max)) }

    public static func bucket(tokens: Int) -> String { bucketEdges.first { tokens < $0.upTo }!.label }

    func sampleID(_ document: PerplexityDocument) -> String {
        (["perplexity", document.name] + extraLabels.keys.sorted().map { "\($0)=\(extraLabels[$0]!)" })
            .joined(separator: "/")
    }

    /// Scores the documents this shard owns and has not finished; `offset` is the position of the first
    /// document in the run's overall sample order (several sweeps share one run).
    public func run(_ run: EvaluationRun, progress: ProgressReporter, offset: Int = 0) throws {
        for (index, document) in documents.enumerated()
        where run.specification.shard.owns(offset + index) && !run.isFinished(sampleID(document)) {
            try run.record(try score(document))
            progress.advance()
        }
    }

    /// One document, segment by segment.
    func score(_ document: PerplexityDocument) throws -> SampleRecord {
        let text = GutenbergText(try TextFile.read(document.path, normalizeNewlines: true)).body
        guard !text.isEmpty else { throw TasksError.emptyText(source: document.path) }
        let tokens = tokenizer.encode(text)
        let driver = try SegmentDriver(model: model)
        var nll = 0.0, scored = 0, bytes = 0
        // With scoreFirstToken: the hidden state that predicts the next segment's first token (the end of the
        // previous segment, or the end-of-text token before the document).
        var previous: Tensor?
        if configuration.scoreFirstToken, let prefixToken {
            model.resetMemory()
            previous = try model.hiddenStates(for: [[prefixToken]])
        }
        try driver.run(tokens) { _, slice, hidden, _ in
            let segment = Array(slice)
            var source = hidden
            var rows = Array(0..<(segment.count - 1))
            var targets: [Int?] = segment.dropFirst().map { $0 }
            if let previous {
                source = Tensor.stackingRows([previous.rows((previous.rows - 1)..<previous.rows), hidden])
                rows = [0] + rows.map { $0 + 1 }
                targets.insert(segment[0], at: 0)
            }
            let predictions = LogitReduction.predictions(
                hidden: source, head: model.outputHead, rows: rows, targets: targets)
            for (prediction, target) in zip(predictions, targets) {
                nll -= prediction.targetLogProbability ?? 0
                scored += 1
                bytes += tokenizer.decodeBytes([target!]).count
            }
            if configuration.scoreFirstToken { previous = hidden.rows((hidden.rows - 1)..<hidden.rows).copy() }
        }
        return record(
            document, tokens: tokens, nll: nll, scored: scored, bytes: bytes,
            computed: tokens.count + (configuration.scoreFirstToken ? 1 : 0))
    }

    private func record(
        _ document: PerplexityDocument, tokens: [Int], nll: Double, scored: Int, bytes: Int, computed: Int
    ) -> SampleRecord {
        let statistics = model.memoryStatistics
        return SampleRecord(
            id: sampleID(document),
            labels: [
                "document": document.name, "dataset": document.dataset, "bucket": Self.bucket(tokens: tokens.count),
            ]
            .merging(extraLabels) { $1 },
            inputSHA256: Digest.sha256(tokens.map(String.init).joined(separator: ",")),
            scores: [
                "nll": .double(nll), "token_perplexity": .double(Foundation.exp(nll / Double(max(scored, 1)))),
                "bits_per_byte": .double(nll / Foundation.log(2) / Double(max(bytes, 1))),
            ],
            details: [
                "tokens": .int(tokens.count), "scored_tokens": .int(scored), "bytes": .int(bytes),
                "segments": .int((tokens.count + model.descriptor.contextLength - 1) / model.descriptor.contextLength),
                "tokens_written": .int(statistics.tokensWritten), "tokens_resident": .int(statistics.tokensResident),
                "tokens_evicted": .int(statistics.tokensEvicted), "tokens_computed": .int(computed),
            ])
    }
}
