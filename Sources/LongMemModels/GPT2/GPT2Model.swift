// OpenAI GPT-2 as Hugging Face implements it:
// https://github.com/huggingface/transformers/blob/main/src/transformers/models/gpt2/modeling_gpt2.py
//
// Legend: T tokens (all sequences of a batch packed), C width, H heads, D = C / H, F feed-forward width,
// V vocabulary, P positions.
import LongMemTensor

/// One pre-LayerNorm transformer block; HF `Conv1D` weights are (in, out) and used as stored.
struct GPT2Block {
    let attentionNorm: LayerNorm
    let attention: Linear  // (C, 3C): fused q, k, v
    let attentionOutput: Linear  // (C, C)
    let feedForwardNorm: LayerNorm
    let feedForwardIn: Linear  // (C, F)
    let feedForwardOut: Linear  // (F, C)

    init(binder: WeightBinder, index: Int, configuration c: GPT2Configuration) throws {
        let prefix = "h.\(index)."
        func norm(_ name: String) throws -> LayerNorm {
            LayerNorm(
                weight: try binder.take(prefix + name + ".weight", shape: [c.width]),
                bias: try binder.take(prefix + name + ".bias", shape: [c.width]), epsilon: c.layerNormEpsilon)
        }
        func conv(_ name: String, _ input: Int, _ output: Int) throws -> Linear {
            Linear(
                weight: try binder.take(prefix + name + ".weight", shape: [input, output]),
                bias: try binder.take(prefix + name + ".bias", shape: [output]), layout: .inputMajor)
        }
        attentionNorm = try norm("ln_1")
        attention = try conv("attn.c_attn", c.width, 3 * c.width)
        attentionOutput = try conv("attn.c_proj", c.width, c.width)
        feedForwardNorm = try norm("ln_2")
        feedForwardIn = try conv("mlp.c_fc", c.width, c.feedForwardWidth)
        feedForwardOut = try conv("mlp.c_proj", c.feedForwardWidth, c.width)
    }
}

/// GPT-2 with learned absolute positions, tied or untied output head, and an optional KV cache.
public final class GPT2Model: TransformerBackbone, IncrementalDecoder {
    public let configuration: GPT2Configuration
    public let descriptor: ModelDescriptor
    public let attentionGeometry: AttentionGeometry
    public let outputHead: Linear  // (V, C) as torch Linear: logits = x W^T
    let tokenEmbedding: Tensor  // (V, C)
    let positionEmbedding: Tensor  // (P, C)
    let blocks: [GPT2Block]
    let finalNorm: LayerNorm
    let activation: Activation
    let scratch = ScratchSpace()

    public var layerCount: Int { blocks.count }

    /// Binds HF GPT-2 weights (names with or without the `transformer.` prefix).
    public init(configuration: GPT2Configuration, weights source: WeightSource, configurationPath: String) throws {
        try configuration.validate(path: configurationPath)
        let c = configuration
        let binder = WeightBinder(source: source, sanitize: GPT2Model.sanitize)
        tokenEmbedding = try binder.take("wte.weight", shape: [c.vocabularySize, c.width])
        positionEmbedding = try binder.take("wpe.weight", shape: [c.positions, c.width])
        blocks = try (0..<c.layers).map { try GPT2Block(binder: binder, index: $0, configuration: c) }
        finalNorm = LayerNorm(
            weight: try binder.take("ln_f.weight", shape: [c.width]),
            bias: try binder.take("ln_f.bias", shape: [c.width]), epsilon: c.layerNormEpsilon)
        // HF ties lm_head to wte and omits it from the file; an explicit lm_head is used as given.
        let headWeight =
            try binder.takeIfPresent("lm_head.weight", shape: [c.vocabularySize, c.width]) ?? tokenEmbedding
        outputHead = Linear(weight: headWeight, layout: .outputMajor)
        try binder.finish()
        self.configuration = configuration
        activation = try configuration.activation
        attentionGeometry = AttentionGeometry(
            heads: c.heads, kvHeads: c.heads, headDim: c.headDim, scale: 1 / Float(c.headDim).squareRoot(),
            alibiSlopes: nil)
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

    public func forward(_ sequences: [[Int]], options: ForwardOptions) throws -> ForwardResult {
        try validate(sequences)
        return run(
            tokens: sequences.flatMap { $0 }, positions: Self.positions(of: sequences),
            spans: AttentionSpan.packed(lengths: sequences.map(\.count)), options: options, cache: nil)
    }

    public func makeCache(capacity: Int? = nil) -> KVCache {
        KVCache(
            layers: configuration.layers, capacity: capacity ?? configuration.contextLength, width: configuration.width)
    }

    public func forward(appending tokens: [Int], to cache: KVCache, options: ForwardOptions) throws -> ForwardResult {
        try validate([tokens])
        let span = try cache.appendingSpan(tokens.count, positionLimit: configuration.contextLength)
        let positions = Array(cache.count..<(cache.count + tokens.count))
        let result = run(tokens: tokens, positions: positions, spans: [span], options: options, cache: cache)
        cache.commit(tokens.count)
        return result
    }

    /// (T) tokens -> (T, C) after ln_f; H[i] captured as `options` asks.
    private func run(
        tokens: [Int], positions: [Int], spans: [AttentionSpan], options: ForwardOptions, cache: KVCache?
    ) -> ForwardResult {
        let c = configuration, count = tokens.count
        let x = Tensor(uninitialized: [count, c.width])
        for (row, (token, position)) in zip(tokens, positions).enumerated() {
            let destination = x.row(row)
            let wte = tokenEmbedding.row(token), wpe = positionEmbedding.row(position)
            for j in 0..<c.width { destination[j] = wte[j] + wpe[j] }
        }
        let normed = scratch.tensor(.normed, [count, c.width])
        let qkv = scratch.tensor(.projections, [count, 3 * c.width])
        let attended = scratch.tensor(.attended, [count, c.width])
        let inner = scratch.tensor(.inner, [count, c.feedForwardWidth])
        var states: [Int: Tensor] = [:]
        for (layer, block) in blocks.enumerated() {
            options.capture(layer, x, into: &states)
            block.attentionNorm(x, into: normed)
            block.attention(normed, into: qkv)
            options.attend(
                layer: layer,
                AttentionProjections.fused(
                    qkv, spans: spans, cache: cache, layer: layer, geometry: attentionGeometry, scratch: scratch),
                into: attended.data,
                outputStride: c.width)
            block.attentionOutput.accumulate(attended, into: x)
            block.feedForwardNorm(x, into: normed)
            block.feedForwardIn(normed, into: inner)
            activation.apply(inner)
            block.feedForwardOut.accumulate(inner, into: x)
        }
        finalNorm(x, into: x)
        options.capture(blocks.count, x, into: &states)
        return ForwardResult(hidden: x, hiddenStates: states)
    }
}
