import Foundation
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import Testing

/// `longmem` over a Llama-family backbone: a SideNet of Llama blocks copied from blocks 2i+1 (untrained),
/// on the seeded tiny Llama of Tests/Fixtures/llama-tiny (2 blocks, 4 query / 2 key heads, window 128).
@Suite("LongMem with an untrained SideNet over a Llama backbone")
struct LlamaSideNetTests {
    let directory = try! ModelDirectory(path: FixturePaths.fixture("llama-tiny/tied"))
    let memory = MemoryOptions(memorySize: 512, chunkSize: 4, topK: 16)
    /// Three 128-token segments of seeded random ids.
    let tokens: [Int] = {
        var random = SplitMix64(seed: 5)
        return (0..<384).map { _ in Int(random.next() % 256) }
    }()

    func load() throws -> LongMemModel {
        try #require(try MethodLoader.load(directory, method: .longmem, memory: memory) as? LongMemModel)
    }

    @Test("with an empty memory it matches a naive twin: RMSNorm, rotary GQA attention, SwiGLU, cross residual")
    func naiveTwin() throws {
        let model = try load()
        let llama = try #require(model.backbone as? LlamaModel)
        #expect(model.sideNet.isInitialisedFromBackbone && model.sideNet.layerCount == 1)
        let sequence = Array(tokens[0..<40])
        let fast = try model.hiddenStates(for: [sequence]).toArray()

        let states = try llama.forward([sequence], options: ForwardOptions(capturedHiddenStates: [0, 2])).hiddenStates
        let h0 = try #require(states[0]).toArray(), h2 = try #require(states[2]).toArray()
        let naive = Self.naiveSideNet(llama, block: llama.blocks[1], h0: h0, h2: h2, tokens: sequence.count)
        let gap = Tolerance.maxAbsDifference(fast, naive)
        #expect(gap < 1e-4, "max |Δ hidden| = \(gap)")
        // The SideNet is not the identity: its output differs from the backbone's H[L].
        #expect(Tolerance.maxAbsDifference(fast, h2) > 0.1)
    }

    @Test("the prefix cache path equals the full forward, with memory written")
    func prefixCache() throws {
        let model = try load()
        model.resetMemory()
        _ = try model.forwardSegment(Array(tokens[0..<128]), remember: true)
        _ = try model.forwardSegment(Array(tokens[128..<256]), remember: true)
        let query = Array(tokens[256..<320])
        let full = try model.hiddenStates(for: [query]).toArray()
        let cache = try model.makePrefixCache(capacity: 128)
        let first = try model.hiddenStates(appending: Array(query[0..<25]), to: cache).toArray()
        let rest = try model.hiddenStates(appending: Array(query[25...]), to: cache).toArray()
        let gap = Tolerance.maxAbsDifference(full, first + rest)
        #expect(gap < 1e-4, "max |Δ hidden| = \(gap)")
    }

    @Test("a closed memory gate gives the memoryless output; an open one changes it")
    func gate() throws {
        let model = try load()
        let closed = try LongMemModel(
            backbone: model.backbone,
            sideNet: model.sideNet.replacingMemoryBias([Float](repeating: -.infinity, count: 4)),
            configuration: model.configuration)
        func lastSegment(_ model: LongMemModel, remember: Bool) throws -> [Float] {
            var last: [Float] = []
            try SegmentDriver(model: model).run(tokens, remember: { _ in remember }) { _, _, hidden, _ in
                last = hidden.toArray()
            }
            return last
        }
        let memoryless = try lastSegment(model, remember: false)
        #expect(Tolerance.maxAbsDifference(try lastSegment(closed, remember: true), memoryless) == 0)
        #expect(closed.memoryStatistics.tokensWritten == 384)
        #expect(Tolerance.maxAbsDifference(try lastSegment(model, remember: true), memoryless) > 1e-3)
    }

    /// x = H0; x += (H2 - H0) + Wo Attn(rope(q), rope(k), v) of RMSNorm1(x); x += down(silu(gate) * up) of
    /// RMSNorm2(x); final RMSNorm. Every product in Double-accumulating naive kernels.
    static func naiveSideNet(_ llama: LlamaModel, block: LlamaBlock, h0: [Float], h2: [Float], tokens: Int) -> [Float] {
        let c = llama.configuration
        let width = c.width, qWidth = c.queryWidth, kvWidth = c.keyValueWidth, f = c.feedForwardWidth
        func linear(_ x: [Float], _ layer: Linear) -> [Float] {
            let out = layer.outputFeatures, input = layer.inputFeatures
            let w = NaiveKernels.transpose(layer.weight.toArray(), rows: out, columns: input)
            return NaiveKernels.matmul(x, w, m: x.count / input, k: input, n: out)
        }
        func columns(_ x: [Float], _ range: Range<Int>, of total: Int) -> [Float] {
            (0..<tokens).flatMap { x[($0 * total + range.lowerBound)..<($0 * total + range.upperBound)] }
        }
        var x = h0
        let normed = NaiveKernels.rmsNorm(
            x, width: width, weight: block.attentionNorm.weight.toArray(), epsilon: block.attentionNorm.epsilon)
        let qkv = linear(normed, block.queryKeyValue), total = qWidth + 2 * kvWidth
        let positions = Array(0..<tokens)
        let q = NaiveKernels.rotary(
            columns(qkv, 0..<qWidth, of: total), heads: c.heads, headDim: c.headDim, positions: positions,
            base: c.theta)
        let k = NaiveKernels.rotary(
            columns(qkv, qWidth..<(qWidth + kvWidth), of: total), heads: c.keyValueHeads, headDim: c.headDim,
            positions: positions, base: c.theta)
        let v = columns(qkv, (qWidth + kvWidth)..<total, of: total)
        let attended = NaiveKernels.causalAttention(
            q: q, k: k, v: v, tokens: tokens, heads: c.heads, kvHeads: c.keyValueHeads, headDim: c.headDim,
            scale: 1 / Float(c.headDim).squareRoot())
        let projected = linear(attended, block.attentionOutput)
        for i in x.indices { x[i] += (h2[i] - h0[i]) + projected[i] }
        let normed2 = NaiveKernels.rmsNorm(
            x, width: width, weight: block.feedForwardNorm.weight.toArray(), epsilon: block.feedForwardNorm.epsilon)
        let gateUp = linear(normed2, block.gateUp)
        let gate = NaiveKernels.activation(.silu, columns(gateUp, 0..<f, of: 2 * f))
        let up = columns(gateUp, f..<(2 * f), of: 2 * f)
        let mlp = linear(zip(gate, up).map(*), block.down)
        for i in x.indices { x[i] += mlp[i] }
        return NaiveKernels.rmsNorm(
            x, width: width, weight: llama.finalNorm.weight.toArray(), epsilon: llama.finalNorm.epsilon)
    }
}
