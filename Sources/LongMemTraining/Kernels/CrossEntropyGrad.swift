// Legend: T tokens, C width, V vocabulary, B rows per block.
import CLongMemKernels
import Foundation
import LongMemTensor

/// Mean next-token cross-entropy through a frozen output head, computed in blocks of rows so that a
/// segment's (T, V) logits are never all held at once.
enum CrossEntropyGrad {
    /// Large enough that the head's weights are packed for BLAS a few times per segment, not once per 32 rows.
    static let blockRows = 256

    /// Mean loss over the T targets; writes d loss / d hidden (T, C) into `hiddenGradient`.
    static func lossAndGradient(
        hidden: Tensor, targets: [Int], head: Linear, hiddenGradient dHidden: Tensor
    ) -> Double {
        let tokens = hidden.rows, vocabulary = head.outputFeatures, width = hidden.columns
        let blocks = (tokens + blockRows - 1) / blockRows
        var losses = [Double](repeating: 0, count: blocks)
        let inverseCount = 1 / Float(tokens)
        losses.withUnsafeMutableBufferPointer { losses in
            Parallel.forRanges(blocks) { range in
                let logits = Tensor(uninitialized: [blockRows, vocabulary])
                for block in range {
                    let start = block * blockRows, rows = min(blockRows, tokens - start)
                    head.multiply(
                        hidden.data + start * width, rows: rows, inputStride: width, into: logits.data,
                        outputStride: vocabulary, columns: 0..<vocabulary, accumulate: false)
                    var loss = 0.0
                    for r in 0..<rows {
                        let row = logits.row(r), target = targets[start + r]
                        let normaliser = lm_log_sum_exp(row, Int64(vocabulary))
                        loss += normaliser - Double(row[target])
                        let shift = Float(normaliser)
                        for v in 0..<vocabulary { row[v] -= shift }
                        lm_exp(row, Int64(vocabulary))  // softmax
                        for v in 0..<vocabulary { row[v] *= inverseCount }
                        row[target] -= inverseCount
                    }
                    losses[block] = loss
                    head.inputGradient(
                        logits.data, rows: rows, outputGradientStride: vocabulary,
                        into: dHidden.data + start * width, inputStride: width)
                }
            }
        }
        return losses.reduce(0, +) / Double(tokens)
    }
}

extension Linear {
    /// dx = dy W on the calling thread (W stored (out, in), as every output head here).
    func inputGradient(
        _ dy: UnsafePointer<Float>, rows: Int, outputGradientStride: Int, into dx: UnsafeMutablePointer<Float>,
        inputStride: Int
    ) {
        precondition(layout == .outputMajor, "output heads are (V, C)")
        BLAS.sgemm(
            m: rows, n: inputFeatures, k: outputFeatures, a: dy, lda: outputGradientStride, b: weight.data,
            ldb: inputFeatures, c: dx, ldc: inputStride)
    }
}
