/// Errors of run bookkeeping (output folders, sample logs, shards, merging).
public enum RunError: Error, CustomStringConvertible, Equatable {
    case unwritable(path: String, reason: String)
    case malformed(path: String, line: Int)
    case differentRun(path: String, detail: String)
    case invalidShard(String)
    case mergeMismatch(path: String, detail: String)
    case missingResults(path: String)
    case unreadable(path: String)

    public var description: String {
        switch self {
        case .unwritable(let path, let reason): return "\(path): cannot write: \(reason)"
        case .malformed(let path, let line): return "\(path):\(line): not a sample record"
        case .differentRun(let path, let detail):
            return "\(path): holds a different run (\(detail)); use another --output or --fresh"
        case .invalidShard(let text): return "--shard \(text): expected i/n with 0 <= i < n"
        case .mergeMismatch(let path, let detail): return "\(path): cannot merge: \(detail)"
        case .missingResults(let path): return "\(path): no run.json here (not a run folder)"
        case .unreadable(let path): return "\(path): cannot read the file"
        }
    }
}
