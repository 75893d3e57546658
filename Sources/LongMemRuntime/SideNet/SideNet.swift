// LongMem's trainable side network, following the official
// fairseq/fairseq/models/sidenet/transformer_decoder_sidenet.py and
// fairseq/fairseq/modules/sidenet_layer_palm_sidenet_retrieval.py (Victorwz/LongMem).
//
// Legend: T tokens (packed), C width, H heads, D = C / H, F = 4C. H[i] is the input of backbone block i and
// H[L] = ln_f(output of the last block).
import LongMemModels
import LongMemTensor

/// L/2 parallel blocks with one LayerNorm and exact (erf) GELU. Layer l adds the backbone's progress
/// over two blocks to its residual stream: x = x + (H[2l+2] - H[2l]) + Attn(LN(x)) + MLP(LN(x)), starting
/// from x = H[0]; the memory layer's attention also reads the memory bank. Output: the SideNet's final
/// LayerNorm, then the backbone's frozen lm_head.
public final class SideNet: @unchecked Sendable {
    public let layers: [ParallelBlock]
    public let finalNorm: LayerNorm
    /// The layer with joint attention (`retrieval_layer / 2`).
    public let memoryLayer: Int
    /// `memory_bias`: one gate logit per head.
    public let memoryBias: [Float]
    public let geometry: AttentionGeometry
    /// Backbone blocks per SideNet layer.
    public let reductionFactor = 2
    /// True when the layers were copied from the backbone rather than trained.
    public let isInitialisedFromBackbone: Bool
    let activation = Activation.geluErf
    let scratch = ScratchSpace()

    /// fairseq's `LayerNorm` default, which the SideNet's layers never override (the backbone uses 1e-6).
    public static let defaultLayerNormEpsilon: Float = 1e-5

    /// SideNet weights named `sidenet.layers.{i}...` (see README, "Model folders").
    public init(
        binder: WeightBinder, layers count: Int, memoryLayer: Int, backbone: NewGPTModel,
        layerNormEpsilon epsilon: Float = SideNet.defaultLayerNormEpsilon
    ) throws {
        let c = backbone.configuration
        layers = try (0..<count).map {
            try ParallelBlock(
                binder: binder, prefix: "sidenet.layers.\($0).", names: .sideNet, width: c.width,
                feedForward: c.feedForwardWidth, epsilon: epsilon)
        }
        finalNorm = LayerNorm(
            weight: try binder.take("sidenet.layer_norm.weight", shape: [c.width]),
            bias: try binder.take("sidenet.layer_norm.bias", shape: [c.width]), epsilon: epsilon)
        memoryBias = try binder.take("sidenet.layers.\(memoryLayer).self_attn.memory_bias", shape: [c.heads]).toArray()
        self.memoryLayer = memoryLayer
        geometry = backbone.attentionGeometry
        isInitialisedFromBackbone = false
    }

    /// The official `--reload-ptm-layer` initialisation: SideNet layer i copies backbone block 2i+1,
    /// the final LayerNorm copies ln_f, and every memory gate starts at sigmoid(0) = 0.5. The copied
    /// LayerNorms keep the SideNet's own epsilon (only weights are copied).
    public init(
        initialisedFrom backbone: NewGPTModel, memoryLayer: Int,
        layerNormEpsilon epsilon: Float = SideNet.defaultLayerNormEpsilon
    ) {
        let count = backbone.layerCount / 2
        layers = (0..<count).map { backbone.blocks[2 * $0 + 1].withLayerNormEpsilon(epsilon) }
        finalNorm = LayerNorm(weight: backbone.finalNorm.weight, bias: backbone.finalNorm.bias, epsilon: epsilon)
        memoryBias = [Float](repeating: 0, count: backbone.configuration.heads)
        self.memoryLayer = memoryLayer
        geometry = backbone.attentionGeometry
        isInitialisedFromBackbone = true
    }

    /// The same SideNet with other memory gate logits (an ablation: -infinity switches the memory off).
    public func replacingMemoryBias(_ bias: [Float]) -> SideNet { SideNet(copying: self, memoryBias: bias) }

    private init(copying other: SideNet, memoryBias: [Float]) {
        layers = other.layers
        finalNorm = other.finalNorm
        memoryLayer = other.memoryLayer
        self.memoryBias = memoryBias
        geometry = other.geometry
        isInitialisedFromBackbone = other.isInitialisedFromBackbone
    }

    /// The backbone hidden states a forward pass needs: H[0], H[2], ..., H[2n].
    public var neededHiddenStates: Set<Int> { Set((0...layers.count).map { reductionFactor * $0 }) }

    /// A KV cache for the SideNet's own attention (one layer per SideNet layer).
    func makeCache(capacity: Int) -> KVCache {
        KVCache(layers: layers.count, capacity: capacity, width: geometry.queryWidth)
    }

    /// (T, C) SideNet output after its final LayerNorm, reading `memory` in the memory layer when it holds
    /// anything (the official code falls back to plain attention on an empty memory). With `cache`, the
    /// tokens continue the cached ones (one sequence) and the cache grows by T.
    func forward(
        hiddenStates states: [Int: Tensor], spans: [AttentionSpan], memory: MemoryBank?, cache: KVCache? = nil
    ) -> Tensor {
        let x = states[0]!.copy()
        let width = x.columns, count = x.rows
        let normed = scratch.tensor(0, [count, width])
        let qkv = scratch.tensor(1, [count, 3 * width])
        let attended = scratch.tensor(2, [count, width])
        let inner = scratch.tensor(3, [count, layers.first?.feedForwardIn.outputFeatures ?? width])
        for (index, layer) in layers.enumerated() {
            layer.norm(x, into: normed)
            layer.queryKeyValue(normed, into: qkv)
            let projections = self.projections(qkv, spans: spans, cache: cache, layer: index)
            if index == memoryLayer, let memory, !memory.isEmpty {
                MemoryAttention.attend(
                    projections, memory: memory, fusion: .gated(memoryBias: memoryBias), into: attended.data,
                    outputStride: width)
            } else {
                projections.standard(into: attended.data, outputStride: width)
            }
            // Cross-network residual: the backbone's change over blocks 2l and 2l+1.
            x.add(states[reductionFactor * (index + 1)]!)
            x.add(states[reductionFactor * index]!, scaledBy: -1)
            layer.output.accumulate(attended, into: x)
            layer.feedForwardIn(normed, into: inner)
            activation.apply(inner)
            layer.feedForwardOut.accumulate(inner, into: x)
        }
        finalNorm(x, into: x)
        cache?.commit(count)
        return x
    }

    /// Views of the fused (T, 3C) projections; with a cache, keys and values are appended to it first.
    private func projections(_ qkv: Tensor, spans: [AttentionSpan], cache: KVCache?, layer: Int) -> AttentionProjections
    {
        let width = qkv.columns / 3
        guard let cache else {
            return AttentionProjections(
                query: qkv.data, queryStride: 3 * width, key: qkv.data + width, keyStride: 3 * width,
                value: qkv.data + 2 * width, valueStride: 3 * width, tokens: qkv.rows, spans: spans, geometry: geometry,
                scratch: scratch)
        }
        cache.store(
            layer: layer, keys: qkv.data + width, values: qkv.data + 2 * width, rows: qkv.rows, stride: 3 * width)
        let span = AttentionSpan(queryStart: 0, queryCount: qkv.rows, keyStart: 0, pastCount: cache.count)
        return AttentionProjections(
            query: qkv.data, queryStride: 3 * width, key: cache.keys[layer].data, keyStride: width,
            value: cache.values[layer].data, valueStride: width, tokens: qkv.rows, spans: [span], geometry: geometry,
            scratch: scratch)
    }
}
