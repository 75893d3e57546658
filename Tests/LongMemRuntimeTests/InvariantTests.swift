import Foundation
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("Runtime invariants")
struct InvariantTests {
    let fixture: LongMemFixture
    let segments: [ArraySlice<Int>]

    init() throws {
        fixture = try LongMemFixture()
        let tokens = try #require(fixture.streams["stream0"]).tokens
        segments = stride(from: 0, to: tokens.count, by: 64).map { tokens[$0..<($0 + 64)] }
    }

    /// Hidden states of every segment of stream 0, memory written unless `remember` is false.
    func hiddenStates(_ model: MemoryAugmentedModel, remember: Bool = true) throws -> [[Float]] {
        var result: [[Float]] = []
        try SegmentDriver(model: model).run(segments: segments, remember: { _ in remember }) { _, _, hidden, _ in
            result.append(hidden.toArray())
        }
        return result
    }

    @Test("with the gate forced to 0 (memory_bias = -inf), LongMem equals its SideNet without memory")
    func gateZero() throws {
        let loaded = try #require(
            try ReferenceMethod.longmem.load() as? LongMemModel)
        let closed = try LongMemModel(
            backbone: loaded.backbone,
            sideNet: loaded.sideNet.replacingMemoryBias([Float](repeating: -.infinity, count: 4)),
            configuration: loaded.configuration)
        let withMemory = try hiddenStates(closed)
        let withoutMemory = try hiddenStates(loaded, remember: false)
        #expect(closed.memoryStatistics.tokensWritten == 320 + 64)
        let gap = zip(withMemory, withoutMemory).map { Tolerance.maxAbsDifference($0, $1) }.max() ?? .infinity
        #expect(gap == 0, "max |Δ hidden| = \(gap)")
        // And the memory does matter when the gate is open.
        let open = zip(try hiddenStates(loaded), withoutMemory).map { Tolerance.maxAbsDifference($0, $1) }.max() ?? 0
        #expect(open > 0.1, "memory changes the hidden states by \(open)")
    }

    @Test(
        "with an empty memory every method's memory layer is plain local attention",
        arguments: [
            ReferenceMethod.memtrmGate, .memtrmJoint, .longmem, .longmemInit,
        ])
    func emptyMemory(method: ReferenceMethod) throws {
        let model = try method.load()
        let first = try hiddenStates(model).first
        let memoryless: MemoryAugmentedModel
        switch method {
        case .longmem, .longmemInit: memoryless = model  // its SideNet, memory never written
        default: memoryless = try ReferenceMethod.local.load()
        }
        let reference = try hiddenStates(memoryless, remember: false).first
        let gap = Tolerance.maxAbsDifference(try #require(first), try #require(reference))
        #expect(gap == 0, "max |Δ hidden| = \(gap)")
    }

    @Test("the memory's Float16 store rounds exactly like torch's .to(float16)")
    func halfRounding() throws {
        var random = SplitMix64(seed: 11)
        let configuration = MemoryConfiguration(memorySize: 64, chunkSize: 4, topK: 8, retrievalLayer: 0)
        let bank = MemoryBank(configuration: configuration, heads: 2, dimension: 8)
        let keys = random.tensor([8, 16], scale: 5), values = random.tensor([8, 16], scale: 5)
        bank.write(keys: keys.data, keyStride: 16, values: values.data, valueStride: 16, tokens: 8)
        // Every stored element is the nearest-even Float16 of the written Float32.
        let retrieved = bank.retrieve(keys.data, stride: 16, rows: 1, queryHeads: 2)
        #expect(retrieved.available == 2)
        #expect(bank.storedKey(head: 1, slot: 1, token: 3) == (0..<8).map { Float(Float16(keys.row(7)[8 + $0])) })
    }
}
