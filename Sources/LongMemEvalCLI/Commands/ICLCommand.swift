import ArgumentParser
import Foundation
import LongMemData
import LongMemHarness
import LongMemRuntime
import LongMemTasks

extension ICLTask: ExpressibleByArgument {}

struct ICLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "icl",
        abstract: "NLU in-context learning (SST-2, MR, Subj, SST-5, MPQA) as LongMem's official script.",
        discussion: """
            For each task and seed s: random.seed(s); random.sample(train, k) demonstrations in context, then for \
            memory methods random.sample(train, 2000) from the same stream cut into local-window segments and \
            written to memory (reset per seed; queries are never written). Metrics: greedy_prefix (the official: \
            the argmax token, decoded and stripped, is a non-empty prefix of the label word) and label_rank (the \
            label word with the highest log-likelihood). Per task: mean and population std over seeds.
            """
    )

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var methodOptions: MethodOptions
    @OptionGroup var runOptions: RunOptions

    @Option(help: "Tasks, comma-separated: sst2, mr, subj, sst5, mpqa (default: all five).")
    var tasks: String = ICLTask.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "Demonstrations in context (k).")
    var shots: Int = 20

    @Option(help: "Seeds: a list (1,2,3) or a range (1-6).")
    var seeds: String = "1-6"

    @Option(help: "Demonstrations cached in memory (memory methods).")
    var memoryDemos: Int = ICLConfiguration.officialMemoryDemonstrations

    @Flag(help: "Keep the last partial memory segment (the official script drops it).")
    var keepPartial = false

    @Option(help: "Evaluate only the first N examples of each task.")
    var limit: Int?

    @Option(
        help:
            "Evaluate a uniform random subset of N examples of each task, in dataset order (fair where the test set is sorted by label, as MR, Subj and MPQA are)."
    )
    var subsample: Int?

    @Option(help: "Seed of the --subsample draw (CPython's random.Random(seed).sample).")
    var subsampleSeed: Int = 0

    func validate() throws {
        try CommandLineNames.retelling { try configuration(chunkSize: nil).validate() }
    }

    func parsedTasks() throws -> [ICLTask] {
        try tasks.split(separator: ",").map {
            guard let task = ICLTask(rawValue: $0.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError(
                    "unknown task '\($0)' (known: \(ICLTask.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return task
        }
    }

    /// The run's configuration; the memory reads `chunkSize` tokens per chunk (the official 2 by default).
    func configuration(chunkSize: Int?) throws -> ICLConfiguration {
        ICLConfiguration(
            tasks: try parsedTasks(), shots: shots, seeds: try SeedList.parse(seeds), memoryDemonstrations: memoryDemos,
            memoryChunkSize: chunkSize ?? ICLConfiguration.officialMemoryChunkSize, keepPartialSegment: keepPartial,
            limit: limit, subsample: subsample, subsampleSeed: subsampleSeed)
    }

    func run() throws {
        var method = methodOptions
        method.chunkSize = method.chunkSize ?? ICLConfiguration.officialMemoryChunkSize
        let runner = try TaskRunner(modelOptions: modelOptions, methodOptions: method, runOptions: runOptions)
        let data = runOptions.dataDirectory
        let evaluator = try ICLEvaluator(
            model: runner.model, tokenizer: runner.tokenizer,
            configuration: try configuration(chunkSize: method.chunkSize),
            dataDirectory: data.path)
        try runner.run(evaluator, options: runOptions, dataRoot: data.path, label: "icl")
    }
}

/// "1-6" or "1,2,3".
enum SeedList {
    static func parse(_ text: String) throws -> [Int] {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let dash = trimmed.firstIndex(of: "-"), dash != trimmed.startIndex {
            guard let low = Int(trimmed[..<dash]), let high = Int(trimmed[trimmed.index(after: dash)...]), low <= high,
                low >= 0
            else { throw ValidationError("--seeds \(text): expected a range like 1-6 of non-negative integers") }
            // Counted before the range is made: both ends are non-negative, so the difference cannot overflow.
            guard high - low < TaskLimits.seeds else {
                throw ValidationError("--seeds \(text): more than the \(TaskLimits.seeds) seeds a run may have")
            }
            return Array(low...high)
        }
        let seeds = trimmed.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !seeds.isEmpty, seeds.count == trimmed.split(separator: ",").count, seeds.allSatisfy({ $0 >= 0 }) else {
            throw ValidationError("--seeds \(text): expected non-negative integers like 1,2,3 or a range like 1-6")
        }
        return seeds
    }
}
