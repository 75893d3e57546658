import Foundation
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import Testing

/// The reference's methods, as `MethodLoader` builds them from the fixture folders.
enum ReferenceMethod: String, CaseIterable, Sendable {
    case local, memtrmGate = "memtrm_gate", memtrmJoint = "memtrm_joint", longmem
    case longmemInit = "longmem_init", longmemFaithful = "longmem_faithful"
    /// Not in the reference: InfLLM on the same (ALiBi) backbone (its own reference: InfLLMReferenceTests).
    case infllm

    func load(precision: MemoryPrecision = .float16) throws -> MemoryAugmentedModel {
        var memory = MemoryOptions(memorySize: 256, chunkSize: 4, topK: 16, retrievalLayer: 2, precision: precision)
        let folder = try ModelDirectory(path: LongMemFixture.directory)
        switch self {
        case .local: return try MethodLoader.load(folder, method: .local, memory: memory)
        case .memtrmGate: return try MethodLoader.load(folder, method: .memtrm, memory: memory)
        case .memtrmJoint: return try MethodLoader.load(folder, method: .memtrmJoint, memory: memory)
        case .longmem: return try MethodLoader.load(folder, method: .longmem, memory: memory)
        case .longmemInit:
            return try MethodLoader.load(
                try ModelDirectory(path: LongMemFixture.backboneDirectory), method: .longmem, memory: memory)
        case .longmemFaithful:
            memory.faithful = true
            return try MethodLoader.load(folder, method: .longmem, memory: memory)
        case .infllm:
            return try MethodLoader.load(folder, method: .infllm, memory: memory)
        }
    }

    /// The reference's name for this method run with `precision` storage.
    func referenceName(_ precision: MemoryPrecision) -> String {
        precision == .float32 && self != .local ? rawValue + "@f32" : rawValue
    }
}

/// Runs `method` over a fixture stream and hands each segment's full logits and counters to `body`.
func runReference(
    _ fixture: LongMemFixture, stream name: String, method: ReferenceMethod, precision: MemoryPrecision,
    _ body: (Int, Tensor, MemoryStatistics) throws -> Void
) throws {
    let stream = try #require(fixture.streams[name])
    let model = try method.load(precision: precision)
    var start = 0
    let segments = stream.segment_lengths.map { length in
        defer { start += length }
        return stream.tokens[start..<(start + length)]
    }
    try SegmentDriver(model: model).run(segments: segments) { index, _, hidden, statistics in
        let logits = Tensor(zeros: [hidden.rows, model.descriptor.vocabularySize])
        model.outputHead(hidden, into: logits)
        try body(index, logits, statistics)
    }
}

@Suite("The LongMem runtime against the PyTorch reference (multi-segment, with eviction)")
struct ReferenceTests {
    static let fixture = Result { try LongMemFixture() }

    static var cases: [(String, ReferenceMethod)] {
        guard let fixture = try? fixture.get() else { return [] }
        return fixture.counters.keys.sorted().flatMap { stream in
            ReferenceMethod.allCases.filter { fixture.counters[stream]?[$0.rawValue] != nil }.map { (stream, $0) }
        }
    }

    /// Largest |Δ logit| over the reference's stored rows of segment `index`.
    func difference(
        _ logits: Tensor, _ fixture: LongMemFixture, _ stream: String, _ method: String, _ index: Int
    ) throws
        -> Float
    {
        let rows = try #require(fixture.streams[stream]).logit_rows[index]
        let expected = try fixture.tensor(stream, method, segment: index, "logits")
        return rows.enumerated().map { offset, row in
            Tolerance.maxAbsDifference(
                Array(UnsafeBufferPointer(start: logits.row(row), count: logits.columns)),
                Array(UnsafeBufferPointer(start: expected.row(offset), count: expected.columns)))
        }.max() ?? 0
    }

    @Test("with a Float32 store: logits within 1e-4 of the reference, every segment", arguments: cases)
    func exactStore(stream: String, method: ReferenceMethod) throws {
        let fixture = try Self.fixture.get()
        try runReference(fixture, stream: stream, method: method, precision: .float32) { index, logits, _ in
            let gap = try difference(logits, fixture, stream, method.referenceName(.float32), index)
            #expect(gap < 1e-4, "segment \(index): max |Δ logit| = \(gap)")
        }
    }

    /// Rounding keys and values to Float16 is discontinuous: when this port's Float32 key differs from the
    /// reference's by one ulp, both may round to neighbouring Float16 values (5e-4 apart), which moves the
    /// logits of this small, sensitive model by ~1e-4 (the reference itself differs from a Float64 run by
    /// up to 1.6e-4). So the official Float16 store is compared at 1e-3, its per-token log-probs too.
    @Test("with the official Float16 store: logits within 1e-3, counters exact", arguments: cases)
    func officialStore(stream: String, method: ReferenceMethod) throws {
        let fixture = try Self.fixture.get()
        let expected = try #require(fixture.counters[stream]?[method.rawValue])
        let tokens = try #require(fixture.streams[stream])
        var start = 0
        try runReference(fixture, stream: stream, method: method, precision: .float16) { index, logits, statistics in
            let counters = expected[index]
            #expect(
                statistics
                    == MemoryStatistics(
                        tokensWritten: counters.written, tokensResident: counters.resident,
                        tokensEvicted: counters.evicted),
                "segment \(index)")
            let gap = try difference(logits, fixture, stream, method.rawValue, index)
            #expect(gap < 1e-3, "segment \(index): max |Δ logit| = \(gap)")
            let length = tokens.segment_lengths[index]
            let reference = try fixture.tensor(stream, method.rawValue, segment: index, "logprobs").toArray()
            let logprobs = (0..<(length - 1)).map { t in
                logits.row(t)[tokens.tokens[start + t + 1]]
                    - Float(Softmax.logSumExp(logits.row(t), count: logits.columns))
            }
            #expect(Tolerance.maxAbsDifference(logprobs, reference) < 1e-3, "segment \(index) log-probs")
            start += length
        }
    }
}
