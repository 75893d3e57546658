/// Errors of the harness: reading inputs, run folders, sample logs, shards and merging. Each names the
/// file (and line) at fault.
public enum HarnessError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case notUTF8(path: String, offset: Int)
    case emptyText(path: String)
    case unwritable(path: String, reason: String)
    case malformed(path: String, line: Int)
    case differentRun(path: String, detail: String)
    /// Another process holds the run folder's lock; `holder` is what it wrote there (pid and command).
    case locked(path: String, holder: String)
    case invalidShard(String)
    /// `shard auto` (or `auto/n`, `spec`) where the scheduler's environment names no shard (see `SchedulerShard`).
    case schedulerShard(spec: String, detail: String)
    case mergeMismatch(path: String, detail: String)
    /// A merge's output folder is the shard folder `shard` or inside it.
    case outputInShard(path: String, shard: String)
    case missingResults(path: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path): return "\(path): file not found"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .notUTF8(let path, let offset): return "\(path): not valid UTF-8 (first bad byte at offset \(offset))"
        case .emptyText(let path): return "\(path): empty text, nothing to score"
        case .unwritable(let path, let reason): return "\(path): cannot write: \(reason)"
        case .malformed(let path, let line): return "\(path):\(line): not a sample record"
        case .differentRun(let path, let detail):
            return "\(path): holds a different run (\(detail)); use another run folder or start it afresh"
        case .locked(let path, let holder): return "\(path): in use by another run (\(holder))"
        case .invalidShard(let text): return "shard \(text): expected i/n with 0 <= i < n, auto or auto/n"
        case .schedulerShard(let spec, let detail): return "shard \(spec): \(detail)"
        case .mergeMismatch(let path, let detail): return "\(path): cannot merge: \(detail)"
        case .outputInShard(let path, let shard):
            return "\(path): is shard folder \(shard) or inside it; a merge never writes into its shards"
        case .missingResults(let path): return "\(path): no run.json here (not a run folder)"
        }
    }
}
