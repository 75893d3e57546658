// LongMem's trainable side network, following the official
// fairseq/fairseq/models/sidenet/transformer_decoder_sidenet.py and
// fairseq/fairseq/modules/sidenet_layer_palm_sidenet_retrieval.py (Victorwz/LongMem).
//
// Legend: T tokens (packed), C width, H heads, D = C / H, F = 4C. H[i] is the input of backbone block i and
// H[L] = ln_f(output of the last block).
import LongMemModels
import LongMemTensor

/// L/2 layers, each copied from (or trained beside) a backbone block. Layer l adds the backbone's progress
/// over two blocks to its residual stream: x = x + (H[2l+2] - H[2l]) + Attn(Norm(x)) + MLP(...), starting
/// from x = H[0]; the memory layer's attention also reads the memory bank. Output: the SideNet's final
/// norm, then the backbone's frozen output head. LongMem's own SideNet (GPT-2*) has parallel blocks with
/// one LayerNorm and exact (erf) GELU; over a Llama-family backbone the layers are Llama blocks, an
/// extension of the paper. Either way the layers are the backbone family's `TransformerLayers`.
public final class SideNet: @unchecked Sendable {
    let stack: any TransformerLayers
    /// The layer with joint attention (`retrieval_layer / 2`).
    public let memoryLayer: Int
    /// `memory_bias`: one gate logit per query head.
    public let memoryBias: [Float]
    /// Backbone blocks per SideNet layer.
    public let reductionFactor = 2
    /// True when the layers were copied from the backbone rather than trained.
    public let isInitialisedFromBackbone: Bool
    /// False for a SideNet trained from the zero-branch initialisation, whose output is used as is.
    public let appliesFinalNorm: Bool
    let scratch = ScratchSpace()

    /// fairseq's SideNet layers use exact (erf) GELU, whatever the backbone's activation.
    static let parallelActivation = Activation.geluErf

    /// fairseq's `LayerNorm` default, which the SideNet's layers never override (the backbone uses 1e-6).
    public static let defaultLayerNormEpsilon: Float = 1e-5

    public var layerCount: Int { stack.count }
    public var geometry: AttentionGeometry { stack.geometry }

    /// SideNet weights named `sidenet.layers.{i}...` (see README, "Model folders").
    public convenience init(
        binder: WeightBinder, layers count: Int, memoryLayer: Int, backbone: NewGPTModel,
        layerNormEpsilon epsilon: Float = SideNet.defaultLayerNormEpsilon, finalNorm: Bool = true
    ) throws {
        let c = backbone.configuration
        let blocks = try (0..<count).map {
            try ParallelBlock(
                binder: binder, prefix: "sidenet.layers.\($0).", names: .sideNet, width: c.width,
                feedForward: c.feedForwardWidth, epsilon: epsilon)
        }
        let norm =
            finalNorm
            ? LayerNorm(
                weight: try binder.take("sidenet.layer_norm.weight", shape: [c.width]),
                bias: try binder.take("sidenet.layer_norm.bias", shape: [c.width]), epsilon: epsilon)
            : backbone.finalNorm  // unused
        let memoryBias = try binder.take("sidenet.layers.\(memoryLayer).self_attn.memory_bias", shape: [c.heads])
        let layers = ParallelLayers(
            blocks: blocks, norm: norm, geometry: backbone.attentionGeometry, activation: Self.parallelActivation)
        self.init(
            stack: layers, memoryLayer: memoryLayer, memoryBias: memoryBias.toArray(), isInitialisedFromBackbone: false,
            appliesFinalNorm: finalNorm)
    }

    /// A trained SideNet over a Llama-family backbone (`longmem-eval train`): Llama blocks named as Hugging
    /// Face's under `sidenet.layers.{i}.`, the final RMSNorm `sidenet.norm.weight` (unless `finalNorm` is
    /// false), gate logits `sidenet.layers.{m}.self_attn.memory_bias`. `binder` maps `sidenet.` names away.
    public convenience init(
        binder: WeightBinder, layers count: Int, memoryLayer: Int, backbone: LlamaModel, finalNorm: Bool
    ) throws {
        let c = backbone.configuration
        let blocks = try (0..<count).map {
            try LlamaBlock(binder: binder, names: .huggingFace, index: $0, configuration: c)
        }
        let norm =
            finalNorm
            ? RMSNorm(weight: try binder.take("norm.weight", shape: [c.width]), epsilon: c.epsilon) : backbone.finalNorm
        let memoryBias = try binder.take("layers.\(memoryLayer).self_attn.memory_bias", shape: [c.heads])
        let layers = LlamaLayers(
            blocks: blocks, norm: norm, geometry: backbone.attentionGeometry, rotary: backbone.layers.rotary)
        self.init(
            stack: layers, memoryLayer: memoryLayer, memoryBias: memoryBias.toArray(), isInitialisedFromBackbone: false,
            appliesFinalNorm: finalNorm)
    }

    /// The official `--reload-ptm-layer` initialisation: SideNet layer i copies backbone block 2i+1,
    /// the final LayerNorm copies ln_f, and every memory gate starts at sigmoid(0) = 0.5. The copied
    /// LayerNorms keep the SideNet's own epsilon (only weights are copied).
    public convenience init(
        initialisedFrom backbone: NewGPTModel, memoryLayer: Int,
        layerNormEpsilon epsilon: Float = SideNet.defaultLayerNormEpsilon
    ) {
        let blocks = (0..<(backbone.layerCount / 2)).map { backbone.blocks[2 * $0 + 1].withLayerNormEpsilon(epsilon) }
        let norm = LayerNorm(weight: backbone.finalNorm.weight, bias: backbone.finalNorm.bias, epsilon: epsilon)
        let layers = ParallelLayers(
            blocks: blocks, norm: norm, geometry: backbone.attentionGeometry, activation: Self.parallelActivation)
        self.init(
            stack: layers, memoryLayer: memoryLayer,
            memoryBias: [Float](repeating: 0, count: backbone.configuration.heads), isInitialisedFromBackbone: true)
    }

    /// The same initialisation over a Llama-family backbone (not in the paper): layer i copies block 2i+1
    /// (sequential pre-RMSNorm, rotary grouped-query attention, SwiGLU), the final norm copies the
    /// backbone's, gates start at 0.5. Untrained. Positions restart at 0 in every segment, as the
    /// backbone's; memory keys are read unrotated (MemoryAttention).
    public convenience init(initialisedFrom backbone: LlamaModel, memoryLayer: Int) {
        let blocks = (0..<(backbone.layerCount / 2)).map { backbone.blocks[2 * $0 + 1] }
        let layers = LlamaLayers(
            blocks: blocks, norm: backbone.finalNorm, geometry: backbone.attentionGeometry,
            rotary: backbone.layers.rotary)
        self.init(
            stack: layers, memoryLayer: memoryLayer,
            memoryBias: [Float](repeating: 0, count: backbone.attentionGeometry.heads), isInitialisedFromBackbone: true)
    }

    init(
        stack: any TransformerLayers, memoryLayer: Int, memoryBias: [Float], isInitialisedFromBackbone: Bool,
        appliesFinalNorm: Bool = true
    ) {
        self.stack = stack
        self.memoryLayer = memoryLayer
        self.memoryBias = memoryBias
        self.isInitialisedFromBackbone = isInitialisedFromBackbone
        self.appliesFinalNorm = appliesFinalNorm
    }

    /// The same SideNet with other memory gate logits (an ablation: -infinity switches the memory off).
    public func replacingMemoryBias(_ bias: [Float]) -> SideNet {
        SideNet(
            stack: stack, memoryLayer: memoryLayer, memoryBias: bias,
            isInitialisedFromBackbone: isInitialisedFromBackbone, appliesFinalNorm: appliesFinalNorm)
    }

    /// The backbone hidden states a forward pass needs: H[0], H[2], ..., H[2n].
    public var neededHiddenStates: Set<Int> { Set((0...stack.count).map { reductionFactor * $0 }) }

    /// A KV cache for the SideNet's own attention (one layer per SideNet layer).
    func makeCache(capacity: Int) -> KVCache {
        KVCache(layers: stack.count, capacity: capacity, width: geometry.keyWidth)
    }

    /// (T, C) SideNet output after its final norm, reading `memory` in the memory layer when it holds
    /// anything (the official code falls back to plain attention on an empty memory). With `cache`, the
    /// tokens continue the cached ones (one sequence) and the cache grows by T.
    func forward(
        hiddenStates states: [Int: Tensor], spans: [AttentionSpan], memory: MemoryBank?, cache: KVCache? = nil
    ) -> Tensor {
        let x = states[0]!.copy()
        let count = x.rows
        // With a cache the tokens continue the cached ones: one sequence, after the cached keys.
        let spans =
            cache.map { [AttentionSpan(queryStart: 0, queryCount: count, keyStart: 0, pastCount: $0.count)] } ?? spans
        let positions = spans.flatMap { $0.pastCount..<($0.pastCount + $0.queryCount) }
        let normed = scratch.tensor(.normed, [count, x.columns])
        let qkv = scratch.tensor(.projections, [count, stack.projectionWidth])
        let rotated = scratch.tensor(.rotated, [count, stack.rotatedWidth])
        let attended = scratch.tensor(.attended, [count, geometry.queryWidth])
        let inner = scratch.tensor(.inner, [count, stack.innerWidth])
        for layer in 0..<stack.count {
            stack.project(layer, x, normed: normed, into: qkv)
            let projections = stack.attentionInputs(
                layer, qkv: qkv, rotated: rotated, positions: positions, spans: spans, cache: cache, scratch: scratch)
            if layer == memoryLayer, let memory, !memory.isEmpty {
                MemoryAttention.attend(
                    projections, memory: memory, fusion: .gated(memoryBias: memoryBias), into: attended.data,
                    outputStride: geometry.queryWidth)
            } else {
                projections.standard(into: attended.data, outputStride: geometry.queryWidth)
            }
            // Cross-network residual: the backbone's change over blocks 2l and 2l+1.
            x.add(states[reductionFactor * (layer + 1)]!)
            x.add(states[reductionFactor * layer]!, scaledBy: -1)
            stack.complete(layer, x, attended: attended, normed: normed, inner: inner)
        }
        if appliesFinalNorm { stack.finalNorm(x) }
        cache?.commit(count)
        return x
    }
}
