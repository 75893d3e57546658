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

    public var description: String {
        switch self {
        case .unknownTask(let name, let known):
            return "unknown task '\(name)' (known: \(known.joined(separator: ", ")))"
        case .missingData(let path): return "\(path): dataset file not found (see `longmem-eval datasets list`)"
        case .unreadableData(let path, let reason): return "\(path): cannot read: \(reason)"
        case .malformedRow(let path, let line, let detail): return "\(path):\(line): \(detail)"
        case .invalidSetting(let setting, let detail): return "\(setting.rawValue): \(detail)"
        case .emptyText(let source): return "\(source): empty text, nothing to score"
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
