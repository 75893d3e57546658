import ArgumentParser
import Foundation
import LongMemData
import LongMemHarness
import LongMemTasks

/// Where a run writes, which part of it this process does, and how loudly.
struct RunOptions: ParsableArguments {
    @Option(
        help:
            "Run folder (default: Reports/runs/<task>-<model>-<method>-<hash of the options>); rerunning the same command resumes it."
    )
    var output: String?

    @Flag(help: "Discard what the run folder holds and start again.")
    var fresh = false

    @Option(
        help: """
            Run only shard i of n (i/n); `longmem-eval merge` recombines the shards. `auto` takes i and n from a \
            Slurm job array task (SLURM_ARRAY_TASK_ID, _MIN, _COUNT; contiguous arrays only); `auto/n` takes i \
            from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) with n its completions.
            """)
    var shard: String = "0/1"

    @Flag(help: "No progress output.")
    var quiet = false

    @Option(help: "Data directory (default: $LONGMEM_EVAL_DATA, else ~/.cache/longmem-eval/datasets).")
    var dataDir: String?

    /// `auto` is resolved when the command runs, where its errors are one line without the usage text.
    func validate() throws {
        if !SchedulerShard.isAutomatic(shard) { try CommandLineNames.retelling { _ = try parsedShard() } }
    }

    func parsedShard(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard {
        try SchedulerShard.resolve(shard, environment: environment)
    }

    var dataDirectory: DataDirectory { DataDirectory.resolve(explicit: dataDir) }

    /// The run folder for `specification`: `--output`, else a name derived from everything that defines it.
    func folder(for specification: RunSpecification) -> String {
        if let output { return output }
        let identity = Digest.sha256(RunFolder.canonicalJSON(specification.unsharded)).prefix(8)
        var name = "\(specification.task)-\(specification.model.name)-\(specification.method)-\(identity)"
        if specification.shard.count > 1 { name += "-shard\(specification.shard.index)of\(specification.shard.count)" }
        return "Reports/runs/" + name
    }
}

enum RunFolder {
    /// Sorted-key JSON: equal specifications give equal strings.
    static func canonicalJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }
}
