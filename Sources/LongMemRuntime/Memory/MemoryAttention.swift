import CLongMemKernels
import Foundation
import LongMemModels
import LongMemTensor

/// How the memory's attention output joins the local one, per head.
public enum MemoryFusion: Sendable, Equatable {
    /// out_h = (1 - g_h) A_local V + g_h A_mem V_mem with g_h = sigmoid(memoryBias[h]): LongMem's joint
    /// attention (official `joint_multi_head_attention_forward`: two separate softmaxes, the gate on the
    /// memory side). A fixed gate of 0.5 is `memoryBias` all zero.
    case gated(memoryBias: [Float])
    /// One softmax over [memory keys; local keys] (memorizing-transformers style). With ALiBi, memory keys
    /// count as sitting at the segment's first position: for query i their bias is -slope * i, the bias of
    /// local key 0 (in the official key-index form, slope * 0 = 0).
    case jointSoftmax
}

/// Attention over the chunks a memory bank retrieves for each query: per (token, head) the output
/// softmax(scale q K_mem^T) V_mem and its log-normaliser, for fusing with the local attention.
struct MemoryReadout {
    /// (T, H * D)
    let values: Tensor
    /// (T, H): log(sum(exp(logits))) of each token and head, without position bias.
    let normalisers: Tensor
}

/// Attention of a block's queries over its local keys and over the chunks retrieved from a memory bank.
///
/// Rotary backbones store keys unrotated (see `MemoryLayerOverride`) and retrieve with the unrotated
/// queries (matching content, not position); attention uses the rotated query against the unrotated
/// memory key, which places every memory key at rotary position 0, the segment's first position: the same
/// convention as `.jointSoftmax` with ALiBi (memory at the first local key's distance).
enum MemoryAttention {
    /// Writes the fused (T, H*D) attention output. Retrieval uses the unscaled queries of `projections`,
    /// one search per query head, as the official code.
    static func attend(
        _ projections: AttentionProjections, memory: MemoryBank, fusion: MemoryFusion,
        into output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        let heads = projections.geometry.heads, dim = projections.geometry.headDim, rows = projections.tokens
        let localNormalisers = projections.scratch.tensor(.localNormalisers, [rows, heads])
        projections.standard(into: output, outputStride: outputStride, logSumExp: localNormalisers.data)
        let readout = self.readout(projections, memory: memory)
        let positions = Self.positions(projections.spans, rows: rows)
        let slopes = projections.geometry.alibiSlopes
        Parallel.forRanges(rows, minimum: 16) { block in
            for row in block {
                for head in 0..<heads {
                    let weight: Float
                    switch fusion {
                    case .gated(let bias): weight = 1 / (1 + exp(-bias[head]))
                    case .jointSoftmax:
                        let alibi = (slopes?[head] ?? 0) * Float(positions[row])
                        let memoryNormaliser = readout.normalisers.row(row)[head] - alibi
                        weight = 1 / (1 + exp(localNormalisers.row(row)[head] - memoryNormaliser))
                    }
                    let local = output + row * outputStride + head * dim
                    let remembered = readout.values.row(row) + head * dim
                    for d in 0..<dim { local[d] = (1 - weight) * local[d] + weight * remembered[d] }
                }
            }
        }
    }

    /// Retrieval and attention over the retrieved chunks, for every query row and head.
    static func readout(_ projections: AttentionProjections, memory: MemoryBank) -> MemoryReadout {
        let geometry = projections.geometry, rows = projections.tokens
        let heads = geometry.heads, dim = geometry.headDim
        let retrieval =
            projections.rotary.map { ($0.unrotatedQuery, $0.queryStride) }
            ?? (projections.query, projections.queryStride)
        let retrieved = memory.retrieve(retrieval.0, stride: retrieval.1, rows: rows, queryHeads: heads)
        let group = heads / memory.heads
        let chunk = memory.configuration.chunkSize
        let zeroTokens = memory.configuration.faithful ? (retrieved.perQuery - retrieved.available) * chunk : 0
        let values = Tensor(uninitialized: [rows, heads * dim]), normalisers = Tensor(uninitialized: [rows, heads])
        retrieved.slots.withUnsafeBufferPointer { slots in
            Parallel.forRanges(rows, minimum: 16) { block in
                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: retrieved.perQuery * chunk + dim)
                defer { scratch.deallocate() }
                for row in block {
                    for head in 0..<heads {
                        let store = memory.storage(head: head / group)
                        normalisers.row(row)[head] = lm_memory_attention(
                            projections.query + row * projections.queryStride + head * dim, Int64(dim), geometry.scale,
                            store.keys, store.values, memory.isHalf ? 1 : 0, Int64(memory.slotStride),
                            slots.baseAddress! + (row * heads + head) * retrieved.perQuery,
                            Int64(retrieved.available), Int64(chunk), Int64(zeroTokens), scratch,
                            values.row(row) + head * dim)
                    }
                }
            }
        }
        return MemoryReadout(values: values, normalisers: normalisers)
    }

    /// Position of each query row within its own sequence (what its ALiBi bias is relative to).
    static func positions(_ spans: [AttentionSpan], rows: Int) -> [Int] {
        var positions = [Int](repeating: 0, count: rows)
        for span in spans {
            for offset in 0..<span.queryCount { positions[span.queryStart + offset] = span.pastCount + offset }
        }
        return positions
    }
}
