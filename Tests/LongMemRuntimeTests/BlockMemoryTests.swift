import Foundation
import LongMemModels
import LongMemTensor
import LongMemTestSupport
import Testing

@testable import LongMemRuntime

@Suite("InfLLM-style block memory: one softmax over initial tokens, retrieved chunks and local keys")
struct BlockMemoryTests {
    /// Naive joint attention of one query row and head over explicit keys and values (Double).
    func naive(query: [Float], keys: [[Float]], values: [[Float]], scale: Float) -> [Float] {
        let logits = keys.map { key in zip(query, key).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } * Double(scale)
        }
        let peak = logits.max()!
        let weights = logits.map { exp($0 - peak) }
        let total = weights.reduce(0, +)
        return (0..<query.count).map { d in
            Float(zip(weights, values).reduce(0.0) { $0 + $1.0 / total * Double($1.1[d]) })
        }
    }

    @Test("the fused output equals a naive softmax over [initial; memory; causal local] keys (GQA, no position bias)")
    func fusion() throws {
        var random = SplitMix64(seed: 31)
        let (heads, kvHeads, dim, tokens) = (4, 2, 8, 5)
        let geometry = AttentionGeometry(heads: heads, kvHeads: kvHeads, headDim: dim, scale: 0.35, alibiSlopes: nil)
        let memory = MemoryConfiguration(memorySize: 32, chunkSize: 2, topK: 8, retrievalLayer: 0, precision: .float32)
        // Small, known stores: 2 initial tokens and 3 chunks of 2 tokens (all retrieved: 4 wanted).
        let sink = MemoryBank(
            configuration: MemoryConfiguration(
                memorySize: 4, chunkSize: 2, topK: 2, retrievalLayer: 0, precision: .float32),
            heads: kvHeads, dimension: dim)
        let bank = MemoryBank(configuration: memory, heads: kvHeads, dimension: dim)
        let sinkKeys = random.tensor([2, kvHeads * dim]), sinkValues = random.tensor([2, kvHeads * dim])
        let memoryKeys = random.tensor([6, kvHeads * dim]), memoryValues = random.tensor([6, kvHeads * dim])
        sink.write(
            keys: sinkKeys.data, keyStride: kvHeads * dim, values: sinkValues.data, valueStride: kvHeads * dim,
            tokens: 2)
        bank.write(
            keys: memoryKeys.data, keyStride: kvHeads * dim, values: memoryValues.data, valueStride: kvHeads * dim,
            tokens: 6)
        let q = random.tensor([tokens, heads * dim]), k = random.tensor([tokens, kvHeads * dim]),
            v = random.tensor([tokens, kvHeads * dim])
        let projections = AttentionProjections(
            query: q.data, queryStride: heads * dim, key: k.data, keyStride: kvHeads * dim, value: v.data,
            valueStride: kvHeads * dim, tokens: tokens, spans: AttentionSpan.packed(lengths: [tokens]),
            geometry: geometry,
            scratch: ScratchSpace())
        let output = Tensor(zeros: [tokens, heads * dim])
        BlockMemoryOverride.fuse(projections, parts: [sink, bank], into: output.data, outputStride: heads * dim)
        func row(_ t: Tensor, _ r: Int, _ head: Int) -> [Float] {
            Array(UnsafeBufferPointer(start: t.row(r) + head * dim, count: dim))
        }
        for token in 0..<tokens {
            for head in 0..<heads {
                let g = head / (heads / kvHeads)
                let keys =
                    (0..<2).map { row(sinkKeys, $0, g) } + (0..<6).map { row(memoryKeys, $0, g) }
                    + (0...token).map { row(k, $0, g) }
                let values =
                    (0..<2).map { row(sinkValues, $0, g) } + (0..<6).map { row(memoryValues, $0, g) }
                    + (0...token).map { row(v, $0, g) }
                let expected = naive(query: row(q, token, head), keys: keys, values: values, scale: 0.35)
                #expect(
                    Tolerance.maxAbsDifference(row(output, token, head), expected) < 2e-6, "token \(token) head \(head)"
                )
            }
        }
    }
}
