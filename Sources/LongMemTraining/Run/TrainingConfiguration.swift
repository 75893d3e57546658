import LongMemRuntime

/// Everything that decides a training run's result; a run folder is resumed only with the same one.
public struct TrainingConfiguration: Sendable, Codable, Equatable {
    /// Tokens per segment (the official `--tokens-per-sample 1024`).
    public var segmentLength = 1024
    /// Optimizer updates.
    public var steps: Int
    /// Segments per update (gradient accumulation; each segment still reads and then writes memory).
    public var accumulation = 1
    /// Peak learning rate of fairseq's polynomial decay (official 2e-4, linear to 0, no warm-up).
    public var learningRate: Float = 2e-4
    public var warmup = 0
    /// Global gradient-norm clip; nil = none (the official recipe does not clip).
    public var clipNorm: Float?
    public var adam = AdamW.Settings()
    public var memory: MemoryConfiguration
    public var initialisation: SideNetInitialisation
    /// Updates between checkpoints (and validation).
    public var checkpointInterval = 100
    /// Validation segments scored at each checkpoint (0 = none).
    public var validationSegments = 16

    public init(steps: Int, memory: MemoryConfiguration, initialisation: SideNetInitialisation) {
        self.steps = steps
        self.memory = memory
        self.initialisation = initialisation
    }

    public var schedule: LearningRateSchedule { LearningRateSchedule(peak: learningRate, warmup: warmup, total: steps) }
    public var tokensPerStep: Int { segmentLength * accumulation }

    /// Checks the settings against a backbone whose longest forward is `window` tokens.
    public func validate(window: Int?) throws {
        func require(_ ok: Bool, _ setting: TrainingSetting, _ detail: String) throws {
            if !ok { throw TrainingError.invalidSetting(setting, detail: detail) }
        }
        try require(learningRate > 0 && learningRate.isFinite, .learningRate, "\(learningRate) must be positive")
        try require(steps > 0, .steps, "\(steps) must be positive")
        try require(accumulation > 0, .accumulation, "\(accumulation) must be positive")
        try require(warmup >= 0 && warmup < steps, .warmup, "\(warmup) must be in 0..<steps")
        try require(clipNorm.map { $0 > 0 && $0.isFinite } ?? true, .clipNorm, "\(clipNorm ?? 0) must be positive")
        try require(adam.weightDecay >= 0, .weightDecay, "\(adam.weightDecay) must not be negative")
        try require(checkpointInterval > 0, .checkpointInterval, "\(checkpointInterval) must be positive")
        try require(validationSegments >= 0, .validation, "\(validationSegments) segments must not be negative")
        try require(
            segmentLength > 0 && segmentLength.isMultiple(of: memory.chunkSize), .segmentLength,
            "\(segmentLength) must be a positive multiple of the memory chunk size \(memory.chunkSize)")
        if let window {
            try require(
                segmentLength <= window, .segmentLength,
                "\(segmentLength) is longer than the backbone's window of \(window)")
        }
    }
}
