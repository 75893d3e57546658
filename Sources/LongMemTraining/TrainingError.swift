/// Why training cannot start or continue; each names the file or setting at fault.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case unsupportedBackbone(String)
    case invalidSetting(TrainingSetting, detail: String)
    /// A checkpoint or SideNet file that does not fit this model or run.
    case incompatibleCheckpoint(path: String, detail: String)
    case corpus(path: String, detail: String)

    public var description: String {
        switch self {
        case .unsupportedBackbone(let detail): "cannot train a SideNet for this backbone: \(detail)"
        case .invalidSetting(let setting, let detail): "\(setting.rawValue): \(detail)"
        case .incompatibleCheckpoint(let path, let detail): "\(path): \(detail)"
        case .corpus(let path, let detail): "\(path): \(detail)"
        }
    }
}

/// The training settings a caller chooses (the CLI maps them to its flags).
public enum TrainingSetting: String, Sendable {
    case learningRate = "learning rate"
    case steps = "steps"
    case segmentLength = "segment length"
    case accumulation = "gradient accumulation"
    case warmup = "warm-up steps"
    case clipNorm = "clip norm"
    case weightDecay = "weight decay"
    case checkpointInterval = "checkpoint interval"
    case validation = "validation"
}
