import ArgumentParser
import Foundation
import LongMemCluster
import LongMemHarness

/// `longmem-eval cluster`: an evaluation as shards on the schedulers research groups have.
struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Run an evaluation as shards on Slurm or Kubernetes: write the jobs (and submit them to Slurm).",
        discussion: """
            Give the evaluation after --, as you would run it on one machine (`-- icl --model smollm2-135m \
            --tasks sst2`). Each shard runs that exact command with `--shard auto` (Slurm) or `--shard auto/n` \
            (Kubernetes) into <run folder>/shards/<i> on a filesystem every node shares; a shard the scheduler \
            reruns resumes from its own samples. A job after them merges the shards into <run folder> and writes \
            <run folder>/report. See README, "Running on a cluster".
            """,
        subcommands: [ClusterSlurmCommand.self, ClusterKubernetesCommand.self]
    )
}

/// What both schedulers' commands share: the shards and the evaluation.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Shards: one array task or pod each.")
    var shards: Int

    @Option(help: "Job name: lowercase letters, digits and hyphens (default: <task>-<hash of the command>).")
    var name: String?

    @Argument(
        parsing: .postTerminator,
        help: "The evaluation command line after --, without longmem-eval (icl, chapterbreak or ppl and its options).")
    var command: [String] = []

    /// The job name: given, or the task and a hash of the command (the same command, the same name).
    var jobName: String {
        name ?? "\(command.first ?? "run")-" + Digest.sha256(command.joined(separator: "\0")).prefix(8)
    }

    /// The evaluation after `--`, checked as `longmem-eval` would parse it, into `runFolder`.
    func evaluation(runFolder: String) throws -> ShardedEvaluation {
        guard !command.isEmpty else {
            throw CommandLineNames.Message("give the evaluation after --, as in -- icl --model smollm2-135m")
        }
        let parsed: ParsableCommand
        do { parsed = try LongMemEval.parseAsRoot(command) } catch {
            throw CommandLineNames.Message(
                "the evaluation after --: "
                    + LongMemEval.message(for: error).split(separator: "\n").joined(separator: " "))
        }
        guard let task = parsed as? EvaluationCommand else {
            throw CommandLineNames.Message(
                "the evaluation after --: \(command.first ?? "nothing") is not an evaluation (icl, chapterbreak or ppl)"
            )
        }
        // Each shard's --shard and --output are the cluster's to set; --fresh would discard a rerun shard's samples.
        let run = task.runOptions
        for (given, option) in [
            (run.output != nil, "--output"), (run.shard != "0/1", "--shard"), (run.fresh, "--fresh"),
        ]
        where given {
            throw CommandLineNames.Message(
                "the evaluation after --: remove \(option); the cluster sets each shard's --shard and --output, "
                    + "and a rerun shard resumes")
        }
        return try ShardedEvaluation(arguments: command, shards: shards, runFolder: runFolder, name: jobName)
    }

    /// `path` absolute, from the current folder.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path
    }
}
