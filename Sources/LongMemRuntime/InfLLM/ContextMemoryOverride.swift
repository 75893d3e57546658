import LongMemModels
import LongMemTensor

/// Every block's attention through its layer's context memory: the forward's tokens are one prefill
/// chunk, cut into execution blocks from its start (cm.762-763), each attended and then written to the
/// layer's memory in order. Works on its own copies of the memories; the model keeps them or not.
final class ContextMemoryOverride: AttentionOverride {
    private(set) var memories: [ContextMemory]
    let indices: [ChunkIndex]

    init(memories: [ContextMemory], indices: [ChunkIndex]) {
        self.memories = memories
        self.indices = indices
    }

    func overrides(layer: Int) -> Bool { true }

    func attend(
        layer: Int, _ projections: AttentionProjections, into output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        precondition(projections.spans.count == 1, "InfLLM reads one sequence per forward pass")
        let query = projections.rotary?.unrotatedQuery ?? projections.query
        let queryStride = projections.rotary?.queryStride ?? projections.queryStride
        let key = projections.rotary?.unrotatedKey ?? projections.key
        let keyStride = projections.rotary?.keyStride ?? projections.keyStride
        let step = memories[layer].settings.executionBlock
        for start in stride(from: 0, to: projections.tokens, by: step) {
            let rows = min(step, projections.tokens - start)
            let block = ContextMemory.Block(
                queries: query + start * queryStride, queryStride: queryStride, keys: key + start * keyStride,
                keyStride: keyStride, values: projections.value + start * projections.valueStride,
                valueStride: projections.valueStride, rows: rows)
            memories[layer].attend(
                block, rotate: projections.rotary?.rotate, index: indices[layer],
                output: output + start * outputStride, outputStride: outputStride, scratch: projections.scratch)
        }
    }
}
