import CLongMemKernels
import Foundation
import LongMemTensor

/// What scoring needs from one row of logits.
public struct NextTokenPrediction: Sendable, Equatable {
    /// log(sum(exp(logits))).
    public var logSumExp: Double
    /// The greedy next token (first on ties).
    public var argmax: Int
    /// The logit of the requested target, if any.
    public var targetLogit: Float?

    /// log softmax(logits)[target].
    public var targetLogProbability: Double? { targetLogit.map { Double($0) - logSumExp } }
}

/// Projects selected hidden rows through an output head and keeps only per-row reductions.
///
/// The vocabulary is processed in column chunks: each chunk of the head's weights is read once for all
/// rows, and every row merges the chunk's maximum, sum of exponentials, argmax and target logit into a
/// running total (the online log-sum-exp). A (1024, 50257) logits matrix (200 MB) never exists.
public enum LogitReduction {
    static let chunkColumns = 4096

    /// Running reduction of one row over vocabulary chunks.
    struct RowState {
        var peak = -Float.infinity
        var scaledSum = 0.0  // sum of exp(logit - peak)
        var argmax = 0
        var targetLogit: Float?
    }

    /// One prediction per entry of `rows` (rows of `hidden`), with `targets[i]`'s logit when given.
    /// `scratch` keeps the chunk buffers (`.selectedRows`, `.logitChunk`) between calls.
    public static func predictions(
        hidden: Tensor, head: Linear, rows: [Int], targets: [Int?], scratch: ScratchSpace? = nil
    ) -> [NextTokenPrediction] {
        precondition(rows.count == targets.count, "one target (or nil) per row")
        guard !rows.isEmpty else { return [] }
        let width = hidden.columns, vocabulary = head.outputFeatures
        let contiguous = rows == Array(0..<hidden.rows)
        let buffers = scratch ?? ScratchSpace()
        let selected = contiguous ? hidden : buffers.tensor(.selectedRows, [rows.count, width])
        if !contiguous {
            for (offset, row) in rows.enumerated() { selected.row(offset).update(from: hidden.row(row), count: width) }
        }
        let chunk = buffers.tensor(.logitChunk, [rows.count, min(chunkColumns, vocabulary)])
        var states = [RowState](repeating: RowState(), count: rows.count)
        for start in stride(from: 0, to: vocabulary, by: chunkColumns) {
            let columns = start..<min(start + chunkColumns, vocabulary)
            head.apply(
                selected.data, rows: rows.count, inputStride: width, columns: columns, into: chunk.data,
                outputStride: chunk.columns)
            states.withUnsafeMutableBufferPointer { states in
                Parallel.forRanges(rows.count, minimum: 16) { block in
                    for index in block {
                        merge(chunk.row(index), columns: columns, target: targets[index], into: &states[index])
                    }
                }
            }
        }
        return states.map {
            NextTokenPrediction(
                logSumExp: Double($0.peak) + log($0.scaledSum), argmax: $0.argmax, targetLogit: $0.targetLogit)
        }
    }

    private static func merge(
        _ logits: UnsafePointer<Float>, columns: Range<Int>, target: Int?, into state: inout RowState
    ) {
        let count = Int64(columns.count)
        let peak = lm_max(logits, count)
        let sum = lm_sum_exp_shifted(logits, count, peak)
        if peak > state.peak {
            state.scaledSum = state.scaledSum * exp(Double(state.peak - peak)) + sum
            state.peak = peak
            state.argmax = columns.lowerBound + Int(lm_argmax(logits, count))
        } else {
            state.scaledSum += sum * exp(Double(peak - state.peak))
        }
        if let target, columns.contains(target) { state.targetLogit = logits[target - columns.lowerBound] }
    }
}
