import ArgumentParser
import LongMemModels
import LongMemRuntime

extension MethodKind: ExpressibleByArgument {}
extension MemoryPrecision: ExpressibleByArgument {}

/// `--method` and the memory bank's options, shared by every command that runs a model.
struct MethodOptions: ParsableArguments {
    @Option(help: "Evaluation method: \(MethodKind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: MethodKind = .local

    @Option(help: "Memory capacity in tokens (default: the model folder's, else 65536).")
    var memorySize: Int?

    @Option(help: "Tokens per memory chunk, the retrieval unit (default: the folder's, else 4).")
    var chunkSize: Int?

    @Option(help: "Tokens retrieved per query and head (default: the folder's, else 64).")
    var topK: Int?

    @Option(help: "Backbone block whose keys and values are cached (default: the folder's, else 3L/4 - 1).")
    var retrievalLayer: Int?

    @Flag(help: "Reproduce the official code's zero-slot reads while memory holds fewer than top-k chunks.")
    var faithfulMemory = false

    @Option(help: "Stored key/value precision: f16 (LongMem's, half the memory) or f32.")
    var memoryPrecision: MemoryPrecision = .float16

    @Option(help: "InfLLM: tokens per memory unit (default 128 at a 4,096-token window, scaled with --window).")
    var blockSize: Int?

    @Option(help: "InfLLM: the stream's first tokens every query attends to (default 128, scaled with --window).")
    var nInit: Int?

    @Option(help: "InfLLM: memory units retrieved per execution block (default 16).")
    var topk: Int?

    @Option(help: "InfLLM: representative tokens per head averaged into a unit's key (default 4).")
    var reprTopk: Int?

    @Option(help: "InfLLM: queries that share one retrieval (default 512, scaled with --window).")
    var excBlockSize: Int?

    @Option(help: "Retrieval index: exact (LongMem's) or ivf (approximate, for memories far beyond 65k tokens).")
    var memoryIndex: IndexChoice = .exact

    @Option(help: "IVF index: k-means lists per head (needs 39 chunks per list in memory to train).")
    var ivfLists: Int = 256

    @Option(help: "IVF index: lists scanned per query and head.")
    var ivfProbes: Int = 16

    enum IndexChoice: String, ExpressibleByArgument, CaseIterable {
        case exact, ivf
    }

    var memory: MemoryOptions {
        MemoryOptions(
            memorySize: memorySize, chunkSize: chunkSize, topK: topK, retrievalLayer: retrievalLayer,
            faithful: faithfulMemory, precision: memoryPrecision,
            infllm: InfLLMOptions(
                blockSize: blockSize, initialTokens: nInit, topK: topk, representativeTokens: reprTopk,
                executionBlock: excBlockSize),
            index: memoryIndex == .exact ? .exact : .ivf(lists: ivfLists, probes: ivfProbes))
    }

    /// Loads `directory` as this method's model.
    func load(_ directory: ModelDirectory) throws -> MemoryAugmentedModel {
        try MethodLoader.load(directory, method: method, memory: memory)
    }
}
