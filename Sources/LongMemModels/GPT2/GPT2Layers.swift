// Legend as in GPT2Model.swift.
import LongMemTensor

/// GPT-2's blocks and ln_f: x += Attn(ln_1(x)), then x += MLP(ln_2(x)); fused q | k | v rows, positions
/// already in the embedding.
public struct GPT2Layers: FusedAttentionLayers {
    let blocks: [GPT2Block]
    let norm: LayerNorm  // ln_f
    public let geometry: AttentionGeometry
    let activation: Activation

    public var count: Int { blocks.count }
    public var innerWidth: Int { blocks.first?.feedForwardIn.outputFeatures ?? 0 }

    public func project(_ layer: Int, _ x: Tensor, normed: Tensor, into qkv: Tensor) {
        blocks[layer].attentionNorm(x, into: normed)
        blocks[layer].attention(normed, into: qkv)  // (T, C) -> (T, 3C)
    }

    public func complete(_ layer: Int, _ x: Tensor, attended: Tensor, normed: Tensor, inner: Tensor) {
        let block = blocks[layer]
        block.attentionOutput.accumulate(attended, into: x)  // (T, C) -> + (T, C)
        block.feedForwardNorm(x, into: normed)
        block.feedForwardIn(normed, into: inner)  // (T, C) -> (T, F)
        activation.apply(inner)
        block.feedForwardOut.accumulate(inner, into: x)  // (T, F) -> + (T, C)
    }

    public func finalNorm(_ x: Tensor) { norm(x, into: x) }
}
