import Foundation
import LongMemCluster
import LongMemTestSupport
import Testing

@Suite("Slurm job scripts: snapshots, arguments passed unchanged, failed shards requeued, bad settings refused")
struct SlurmBatchTests {
    static let resources = SlurmBatch.Resources(
        partition: "cpu", cpusPerTask: 4, time: "1-12:00:00", arrayLimit: 2, retries: 2)

    static func batch(
        executable: String = "/opt/longmem-eval/bin/longmem-eval", runFolder: String = "/shared/runs/ppl-demo"
    )
        throws -> SlurmBatch
    {
        try SlurmBatch(
            evaluation: try ClusterFixtures.evaluation(runFolder: runFolder), executable: executable,
            workingDirectory: "/shared/work", resources: resources)
    }

    @Test("the array and merge scripts match their snapshots")
    func snapshots() throws {
        try ClusterFixtures.check(try Self.batch().shardsScript, snapshot: "slurm/shards.sbatch")
        try ClusterFixtures.check(try Self.batch().mergeScript, snapshot: "slurm/merge.sbatch")
        let bare = try SlurmBatch(
            evaluation: try ClusterFixtures.evaluation(), executable: "/usr/local/bin/longmem-eval",
            workingDirectory: "/shared/work", resources: .init())
        #expect(bare.shardsScript.contains("#SBATCH --array=0-3\n") && !bare.shardsScript.contains("--partition"))
    }

    /// A stand-in for longmem-eval and scontrol: appends its name and arguments (NUL-separated) to a log, exits
    /// with `status`.
    static func standIn(_ path: String, log: String, status: Int32 = 0) throws {
        try """
        #!/bin/bash
        { printf '%s\\0' "$(basename "$0")" "$@"; printf '\\n'; } >> '\(log)'
        exit \(status)

        """.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// Runs `script` with bash in `folder`; the calls its stand-ins logged, and its exit status.
    static func run(_ script: String, in folder: String, environment: [String: String]) throws -> ([[String]], Int32) {
        let path = folder + "/job.sbatch", log = folder + "/calls.log"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [path]
        process.environment = ["PATH": folder + "/bin:/usr/bin:/bin"].merging(environment) { $1 }
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let calls = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map {
            $0.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
        }
        return (calls, process.terminationStatus)
    }

    static func folder(status: Int32) throws -> String {
        let folder = FixturePaths.temporaryDirectory("longmem-cluster-test")
        try FileManager.default.createDirectory(atPath: folder + "/bin", withIntermediateDirectories: true)
        try standIn(folder + "/bin/longmem-eval", log: folder + "/calls.log", status: status)
        try standIn(folder + "/bin/scontrol", log: folder + "/calls.log")
        return folder
    }

    @Test("task 2 runs the exact command with --shard auto into shards/2; merge and report get every shard")
    func exactCommands() throws {
        let folder = try Self.folder(status: 0)
        let batch = try Self.batch(executable: folder + "/bin/longmem-eval")
        let (calls, status) = try Self.run(batch.shardsScript, in: folder, environment: ["SLURM_ARRAY_TASK_ID": "2"])
        let run = batch.evaluation.runFolder
        #expect(status == 0)
        #expect(
            calls == [
                ["longmem-eval"] + ClusterFixtures.arguments + ["--shard", "auto", "--output", run + "/shards/2"]
            ])

        try FileManager.default.removeItem(atPath: folder + "/calls.log")
        let (merge, mergeStatus) = try Self.run(batch.mergeScript, in: folder, environment: [:])
        #expect(mergeStatus == 0)
        #expect(
            merge == [
                ["longmem-eval", "merge"] + (0..<4).map { "\(run)/shards/\($0)" } + ["--output", run],
                ["longmem-eval", "report", run, "--out", run + "/report"],
            ])
    }

    @Test("a task whose program fails requeues itself while it has retries left, and exits with its status")
    func requeue() throws {
        for (restarts, requeued) in [(nil, true), ("1", true), ("2", false)] as [(String?, Bool)] {
            let folder = try Self.folder(status: 137)
            let batch = try Self.batch(executable: folder + "/bin/longmem-eval")
            var environment = ["SLURM_ARRAY_TASK_ID": "1", "SLURM_JOB_ID": "77"]
            environment["SLURM_RESTART_COUNT"] = restarts
            let (calls, status) = try Self.run(batch.shardsScript, in: folder, environment: environment)
            #expect(status == 137)
            #expect(
                calls.dropFirst().map { $0 } == (requeued ? [["scontrol", "requeue", "77"]] : []), "\(restarts ?? "-")")
        }
    }

    @Test("settings Slurm cannot take are refused with one line naming them")
    func refused() throws {
        let evaluation = try ClusterFixtures.evaluation()
        func make(_ resources: SlurmBatch.Resources, runFolder: String? = nil, directory: String = "/w") -> String? {
            ClusterFixtures.refusal {
                let evaluation = try runFolder.map { try ClusterFixtures.evaluation(runFolder: $0) } ?? evaluation
                _ = try SlurmBatch(
                    evaluation: evaluation, executable: "/bin/longmem-eval", workingDirectory: directory,
                    resources: resources)
            }
        }
        #expect(
            make(.init(), runFolder: "/shared/my runs")
                == "run folder: /shared/my runs holds a character an #SBATCH line cannot carry (only letters, digits and _-+=/.,:@)"
        )
        #expect(make(.init(), runFolder: "/shared/100%") != nil)
        #expect(make(.init(), directory: "relative") == "working directory: relative is not an absolute path")
        #expect(
            make(.init(time: "2 hours"))
                == "time limit: 2 hours is not a Slurm time (minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S)")
        #expect(
            make(.init(time: "1:2:3:4")) != nil && make(.init(time: "90")) == nil && make(.init(time: "2-0")) == nil)
        #expect(
            make(.init(partition: "a b")) == "partition: a b is not a partition name (letters, digits and _-+=.,:@)")
        #expect(make(.init(cpusPerTask: 0)) == "CPUs per task: must be at least 1 (got 0)")
        #expect(make(.init(arrayLimit: 0)) == "array limit: must be at least 1 (got 0)")
        #expect(make(.init(retries: -1)) == "retries: must be 0 or more (got -1)")
        #expect(
            ClusterFixtures.refusal {
                _ = try ShardedEvaluation(arguments: ["icl"], shards: 0, runFolder: "/r", name: "x")
            } == "shard count: must be at least 1 (got 0)")
        #expect(
            ClusterFixtures.refusal {
                _ = try ShardedEvaluation(arguments: ["icl"], shards: 2, runFolder: "/r", name: "Big_Name")
            } == "job name: Big_Name is not 1-52 lowercase letters, digits and inner hyphens (a Kubernetes name)")
        #expect(
            ClusterFixtures.refusal {
                _ = try ShardedEvaluation(arguments: [], shards: 2, runFolder: "/r", name: "x")
            } == "evaluation command: empty: give the evaluation after --")
    }
}
