// Legend as in NewGPTModel.swift.
import LongMemTensor

/// GPT-2*'s parallel blocks and ln_f: x += Attn(LN(x)) + MLP(LN(x)), one LayerNorm per block; fused
/// q | k | v rows, ALiBi positions inside attention. LongMem's SideNet layers are the same blocks.
public struct ParallelLayers: FusedAttentionLayers {
    public let blocks: [ParallelBlock]
    public let norm: LayerNorm  // ln_f
    public let geometry: AttentionGeometry
    public let activation: Activation

    public init(blocks: [ParallelBlock], norm: LayerNorm, geometry: AttentionGeometry, activation: Activation) {
        self.blocks = blocks
        self.norm = norm
        self.geometry = geometry
        self.activation = activation
    }

    public var count: Int { blocks.count }
    public var innerWidth: Int { blocks.first?.feedForwardIn.outputFeatures ?? 0 }

    public func project(_ layer: Int, _ x: Tensor, normed: Tensor, into qkv: Tensor) {
        blocks[layer].norm(x, into: normed)
        blocks[layer].queryKeyValue(normed, into: qkv)  // (T, C) -> (T, 3C)
    }

    /// The MLP reads the same LN(x) as the attention did.
    public func complete(_ layer: Int, _ x: Tensor, attended: Tensor, normed: Tensor, inner: Tensor) {
        let block = blocks[layer]
        block.output.accumulate(attended, into: x)  // (T, C) -> + (T, C)
        block.feedForwardIn(normed, into: inner)  // (T, C) -> (T, F)
        activation.apply(inner)
        block.feedForwardOut.accumulate(inner, into: x)  // (T, F) -> + (T, C)
    }

    public func finalNorm(_ x: Tensor) { norm(x, into: x) }
}
