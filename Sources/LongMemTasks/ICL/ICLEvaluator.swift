import Foundation
import LongMemData
import LongMemHarness
import LongMemModels
import LongMemRuntime
import LongMemTensor
import LongMemTokenizer

/// LongMem's NLU in-context learning protocol (`eval_longmem_icl.py`), for any method:
/// for each task and seed, `random.seed(s); random.sample(train, k)` demonstrations in context, then (memory
/// methods) `random.sample(train, 2000)` from the same stream, encoded and cut into local-window segments
/// written to memory (reset per seed); every query is read with that memory and never written.
///
/// The demonstrations are the same for every query of a seed, so they are computed once into a prefix
/// cache and each query only costs its own tokens (identical results: attention is causal).
public final class ICLEvaluator: Evaluator {
    public static let task = TaskKind.icl
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
        try configuration.validate()
        if let chunkSize = model.memoryChunkSize, chunkSize != configuration.memoryChunkSize {
            throw TasksError.invalidSetting(
                .memoryChunkSize,
                detail: "the model's memory reads chunks of \(chunkSize) tokens, the run asks for "
                    + "\(configuration.memoryChunkSize) (the official ICL protocol's is "
                    + "\(ICLConfiguration.officialMemoryChunkSize))")
        }
        self.model = model
        self.tokenizer = tokenizer
        boundaries = try SequenceBoundaries.forTokenizer(tokenizer)
        self.configuration = configuration
        var datasets: [ICLTask: ICLDataset] = [:]
        let memoryCount = !model.readsMemory ? 0 : configuration.memoryDemonstrations
        for task in configuration.tasks {
            let dataset = try ICLDataset(task: task, dataDirectory: dataDirectory)
            for (setting, count) in [(TaskSetting.shots, configuration.shots), (.memoryDemonstrations, memoryCount)]
            where count > dataset.train.count {
                throw TasksError.invalidSetting(
                    setting,
                    detail: "\(count) is more than \(task.id)'s \(dataset.train.count) training examples")
            }
            if let subsample = configuration.subsample, subsample > dataset.evaluation.count {
                throw TasksError.invalidSetting(
                    .subsample,
                    detail: "\(subsample) is more than \(task.id)'s \(dataset.evaluation.count) evaluation examples")
            }
            datasets[task] = dataset
        }
        self.datasets = datasets
        queries = try datasets.mapValues { try Self.queryIndices(count: $0.evaluation.count, configuration) }
        for task in configuration.tasks where datasets[task]!.evaluation.isEmpty {
            throw TasksError.emptyEvaluation(
                what: task.id, detail: "\(datasets[task]!.files[1]) holds no examples")
        }
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
    var memoryDemonstrations: Int { !model.readsMemory ? 0 : configuration.memoryDemonstrations }

    /// The files the run reads.
    public var dataFiles: [String] { configuration.tasks.flatMap { datasets[$0]!.files } }

    public var seeds: [Int]? { configuration.seeds }

    public var recordedOptions: [String: JSONValue] {
        [
            "tasks": .array(configuration.tasks.map { .string($0.id) }), "shots": .int(configuration.shots),
            "memory_demos": .int(memoryDemonstrations), "keep_partial": .bool(configuration.keepPartialSegment),
            "limit": configuration.limit.map { .int($0) } ?? .null, "separator": .string(boundaries.description),
            "subsample": configuration.subsample.map { .int($0) } ?? .null,
            "subsample_seed": .int(configuration.subsampleSeed),
        ]
    }

    public var notes: [String] { ["demonstrations encoded as " + boundaries.description] }

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
        let memory = try fillMemory(task: task, dataset: dataset, indices: memoryIndices)
        var setup = memory.details
        let demonstrations = shots.map { dataset.train[$0] }.map { task.demonstration(text: $0.text, label: $0.label) }
        let demonstrationTokens = demonstrations.flatMap { boundaries.encode($0, with: tokenizer) }
        let scorer = try ContinuationScorer(model: model)
        try scorer.cachePrefix(demonstrationTokens)
        setup["demo_prefix_tokens"] = .int(scorer.prefixCached ? demonstrationTokens.count : 0)
        setup["shot_indices"] = .array(shots.map { .int($0) })
        let setupID = "\(task.id)/seed\(seed)/setup"
        if !run.isFinished(setupID) {
            let computed = memory.fed + (scorer.prefixCached ? demonstrationTokens.count : 0)
            try run.record(
                SampleRecord(
                    id: setupID, labels: ["task": task.id, "seed": String(seed), "record": "setup"],
                    inputSHA256: Digest.sha256(demonstrations.joined()), details: setup,
                    cost: SampleCost(tokensComputed: computed, memory: memory.counters)))
        }
        let labelTokens = task.labelWords.map { tokenizer.encode(" " + $0) }
        for index in queries {
            let example = dataset.evaluation[index]
            let query = task.query(text: example.text)
            let queryTokens = Array(boundaries.encode(query, with: tokenizer).dropLast())
            let scores = try scorer.score(context: queryTokens, continuations: labelTokens)
            for (word, result) in zip(task.labelWords, scores.continuations) {
                try TasksError.requireFinite(
                    result.logLikelihood, sample: sampleID(task, seed, index), what: "the label word '\(word)'")
            }
            try run.record(
                record(
                    task: task, seed: seed, index: index, example: example, prompt: demonstrations.joined() + query,
                    promptTokens: demonstrationTokens.count + queryTokens.count, shots: shots, scores: scores))
            progress.advance()
        }
    }

    /// Memory methods: the memory demonstrations, each `start line end`, concatenated and cut into
    /// local-window segments (the last partial one dropped unless asked), written in order. Returns what
    /// the seed's setup record notes about it, the tokens fed and the memory's counters after them.
    private func fillMemory(
        task: ICLTask, dataset: ICLDataset, indices: [Int]
    ) throws -> (details: [String: JSONValue], fed: Int, counters: MemoryCounters?) {
        guard model.readsMemory else { return ([:], 0, nil) }
        let stream = indices.flatMap { index -> [Int] in
            let example = dataset.train[index]
            return boundaries.encode(task.demonstration(text: example.text, label: example.label), with: tokenizer)
        }
        let driver = try SegmentDriver(model: model)
        let segments = driver.segments(of: stream, keepPartial: configuration.keepPartialSegment)
        model.resetMemory()
        if !segments.isEmpty { try driver.write(segments: segments) }
        let fed = segments.reduce(0) { $0 + $1.count }
        let details: [String: JSONValue] = [
            "memory_demo_indices": .array(indices.map { .int($0) }), "memory_demo_tokens": .int(stream.count),
            "memory_demo_tokens_fed": .int(fed), "segments": .int(segments.count),
        ]
        return (details, fed, MemoryCounters(model.memoryStatistics))
    }

    private func record(
        task: ICLTask, seed: Int, index: Int, example: ICLExample, prompt: String, promptTokens: Int, shots: [Int],
        scores: ContextScores
    ) -> SampleRecord {
        let gold = task.labelWords[example.label]
        let prediction = tokenizer.decode([scores.greedyToken]).trimmingCharacters(in: .whitespacesAndNewlines)
        let labelScores = scores.continuations.map(\.logLikelihood)
        let ranked = labelScores.indices.max { labelScores[$0] < labelScores[$1] } ?? 0
        var scored: [String: JSONValue] = [:]
        for (word, score) in zip(task.labelWords, labelScores) { scored[word] = .double(score) }
        return SampleRecord(
            id: sampleID(task, seed, index),
            labels: ["task": task.id, "seed": String(seed), "shots": String(configuration.shots)],
            inputSHA256: Digest.sha256(prompt), prompt: prompt, candidates: task.labelWords, scores: scored,
            prediction: prediction,
            correct: [
                "greedy_prefix": !prediction.isEmpty && gold.hasPrefix(prediction),
                "label_rank": ranked == example.label,
            ],
            details: [
                "label": .string(gold), "demo_indices": .array(shots.map { .int($0) }),
                "predicted_token": .int(scores.greedyToken), "label_rank_prediction": .string(task.labelWords[ranked]),
                "prompt_tokens": .int(promptTokens), "truncated": .bool(scores.truncated),
            ],
            cost: SampleCost(tokensComputed: scores.tokensComputed))
    }
}
