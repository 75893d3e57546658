import Foundation
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("Shared prefixes: a cached prefix then its continuation equals one forward pass")
struct PrefixCacheTests {
    @Test(
        "hidden states of continuations after a cached prefix, with memory read",
        arguments: [ReferenceMethod.local, .memtrmGate, .memtrmJoint, .longmem, .longmemInit, .infllm])
    func continuation(method: ReferenceMethod) throws {
        let fixture = try LongMemFixture()
        let tokens = try #require(fixture.streams["stream0"]).tokens
        let model = try method.load()
        // Two segments of memory, then a 40-token prefix continued by two different 12-token endings.
        try SegmentDriver(model: model).run(segments: [tokens[0..<64], tokens[64..<128]]) { _, _, _, _ in }
        let written = model.memoryStatistics
        let prefix = Array(tokens[128..<168])
        let endings = [Array(tokens[168..<180]), Array(tokens[200..<212])]
        let cache = try model.makePrefixCache(capacity: 64)
        let prefixHidden = try model.hiddenStates(appending: prefix, to: cache)
        for ending in endings {
            let whole = try model.hiddenStates(for: [prefix + ending])
            let continued = try model.hiddenStates(appending: ending, to: cache)
            #expect(cache.count == prefix.count + ending.count)
            let gap = Tolerance.maxAbsDifference(
                continued.toArray(), whole.rows(prefix.count..<(prefix.count + ending.count)).toArray())
            #expect(gap < 1e-5, "\(method): max |Δ hidden| = \(gap)")
            cache.rewind(to: prefix.count)
        }
        let prefixGap = Tolerance.maxAbsDifference(
            prefixHidden.toArray(), try model.hiddenStates(for: [prefix]).toArray())
        #expect(prefixGap < 1e-5)
        #expect(written.tokensWritten == (method == .local ? 0 : method == .infllm ? 62 : 128))
        #expect(model.memoryStatistics == written, "reading never writes")
    }
}
