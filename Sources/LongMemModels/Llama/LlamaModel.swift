// Llama as Hugging Face implements it (RMSNorm, rotary positions, grouped-query attention, SwiGLU):
// https://github.com/huggingface/transformers/blob/main/src/transformers/models/llama/modeling_llama.py
//
// Legend: T tokens (all sequences of a batch packed), C width, H query heads, K key/value heads,
// D head size, F feed-forward width, V vocabulary.
import CLongMemKernels
import LongMemTensor

/// One pre-RMSNorm block. torch Linear weights (out, in), no biases; q, k, v (and gate, up) are stacked
/// at load so that one product makes them all.
public struct LlamaBlock: Sendable {
    public let attentionNorm: RMSNorm
    public let queryKeyValue: Linear  // ((H + 2K) D, C): q | k | v
    public let attentionOutput: Linear  // (C, H D)
    public let feedForwardNorm: RMSNorm
    public let gateUp: Linear  // (2F, C): gate | up
    public let down: Linear  // (C, F)

    init(binder: WeightBinder, names: LlamaWeightNames, index: Int, configuration c: LlamaConfiguration) throws {
        func take(_ part: LlamaWeightNames.Part, _ shape: [Int]) throws -> Tensor {
            try binder.take(names.layer(index, part), shape: shape)
        }
        attentionNorm = RMSNorm(weight: try take(.attentionNorm, [c.width]), epsilon: c.epsilon)
        queryKeyValue = Linear(
            weight: Self.stack([
                try take(.query, [c.queryWidth, c.width]), try take(.key, [c.keyValueWidth, c.width]),
                try take(.value, [c.keyValueWidth, c.width]),
            ]), layout: .outputMajor)
        attentionOutput = Linear(weight: try take(.attentionOutput, [c.width, c.queryWidth]), layout: .outputMajor)
        feedForwardNorm = RMSNorm(weight: try take(.feedForwardNorm, [c.width]), epsilon: c.epsilon)
        gateUp = Linear(
            weight: Self.stack([
                try take(.gate, [c.feedForwardWidth, c.width]), try take(.up, [c.feedForwardWidth, c.width]),
            ]), layout: .outputMajor)
        down = Linear(weight: try take(.down, [c.width, c.feedForwardWidth]), layout: .outputMajor)
    }

    /// Row-wise concatenation of (rows_i, C) matrices.
    static func stack(_ parts: [Tensor]) -> Tensor {
        let stacked = Tensor(uninitialized: [parts.reduce(0) { $0 + $1.rows }, parts[0].columns])
        var offset = 0
        for part in parts {
            (stacked.data + offset).update(from: part.data, count: part.count)
            offset += part.count
        }
        return stacked
    }
}

/// Llama-family decoder (Llama 2/3 layout, SmolLM2, TinyLlama...) with default RoPE, tied or untied output,
/// packed sequences and a KV cache.
public final class LlamaModel: TransformerBackbone, IncrementalDecoder {
    public let configuration: LlamaConfiguration
    public let descriptor: ModelDescriptor
    public let attentionGeometry: AttentionGeometry
    public let outputHead: Linear  // (V, C): logits = x W^T
    public let rotary: RotaryEmbedding
    let tokenEmbedding: Tensor  // (V, C)
    public let blocks: [LlamaBlock]
    public let finalNorm: RMSNorm
    let scratch = ScratchSpace()

    public var layerCount: Int { blocks.count }

    /// Binds the tensors `names` gives (the caller owns `binder` and calls `finish()`). The output head
    /// is the embedding when `tie_word_embeddings` is set or the file has no output tensor; with
    /// `tie_word_embeddings` an output tensor in the file is consumed and ignored, as transformers does.
    public init(
        configuration: LlamaConfiguration, binder: WeightBinder, names: LlamaWeightNames, configurationPath: String
    ) throws {
        try configuration.validate(path: configurationPath)
        let c = configuration
        tokenEmbedding = try binder.take(names.embedding, shape: [c.vocabularySize, c.width])
        blocks = try (0..<c.layers).map {
            try LlamaBlock(binder: binder, names: names, index: $0, configuration: c)
        }
        finalNorm = RMSNorm(weight: try binder.take(names.finalNorm, shape: [c.width]), epsilon: c.epsilon)
        let head = try binder.takeIfPresent(names.output, shape: [c.vocabularySize, c.width])
        outputHead = Linear(
            weight: c.tieWordEmbeddings == true ? tokenEmbedding : head ?? tokenEmbedding, layout: .outputMajor)
        self.configuration = configuration
        rotary = RotaryEmbedding(headDim: c.headDim, base: c.theta, positions: c.contextLength)
        attentionGeometry = AttentionGeometry(
            heads: c.heads, kvHeads: c.keyValueHeads, headDim: c.headDim, scale: 1 / Float(c.headDim).squareRoot(),
            alibiSlopes: nil)
        descriptor = ModelDescriptor(
            architecture: "llama", vocabularySize: c.vocabularySize, contextLength: c.contextLength, layers: c.layers,
            width: c.width, heads: c.heads)
    }

    public func forward(_ sequences: [[Int]], options: ForwardOptions) throws -> ForwardResult {
        try validate(sequences)
        return run(
            tokens: sequences.flatMap { $0 }, positions: Self.positions(of: sequences),
            spans: AttentionSpan.packed(lengths: sequences.map(\.count)), options: options, cache: nil)
    }

    public func makeCache(capacity: Int? = nil) -> KVCache {
        KVCache(
            layers: configuration.layers, capacity: capacity ?? configuration.contextLength,
            width: configuration.keyValueWidth)
    }

    public func forward(appending tokens: [Int], to cache: KVCache, options: ForwardOptions) throws -> ForwardResult {
        try validate([tokens])
        let span = try cache.appendingSpan(tokens.count, positionLimit: configuration.contextLength)
        let positions = Array(cache.count..<(cache.count + tokens.count))
        let result = run(tokens: tokens, positions: positions, spans: [span], options: options, cache: cache)
        cache.commit(tokens.count)
        return result
    }

    /// (T) tokens -> (T, C) after the final RMSNorm; H[i] captured as `options` asks.
    private func run(
        tokens: [Int], positions: [Int], spans: [AttentionSpan], options: ForwardOptions, cache: KVCache?
    ) -> ForwardResult {
        let c = configuration, count = tokens.count
        let x = Tensor(uninitialized: [count, c.width])
        for (row, token) in tokens.enumerated() { x.row(row).update(from: tokenEmbedding.row(token), count: c.width) }
        let normed = scratch.tensor(.normed, [count, c.width])
        let qkv = scratch.tensor(.projections, [count, c.queryWidth + 2 * c.keyValueWidth])
        let rotated = scratch.tensor(.rotated, [count, c.queryWidth + c.keyValueWidth])
        let attended = scratch.tensor(.attended, [count, c.queryWidth])
        let gateUp = scratch.tensor(.inner, [count, 2 * c.feedForwardWidth])
        var states: [Int: Tensor] = [:]
        for (layer, block) in blocks.enumerated() {
            options.capture(layer, x, into: &states)
            block.attentionNorm(x, into: normed)
            block.queryKeyValue(normed, into: qkv)
            options.attend(
                layer: layer,
                attentionInputs(
                    qkv: qkv, rotated: rotated, positions: positions, spans: spans, cache: cache, layer: layer,
                    scratch: scratch),
                into: attended.data, outputStride: c.queryWidth)
            block.attentionOutput.accumulate(attended, into: x)
            block.feedForwardNorm(x, into: normed)
            block.gateUp(normed, into: gateUp)
            Self.swiGLU(gateUp, width: c.feedForwardWidth)
            block.down.apply(
                gateUp.data, rows: count, inputStride: gateUp.columns, into: x.data, outputStride: c.width,
                accumulate: true)
        }
        finalNorm(x, into: x)
        options.capture(blocks.count, x, into: &states)
        return ForwardResult(hidden: x, hiddenStates: states)
    }

    /// In place on (T, 2F) gate | up: gate = silu(gate) * up, (T, F) at row stride 2F.
    public static func swiGLU(_ gateUp: Tensor, width: Int) {
        Parallel.forRanges(gateUp.rows, minimum: 16) { rows in
            for row in rows {
                let gate = gateUp.row(row), up = UnsafePointer(gate + width)
                lm_silu(gate, Int64(width))
                for j in 0..<width { gate[j] *= up[j] }
            }
        }
    }

    /// A block's attention inputs from its (T, (H + 2K) D) q | k | v rows: q and k rotated at `positions`
    /// into `rotated` (T, (H + K) D), keys and values appended to `cache` layer `layer` first when there is
    /// one, and the unrotated rows for memory methods. Shared with the SideNet built from these blocks.
    public func attentionInputs(
        qkv: Tensor, rotated: Tensor, positions: [Int], spans: [AttentionSpan], cache: KVCache?, layer: Int,
        scratch: ScratchSpace
    ) -> AttentionProjections {
        let c = configuration
        // q and k side by side are H + K heads at the same positions: one pass rotates both.
        rotary.apply(
            qkv.data, sourceStride: qkv.columns, into: rotated.data, destinationStride: rotated.columns,
            heads: c.heads + c.keyValueHeads, positions: positions)
        let rotary = self.rotary
        let context = RotaryContext(
            unrotatedQuery: qkv.data, queryStride: qkv.columns, unrotatedKey: qkv.data + c.queryWidth,
            keyStride: qkv.columns, positions: positions,
            rotate: { rows, stride, heads, positions in
                rotary.apply(rows, stride: stride, heads: heads, positions: positions)
            })
        let key = rotated.data + c.queryWidth, value = qkv.data + c.queryWidth + c.keyValueWidth
        guard let cache else {
            return AttentionProjections(
                query: rotated.data, queryStride: rotated.columns, key: key, keyStride: rotated.columns, value: value,
                valueStride: qkv.columns, tokens: qkv.rows, spans: spans, geometry: attentionGeometry, scratch: scratch,
                rotary: context)
        }
        // Keys (rotated) and values (inside qkv) have different row strides.
        cache.store(
            layer: layer, keys: key, keyStride: rotated.columns, values: value, valueStride: qkv.columns,
            rows: qkv.rows)
        return AttentionProjections(
            query: rotated.data, queryStride: rotated.columns, key: cache.keys[layer].data, keyStride: c.keyValueWidth,
            value: cache.values[layer].data, valueStride: c.keyValueWidth, tokens: qkv.rows, spans: spans,
            geometry: attentionGeometry, scratch: scratch, rotary: context)
    }
}

extension LlamaModel {
    /// Reads a `model_type: llama` folder: config.json + model.safetensors with HF names (`model.` prefix
    /// optional; saved `rotary_emb.inv_freq` buffers ignored).
    public static func load(_ directory: ModelDirectory) throws -> LanguageModel {
        try load(directory: directory, localWindow: directory.localWindow)
    }

    /// As `load(_:)`, with the local window (the longest forward) overriding config.json's.
    public static func load(directory: ModelDirectory, localWindow: Int?) throws -> LlamaModel {
        let configurationPath = try directory.requireFile("config.json")
        var configuration = try ConfigurationFile.decode(LlamaConfiguration.self, path: configurationPath)
        if let localWindow { configuration.localWindow = localWindow }
        let weights = try SafeTensorsFile.open(try directory.requireFile("model.safetensors"))
        let binder = WeightBinder(source: weights) { name in
            if name.hasSuffix(".rotary_emb.inv_freq") { return nil }
            return name.hasPrefix("model.") ? String(name.dropFirst("model.".count)) : name
        }
        let model = try LlamaModel(
            configuration: configuration, binder: binder, names: .huggingFace, configurationPath: configurationPath)
        try binder.finish()
        return model
    }

    /// Reads a GGUF file whose `general.architecture` is llama, dequantising every tensor to Float32.
    public static func load(gguf file: GGUFFile, localWindow: Int? = nil) throws -> LlamaModel {
        let configuration = try LlamaConfiguration(gguf: file, localWindow: localWindow)
        let weights = GGUFLlamaWeights(
            file: file, queryHeads: configuration.heads, keyValueHeads: configuration.keyValueHeads)
        let binder = WeightBinder(source: weights)
        let model = try LlamaModel(
            configuration: configuration, binder: binder, names: .gguf, configurationPath: file.path)
        try binder.finish()
        return model
    }

    /// `load(gguf:)` of the file at `ggufPath`.
    public static func load(ggufPath: String, localWindow: Int? = nil) throws -> LlamaModel {
        try load(gguf: try GGUFModelFolder.open(ggufPath), localWindow: localWindow)
    }
}
