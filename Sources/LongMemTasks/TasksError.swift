import LongMemTensor

/// Errors of task adapters and their data: each names the file and line, the setting, or the sample.
public enum TasksError: Error, CustomStringConvertible, Equatable {
    case unknownTask(String, known: [String])
    case missingData(path: String)
    /// A data file that exists but cannot be read: a directory, FIFO or device, or without permission.
    case unreadableData(path: String, reason: String)
    case malformedRow(path: String, line: Int, detail: String)
    case invalidSetting(TaskSetting, detail: String)
    case emptyText(source: String)
    /// A run with no sample to score (`what`: the task, test set or split that is empty).
    case emptyEvaluation(what: String, detail: String)
    /// A NaN or infinite log-probability or metric: the model's weights or activations are not finite.
    case nonFiniteScore(sample: String, detail: String)

    public var description: String {
        switch self {
        case .unknownTask(let name, let known):
            return "unknown task '\(name)' (known: \(known.joined(separator: ", ")))"
        case .missingData(let path): return "\(path): dataset file not found (see `longmem-eval datasets list`)"
        case .unreadableData(let path, let reason): return "\(path): cannot read: \(reason)"
        case .malformedRow(let path, let line, let detail): return "\(path):\(line): \(detail)"
        case .invalidSetting(let setting, let detail): return "\(setting.rawValue): \(detail)"
        case .emptyText(let source): return "\(source): empty text, nothing to score"
        case .emptyEvaluation(let what, let detail): return "\(what): nothing to evaluate: \(detail)"
        case .nonFiniteScore(let sample, let detail):
            return "\(sample): \(detail) (the model's weights or activations are not finite)"
        }
    }
}

extension TasksError {
    /// Throws `missingData` or `unreadableData` unless `path` is a readable regular file (`RegularFile`).
    static func requireData(_ path: String) throws(TasksError) {
        do { try RegularFile.check(path) } catch {
            if case .fileNotFound = error { throw .missingData(path: path) }
            throw .unreadableData(path: path, reason: error.problem)
        }
    }
}

extension TasksError {
    /// Throws `nonFiniteScore` unless `value` (the log-probability of `what`, in `sample`) is finite. A
    /// finite model never gives NaN or infinite log-probabilities, and one would corrupt every metric.
    static func requireFinite(
        _ value: Double, sample: @autoclosure () -> String, what: @autoclosure () -> String
    ) throws(TasksError) {
        guard value.isFinite else {
            throw .nonFiniteScore(sample: sample(), detail: "the log-probability of \(what()) is \(value)")
        }
    }
}
