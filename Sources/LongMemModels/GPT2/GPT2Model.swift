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
public final class GPT2Model: LanguageModel {
    public let configuration: GPT2Configuration
    public let descriptor: ModelDescriptor
    let tokenEmbedding: Tensor  // (V, C)
    let positionEmbedding: Tensor  // (P, C)
    let blocks: [GPT2Block]
    let finalNorm: LayerNorm
    public let outputHead: Linear  // (V, C) as torch Linear: logits = x W^T
    let activation: Activation
    let scratch = ScratchSpace()

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
        let headWeight = try binder.takeIfPresent("lm_head.weight", shape: [c.vocabularySize, c.width]) ?? tokenEmbedding
        outputHead = Linear(weight: headWeight, layout: .outputMajor)
        try binder.finish()
        self.configuration = configuration
        activation = try configuration.activation
        descriptor = ModelDescriptor(
            architecture: "gpt2", vocabularySize: c.vocabularySize, contextLength: c.positions, layers: c.layers,
            width: c.width, heads: c.heads)
    }

    /// File names -> canonical names: drop the `transformer.` prefix and the causal-mask buffers
    /// (`attn.bias`, `attn.masked_bias`) that old checkpoints saved alongside the parameters.
    static func sanitize(_ name: String) -> String? {
        let stripped = name.hasPrefix("transformer.") ? String(name.dropFirst("transformer.".count)) : name
        if stripped.hasSuffix(".attn.bias") || stripped.hasSuffix(".attn.masked_bias") { return nil }
        return stripped
    }

    public func hiddenStates(for sequences: [[Int]]) throws -> Tensor {
        try validate(sequences)
        let tokens = sequences.flatMap { $0 }
        let positions = sequences.flatMap { Array(0..<$0.count) }
        return forward(tokens: tokens, positions: positions, spans: AttentionSpan.packed(lengths: sequences.map(\.count)))
    }

    /// Logits of `tokens` appended to `cache` (incremental decoding); the cache grows by T.
    public func logits(appending tokens: [Int], to cache: KVCache) throws -> Tensor {
        try validate([tokens])
        guard cache.canAppend(tokens.count), cache.count + tokens.count <= configuration.positions else {
            throw ModelsError.sequenceTooLong(length: cache.count + tokens.count, limit: min(cache.capacity, configuration.positions))
        }
        let positions = Array(cache.count..<(cache.count + tokens.count))
        let span = AttentionSpan(queryStart: 0, queryCount: tokens.count, keyStart: 0, pastCount: cache.count)
        let hidden = forward(tokens: tokens, positions: positions, spans: [span], cache: cache)
        cache.commit(tokens.count)
        let logits = Tensor(zeros: [hidden.rows, configuration.vocabularySize])
        outputHead(hidden, into: logits)
        return logits
    }

    public func makeCache(capacity: Int? = nil) -> KVCache {
        KVCache(layers: configuration.layers, capacity: capacity ?? configuration.positions, width: configuration.width)
    }

    /// (T) tokens -> (T, C) final hidden states after ln_f.
    func forward(tokens: [Int], positions: [Int], spans: [AttentionSpan], cache: KVCache? = nil) -> Tensor {
        let c = configuration, count = tokens.count
        let x = Tensor(uninitialized: [count, c.width])
        for (row, (token, position)) in zip(tokens, positions).enumerated() {
            let destination = x.row(row)
            let wte = tokenEmbedding.row(token), wpe = positionEmbedding.row(position)
            for j in 0..<c.width { destination[j] = wte[j] + wpe[j] }
        }
        let normed = scratch.tensor(0, [count, c.width])
        let qkv = scratch.tensor(1, [count, 3 * c.width])
        let attended = scratch.tensor(2, [count, c.width])
        let inner = scratch.tensor(3, [count, c.feedForwardWidth])
        for (layer, block) in blocks.enumerated() {
            block.attentionNorm(x, into: normed)
            block.attention(normed, into: qkv)
            attend(qkv: qkv, into: attended, spans: spans, cache: cache, layer: layer)
            block.attentionOutput.accumulate(attended, into: x)
            block.feedForwardNorm(x, into: normed)
            block.feedForwardIn(normed, into: inner)
            activation.apply(inner)
            block.feedForwardOut.accumulate(inner, into: x)
        }
        finalNorm(x, into: x)
        return x
    }

    /// (T, 3C) fused q, k, v -> (T, C) attention output, through the cache when one is given.
    private func attend(qkv: Tensor, into output: Tensor, spans: [AttentionSpan], cache: KVCache?, layer: Int) {
        let c = configuration, stride = 3 * c.width
        var key = UnsafePointer(qkv.data + c.width), value = UnsafePointer(qkv.data + 2 * c.width)
        var keyStride = stride
        if let cache {
            let keys = cache.keys[layer].row(cache.count), values = cache.values[layer].row(cache.count)
            for row in 0..<qkv.rows {
                (keys + row * c.width).update(from: qkv.row(row) + c.width, count: c.width)
                (values + row * c.width).update(from: qkv.row(row) + 2 * c.width, count: c.width)
            }
            key = UnsafePointer(cache.keys[layer].data)
            value = UnsafePointer(cache.values[layer].data)
            keyStride = c.width
        }
        Attention.causal(
            query: qkv.data, queryStride: stride, key: key, keyStride: keyStride, value: value, valueStride: keyStride,
            output: output.data, outputStride: c.width, heads: c.heads, kvHeads: c.heads, headDim: c.headDim,
            scale: 1 / Float(c.headDim).squareRoot(), spans: spans, scratch: scratch)
    }
}
