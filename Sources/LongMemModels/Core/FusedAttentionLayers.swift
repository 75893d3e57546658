import LongMemTensor

/// Layers whose blocks make fused (T, 3C) q | k | v rows of multi-head attention and keep positions out of
/// q and k (learned positions in the embedding, or ALiBi inside attention): GPT-2 and GPT-2*.
public protocol FusedAttentionLayers: TransformerLayers {}

extension FusedAttentionLayers {
    public var projectionWidth: Int { 3 * geometry.queryWidth }
    public var rotatedWidth: Int { 0 }

    /// Views into the fused rows, or into the cache their keys and values are appended to.
    public func attentionInputs(
        _ layer: Int, qkv: Tensor, rotated: Tensor, positions: [Int], spans: [AttentionSpan], cache: KVCache?,
        scratch: ScratchSpace
    ) -> AttentionProjections {
        .fused(qkv, spans: spans, cache: cache, layer: layer, geometry: geometry, scratch: scratch)
    }
}
