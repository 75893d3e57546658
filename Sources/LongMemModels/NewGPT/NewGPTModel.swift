// LongMem's frozen backbone "GPT-2*" (newgpt), following the official
// fairseq/fairseq/models/hf_newgpt/modeling_newgpt.py (Victorwz/LongMem) in ALiBi mode:
// https://github.com/Victorwz/LongMem
//
// Legend: T tokens (packed), C width, H heads, D = C / H, F = 4C, V vocabulary (fairseq dictionary).
import LongMemTensor

/// GPT-2* with ALiBi positions, an untied `lm_head` with bias, LayerNorm eps from the config.
public final class NewGPTModel: TransformerBackbone, IncrementalDecoder {
    public let configuration: NewGPTConfiguration
    public let descriptor: ModelDescriptor
    public let attentionGeometry: AttentionGeometry
    public let outputHead: Linear  // (V, C) with bias
    public let tokenEmbedding: Tensor  // (V, C)
    public let blocks: [ParallelBlock]
    public let finalNorm: LayerNorm
    let activation: Activation
    let scratch = ScratchSpace()

    public var layerCount: Int { blocks.count }

    /// Binds the backbone's tensors named `prefix` + the contract names (see README, "Model folders").
    /// The caller owns `binder` and calls `finish()` once every part of its file is bound.
    public init(
        configuration: NewGPTConfiguration, binder: WeightBinder, prefix: String = "", configurationPath: String
    )
        throws
    {
        try configuration.validate(path: configurationPath)
        let c = configuration
        tokenEmbedding = try binder.take(prefix + "wte.weight", shape: [c.vocabularySize, c.width])
        blocks = try (0..<c.layers).map {
            try ParallelBlock(
                binder: binder, prefix: prefix + "h.\($0).", names: .backbone, width: c.width,
                feedForward: c.feedForwardWidth, epsilon: c.layerNormEpsilon)
        }
        finalNorm = LayerNorm(
            weight: try binder.take(prefix + "ln_f.weight", shape: [c.width]),
            bias: try binder.take(prefix + "ln_f.bias", shape: [c.width]), epsilon: c.layerNormEpsilon)
        outputHead = Linear(
            weight: try binder.take(prefix + "lm_head.weight", shape: [c.vocabularySize, c.width]),
            bias: try binder.take(prefix + "lm_head.bias", shape: [c.vocabularySize]), layout: .outputMajor)
        guard let activation = Activation(configName: c.activationFunction) else {
            throw ModelsError.invalidConfiguration(path: configurationPath, detail: "unsupported activation_function")
        }
        self.activation = activation
        self.configuration = configuration
        attentionGeometry = AttentionGeometry(
            heads: c.heads, kvHeads: c.heads, headDim: c.headDim, scale: 1 / Float(c.headDim).squareRoot(),
            alibiSlopes: alibiSlopes(heads: c.heads))
        descriptor = ModelDescriptor(
            architecture: "newgpt", vocabularySize: c.vocabularySize, contextLength: c.contextLength, layers: c.layers,
            width: c.width, heads: c.heads)
    }

    public func forward(_ sequences: [[Int]], options: ForwardOptions) throws -> ForwardResult {
        try validate(sequences)
        return run(
            tokens: sequences.flatMap { $0 }, spans: AttentionSpan.packed(lengths: sequences.map(\.count)),
            options: options, cache: nil)
    }

    public func makeCache(capacity: Int?) -> KVCache {
        KVCache(
            layers: configuration.layers, capacity: capacity ?? configuration.contextLength, width: configuration.width)
    }

    public func forward(appending tokens: [Int], to cache: KVCache, options: ForwardOptions) throws -> ForwardResult {
        try validate([tokens])
        let span = try cache.appendingSpan(tokens.count)
        let result = run(tokens: tokens, spans: [span], options: options, cache: cache)
        cache.commit(tokens.count)
        return result
    }

    /// (T) tokens -> (T, C) after ln_f; H[i] captured as `options` asks.
    private func run(tokens: [Int], spans: [AttentionSpan], options: ForwardOptions, cache: KVCache?) -> ForwardResult {
        let c = configuration, count = tokens.count
        let x = Tensor(uninitialized: [count, c.width])
        for (row, token) in tokens.enumerated() { x.row(row).update(from: tokenEmbedding.row(token), count: c.width) }
        let normed = scratch.tensor(.normed, [count, c.width])
        let qkv = scratch.tensor(.projections, [count, 3 * c.width])
        let attended = scratch.tensor(.attended, [count, c.width])
        let inner = scratch.tensor(.inner, [count, c.feedForwardWidth])
        var states: [Int: Tensor] = [:]
        for (layer, block) in blocks.enumerated() {
            options.capture(layer, x, into: &states)
            block.norm(x, into: normed)
            block.queryKeyValue(normed, into: qkv)
            options.attend(
                layer: layer,
                AttentionProjections.fused(
                    qkv, spans: spans, cache: cache, layer: layer, geometry: attentionGeometry, scratch: scratch),
                into: attended.data,
                outputStride: c.width)
            block.output.accumulate(attended, into: x)
            block.feedForwardIn(normed, into: inner)
            activation.apply(inner)
            block.feedForwardOut.accumulate(inner, into: x)
        }
        finalNorm(x, into: x)
        options.capture(blocks.count, x, into: &states)
        return ForwardResult(hidden: x, hiddenStates: states)
    }
}

extension NewGPTModel {
    /// Reads a `model_type: newgpt` folder (config.json + model.safetensors).
    public static func load(_ directory: ModelDirectory) throws -> LanguageModel {
        try loadBackbone(directory, prefix: "")
    }

    /// The backbone of a newgpt folder, or of a longmem folder (`prefix` "backbone.", SideNet tensors
    /// ignored).
    public static func loadBackbone(_ directory: ModelDirectory, prefix: String) throws -> NewGPTModel {
        let configurationPath = try directory.requireFile("config.json")
        var configuration = try ConfigurationFile.decode(NewGPTConfiguration.self, path: configurationPath)
        if let window = directory.localWindow { configuration.localWindow = window }
        let binder = WeightBinder(source: try SafeTensorsFile.open(directory.requireFile("model.safetensors"))) {
            name in
            if !prefix.isEmpty { return name.hasPrefix(prefix) ? name : nil }
            return name.hasPrefix("transformer.") ? String(name.dropFirst("transformer.".count)) : name
        }
        let model = try NewGPTModel(
            configuration: configuration, binder: binder, prefix: prefix, configurationPath: configurationPath)
        try binder.finish()
        return model
    }
}
