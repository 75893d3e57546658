// LongMem's frozen backbone "GPT-2*" (newgpt), following the official
// fairseq/fairseq/models/hf_newgpt/modeling_newgpt.py (Victorwz/LongMem) in ALiBi mode:
// https://github.com/Victorwz/LongMem
//
// Legend: T tokens (packed), C width, H heads, D = C / H, F = 4C, V vocabulary (fairseq dictionary).
import LongMemTensor

/// GPT-2* with ALiBi positions, an untied `lm_head` with bias, LayerNorm eps from the config.
public final class NewGPTModel: LayeredBackbone {
    public let configuration: GPT2Configuration
    public let descriptor: ModelDescriptor
    public let outputHead: Linear  // (V, C) with bias
    public let tokenEmbedding: Tensor  // (V, C)
    public let layers: ParallelLayers
    public let scratch = ScratchSpace()

    /// ALiBi has no position table: a cache may grow as far as its capacity.
    public var positionLimit: Int? { nil }
    /// The blocks the SideNet copies.
    public var blocks: [ParallelBlock] { layers.blocks }
    /// ln_f, which the SideNet copies.
    public var finalNorm: LayerNorm { layers.norm }

    /// Binds the backbone's tensors named `prefix` + the contract names (see README, "Model folders").
    /// The caller owns `binder` and calls `finish()` once every part of its file is bound.
    public init(
        configuration: GPT2Configuration, binder: WeightBinder, prefix: String = "", configurationPath: String
    )
        throws
    {
        try configuration.validate(path: configurationPath)
        let c = configuration
        tokenEmbedding = try binder.take(prefix + "wte.weight", shape: [c.vocabularySize, c.width])
        let blocks = try (0..<c.layers).map {
            try ParallelBlock(
                binder: binder, prefix: prefix + "h.\($0).", names: .backbone, width: c.width,
                feedForward: c.feedForwardWidth, epsilon: c.layerNormEpsilon)
        }
        let finalNorm = LayerNorm(
            weight: try binder.take(prefix + "ln_f.weight", shape: [c.width]),
            bias: try binder.take(prefix + "ln_f.bias", shape: [c.width]), epsilon: c.layerNormEpsilon)
        outputHead = Linear(
            weight: try binder.take(prefix + "lm_head.weight", shape: [c.vocabularySize, c.width]),
            bias: try binder.take(prefix + "lm_head.bias", shape: [c.vocabularySize]), layout: .outputMajor)
        guard let activation = Activation(configName: c.activationFunction) else {
            throw ModelsError.invalidConfiguration(path: configurationPath, detail: "unsupported activation_function")
        }
        self.configuration = configuration
        layers = ParallelLayers(
            blocks: blocks, norm: finalNorm,
            geometry: AttentionGeometry(
                heads: c.heads, kvHeads: c.heads, headDim: c.headDim,
                alibiSlopes: alibiSlopes(heads: c.heads)),
            activation: activation)
        descriptor = ModelDescriptor(
            architecture: "newgpt", vocabularySize: c.vocabularySize, contextLength: c.contextLength, layers: c.layers,
            width: c.width, heads: c.heads)
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
        var configuration = try ConfigurationFile.decode(GPT2Configuration.self, path: configurationPath)
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
