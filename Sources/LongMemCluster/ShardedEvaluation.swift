/// One evaluation command run as `shards` shards on a cluster, and where its files go in the shared run
/// folder:
/// - `<run folder>/shards/<i>`: shard i's own run folder (its samples, so a rerun of the shard resumes);
/// - `<run folder>`: the merged run (`run.json`, `samples.jsonl`, `results.json`), written by `merge`;
/// - `<run folder>/report`: its report.
public struct ShardedEvaluation: Sendable {
    /// The evaluation command line without the executable (`icl --model ...`).
    public let arguments: [String]
    public let shards: Int
    /// The run folder as the jobs see it.
    public let runFolder: String
    /// The jobs' name: a Kubernetes object name (lowercase letters, digits and hyphens), which Slurm also takes.
    public let name: String

    /// Names of at most this many characters leave room for the suffixes Kubernetes adds to pod names
    /// (`-<index>-<5 characters>`) within its 63.
    public static let longestName = 52

    public init(arguments: [String], shards: Int, runFolder: String, name: String) throws(ClusterError) {
        try ClusterError.require(!arguments.isEmpty, .command, "empty: give the evaluation after --")
        try ClusterError.require(shards >= 1, .shards, "must be at least 1 (got \(shards))")
        try ClusterError.require(runFolder.hasPrefix("/"), .runFolder, "\(runFolder) is not an absolute path")
        // The generated files name it in comments, where a line break would end the comment.
        try ClusterError.require(
            !runFolder.unicodeScalars.contains { $0.properties.generalCategory == .control }, .runFolder,
            "holds a control character")
        let valid =
            (1...Self.longestName).contains(name.count)
            && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            && name.first != "-" && name.last != "-"
        try ClusterError.require(
            valid, .name,
            "\(name) is not 1-\(Self.longestName) lowercase letters, digits and inner hyphens (a Kubernetes name)")
        self.arguments = arguments
        self.shards = shards
        self.runFolder = runFolder
        self.name = name
    }

    /// The evaluation of the shard the scheduler names (`shard`: `auto` or `auto/n`), into `output`.
    public func shardArguments(shard: String, output: String) -> [String] {
        arguments + ["--shard", shard, "--output", output]
    }

    public func shardFolder(_ index: String) -> String { runFolder + "/shards/" + index }

    public var mergeArguments: [String] {
        ["merge"] + (0..<shards).map { shardFolder(String($0)) } + ["--output", runFolder]
    }

    public var reportArguments: [String] { ["report", runFolder, "--out", runFolder + "/report"] }
}
