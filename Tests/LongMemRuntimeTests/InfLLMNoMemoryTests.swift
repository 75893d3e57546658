import Foundation
import LongMemModels
import LongMemTensor
import LongMemTestSupport
import Testing

@testable import LongMemRuntime

/// `infllm-no-memory` against `Tests/Fixtures/infllm/no_memory.json` (`Scripts/reference/
/// make_infllm_no_memory_fixture.py`), on the InfLLM fixture's model and tokens: the reference from InfLLM's
/// code with its memory off, and with no initial tokens transformers' own sliding-window attention.
@Suite("InfLLM with memory off: its sliding window and initial tokens, against references")
struct InfLLMNoMemoryTests {
    struct Expected: Decodable {
        var log_probs: [Double?]
        var log_probs_sliding: [Double?]
    }

    static func expected() throws -> Expected {
        let data = try Data(contentsOf: URL(fileURLWithPath: InfLLMFixture.folder + "/no_memory.json"))
        return try JSONDecoder().decode(Expected.self, from: data)
    }

    static func model(
        _ fixture: InfLLMFixture, window: Int? = nil, initialTokens: Int? = nil, method: MethodKind = .infllmNoMemory
    ) throws -> MemoryAugmentedModel {
        let directory = try ModelDirectory(
            path: InfLLMFixture.folder + "/model", localWindow: window ?? fixture.settings.n_local)
        var options = fixture.options
        options.initialTokens = initialTokens ?? options.initialTokens
        return try MethodLoader.load(
            directory, method: method, memory: MemoryOptions(memorySize: 1024, infllm: options))
    }

    static func maxGap(_ a: [Double], _ b: [Double?]) -> Double {
        let b = b.dropFirst().map { $0! }
        return a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }

    @Test("initial tokens and local window: every log-prob within 1e-4, no unit formed")
    func matchesReference() throws {
        let fixture = try InfLLMFixture(), expected = try Self.expected()
        let model = try Self.model(fixture)
        #expect(model.method == .infllmNoMemory)
        let measured = try fixture.streamedLogProbs(model)
        let gap = Self.maxGap(measured, expected.log_probs)
        #expect(gap < 1e-4, "max |Δ log-prob| = \(gap)")
        #expect(model.memoryStatistics == MemoryStatistics())
        // A port that kept InfLLM's memory, or dropped the initial tokens, would be far from the reference.
        #expect(Self.maxGap(measured, fixture.log_probs) > 0.1)
        #expect(Self.maxGap(measured, expected.log_probs_sliding) > 0.1)
    }

    @Test("without initial tokens: transformers' sliding window within 1e-4; disjoint segments differ")
    func slidingWindow() throws {
        let fixture = try InfLLMFixture(), expected = try Self.expected()
        let measured = try fixture.streamedLogProbs(Self.model(fixture, initialTokens: 0))
        let gap = Self.maxGap(measured, expected.log_probs_sliding)
        #expect(gap < 1e-4, "max |Δ log-prob| = \(gap)")
        let disjoint = try fixture.streamedLogProbs(Self.model(fixture, method: .local))
        #expect(Self.maxGap(disjoint, expected.log_probs_sliding) > 0.1)
    }

    @Test("a window covering the whole text is plain causal attention")
    func wideWindow() throws {
        let fixture = try InfLLMFixture()
        let measured = try fixture.streamedLogProbs(Self.model(fixture, window: fixture.ids.count))
        let gap = Self.maxGap(measured, fixture.log_probs_full)
        #expect(gap < 1e-4, "max |Δ log-prob| = \(gap)")
    }
}
