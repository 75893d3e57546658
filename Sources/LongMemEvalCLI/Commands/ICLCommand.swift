import ArgumentParser
import Foundation
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
    var memoryDemos: Int = 2_000

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
        _ = try parsedTasks()
        _ = try parsedSeeds()
        guard shots >= 0 else { throw ValidationError("--shots must not be negative") }
        guard memoryDemos >= 0 else { throw ValidationError("--memory-demos must not be negative") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if let subsample, subsample < 1 { throw ValidationError("--subsample must be at least 1") }
        guard subsampleSeed >= 0 else { throw ValidationError("--subsample-seed must not be negative") }
        if limit != nil, subsample != nil { throw ValidationError("--limit and --subsample cannot be combined") }
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

    func parsedSeeds() throws -> [Int] { try SeedList.parse(seeds) }

    func run() throws {
        var method = methodOptions
        method.chunkSize = method.chunkSize ?? 2  // the official ICL script overrides the chunk size to 2
        let runner = try TaskRunner(modelOptions: modelOptions, methodOptions: method)
        let data = runOptions.dataDirectory
        let configuration = ICLConfiguration(
            tasks: try parsedTasks(), shots: shots, seeds: try parsedSeeds(), memoryDemonstrations: memoryDemos,
            keepPartialSegment: keepPartial, limit: limit, subsample: subsample, subsampleSeed: subsampleSeed)
        let evaluator = try ICLEvaluator(
            model: runner.model, tokenizer: runner.tokenizer, configuration: configuration, dataDirectory: data.path)
        let boundaries = try SequenceBoundaries.forTokenizer(runner.tokenizer)
        let options: [String: JSONValue] = [
            "tasks": .array(configuration.tasks.map { .string($0.id) }), "shots": .int(shots),
            "memory_demos": .int(runner.model.memory == nil ? 0 : memoryDemos), "keep_partial": .bool(keepPartial),
            "limit": limit.map { .int($0) } ?? .null, "separator": .string(boundaries.description),
            "subsample": subsample.map { .int($0) } ?? .null, "subsample_seed": .int(subsampleSeed),
        ]
        let specification = try runner.specification(
            task: "icl", protocolInfo: ICLEvaluator.protocolInfo, options: options, seeds: configuration.seeds,
            dataFiles: evaluator.dataFiles, dataRoot: data.path, shard: try runOptions.parsedShard(),
            notes: ["demonstrations encoded as " + boundaries.description])
        try runner.run(specification, options: runOptions, total: evaluator.sampleCount, label: "icl") {
            run, progress in
            try evaluator.run(run, progress: progress)
        }
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
            return Array(low...high)
        }
        let seeds = trimmed.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !seeds.isEmpty, seeds.count == trimmed.split(separator: ",").count, seeds.allSatisfy({ $0 >= 0 }) else {
            throw ValidationError("--seeds \(text): expected non-negative integers like 1,2,3 or a range like 1-6")
        }
        return seeds
    }
}
