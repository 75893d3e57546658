import Foundation
import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("Fast kernels against their naive twins")
struct KernelTests {
    @Test(
        "Linear in both weight layouts, with bias and accumulation", arguments: [WeightLayout.inputMajor, .outputMajor])
    func linear(layout: WeightLayout) {
        var random = SplitMix64(seed: 1)
        let (rows, input, output) = (7, 33, 19)
        let x = random.tensor([rows, input])
        let stored = layout == .inputMajor ? random.tensor([input, output]) : random.tensor([output, input])
        let bias = random.tensor([output])
        let w =
            layout == .inputMajor
            ? stored.toArray() : NaiveKernels.transpose(stored.toArray(), rows: output, columns: input)
        var expected = NaiveKernels.matmul(x.toArray(), w, m: rows, k: input, n: output)
        for r in 0..<rows { for j in 0..<output { expected[r * output + j] += bias.toArray()[j] } }

        let linear = Linear(weight: stored, bias: bias, layout: layout)
        let y = Tensor(zeros: [rows, output])
        linear(x, into: y)
        #expect(Tolerance.maxAbsDifference(y.toArray(), expected) < 1e-5)

        let residual = random.tensor([rows, output])
        let before = residual.toArray()
        linear.accumulate(x, into: residual)
        #expect(Tolerance.maxAbsDifference(residual.toArray(), zip(before, expected).map(+)) < 1e-5)
    }

    @Test("LayerNorm and RMSNorm")
    func norms() {
        var random = SplitMix64(seed: 2)
        let x = random.tensor([5, 37], scale: 4)
        let weight = random.tensor([37]), bias = random.tensor([37])
        let y = Tensor(zeros: [5, 37])
        LayerNorm(weight: weight, bias: bias, epsilon: 1e-5)(x, into: y)
        let expected = NaiveKernels.layerNorm(
            x.toArray(), width: 37, weight: weight.toArray(), bias: bias.toArray(), epsilon: 1e-5)
        #expect(Tolerance.maxAbsDifference(y.toArray(), expected) < 2e-6)

        RMSNorm(weight: weight, epsilon: 1e-6)(x, into: y)
        let rms = NaiveKernels.rmsNorm(x.toArray(), width: 37, weight: weight.toArray(), epsilon: 1e-6)
        #expect(Tolerance.maxAbsDifference(y.toArray(), rms) < 2e-6)
    }

    @Test("activations within 1e-6 relative of the Double formulas", arguments: Activation.allCases)
    func activations(kind: Activation) {
        let values = stride(from: -12.0, through: 12.0, by: 0.003).map { Float($0) }
        let x = Tensor(shape: [values.count], values: values)
        let expected = NaiveKernels.activation(kind, values)
        kind.apply(x)
        for (index, value) in x.toArray().enumerated() {
            #expect(abs(value - expected[index]) <= 1e-6 * max(1, abs(expected[index])), "\(kind)(\(values[index]))")
        }
    }

    @Test("softmax, log-softmax and argmax", arguments: [1, 16, 50, 50257])
    func softmax(count: Int) {
        var random = SplitMix64(seed: UInt64(count))
        let values = random.floats(count, scale: 20)
        var probabilities = values
        probabilities.withUnsafeMutableBufferPointer { Softmax.normalize($0.baseAddress!, count: count) }
        #expect(Tolerance.maxAbsDifference(probabilities, NaiveKernels.softmax(values)) < 1e-6)
        var logs = values
        logs.withUnsafeMutableBufferPointer { Softmax.logNormalize($0.baseAddress!, count: count) }
        #expect(Tolerance.maxAbsDifference(logs, NaiveKernels.logSoftmax(values)) < 2e-5)
        let best = values.withUnsafeBufferPointer { Softmax.argmax($0.baseAddress!, count: count) }
        #expect(best == values.indices.max { values[$0] < values[$1] })
    }

    @Test("ALiBi slopes follow LongMem's build_alibi_tensor")
    func alibi() {
        #expect(alibiSlopes(heads: 16) == (0..<16).map { Float(pow(2, -0.5 * Double($0 + 1))) })
        #expect(alibiSlopes(heads: 4) == [0.25, 0.0625, 0.015625, 0.00390625])
        // 12 heads: 8 from base 2^-1, then odd powers of 2^-0.5.
        let twelve = alibiSlopes(heads: 12)
        #expect(twelve.count == 12 && twelve[7] == Float(pow(2.0, -8)) && twelve[8] == Float(pow(2.0, -0.5)))
    }

    struct AttentionCase: Sendable, CustomStringConvertible {
        var lengths: [Int], heads: Int, kvHeads: Int, alibi: Bool
        var description: String { "lengths \(lengths), \(heads)/\(kvHeads) heads, alibi \(alibi)" }
    }

    @Test(
        "packed causal attention equals per-sequence naive attention",
        arguments: [
            AttentionCase(lengths: [9], heads: 2, kvHeads: 2, alibi: false),
            AttentionCase(lengths: [5, 130, 1], heads: 4, kvHeads: 4, alibi: true),
            AttentionCase(lengths: [300, 7], heads: 6, kvHeads: 2, alibi: false),
        ])
    func attention(_ testCase: AttentionCase) {
        var random = SplitMix64(seed: 4)
        let d = 8, total = testCase.lengths.reduce(0, +)
        let qWidth = testCase.heads * d, kvWidth = testCase.kvHeads * d
        let q = random.tensor([total, qWidth], scale: 2), k = random.tensor([total, kvWidth], scale: 2)
        let v = random.tensor([total, kvWidth])
        let slopes = testCase.alibi ? alibiSlopes(heads: testCase.heads) : nil
        let out = Tensor(zeros: [total, qWidth])
        Attention.causal(
            query: q.data, queryStride: qWidth, key: k.data, keyStride: kvWidth, value: v.data, valueStride: kvWidth,
            output: out.data, outputStride: qWidth, heads: testCase.heads, kvHeads: testCase.kvHeads, headDim: d,
            scale: 1 / Float(d).squareRoot(), alibiSlopes: slopes,
            spans: AttentionSpan.packed(lengths: testCase.lengths))
        var start = 0
        for length in testCase.lengths {
            let expected = NaiveKernels.causalAttention(
                q: q.rows(start..<start + length).toArray(), k: k.rows(start..<start + length).toArray(),
                v: v.rows(start..<start + length).toArray(), tokens: length, heads: testCase.heads,
                kvHeads: testCase.kvHeads, headDim: d, scale: 1 / Float(d).squareRoot(), alibiSlopes: slopes)
            #expect(Tolerance.maxAbsDifference(out.rows(start..<start + length).toArray(), expected) < 2e-5)
            start += length
        }
    }

    @Test("attention over a KV cache equals attention over the whole sequence")
    func cachedAttention() {
        var random = SplitMix64(seed: 5)
        let (heads, d, past, new) = (3, 4, 11, 6)
        let width = heads * d, total = past + new
        let q = random.tensor([total, width]), k = random.tensor([total, width]), v = random.tensor([total, width])
        let full = NaiveKernels.causalAttention(
            q: q.toArray(), k: k.toArray(), v: v.toArray(), tokens: total, heads: heads, kvHeads: heads, headDim: d,
            scale: 0.5, alibiSlopes: alibiSlopes(heads: heads))
        let out = Tensor(zeros: [new, width])
        Attention.causal(
            query: q.row(past), queryStride: width, key: k.data, keyStride: width, value: v.data, valueStride: width,
            output: out.data, outputStride: width, heads: heads, kvHeads: heads, headDim: d, scale: 0.5,
            alibiSlopes: alibiSlopes(heads: heads),
            spans: [AttentionSpan(queryStart: 0, queryCount: new, keyStart: 0, pastCount: past)])
        #expect(Tolerance.maxAbsDifference(out.toArray(), Array(full[(past * width)...])) < 2e-5)
    }
}
