import ArgumentParser
import Foundation
import LongMemCluster
import LongMemTensor

struct ClusterSlurmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slurm",
        abstract: "Write a Slurm job array of the shards and a merge-and-report job; --submit submits both.",
        discussion: """
            Writes <run folder>/slurm/shards.sbatch (array 0-(n-1), %K with --array-limit, --requeue, logs in \
            <run folder>/logs/shard-<i>.log) and <run folder>/slurm/merge.sbatch. The jobs run in the current \
            folder with the same longmem-eval (--executable otherwise): both must be on the shared filesystem. \
            With --submit: `sbatch --parsable` the array, then the merge with --dependency=afterok:<array job>.
            """
    )

    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Run folder on the shared filesystem (default: Reports/runs/<name>).")
    var output: String?

    @Option(help: "Slurm partition.")
    var partition: String?

    @Option(help: "CPUs per shard (give the evaluation the same --threads).")
    var cpusPerTask: Int?

    @Option(help: "Time limit per shard, in Slurm's formats (minutes, H:M:S, D-H:M:S).")
    var time: String?

    @Option(help: "At most this many shards at once.")
    var arrayLimit: Int?

    @Option(help: "Requeue a shard whose program fails (killed, out of memory) at most this many times.")
    var retries: Int = 2

    @Option(help: "longmem-eval as the nodes run it (default: this executable).")
    var executable: String?

    @Flag(help: "Submit the array, then the merge-and-report job after it (afterok).")
    var submit = false

    func run() throws {
        let evaluation = try cluster.evaluation(
            runFolder: ClusterOptions.absolute(output ?? "Reports/runs/\(cluster.jobName)"))
        let current = Bundle.main.executableURL?.resolvingSymlinksInPath().path ?? CommandLine.arguments[0]
        let batch = try SlurmBatch(
            evaluation: evaluation, executable: ClusterOptions.absolute(executable ?? current),
            workingDirectory: FileManager.default.currentDirectoryPath,
            resources: .init(
                partition: partition, cpusPerTask: cpusPerTask, time: time, arrayLimit: arrayLimit, retries: retries))
        // Slurm opens the log files but does not create their folder.
        try FileManager.default.createDirectory(atPath: batch.logsFolder, withIntermediateDirectories: true)
        try AtomicFile.write(batch.shardsScript, to: batch.shardsPath, createFolder: true)
        try AtomicFile.write(batch.mergeScript, to: batch.mergePath, createFolder: true)
        print(batch.shardsPath)
        print(batch.mergePath)
        guard submit else { return }
        let array = try SlurmSubmission.submit(batch.shardsPath)
        let merge = try SlurmSubmission.submit(batch.mergePath, dependency: "afterok:\(array)")
        print(
            "submitted: shards as job \(array) (\(evaluation.shards) tasks), merge and report as job \(merge) (afterok)"
        )
    }
}
