/// Errors of task adapters and their data: each names the file and line, the setting, or the sample.
public enum TasksError: Error, CustomStringConvertible, Equatable {
    case unknownTask(String, known: [String])
    case missingData(path: String)
    case malformedRow(path: String, line: Int, detail: String)
    case invalidSetting(TaskSetting, detail: String)
    case emptyText(source: String)

    public var description: String {
        switch self {
        case .unknownTask(let name, let known):
            return "unknown task '\(name)' (known: \(known.joined(separator: ", ")))"
        case .missingData(let path): return "\(path): dataset file not found (see `longmem-eval datasets list`)"
        case .malformedRow(let path, let line, let detail): return "\(path):\(line): \(detail)"
        case .invalidSetting(let setting, let detail): return "\(setting.rawValue): \(detail)"
        case .emptyText(let source): return "\(source): empty text, nothing to score"
        }
    }
}
