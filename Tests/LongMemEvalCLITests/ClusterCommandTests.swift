import Foundation
import LongMemTestSupport
import Testing

@Suite("cluster slurm and cluster kubernetes: the job files, submission through sbatch, one-line refusals")
struct ClusterCommandTests {
    static let evaluation = Runs.icl(["--shots", "4", "--limit", "3"])

    /// Runs `longmem-eval cluster arguments...` in `folder` with `path` first on PATH.
    static func cluster(
        _ arguments: [String], in folder: String, path: String? = nil
    ) throws -> CommandLineRunner.Outcome {
        var environment: [String: String] = [:]
        if let path {
            environment["PATH"] = path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        }
        return try CommandLineRunner.run(["cluster"] + arguments, environment: environment, directory: folder)
    }

    @Test("slurm writes the array and merge scripts into the run folder; --submit chains them with afterok")
    func slurm() throws {
        let folder = FixturePaths.temporaryDirectory()
        // A stand-in sbatch: logs its arguments, prints job ids the way --parsable does (with a cluster name once).
        try FileManager.default.createDirectory(atPath: folder + "/bin", withIntermediateDirectories: true)
        try """
        #!/bin/bash
        echo "$*" >> '\(folder)/sbatch.log'
        n=$(wc -l < '\(folder)/sbatch.log')
        if [ "$n" -eq 1 ]; then echo "41;main"; else echo 42; fi

        """.write(toFile: folder + "/bin/sbatch", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder + "/bin/sbatch")
        let outcome = try Self.cluster(
            ["slurm", "--shards", "3", "--array-limit", "2", "--partition", "cpu", "--submit", "--"] + Self.evaluation,
            in: folder, path: folder + "/bin")
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        let run = try #require(lines.first?.replacingOccurrences(of: "/slurm/shards.sbatch", with: ""))
        #expect(
            run.hasPrefix(URL(fileURLWithPath: folder).resolvingSymlinksInPath().path + "/Reports/runs/icl-"), "\(run)")
        let script = try String(contentsOfFile: run + "/slurm/shards.sbatch", encoding: .utf8)
        #expect(script.contains("#SBATCH --array=0-2%2\n") && script.contains("#SBATCH --partition=cpu\n"))
        #expect(script.contains(" --shard auto --output \"$run/shards/$SLURM_ARRAY_TASK_ID\"\n"))
        #expect(FileManager.default.fileExists(atPath: run + "/logs"))
        let submitted = try String(contentsOfFile: folder + "/sbatch.log", encoding: .utf8)
        #expect(
            submitted
                == "--parsable \(run)/slurm/shards.sbatch\n--parsable --dependency=afterok:41 \(run)/slurm/merge.sbatch\n"
        )
        #expect(lines.last == "submitted: shards as job 41 (3 tasks), merge and report as job 42 (afterok)")
    }

    @Test("kubernetes writes the Indexed Job and the merge Job")
    func kubernetes() throws {
        let folder = FixturePaths.temporaryDirectory()
        let outcome = try Self.cluster(
            ["kubernetes", "--shards", "5", "--image", "longmem-eval:test", "--name", "demo", "--out", folder, "--"]
                + Self.evaluation, in: folder)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let job = try String(contentsOfFile: folder + "/demo.yaml", encoding: .utf8)
        #expect(job.contains("completionMode: \"Indexed\"\n") && job.contains("  completions: 5\n"))
        #expect(job.contains("- \"auto/5\"\n") && job.contains("- \"/runs/demo/shards/$(JOB_COMPLETION_INDEX)\"\n"))
        #expect(FileManager.default.fileExists(atPath: folder + "/demo-merge.yaml"))
    }

    @Test(
        "a command that is no evaluation, sets --output, --shard or --fresh, bad settings: one line, nothing written",
        arguments: [
            (
                ["slurm", "--shards", "2", "--"] + evaluation + ["--output", "x"],
                "Error: the evaluation after --: remove --output"
            ),
            (
                ["slurm", "--shards", "2", "--"] + evaluation + ["--shard", "0/2"],
                "Error: the evaluation after --: remove --shard"
            ),
            (
                ["slurm", "--shards", "2", "--"] + evaluation + ["--fresh"],
                "Error: the evaluation after --: remove --fresh"
            ),
            (
                ["slurm", "--shards", "2", "--", "merge", "a", "--output", "b"],
                "Error: the evaluation after --: merge is not an evaluation"
            ),
            (
                ["slurm", "--shards", "2", "--", "icl", "--shots", "4"],
                "Error: the evaluation after --: Missing expected argument '--model <model>'"
            ),
            (["slurm", "--shards", "2"], "Error: give the evaluation after --, as in -- icl --model smollm2-135m"),
            (["slurm", "--shards", "0", "--"] + evaluation, "Error: --shards: must be at least 1 (got 0)"),
            (["slurm", "--shards", "2", "--time", "2h", "--"] + evaluation, "Error: --time: 2h is not a Slurm time"),
            (["slurm", "--shards", "2", "--output", "my runs", "--"] + evaluation, "Error: --output: "),
            (["slurm", "--shards", "2", "--name", "My_Run", "--"] + evaluation, "Error: --name: My_Run is not"),
            (
                ["kubernetes", "--shards", "2", "--image", "i", "--output", "/tmp/x", "--"] + evaluation,
                "Error: --output: /tmp/x is not on the runs volume"
            ),
            (
                ["kubernetes", "--shards", "2", "--image", "i", "--memory", "lots", "--"] + evaluation,
                "Error: --memory: lots is not a Kubernetes quantity"
            ),
        ] as [([String], String)])
    func refused(_ arguments: [String], _ expected: String) throws {
        let folder = FixturePaths.temporaryDirectory()
        let outcome = try Self.cluster(arguments, in: folder)
        let message = outcome.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(outcome.status != 0)
        #expect(message.hasPrefix(expected) && !message.contains("\n"), "\(message)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "a refused command wrote files")
    }
}
