import Foundation
import LongMemModels
import LongMemTensor
import LongMemTestSupport
import Testing

@testable import LongMemRuntime

/// `Tests/Fixtures/infllm`: a 3-layer GQA Llama and what `Scripts/reference/infllm_reference.py` (written
/// from thunlp/InfLLM's code, checked against its ContextManager) computes for 160 tokens.
struct InfLLMFixture: Decodable {
    struct Settings: Decodable {
        var block_size: Int, n_init: Int, n_local: Int, topk: Int, repr_topk: Int, exc_block_size: Int
        var chunk_size: Int
    }
    var settings: Settings
    var ids: [Int]
    var log_probs: [Double?]
    var log_probs_full: [Double?]
    /// Per layer: the first token of every unit formed.
    var units: [[Int]]

    static let folder = FixturePaths.fixture("infllm")

    init() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.folder + "/expected.json"))
        self = try JSONDecoder().decode(Self.self, from: data)
    }

    var options: InfLLMOptions {
        InfLLMOptions(
            blockSize: settings.block_size, initialTokens: settings.n_init, topK: settings.topk,
            representativeTokens: settings.repr_topk, executionBlock: settings.exc_block_size)
    }

    func model(window: Int? = nil) throws -> MemoryAugmentedModel {
        let directory = try ModelDirectory(path: Self.folder + "/model", localWindow: window ?? settings.n_local)
        return try MethodLoader.load(
            directory, method: .infllm, memory: MemoryOptions(memorySize: 1024, infllm: options))
    }

    /// Log-probs of `ids[1...]` from hidden states (rows, C) of `ids[range]`.
    func logProbs(_ hidden: Tensor, _ model: MemoryAugmentedModel, rows range: Range<Int>) -> [Double] {
        let logits = Tensor(zeros: [hidden.rows, model.descriptor.vocabularySize])
        model.outputHead(hidden, into: logits)
        return range.dropLast().enumerated().map { row, index in
            Double(logits.row(row)[ids[index + 1]]) - Softmax.logSumExp(logits.row(row), count: logits.columns)
        }
    }

    /// Log-probs of `ids[1...]` from `model` reading `ids` as one stream in segments of its window.
    func streamedLogProbs(_ model: MemoryAugmentedModel) throws -> [Double] {
        var measured: [Double] = []
        var start = 0
        try SegmentDriver(model: model).run(ids) { _, segment, hidden, _ in
            // The last row of a segment predicts the next segment's first token.
            let end = min(segment.endIndex + 1, ids.count)
            let rows = hidden.rows - (end == segment.endIndex ? 1 : 0)
            measured += logProbs(hidden.rows(0..<rows), model, rows: start..<(start + rows + 1))
            start = segment.endIndex
        }
        return measured
    }
}

@Suite("InfLLM against the reference from its code (block units, representative keys, per-block retrieval)")
struct InfLLMReferenceTests {
    @Test("streamed in chunks of the local window: every log-prob within 1e-4, units formed as the reference")
    func prefill() throws {
        let fixture = try InfLLMFixture()
        let model = try fixture.model()
        let measured = try fixture.streamedLogProbs(model)
        let expected = fixture.log_probs.dropFirst().map { $0! }
        #expect(measured.count == expected.count)
        let gap = zip(measured, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(gap < 1e-4, "max |Δ log-prob| = \(gap)")
        // A wrong port that fell back to full attention would be this close to the other reference instead.
        let full = fixture.log_probs_full.dropFirst().map { $0! }
        #expect((zip(measured, full).map { abs($0 - $1) }.max() ?? 0) > 0.1)
        let units = fixture.units[0].count
        #expect(model.memoryStatistics.tokensWritten == units * fixture.settings.block_size)
        #expect(units >= 3, "the fixture must form several units")
    }

    @Test("a read continues the stream on a copy: memory unchanged, prefix cache equals one pass")
    func readsLeaveMemory() throws {
        let fixture = try InfLLMFixture()
        let model = try fixture.model()
        let driver = try SegmentDriver(model: model)
        try driver.run(segments: [fixture.ids[0..<32], fixture.ids[32..<64], fixture.ids[64..<96]]) { _, _, _, _ in }
        let before = model.memoryStatistics
        let query = Array(fixture.ids[96..<128])
        let whole = try model.hiddenStates(for: [query])
        #expect(model.memoryStatistics == before)
        let again = try model.hiddenStates(for: [query])
        #expect(Tolerance.maxAbsDifference(whole.toArray(), again.toArray()) == 0, "a read must not change memory")
        let cache = try model.makePrefixCache(capacity: 32)
        let first = try model.hiddenStates(appending: Array(query[0..<20]), to: cache)
        let rest = try model.hiddenStates(appending: Array(query[20...]), to: cache)
        #expect(cache.count == 32)
        // Chunks restart execution blocks (16 here): 20 + 12 tokens cut blocks at 0, 16, 20 instead of 0, 16.
        // The first 16 rows see the same keys either way.
        let gap = Tolerance.maxAbsDifference(
            Array(first.toArray()[0..<(16 * first.columns)]), Array(whole.toArray()[0..<(16 * whole.columns)]))
        #expect(gap < 1e-5, "max |Δ hidden| = \(gap)")
        cache.rewind(to: 20)
        let rewound = try model.hiddenStates(appending: Array(query[20...]), to: cache)
        #expect(Tolerance.maxAbsDifference(rest.toArray(), rewound.toArray()) == 0)
        // Reading on, as the stream would, gives the segment's own hidden states.
        let written = try model.forwardSegment(query, remember: true)
        #expect(Tolerance.maxAbsDifference(written.toArray(), whole.toArray()) == 0)
    }

    @Test("bad settings name their option")
    func badSettings() throws {
        let fixture = try InfLLMFixture()
        func message(_ change: (inout InfLLMOptions) -> Void) -> String {
            var options = fixture.options
            change(&options)
            do {
                _ = try MethodLoader.load(
                    try ModelDirectory(path: InfLLMFixture.folder + "/model", localWindow: 32), method: .infllm,
                    memory: MemoryOptions(infllm: options))
                return "loaded"
            } catch { return "\(error)" }
        }
        #expect(message { $0.blockSize = 0 } == "block size: 0 is outside 1...32 (the local window)")
        #expect(message { $0.blockSize = 33 } == "block size: 33 is outside 1...32 (the local window)")
        #expect(message { $0.executionBlock = 64 } == "execution block size: 64 is outside 1...32 (the local window)")
        #expect(message { $0.topK = 0 } == "retrieved units: 0 must be at least 1 unit")
        #expect(message { $0.initialTokens = -1 } == "initial tokens: -1 must not be negative")
        #expect(message { $0.representativeTokens = 9 } == "representative tokens: 9 is outside 1...8 (the block size)")
        #expect(message { _ in } == "loaded")
    }
}
