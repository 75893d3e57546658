import Foundation
import LongMemHarness
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTokenizer

/// What an ICL run evaluates.
public struct ICLConfiguration: Sendable, Equatable {
    public var tasks: [ICLTask]
    /// Demonstrations in context (k).
    public var shots: Int
    public var seeds: [Int]
    /// Demonstrations cached in memory (memory methods only; the official 2,000).
    public var memoryDemonstrations: Int
    /// Keep the last partial memory segment (the official script drops it).
    public var keepPartialSegment: Bool
    /// Evaluate only the first `limit` examples of each task.
    public var limit: Int?
    /// Evaluate a uniform random subset of this many examples of each task (in dataset order), drawn as
    /// CPython's `random.Random(subsampleSeed).sample(range(n), k)`: the test sets of MR, Subj and MPQA list
    /// one label first, so their first N examples are not a fair subsample.
    public var subsample: Int?
    public var subsampleSeed: Int

    public init(
        tasks: [ICLTask], shots: Int, seeds: [Int], memoryDemonstrations: Int = 2_000, keepPartialSegment: Bool = false,
        limit: Int? = nil, subsample: Int? = nil, subsampleSeed: Int = 0
    ) {
        self.tasks = tasks
        self.shots = shots
        self.seeds = seeds
        self.memoryDemonstrations = memoryDemonstrations
        self.keepPartialSegment = keepPartialSegment
        self.limit = limit
        self.subsample = subsample
        self.subsampleSeed = subsampleSeed
    }
}

/// LongMem's NLU in-context learning protocol (`eval_longmem_icl.py`), for any method:
/// for each task and seed, `random.seed(s); random.sample(train, k)` demonstrations in context, then (memory
/// methods) `random.sample(train, 2000)` from the same stream, encoded and cut into local-window segments
/// written to memory (reset per seed); every query is read with that memory and never written.
///
/// The demonstrations are the same for every query of a seed, so they are computed once into a prefix
/// cache and each query only costs its own tokens (identical results: attention is causal).
public final class ICLEvaluator {
    public static let protocolInfo = ProtocolInfo(name: "longmem_icl", version: 1)

    let model: MemoryAugmentedModel
    let tokenizer: any TextTokenizer
    let boundaries: SequenceBoundaries
    let configuration: ICLConfiguration
    let datasets: [ICLTask: ICLDataset]

    public init(
        model: MemoryAugmentedModel, tokenizer: any TextTokenizer, configuration: ICLConfiguration,
        dataDirectory: String
    ) throws {
        guard configuration.shots >= 0 else {
            throw TasksError.invalidOption(option: "--shots", detail: "must not be negative")
        }
        guard configuration.seeds.allSatisfy({ $0 >= 0 }) else {
            throw TasksError.invalidOption(option: "--seeds", detail: "seeds must be non-negative integers")
        }
        guard configuration.limit == nil || configuration.subsample == nil else {
            throw TasksError.invalidOption(option: "--subsample", detail: "cannot be combined with --limit")
        }
        self.model = model
        self.tokenizer = tokenizer
        boundaries = try SequenceBoundaries.forTokenizer(tokenizer)
        self.configuration = configuration
        var datasets: [ICLTask: ICLDataset] = [:]
        let memoryCount = model.memory == nil ? 0 : configuration.memoryDemonstrations
        for task in configuration.tasks {
            let dataset = try ICLDataset(task: task, dataDirectory: dataDirectory)
            for (option, count) in [("--shots", configuration.shots), ("--memory-demos", memoryCount)]
            where count > dataset.train.count {
                throw TasksError.invalidOption(
                    option: option,
                    detail: "\(count) is more than \(task.id)'s \(dataset.train.count) training examples")
            }
            if let subsample = configuration.subsample, subsample > dataset.evaluation.count {
                throw TasksError.invalidOption(
                    option: "--subsample",
                    detail: "\(subsample) is more than \(task.id)'s \(dataset.evaluation.count) evaluation examples")
            }
            datasets[task] = dataset
        }
        self.datasets = datasets
        queries = try datasets.mapValues { try Self.queryIndices(count: $0.evaluation.count, configuration) }
    }

    /// The evaluation examples each task scores, in dataset order.
    let queries: [ICLTask: [Int]]

    public static func queryIndices(count: Int, _ configuration: ICLConfiguration) throws -> [Int] {
        if let subsample = configuration.subsample {
            var random = PythonRandom(seed: UInt64(configuration.subsampleSeed))
            return try random.sample(populationCount: count, k: subsample).sorted()
        }
        return Array(0..<min(count, configuration.limit ?? .max))
    }

    /// Demonstrations written to memory: none for methods without memory.
    var memoryDemonstrations: Int { model.memory == nil ? 0 : configuration.memoryDemonstrations }

    /// The files the run reads.
    public var dataFiles: [String] { configuration.tasks.flatMap { datasets[$0]!.files } }

    /// How many query samples the run covers (before sharding).
    public var sampleCount: Int {
        configuration.tasks.reduce(0) { $0 + queries[$1]!.count } * configuration.seeds.count
    }

    /// Scores every sample the run's shard owns and has not finished, recording each as it completes.
    public func run(_ run: EvaluationRun, progress: ProgressReporter) throws {
        var position = 0
        for task in configuration.tasks {
            let dataset = datasets[task]!
            for seed in configuration.seeds {
                let pending = queries[task]!.filter { index in
                    defer { position += 1 }
                    return run.specification.shard.owns(position) && !run.isFinished(sampleID(task, seed, index))
                }
                guard !pending.isEmpty else { continue }
                try evaluate(task: task, dataset: dataset, seed: seed, queries: pending, run: run, progress: progress)
            }
        }
    }

    /// The official draw: `random.seed(seed); random.sample(train, shots)`, then `random.sample(train, memory)`
    /// from the same stream (indices into the train pool).
    public static func drawDemonstrations(
        seed: Int, poolSize: Int, shots: Int, memory: Int
    ) throws -> (
        shots: [Int], memory: [Int]
    ) {
        var random = PythonRandom(seed: UInt64(seed))
        let drawn = try random.sample(populationCount: poolSize, k: shots)
        return (drawn, try random.sample(populationCount: poolSize, k: memory))
    }

    func sampleID(_ task: ICLTask, _ seed: Int, _ index: Int) -> String { "\(task.id)/seed\(seed)/\(index)" }

    /// One task and seed: draw demonstrations, fill memory, score `queries`.
    private func evaluate(
        task: ICLTask, dataset: ICLDataset, seed: Int, queries: [Int], run: EvaluationRun, progress: ProgressReporter
    ) throws {
        let (shots, memoryIndices) = try Self.drawDemonstrations(
            seed: seed, poolSize: dataset.train.count, shots: configuration.shots, memory: memoryDemonstrations)
        var setup = try fillMemory(task: task, dataset: dataset, indices: memoryIndices)

        let demonstrations = shots.map { dataset.train[$0] }.map { task.demonstration(text: $0.text, label: $0.label) }
        let demonstrationTokens = demonstrations.flatMap { boundaries.encode($0, with: tokenizer) }
        let window = model.descriptor.contextLength
        let cache = try model.makePrefixCache(capacity: window)
        let cachedDemonstrations = demonstrationTokens.count < window
        if cachedDemonstrations && !demonstrationTokens.isEmpty {
            _ = try model.hiddenStates(appending: demonstrationTokens, to: cache)
        }
        setup["demo_prefix_tokens"] = .int(cachedDemonstrations ? demonstrationTokens.count : 0)
        setup["shot_indices"] = .array(shots.map { .int($0) })
        let setupID = "\(task.id)/seed\(seed)/setup"
        if !run.isFinished(setupID) {
            let computed = Int(setup["memory_demo_tokens_fed"]?.doubleValue ?? 0) + demonstrationTokens.count
            setup["tokens_computed"] = .int(cachedDemonstrations ? computed : computed - demonstrationTokens.count)
            try run.record(
                SampleRecord(
                    id: setupID, labels: ["task": task.id, "seed": String(seed), "record": "setup"],
                    inputSHA256: Digest.sha256(demonstrations.joined()), details: setup))
        }
        let labelTokens = task.labelWords.map { tokenizer.encode(" " + $0) }
        for index in queries {
            let example = dataset.evaluation[index]
            let query = task.query(text: example.text)
            let queryTokens = Array(boundaries.encode(query, with: tokenizer).dropLast())
            var scoring = Scoring(prompt: demonstrationTokens + queryTokens, window: window)
            if cachedDemonstrations && scoring.fits(labels: labelTokens) {
                cache.rewind(to: demonstrationTokens.count)
                try scoring.score(appending: queryTokens, labels: labelTokens, model: model, cache: cache)
            } else {
                try scoring.scoreTruncated(labels: labelTokens, model: model)
            }
            try run.record(
                record(
                    task: task, seed: seed, index: index, example: example, prompt: demonstrations.joined() + query,
                    shots: shots, scoring: scoring))
            progress.advance()
        }
    }

    /// Memory methods: the memory demonstrations, each `start line end`, concatenated and cut into
    /// local-window segments (the last partial one dropped unless asked), written in order. Returns what
    /// the seed's setup record notes about it.
    private func fillMemory(task: ICLTask, dataset: ICLDataset, indices: [Int]) throws -> [String: JSONValue] {
        guard model.memory != nil else { return [:] }
        model.resetMemory()
        let stream = indices.flatMap { index -> [Int] in
            let example = dataset.train[index]
            return boundaries.encode(task.demonstration(text: example.text, label: example.label), with: tokenizer)
        }
        let window = model.descriptor.contextLength
        let whole = stream.count / window * window
        let kept = configuration.keepPartialSegment ? stream.count : whole
        for start in stride(from: 0, to: kept, by: window) {
            _ = try model.forwardSegment(Array(stream[start..<min(start + window, kept)]), remember: true)
        }
        let statistics = model.memoryStatistics
        return [
            "memory_demo_indices": .array(indices.map { .int($0) }), "memory_demo_tokens": .int(stream.count),
            "memory_demo_tokens_fed": .int(kept), "segments": .int((kept + window - 1) / window),
            "tokens_written": .int(statistics.tokensWritten), "tokens_resident": .int(statistics.tokensResident),
            "tokens_evicted": .int(statistics.tokensEvicted),
        ]
    }

    private func record(
        task: ICLTask, seed: Int, index: Int, example: ICLExample, prompt: String, shots: [Int], scoring: Scoring
    ) -> SampleRecord {
        let gold = task.labelWords[example.label]
        let prediction = tokenizer.decode([scoring.greedyToken]).trimmingCharacters(in: .whitespacesAndNewlines)
        let ranked = scoring.labelScores.indices.max { scoring.labelScores[$0] < scoring.labelScores[$1] } ?? 0
        var scores: [String: JSONValue] = [:]
        for (word, score) in zip(task.labelWords, scoring.labelScores) { scores[word] = .double(score) }
        return SampleRecord(
            id: sampleID(task, seed, index),
            labels: ["task": task.id, "seed": String(seed), "shots": String(configuration.shots)],
            inputSHA256: Digest.sha256(prompt), prompt: prompt, candidates: task.labelWords, scores: scores,
            prediction: prediction,
            correct: [
                "greedy_prefix": !prediction.isEmpty && gold.hasPrefix(prediction),
                "label_rank": ranked == example.label,
            ],
            details: [
                "label": .string(gold), "demo_indices": .array(shots.map { .int($0) }),
                "predicted_token": .int(scoring.greedyToken), "label_rank_prediction": .string(task.labelWords[ranked]),
                "prompt_tokens": .int(scoring.promptLength), "truncated": .bool(scoring.truncated),
                "tokens_computed": .int(scoring.tokensComputed),
            ])
    }
}

/// Scoring one query: the greedy next token after the prompt and each label word's log-likelihood.
struct Scoring {
    let prompt: [Int]
    let window: Int
    private(set) var greedyToken = 0
    private(set) var labelScores: [Double] = []
    private(set) var truncated = false
    private(set) var tokensComputed = 0

    init(prompt: [Int], window: Int) {
        self.prompt = prompt
        self.window = window
    }

    var promptLength: Int { prompt.count }

    /// Whether prompt and the longest label fit the local window.
    func fits(labels: [[Int]]) -> Bool { prompt.count + (labels.map(\.count).max() ?? 0) - 1 <= window }

    /// Prompt = cached demonstrations + `query`: computes the query tokens, then label continuations.
    mutating func score(appending query: [Int], labels: [[Int]], model: MemoryAugmentedModel, cache: PrefixCache) throws
    {
        let hidden = try model.hiddenStates(appending: query, to: cache)
        tokensComputed += query.count
        let afterQuery = cache.count
        let last = hidden.rows - 1
        let first = LogitReduction.predictions(
            hidden: hidden, head: model.outputHead, rows: Array(repeating: last, count: labels.count + 1),
            targets: [nil] + labels.map { $0.first })
        greedyToken = first[0].argmax
        labelScores = try labels.enumerated().map { offset, tokens in
            var total = first[offset + 1].targetLogProbability ?? -.infinity
            if tokens.count > 1 {
                cache.rewind(to: afterQuery)
                let continued = try model.hiddenStates(appending: Array(tokens.dropLast()), to: cache)
                tokensComputed += tokens.count - 1
                let rest = LogitReduction.predictions(
                    hidden: continued, head: model.outputHead, rows: Array(0..<(tokens.count - 1)),
                    targets: tokens.dropFirst().map { $0 })
                total += rest.reduce(0) { $0 + ($1.targetLogProbability ?? 0) }
            }
            return total
        }
    }

    /// Prompts longer than the window (or whose demonstrations were not cached): each label is scored
    /// in one forward pass over the last `window` tokens of prompt + label.
    mutating func scoreTruncated(labels: [[Int]], model: MemoryAugmentedModel) throws {
        let longest = labels.map(\.count).max() ?? 1
        truncated = prompt.count + longest - 1 > window
        let sequences = labels.map { Array((prompt + $0.dropLast()).suffix(window)) }
        let hidden = try model.hiddenStates(for: sequences)
        var rows: [Int] = [], targets: [Int?] = [], row = 0
        for (sequence, tokens) in zip(sequences, labels) {
            let first = sequence.count - tokens.count
            rows += (0..<tokens.count).map { row + first + $0 }
            targets += tokens.map { $0 }
            row += sequence.count
        }
        // The greedy token after the prompt: the first label sequence's row before its label.
        rows.append(sequences[0].count - labels[0].count)
        targets.append(nil)
        let predictions = LogitReduction.predictions(
            hidden: hidden, head: model.outputHead, rows: rows, targets: targets)
        greedyToken = predictions.last!.argmax
        var cursor = 0
        labelScores = labels.map { tokens in
            defer { cursor += tokens.count }
            return predictions[cursor..<(cursor + tokens.count)].reduce(0) { $0 + ($1.targetLogProbability ?? 0) }
        }
        tokensComputed += sequences.reduce(0) { $0 + $1.count }
    }
}
