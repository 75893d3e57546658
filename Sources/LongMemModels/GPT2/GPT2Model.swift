// OpenAI GPT-2 as Hugging Face implements it:
// https://github.com/huggingface/transformers/blob/main/src/transformers/models/gpt2/modeling_gpt2.py
//
// Legend: T tokens (all sequences of a batch packed), C width, H heads, D = C / H, F feed-forward width,
// V vocabulary, P positions.
import LongMemTensor

/// GPT-2 with learned absolute positions, tied or untied output head, and an optional KV cache.
public final class GPT2Model: LayeredBackbone {
    public let configuration: GPT2Configuration
    public let descriptor: ModelDescriptor
    public let outputHead: Linear  // (V, C) as torch Linear: logits = x W^T
    public let tokenEmbedding: Tensor  // (V, C)
    let positionEmbedding: Tensor  // (P, C)
    public let layers: GPT2Layers
    public let scratch = ScratchSpace()

    /// The learned position table, or the shorter local window.
    public var positionLimit: Int? { configuration.contextLength }

    /// Binds HF GPT-2 weights (names with or without the `transformer.` prefix).
    public init(configuration: GPT2Configuration, weights source: WeightSource, configurationPath: String) throws {
        try configuration.validate(path: configurationPath)
        let c = configuration
        let binder = WeightBinder(source: source, sanitize: GPT2Model.sanitize)
        tokenEmbedding = try binder.take("wte.weight", shape: [c.vocabularySize, c.width])
        positionEmbedding = try binder.take("wpe.weight", shape: [c.positions, c.width])
        let blocks = try (0..<c.layers).map { try GPT2Block(binder: binder, index: $0, configuration: c) }
        let finalNorm = LayerNorm(
            weight: try binder.take("ln_f.weight", shape: [c.width]),
            bias: try binder.take("ln_f.bias", shape: [c.width]), epsilon: c.layerNormEpsilon)
        // HF ties lm_head to wte and omits it from the file; an explicit lm_head is used as given.
        let headWeight =
            try binder.takeIfPresent("lm_head.weight", shape: [c.vocabularySize, c.width]) ?? tokenEmbedding
        outputHead = Linear(weight: headWeight, layout: .outputMajor)
        try binder.finish()
        self.configuration = configuration
        layers = GPT2Layers(
            blocks: blocks, norm: finalNorm,
            geometry: AttentionGeometry(
                heads: c.heads, kvHeads: c.heads, headDim: c.headDim),
            activation: try configuration.activation)
        descriptor = ModelDescriptor(
            architecture: "gpt2", vocabularySize: c.vocabularySize, contextLength: c.contextLength, layers: c.layers,
            width: c.width, heads: c.heads)
    }

    /// File names -> canonical names: drop the `transformer.` prefix and the causal-mask buffers
    /// (`attn.bias`, `attn.masked_bias`) that old checkpoints saved alongside the parameters.
    static func sanitize(_ name: String) -> String? {
        let stripped = name.hasPrefix("transformer.") ? String(name.dropFirst("transformer.".count)) : name
        if stripped.hasSuffix(".attn.bias") || stripped.hasSuffix(".attn.masked_bias") { return nil }
        return stripped
    }

    /// wte[token] + wpe[position] per row.
    public func embed(_ tokens: [Int], positions: [Int]) -> Tensor {
        let width = configuration.width
        let x = Tensor(uninitialized: [tokens.count, width])
        for (row, (token, position)) in zip(tokens, positions).enumerated() {
            let destination = x.row(row)
            let wte = tokenEmbedding.row(token), wpe = positionEmbedding.row(position)
            for j in 0..<width { destination[j] = wte[j] + wpe[j] }
        }
        return x
    }
}
