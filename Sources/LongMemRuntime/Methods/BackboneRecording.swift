import CLongMemKernels
import LongMemModels
import LongMemTensor

/// One frozen-backbone forward over a segment, for a SideNet trained outside the runtime: the hidden
/// states the SideNet reads, and block m's keys and values held back until `writeToMemory()`, so that a
/// segment never retrieves its own tokens (the official write order).
public struct BackboneRecording {
    public let hiddenStates: [Int: Tensor]
    let recorder: MemoryLayerOverride

    /// Runs `backbone` over `tokens` (one sequence at positions 0...), capturing `hiddenStates` (H[i]).
    public init(
        backbone: any TransformerBackbone, tokens: [Int], capturing states: Set<Int>, memory: MemoryBank
    ) throws {
        recorder = MemoryLayerOverride(
            layer: memory.configuration.retrievalLayer, memory: memory, fusion: nil, records: true)
        let options = ForwardOptions(attentionOverride: recorder, capturedHiddenStates: states)
        hiddenStates = try backbone.forward([tokens], options: options).hiddenStates
    }

    /// Appends the recorded keys and values to the memory bank (FIFO eviction as in inference).
    public func writeToMemory() { recorder.commit() }
}

extension MemoryBank {
    /// The `chunkSize` stored keys and values of one chunk slot of key head `head`, as Float32 rows of
    /// `dimension` (for a training pass that differentiates through memory attention).
    public func readChunk(
        head: Int, slot: Int, keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>
    ) {
        let offset = head * headStride + slot * slotStride, count = slotStride
        if isHalf {
            lm_from_half(self.keys.assumingMemoryBound(to: UInt16.self) + offset, keys, Int64(count))
            lm_from_half(self.values.assumingMemoryBound(to: UInt16.self) + offset, values, Int64(count))
        } else {
            keys.update(from: self.keys.assumingMemoryBound(to: Float.self) + offset, count: count)
            values.update(from: self.values.assumingMemoryBound(to: Float.self) + offset, count: count)
        }
    }
}
