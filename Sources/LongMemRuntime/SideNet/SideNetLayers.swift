// The SideNet's layers for each backbone family it can be built from. Legend as in SideNet.swift; K key
// heads, so q | k | v rows are (H + 2K) D wide.
import LongMemModels
import LongMemTensor

/// What one SideNet layer computes around its attention: the SideNet itself adds the cross-network
/// residual and chooses between local and memory attention.
protocol SideNetLayers {
    var count: Int { get }
    var geometry: AttentionGeometry { get }
    /// Columns of a layer's q | k | v rows.
    var projectionWidth: Int { get }
    /// Columns of the rotated q | k rows (0 without rotary positions).
    var rotatedWidth: Int { get }
    /// Columns of the feed-forward's inner activations.
    var innerWidth: Int { get }

    /// normed = Norm_l(x); qkv = normed W_qkv.
    func project(_ layer: Int, _ x: Tensor, normed: Tensor, into qkv: Tensor)
    /// Layer `layer`'s attention inputs; with a cache, its keys and values are appended to it first.
    func attentionInputs(
        _ layer: Int, qkv: Tensor, rotated: Tensor, spans: [AttentionSpan], cache: KVCache?, scratch: ScratchSpace
    ) -> AttentionProjections
    /// Adds the attention output projection and the feed-forward to x.
    func complete(_ layer: Int, _ x: Tensor, attended: Tensor, normed: Tensor, inner: Tensor)
    /// The final normalisation, in place.
    func finalNorm(_ x: Tensor)
}

/// LongMem's own SideNet (GPT-2* backbone): parallel blocks with one LayerNorm and exact (erf) GELU,
/// x += Attn(LN(x)) + MLP(LN(x)).
struct ParallelSideNetLayers: SideNetLayers {
    let blocks: [ParallelBlock]
    let norm: LayerNorm
    let geometry: AttentionGeometry
    let activation = Activation.geluErf

    var count: Int { blocks.count }
    var projectionWidth: Int { 3 * geometry.queryWidth }
    var rotatedWidth: Int { 0 }
    var innerWidth: Int { blocks.first?.feedForwardIn.outputFeatures ?? geometry.queryWidth }

    func project(_ layer: Int, _ x: Tensor, normed: Tensor, into qkv: Tensor) {
        blocks[layer].norm(x, into: normed)
        blocks[layer].queryKeyValue(normed, into: qkv)
    }

    func attentionInputs(
        _ layer: Int, qkv: Tensor, rotated: Tensor, spans: [AttentionSpan], cache: KVCache?, scratch: ScratchSpace
    ) -> AttentionProjections {
        let spans =
            cache.map { [AttentionSpan(queryStart: 0, queryCount: qkv.rows, keyStart: 0, pastCount: $0.count)] }
            ?? spans
        return .fused(qkv, spans: spans, cache: cache, layer: layer, geometry: geometry, scratch: scratch)
    }

    func complete(_ layer: Int, _ x: Tensor, attended: Tensor, normed: Tensor, inner: Tensor) {
        let block = blocks[layer]
        block.output.accumulate(attended, into: x)
        block.feedForwardIn(normed, into: inner)
        activation.apply(inner)
        block.feedForwardOut.accumulate(inner, into: x)
    }

    func finalNorm(_ x: Tensor) { norm(x, into: x) }
}

/// A SideNet over a Llama-family backbone (not in the paper): sequential pre-RMSNorm blocks with rotary
/// positions, grouped-query attention and SwiGLU, x += Attn(N1(x)), then x += MLP(N2(x)). Positions
/// restart at 0 in every segment, as the backbone's; memory keys are read unrotated (MemoryAttention).
struct LlamaSideNetLayers: SideNetLayers {
    let backbone: LlamaModel
    let blocks: [LlamaBlock]
    let norm: RMSNorm

    var count: Int { blocks.count }
    var geometry: AttentionGeometry { backbone.attentionGeometry }
    var projectionWidth: Int { geometry.queryWidth + 2 * geometry.keyWidth }
    var rotatedWidth: Int { geometry.queryWidth + geometry.keyWidth }
    var innerWidth: Int { 2 * backbone.configuration.feedForwardWidth }

    func project(_ layer: Int, _ x: Tensor, normed: Tensor, into qkv: Tensor) {
        blocks[layer].attentionNorm(x, into: normed)
        blocks[layer].queryKeyValue(normed, into: qkv)
    }

    func attentionInputs(
        _ layer: Int, qkv: Tensor, rotated: Tensor, spans: [AttentionSpan], cache: KVCache?, scratch: ScratchSpace
    ) -> AttentionProjections {
        let spans =
            cache.map { [AttentionSpan(queryStart: 0, queryCount: qkv.rows, keyStart: 0, pastCount: $0.count)] }
            ?? spans
        let positions = spans.flatMap { $0.pastCount..<($0.pastCount + $0.queryCount) }
        return backbone.layers.attentionInputs(
            layer, qkv: qkv, rotated: rotated, positions: positions, spans: spans, cache: cache, scratch: scratch)
    }

    func complete(_ layer: Int, _ x: Tensor, attended: Tensor, normed: Tensor, inner: Tensor) {
        let block = blocks[layer]
        block.attentionOutput.accumulate(attended, into: x)
        block.feedForwardNorm(x, into: normed)
        block.gateUp(normed, into: inner)
        LlamaLayers.swiGLU(inner, width: inner.columns / 2)
        block.down.apply(
            inner.data, rows: inner.rows, inputStride: inner.columns, into: x.data, outputStride: x.columns,
            accumulate: true)
    }

    func finalNorm(_ x: Tensor) { norm(x, into: x) }
}
