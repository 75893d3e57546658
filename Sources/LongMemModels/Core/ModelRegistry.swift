import LongMemTensor

/// Architectures by their `config.json` `model_type`: the one table to extend for a new backbone.
public enum ModelRegistry {
    public typealias Loader = @Sendable (ModelDirectory) throws -> LanguageModel

    static let loaders: [String: Loader] = [
        "gpt2": GPT2Model.load,
        "newgpt": NewGPTModel.load,
        "llama": LlamaModel.load,
        // A LongMem folder's frozen backbone alone (its SideNet is the runtime's business).
        "longmem": { try NewGPTModel.loadBackbone($0, prefix: "backbone.") },
    ]

    public static var knownTypes: [String] { loaders.keys.sorted() }

    /// Loads the model of `directory` with the loader its `model_type` names.
    public static func load(_ directory: ModelDirectory) throws -> LanguageModel {
        if let gguf = try directory.ggufModelPath() {
            return try GGUFModelFolder.load(path: gguf, localWindow: directory.localWindow)
        }
        let configurationPath = try directory.requireFile("config.json")
        guard let type = try ConfigurationFile.modelType(path: configurationPath) else {
            throw ModelsError.invalidConfiguration(path: configurationPath, detail: "missing key 'model_type'")
        }
        guard let loader = loaders[type] else {
            throw ModelsError.unsupportedModelType(path: configurationPath, modelType: type)
        }
        return try loader(directory)
    }
}

extension GPT2Model {
    /// Reads `config.json` and `model.safetensors` of an HF GPT-2 folder.
    public static func load(_ directory: ModelDirectory) throws -> LanguageModel {
        let configurationPath = try directory.requireFile("config.json")
        var configuration = try ConfigurationFile.decode(GPT2Configuration.self, path: configurationPath)
        if let window = directory.localWindow { configuration.localWindow = window }
        try configuration.validate(path: configurationPath)
        let weights = try SafeTensorsFile.open(try directory.requireFile("model.safetensors"))
        return try GPT2Model(configuration: configuration, weights: weights, configurationPath: configurationPath)
    }
}
