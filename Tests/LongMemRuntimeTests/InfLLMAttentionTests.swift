import Foundation
import LongMemModels
import LongMemTensor
import LongMemTestSupport
import Testing

@testable import LongMemRuntime

@Suite("InfLLM's execution-block attention against a naive twin")
struct InfLLMAttentionTests {
    @Test(
        "one softmax over the sliding local window and every global key; local scores are the summed probabilities",
        arguments: [false, true])
    func jointSoftmax(alibi: Bool) throws {
        var random = SplitMix64(seed: 7)
        // 150 queries (two 128-row blocks), 40 previous tokens, window 64, 24 global keys, GQA 4 -> 2.
        let (heads, kvHeads, dim, rows, previous, window, globals) = (4, 2, 8, 150, 40, 64, 24)
        let geometry = AttentionGeometry(
            heads: heads, kvHeads: kvHeads, headDim: dim, scale: 0.3,
            alibiSlopes: alibi ? alibiSlopes(heads: heads) : nil)
        let slice = previous + rows
        let localQ = random.tensor([rows, heads * dim]), globalQ = random.tensor([rows, heads * dim])
        let localK = random.tensor([slice, kvHeads * dim]), localV = random.tensor([slice, kvHeads * dim])
        let globalK = random.tensor([globals, kvHeads * dim]), globalV = random.tensor([globals, kvHeads * dim])
        let output = Tensor(zeros: [rows, heads * dim])
        var sums = [Float](repeating: 0, count: heads * slice)
        InfLLMAttention.attend(
            localQueries: localQ.data, globalQueries: globalQ.data, rows: rows,
            keys: ExecutionBlockKeys(
                localKeys: localK.data, localValues: localV.data, previous: previous, globalKeys: globalK.data,
                globalValues: globalV.data, globalCount: globals),
            localWindow: window, geometry: geometry, output: output.data, outputStride: heads * dim,
            localScores: &sums, scratch: ScratchSpace())

        func dot(_ a: Tensor, _ i: Int, _ ha: Int, _ b: Tensor, _ j: Int, _ hb: Int) -> Double {
            (0..<dim).reduce(0.0) { $0 + Double(a.row(i)[ha * dim + $1]) * Double(b.row(j)[hb * dim + $1]) }
        }
        var worstOutput = 0.0, expectedSums = [Double](repeating: 0, count: heads * slice)
        for head in 0..<heads {
            let kv = head / 2, slope = Double(geometry.alibiSlopes?[head] ?? 0)
            for row in 0..<rows {
                let position = previous + row
                let visible = max(0, position - window + 1)...position
                var logits = visible.map { j in
                    dot(localQ, row, head, localK, j, kv) * 0.3 - slope * Double(position - j)
                }
                logits += (0..<globals).map {
                    dot(globalQ, row, head, globalK, $0, kv) * 0.3 - slope * Double(window - 1)
                }
                let peak = logits.max()!
                let weights = logits.map { exp($0 - peak) }, total = weights.reduce(0, +)
                for d in 0..<dim {
                    var value = 0.0
                    for (n, j) in visible.enumerated() {
                        value += weights[n] / total * Double(localV.row(j)[kv * dim + d])
                    }
                    for g in 0..<globals {
                        value += weights[visible.count + g] / total * Double(globalV.row(g)[kv * dim + d])
                    }
                    worstOutput = max(worstOutput, abs(value - Double(output.row(row)[head * dim + d])))
                }
                for (n, j) in visible.enumerated() { expectedSums[head * slice + j] += weights[n] / total }
            }
        }
        let worstSum = zip(sums, expectedSums).map { abs(Double($0) - $1) }.max()!
        #expect(worstOutput < 1e-5, "max |Δ output| = \(worstOutput)")
        #expect(worstSum < 1e-4, "max |Δ local score| = \(worstSum)")
        #expect(expectedSums[0] > 0 && expectedSums[heads * slice - 1] > 0)
    }
}
