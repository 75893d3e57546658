import Foundation
import LongMemTensor

/// Model folders that hold one llama.cpp GGUF file instead of config.json + model.safetensors: the file
/// carries the configuration (`<architecture>.*` metadata), the weights and the tokenizer
/// (`GGUFTokenizer`). `ModelRegistry.load` comes here when `ModelDirectory.ggufModelPath()` finds one.
public enum GGUFModelFolder {
    public typealias Loader = @Sendable (GGUFFile, _ localWindow: Int?) throws -> LanguageModel

    /// Loaders by `general.architecture`.
    static let loaders: [String: Loader] = [
        "llama": { try LlamaModel.load(gguf: $0, localWindow: $1) }
    ]

    public static var knownArchitectures: [String] { loaders.keys.sorted() }

    /// Opens (memory-maps) a GGUF file, reporting format problems as `ModelsError.weights`.
    public static func open(_ path: String) throws -> GGUFFile {
        try ModelFiles.check(path)
        do { return try GGUFFile(path: path) } catch let error as TensorError { throw ModelsError.weights(error) }
    }

    /// Loads the GGUF file at `path` with the loader its `general.architecture` names, `localWindow`
    /// overriding the context length.
    public static func load(path: String, localWindow: Int? = nil) throws -> LanguageModel {
        let file = try open(path)
        guard let architecture = file.architecture else {
            throw ModelsError.invalidConfiguration(path: path, detail: "missing metadata 'general.architecture'")
        }
        guard let loader = loaders[architecture] else {
            throw ModelsError.invalidConfiguration(
                path: path,
                detail:
                    "unsupported GGUF architecture '\(architecture)' (known: \(knownArchitectures.joined(separator: ", ")))"
            )
        }
        return try loader(file, localWindow)
    }
}

extension ModelDirectory {
    /// The folder's GGUF model: its one `*.gguf` file when it has no config.json, else nil (an HF
    /// folder, or no model at all). Several `.gguf` files and no config.json is an error: which one is
    /// meant is not guessed.
    public func ggufModelPath() throws -> String? {
        guard !FileManager.default.fileExists(atPath: configurationPath) else { return nil }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
            throw ModelsError.invalidConfiguration(
                path: path, detail: "cannot list the folder: \(error.localizedDescription)")
        }
        let models = names.filter { $0.lowercased().hasSuffix(".gguf") }.sorted()
        guard models.count <= 1 else {
            throw ModelsError.invalidConfiguration(
                path: path,
                detail: "\(models.count) .gguf files (\(models.joined(separator: ", "))) and no config.json: keep one")
        }
        return models.first.map(file)
    }
}
