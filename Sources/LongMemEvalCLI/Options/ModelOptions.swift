import ArgumentParser
import Foundation
import LongMemData
import LongMemModels
import LongMemRuntime
import LongMemTasks
import LongMemTensor
import LongMemTokenizer

/// Options every model-running command shares.
struct ModelOptions: ParsableArguments {
    @Option(
        name: .long,
        help:
            "Model folder (config.json + model.safetensors + tokenizer files, or one .gguf), or a catalog name (`longmem-eval models list`)."
    )
    var model: String

    @Option(help: "Model cache for catalog names (default: $LONGMEM_EVAL_MODELS, else ~/.cache/longmem-eval/models).")
    var modelsDir: String?

    @Option(name: .long, help: "Tokenizer folder, when the model folder has no tokenizer files.")
    var tokenizer: String?

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(
        help:
            "Local window in tokens: the longest forward and the segment length of memory methods (default: the model's context length)."
    )
    var window: Int?

    func validate() throws {
        if let threads, !(1...SizeLimits.threads).contains(threads) {
            throw ValidationError("--threads must be in 1...\(SizeLimits.threads), got \(threads)")
        }
        if let window, !(1...ModelLimits.contextLength).contains(window) {
            throw ValidationError("--window must be in 1...\(ModelLimits.contextLength), got \(window)")
        }
    }

    /// Runs `load` (which loads the model), telling a window the model refuses as `--window` when it is ours.
    func loading<T>(_ load: () throws -> T) throws -> T {
        do { return try load() } catch ModelsError.windowOutOfRange(_, let refused, let detail) where refused == window
        {
            throw CommandLineNames.Message("--window \(refused) \(detail)")
        }
    }

    /// The model folder: `--model` itself when it exists, else the cached folder of a catalog model.
    func resolvedDirectory() throws -> ModelDirectory {
        if !FileManager.default.fileExists(atPath: model), let entry = ModelCatalog.model(named: model) {
            let folder = ModelCatalog.folder(of: entry, in: ModelCatalog.directory(explicit: modelsDir))
            guard
                FileManager.default.fileExists(
                    atPath: ModelCatalog.file(of: entry, in: ModelCatalog.directory(explicit: modelsDir)))
            else {
                throw ValidationError("\(model) is not fetched yet: run `longmem-eval models fetch \(model)`")
            }
            return try ModelDirectory(path: folder, localWindow: window)
        }
        return try ModelDirectory(path: model, localWindow: window)
    }

    /// Applies the thread count, then loads the model.
    func loadModel() throws -> (model: LanguageModel, directory: ModelDirectory) {
        if let threads { Parallel.threads = threads }
        let directory = try resolvedDirectory()
        return (try loading { try ModelRegistry.load(directory) }, directory)
    }

    /// The folder whose tokenizer the model reads: its own, or for a SideNet trained here (which holds no
    /// tokenizer) its backbone's.
    func tokenizerDirectory() throws -> ModelDirectory {
        let directory = try resolvedDirectory()
        guard FileManager.default.fileExists(atPath: directory.path + "/config.json") else { return directory }
        return try SideNetFolderConfiguration.trained(in: directory)?.backboneDirectory(localWindow: nil) ?? directory
    }

    /// The tokenizer of --tokenizer, else of the model folder. LongMem's checkpoints index the fairseq
    /// dictionary (`dict.txt` beside the BPE files): when the model's vocabulary is that dictionary's size,
    /// token ids go through it.
    func loadTokenizer(for descriptor: ModelDescriptor) throws -> any TextTokenizer {
        if tokenizer == nil, let gguf = try tokenizerDirectory().ggufModelPath() {
            return try GGUFTokenizer.load(path: gguf)
        }
        let directory = try tokenizer ?? tokenizerDirectory().path
        let dictionaryPath = (directory as NSString).appendingPathComponent("dict.txt")
        let bpe = try BytePairTokenizer.load(directory: directory)
        guard FileManager.default.fileExists(atPath: dictionaryPath) else { return bpe }
        let dictionary = try FairseqDictionary(contentsOfFile: dictionaryPath)
        return dictionary.count == descriptor.vocabularySize ? FairseqTokenizer(bpe: bpe, dictionary: dictionary) : bpe
    }
}
