// Llama as Hugging Face implements it (RMSNorm, rotary positions, grouped-query attention, SwiGLU):
// https://github.com/huggingface/transformers/blob/main/src/transformers/models/llama/modeling_llama.py
//
// Legend: T tokens (all sequences of a batch packed), C width, H query heads, K key/value heads,
// D head size, F feed-forward width, V vocabulary.
import LongMemTensor

/// Llama-family decoder (Llama 2/3 layout, SmolLM2, TinyLlama...) with default RoPE, tied or untied output,
/// packed sequences and a KV cache.
public final class LlamaModel: LayeredBackbone {
    public let configuration: LlamaConfiguration
    public let descriptor: ModelDescriptor
    public let outputHead: Linear  // (V, C): logits = x W^T
    public let tokenEmbedding: Tensor  // (V, C)
    public let layers: LlamaLayers
    public let scratch = ScratchSpace()

    /// The rotary table's positions, or the shorter local window.
    public var positionLimit: Int? { configuration.contextLength }
    /// The blocks the SideNet copies.
    public var blocks: [LlamaBlock] { layers.blocks }
    /// The final RMSNorm, which the SideNet copies.
    public var finalNorm: RMSNorm { layers.norm }

    /// Binds the tensors `names` gives (the caller owns `binder` and calls `finish()`). The output head
    /// is the embedding when `tie_word_embeddings` is set or the file has no output tensor; with
    /// `tie_word_embeddings` an output tensor in the file is consumed and ignored, as transformers does.
    public init(
        configuration: LlamaConfiguration, binder: WeightBinder, names: LlamaWeightNames, configurationPath: String
    ) throws {
        try configuration.validate(path: configurationPath)
        let c = configuration
        tokenEmbedding = try binder.take(names.embedding, shape: [c.vocabularySize, c.width])
        let blocks = try (0..<c.layers).map {
            try LlamaBlock(binder: binder, names: names, index: $0, configuration: c)
        }
        let finalNorm = RMSNorm(weight: try binder.take(names.finalNorm, shape: [c.width]), epsilon: c.epsilon)
        let head = try binder.takeIfPresent(names.output, shape: [c.vocabularySize, c.width])
        outputHead = Linear(
            weight: c.tieWordEmbeddings == true ? tokenEmbedding : head ?? tokenEmbedding, layout: .outputMajor)
        self.configuration = configuration
        layers = LlamaLayers(
            blocks: blocks, norm: finalNorm,
            geometry: AttentionGeometry(
                heads: c.heads, kvHeads: c.keyValueHeads, headDim: c.headDim),
            rotary: RotaryEmbedding(headDim: c.headDim, base: c.theta, positions: c.contextLength))
        descriptor = ModelDescriptor(
            architecture: "llama", vocabularySize: c.vocabularySize, contextLength: c.contextLength, layers: c.layers,
            width: c.width, heads: c.heads)
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
