import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import Testing

/// Memory fills (ICL demonstrations, ChapterBreak's earlier prefix) write segments without reading their
/// outputs: `SegmentDriver.write` must leave memory exactly as the segment driver's forward passes do,
/// although LongMem and MemTRM run the backbone only up to the retrieval layer for it.
@Suite("Memory fills: writing a segment leaves memory as its forward pass does")
struct MemoryWriteTests {
    @Test(
        "on the LongMem fixture (GPT-2*, ALiBi)",
        arguments: [ReferenceMethod.memtrmGate, .memtrmJoint, .longmem, .longmemFaithful, .infllm])
    func alibiFixture(method: ReferenceMethod) throws {
        try Self.check(forwarded: method.load(), written: method.load())
    }

    @Test("on the tiny Llama (rotary, GQA)", arguments: [MethodKind.memtrm, .longmem])
    func llama(method: MethodKind) throws {
        let directory = try ModelDirectory(path: FixturePaths.fixture("llama-tiny/tied"))
        let memory = MemoryOptions(memorySize: 512, chunkSize: 4, topK: 16)
        try Self.check(
            forwarded: MethodLoader.load(directory, method: method, memory: memory),
            written: MethodLoader.load(directory, method: method, memory: memory))
    }

    @Test("the memory-off ablation writes nothing")
    func memoryOff() throws {
        let directory = try ModelDirectory(path: LongMemFixture.directory)
        let model = try MethodLoader.load(
            directory, method: .longmemNoMemory, memory: MemoryOptions(memorySize: 256, chunkSize: 4, topK: 16))
        let window = model.descriptor.contextLength
        try SegmentDriver(model: model).write(segments: [Self.tokens(window, model)[...]])
        #expect(model.memoryStatistics == MemoryStatistics())
    }

    /// Two windows of seeded tokens filled into both models (forward passes into `forwarded`, writes into
    /// `written`), then equal counters, equal stored keys, and bit-equal hidden states for the next segment.
    static func check(forwarded: MemoryAugmentedModel, written: MemoryAugmentedModel) throws {
        let window = forwarded.descriptor.contextLength
        let tokens = Self.tokens(3 * window, forwarded)
        let fill = [tokens[0..<window], tokens[window..<(2 * window)]]
        try SegmentDriver(model: forwarded).run(segments: fill) { _, _, _, _ in }
        try SegmentDriver(model: written).write(segments: fill)
        #expect(written.memoryStatistics.tokensWritten > 0)
        #expect(written.memoryStatistics == forwarded.memoryStatistics)
        if let expected = forwarded.memory, let memory = written.memory {
            #expect(memory.count == expected.count)
            var mismatches = 0
            for head in 0..<memory.heads {
                for slot in 0..<memory.count {
                    for token in 0..<memory.configuration.chunkSize
                    where memory.storedKey(head: head, slot: slot, token: token)
                        != expected.storedKey(head: head, slot: slot, token: token)
                    {
                        mismatches += 1
                    }
                }
            }
            #expect(mismatches == 0)
        }
        let next = Array(tokens[(2 * window)...])
        let read = try written.hiddenStates(for: [next]).toArray()
        #expect(read == (try forwarded.hiddenStates(for: [next]).toArray()))
    }

    static func tokens(_ count: Int, _ model: MemoryAugmentedModel) -> [Int] {
        var random = SplitMix64(seed: 17)
        let vocabulary = UInt64(min(model.descriptor.vocabularySize, 256))
        return (0..<count).map { _ in 4 + Int(random.next() % (vocabulary - 4)) }  // no special tokens
    }
}
