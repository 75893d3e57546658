// Legend: T tokens, H query heads, D head size, R retrieved tokens per query and head.
import CLongMemKernels
import Foundation
import LongMemRuntime
import LongMemTensor

/// LongMem's joint attention in the memory layer, differentiable in the query and the gate:
/// out_h = (1 - s_h) local_h + s_h softmax(scale q_h Kmem^T) Vmem with s_h = sigmoid(memory_bias_h).
/// Retrieval (top chunks of the bank by inner product with the unscaled, unrotated query) is a selection
/// and has no gradient; memory keys and values are the frozen backbone's.
struct MemoryAttentionGrad {
    let memory: MemoryBank
    let heads: Int, headDim: Int
    let scale: Float

    /// What the backward pass needs.
    struct Saved {
        let slots: [Int32]  // (T, H, perQuery)
        let perQuery: Int
        let available: Int
        let probabilities: Tensor  // (T, H, R)
        let readout: Tensor  // (T, H D): softmax(scale q Kmem^T) Vmem
        let local: Tensor  // (T, H D): the local attention output before the mix
        let gates: [Float]  // (H)
    }

    var group: Int { heads / memory.heads }
    var chunk: Int { memory.configuration.chunkSize }

    /// Mixes the memory readout into `output` (T, H D), which holds the local attention output.
    /// `query` is what attends (rotated for rotary backbones), `retrievalQuery` what searches.
    func forward(query: Tensor, retrievalQuery: Tensor, bias: Tensor, output: Tensor) -> Saved {
        let tokens = query.rows, d = headDim
        let retrieved = memory.retrieve(
            retrievalQuery.data, stride: retrievalQuery.columns, rows: tokens, queryHeads: heads)
        let width = retrieved.available * chunk
        let probabilities = Tensor(zeros: [tokens, heads, max(width, 1)])
        let readout = Tensor(zeros: [tokens, heads * d]), local = output.copy()
        let gates = (0..<heads).map { 1 / (1 + exp(-bias.data[$0])) }
        Parallel.forRanges(tokens, minimum: 8) { rows in
            let keys = UnsafeMutablePointer<Float>.allocate(capacity: width * d)
            let values = UnsafeMutablePointer<Float>.allocate(capacity: width * d)
            defer {
                keys.deallocate()
                values.deallocate()
            }
            for t in rows {
                for h in 0..<heads {
                    gather(
                        retrieved.slots, row: t, head: h, perQuery: retrieved.perQuery, available: retrieved.available,
                        keys: keys, values: values)
                    let q = query.row(t) + h * d, p = probabilities.data + (t * heads + h) * max(width, 1)
                    for j in 0..<width { p[j] = scale * lm_dot(q, keys + j * d, Int64(d)) }
                    lm_softmax(p, Int64(width))
                    let r = readout.row(t) + h * d, out = output.row(t) + h * d
                    for j in 0..<width {
                        for i in 0..<d { r[i] += p[j] * values[j * d + i] }
                    }
                    for i in 0..<d { out[i] = (1 - gates[h]) * out[i] + gates[h] * r[i] }
                }
            }
        }
        return Saved(
            slots: retrieved.slots, perQuery: retrieved.perQuery, available: retrieved.available,
            probabilities: probabilities, readout: readout, local: local, gates: gates)
    }

    /// From dOut (T, H D): dLocal (T, H D) overwritten, dq (T, H D) and dBias (H) accumulated.
    func backward(
        _ dOut: Tensor, query: Tensor, saved: Saved, localGradient dLocal: Tensor, queryGradient dq: Tensor,
        biasGradient dBias: Tensor
    ) {
        let tokens = query.rows, d = headDim, width = saved.available * chunk
        var gateTerms = [Float](repeating: 0, count: tokens * heads)
        gateTerms.withUnsafeMutableBufferPointer { gateTerms in
            Parallel.forRanges(tokens, minimum: 8) { rows in
                let keys = UnsafeMutablePointer<Float>.allocate(capacity: width * d)
                let values = UnsafeMutablePointer<Float>.allocate(capacity: width * d)
                let dp = UnsafeMutablePointer<Float>.allocate(capacity: max(width, 1))
                defer {
                    keys.deallocate()
                    values.deallocate()
                    dp.deallocate()
                }
                for t in rows {
                    for h in 0..<heads {
                        let s = saved.gates[h], g = dOut.row(t) + h * d
                        let r = saved.readout.row(t) + h * d, local = saved.local.row(t) + h * d
                        var gate: Float = 0
                        for i in 0..<d {
                            gate += g[i] * (r[i] - local[i])
                            dLocal.row(t)[h * d + i] = (1 - s) * g[i]
                        }
                        gateTerms[t * heads + h] = s * (1 - s) * gate
                        gather(
                            saved.slots, row: t, head: h, perQuery: saved.perQuery, available: saved.available,
                            keys: keys, values: values)
                        let p = saved.probabilities.data + (t * heads + h) * max(width, 1)
                        for j in 0..<width { dp[j] = s * lm_dot(g, values + j * d, Int64(d)) }
                        lm_softmax_backward(p, dp, Int64(width))
                        let out = dq.row(t) + h * d
                        for j in 0..<width {
                            let ds = scale * dp[j]
                            for i in 0..<d { out[i] += ds * keys[j * d + i] }
                        }
                    }
                }
            }
        }
        for t in 0..<tokens { for h in 0..<heads { dBias.data[h] += gateTerms[t * heads + h] } }
    }

    /// The retrieved tokens' keys and values of (row, query head), chunk by chunk.
    private func gather(
        _ slots: [Int32], row: Int, head: Int, perQuery: Int, available: Int, keys: UnsafeMutablePointer<Float>,
        values: UnsafeMutablePointer<Float>
    ) {
        let base = (row * heads + head) * perQuery, stride = chunk * headDim
        for c in 0..<available {
            memory.readChunk(
                head: head / group, slot: Int(slots[base + c]), keys: keys + c * stride, values: values + c * stride)
        }
    }
}
