/// What an ICL run evaluates, with the official protocol's constants.
public struct ICLConfiguration: Sendable, Equatable {
    /// `eval_longmem_icl.py` caches 2,000 demonstrations in memory...
    public static let officialMemoryDemonstrations = 2_000
    /// ...in chunks of 2 tokens (the script overrides LongMem's training chunk size of 4).
    public static let officialMemoryChunkSize = 2

    public var tasks: [ICLTask]
    /// Demonstrations in context (k).
    public var shots: Int
    public var seeds: [Int]
    /// Demonstrations cached in memory (memory methods only).
    public var memoryDemonstrations: Int
    /// The chunk size the memory must read (checked against the model's memory).
    public var memoryChunkSize: Int
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
        tasks: [ICLTask], shots: Int, seeds: [Int], memoryDemonstrations: Int = officialMemoryDemonstrations,
        memoryChunkSize: Int = officialMemoryChunkSize, keepPartialSegment: Bool = false, limit: Int? = nil,
        subsample: Int? = nil, subsampleSeed: Int = 0
    ) {
        self.tasks = tasks
        self.shots = shots
        self.seeds = seeds
        self.memoryDemonstrations = memoryDemonstrations
        self.memoryChunkSize = memoryChunkSize
        self.keepPartialSegment = keepPartialSegment
        self.limit = limit
        self.subsample = subsample
        self.subsampleSeed = subsampleSeed
    }

    /// The checks that need no data or model (the command line runs them before loading anything).
    public func validate() throws {
        func invalid(_ setting: TaskSetting, _ detail: String) -> TasksError {
            TasksError.invalidSetting(setting, detail: detail)
        }
        guard !tasks.isEmpty else { throw invalid(.tasks, "no task given") }
        guard !seeds.isEmpty, seeds.allSatisfy({ $0 >= 0 }) else {
            throw invalid(.seeds, "expected one or more non-negative integers")
        }
        guard seeds.count <= TaskLimits.seeds else {
            throw invalid(.seeds, "\(seeds.count) seeds, more than the \(TaskLimits.seeds) a run may have")
        }
        guard shots >= 0 else { throw invalid(.shots, "must not be negative") }
        guard memoryDemonstrations >= 0 else { throw invalid(.memoryDemonstrations, "must not be negative") }
        guard memoryChunkSize >= 1 else { throw invalid(.memoryChunkSize, "must be at least 1") }
        if let limit, limit < 1 { throw invalid(.limit, "must be at least 1") }
        if let subsample, subsample < 1 { throw invalid(.subsample, "must be at least 1") }
        guard subsampleSeed >= 0 else { throw invalid(.subsample, "its seed must not be negative") }
        guard limit == nil || subsample == nil else { throw invalid(.subsample, "cannot be combined with a limit") }
    }
}
