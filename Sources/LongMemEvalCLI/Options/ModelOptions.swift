import ArgumentParser
import LongMemModels
import LongMemTensor
import LongMemTokenizer

/// Options every model-running command shares.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Model folder (config.json, model.safetensors, tokenizer files).")
    var model: String

    @Option(name: .long, help: "Tokenizer folder, when the model folder has no tokenizer files.")
    var tokenizer: String?

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
    }

    /// Applies the thread count, then loads the model.
    func loadModel() throws -> (model: LanguageModel, directory: ModelDirectory) {
        if let threads { Parallel.threads = threads }
        let directory = try ModelDirectory(path: model)
        return (try ModelRegistry.load(directory), directory)
    }

    /// The tokenizer of --tokenizer, else of the model folder.
    func loadTokenizer() throws -> any TextTokenizer {
        try BytePairTokenizer.load(directory: tokenizer ?? model)
    }
}
