import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("Rotary embeddings against the naive twin")
struct RotaryEmbeddingTests {
    @Test(
        "table and on-the-fly positions match the Double twin within 1e-4",
        arguments: [(64, Float(100_000)), (16, Float(500))])
    func matchesTwin(headDim: Int, base: Float) {
        var random = SplitMix64(seed: 7)
        let heads = 3, width = heads * headDim, stride = width + 5
        // Positions below 1,024 keep Float32 angle rounding (which transformers shares) under 6e-5.
        let positions =
            [0, 1, 2, 3, 15, 16, 17, 100, 511, 1023] + (0..<22).map { _ in Int.random(in: 0..<1024, using: &random) }
        let rotary = RotaryEmbedding(headDim: headDim, base: base, positions: 16)  // most rows off the table
        let input = random.floats(positions.count * stride)
        let output = Tensor(zeros: [positions.count, stride])
        input.withUnsafeBufferPointer { source in
            rotary.apply(
                source.baseAddress!, sourceStride: stride, into: output.data, destinationStride: stride, heads: heads,
                positions: positions)
        }
        let packed = positions.indices.flatMap { Array(input[($0 * stride)..<($0 * stride + width)]) }
        let expected = NaiveKernels.rotary(packed, heads: heads, headDim: headDim, positions: positions, base: base)
        let actual = positions.indices.flatMap { Array(output.toArray()[($0 * stride)..<($0 * stride + width)]) }
        #expect(Tolerance.maxAbsDifference(actual, expected) < 1e-4)
        // Position 0 is the identity.
        #expect(Array(actual[0..<width]) == Array(packed[0..<width]))
    }

    @Test("in place equals out of place; tabulated equals computed rows")
    func inPlace() {
        var random = SplitMix64(seed: 8)
        let headDim = 64, heads = 2, rows = 100
        let positions = (0..<rows).map { _ in Int.random(in: 0..<300, using: &random) }
        let input = random.tensor([rows, heads * headDim])
        let out = Tensor(zeros: input.shape)
        let wide = RotaryEmbedding(headDim: headDim, base: 10_000, positions: 512)
        let narrow = RotaryEmbedding(headDim: headDim, base: 10_000, positions: 1)
        wide.apply(
            input.data, sourceStride: input.columns, into: out.data, destinationStride: out.columns, heads: heads,
            positions: positions)
        let copy = input.copy()
        narrow.apply(copy.data, stride: copy.columns, heads: heads, positions: positions)
        #expect(copy.toArray() == out.toArray())
    }

    @Test("frequencies are transformers' Float32 inv_freq")
    func frequencies() {
        let rotary = RotaryEmbedding(headDim: 64, base: 100_000, positions: 4)
        #expect(rotary.inverseFrequencies.first == 1)
        #expect(abs(rotary.inverseFrequencies[31] - 1.4330126e-05) < 1e-11)
    }
}
