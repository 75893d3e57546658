import Foundation
import LongMemModels
import LongMemTensor
import LongMemTestSupport
import Testing

@testable import LongMemRuntime

/// `sliding-window` (InfLLM's local part alone) against `Tests/Fixtures/infllm/sliding.json`: transformers'
/// Mistral forward, whose sliding-window mask lets each query see the 32 keys up to itself, on the InfLLM
/// fixture's model and tokens (`Scripts/reference/make_sliding_fixture.py`).
@Suite("Sliding window without memory against transformers' sliding-window attention")
struct SlidingWindowTests {
    struct Expected: Decodable {
        var window: Int
        var log_probs: [Double?]
    }

    static func expected() throws -> Expected {
        let data = try Data(contentsOf: URL(fileURLWithPath: InfLLMFixture.folder + "/sliding.json"))
        return try JSONDecoder().decode(Expected.self, from: data)
    }

    static func model(window: Int, method: MethodKind = .slidingWindow) throws -> MemoryAugmentedModel {
        let directory = try ModelDirectory(path: InfLLMFixture.folder + "/model", localWindow: window)
        return try MethodLoader.load(directory, method: method, memory: MemoryOptions())
    }

    @Test("streamed in segments of the window: every log-prob within 1e-4, nothing kept beyond the window")
    func matchesReference() throws {
        let fixture = try InfLLMFixture(), expected = try Self.expected()
        let model = try Self.model(window: expected.window)
        #expect(model.method == .slidingWindow && !model.readsMemory)
        let measured = try fixture.streamedLogProbs(model)
        let reference = expected.log_probs.dropFirst().map { $0! }
        #expect(measured.count == reference.count)
        let gap = zip(measured, reference).map { abs($0 - $1) }.max() ?? .infinity
        #expect(gap < 1e-4, "max |Δ log-prob| = \(gap)")
        #expect(model.memoryStatistics == MemoryStatistics(tokensWritten: 0, tokensResident: 0, tokensEvicted: 0))
        // A port that kept InfLLM's memory, or read disjoint segments, would be far from the reference.
        let infllm = fixture.log_probs.dropFirst().map { $0! }
        #expect((zip(measured, infllm).map { abs($0 - $1) }.max() ?? 0) > 0.1)
        let disjoint = try fixture.streamedLogProbs(Self.model(window: expected.window, method: .local))
        #expect((zip(measured, disjoint).map { abs($0 - $1) }.max() ?? 0) > 0.1)
    }

    @Test("a window covering the whole text is plain causal attention")
    func wideWindow() throws {
        let fixture = try InfLLMFixture()
        let measured = try fixture.streamedLogProbs(Self.model(window: fixture.ids.count))
        let full = fixture.log_probs_full.dropFirst().map { $0! }
        let gap = zip(measured, full).map { abs($0 - $1) }.max() ?? .infinity
        #expect(gap < 1e-4, "max |Δ log-prob| = \(gap)")
    }
}
