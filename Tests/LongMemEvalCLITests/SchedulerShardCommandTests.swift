import Foundation
import LongMemHarness
import LongMemTestSupport
import Testing

@Suite("--shard auto through the command line: scheduler variables, one-line refusals, a killed shard rerun")
struct SchedulerShardCommandTests {
    /// The variables of task `id` of a Slurm `--array=0-(count-1)`.
    static func slurm(_ id: Int, of count: Int) -> [String: String] {
        [
            "SLURM_JOB_ID": "\(900 + id)", "SLURM_ARRAY_JOB_ID": "900", "SLURM_ARRAY_TASK_ID": "\(id)",
            "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "\(count - 1)", "SLURM_ARRAY_TASK_COUNT": "\(count)",
            "SLURM_ARRAY_TASK_STEP": "1",
        ]
    }

    static let command = Runs.icl(["--shots", "20", "--limit", "40", "--method", "longmem"])

    @Test(
        "no scheduler, a sparse array, an index outside the count, a count of 0: one line, non-zero, nothing run",
        arguments: [
            ("auto", [:], "Error: --shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array task) nor"),
            (
                "auto", slurm(1, of: 4).merging(["SLURM_ARRAY_TASK_MAX": "6"]) { $1 },
                "Error: --shard auto: the Slurm array is sparse (SLURM_ARRAY_TASK_MIN=0, MAX=6, COUNT=4, STEP=1)"
            ),
            (
                "auto", slurm(1, of: 4).merging(["SLURM_ARRAY_TASK_STEP": "2"]) { $1 },
                "Error: --shard auto: the Slurm array is sparse"
            ),
            (
                "auto", slurm(1, of: 4).merging(["SLURM_ARRAY_TASK_ID": "4"]) { $1 },
                "Error: --shard auto: SLURM_ARRAY_TASK_ID=4 is outside the array 0-3"
            ),
            ("auto/2", ["JOB_COMPLETION_INDEX": "2"], "Error: --shard auto/2: JOB_COMPLETION_INDEX=2 is outside 0..<2"),
            (
                "auto/0", ["JOB_COMPLETION_INDEX": "0"],
                "Error: --shard auto/0: a shard count of 0: n must be at least 1"
            ),
            (
                "auto", slurm(0, of: 1).merging(["SLURM_ARRAY_TASK_COUNT": "0"]) { $1 },
                "Error: --shard auto: SLURM_ARRAY_TASK_COUNT=0: an array of no tasks"
            ),
            (
                "auto", ["JOB_COMPLETION_INDEX": "1"],
                "Error: --shard auto: JOB_COMPLETION_INDEX=1 (a Kubernetes Indexed Job) gives no shard count"
            ),
        ] as [(String, [String: String], String)])
    func refused(_ shard: String, _ environment: [String: String], _ expected: String) throws {
        let folder = FixturePaths.temporaryDirectory() + "/run"
        let outcome = try CommandLineRunner.run(
            Self.command + ["--shard", shard, "--output", folder, "--data-dir", FixturePaths.datasets],
            environment: environment)
        let message = outcome.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(outcome.status != 0)
        #expect(message.hasPrefix(expected) && !message.contains("\n"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: folder), "a refused shard created its run folder")
    }

    @Test("a shard killed mid-way and rerun (a requeue) resumes: merged, every metric and sample equal the unsharded")
    func killedShardRequeued() throws {
        let directory = FixturePaths.temporaryDirectory()
        try Runs.succeed(Self.command + ["--output", directory + "/whole"])
        let shard = { (index: Int) in
            Self.command + ["--shard", "auto", "--output", directory + "/shards/\(index)"]
        }
        for index in [0, 2] {
            let outcome = try CommandLineRunner.run(
                shard(index) + ["--data-dir", FixturePaths.datasets, "--quiet"], environment: Self.slurm(index, of: 3))
            #expect(outcome.status == 0, "\(outcome.standardError)")
        }

        // Shard 1: killed once it has logged a few samples, then started again with the same command.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLineRunner.executable)
        process.arguments = shard(1) + ["--data-dir", FixturePaths.datasets, "--quiet"]
        process.environment = ProcessInfo.processInfo.environment.merging(Self.slurm(1, of: 3)) { $1 }
        process.standardError = FileHandle.nullDevice
        try process.run()
        let samples = directory + "/shards/1/samples.jsonl"
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, Self.lineCount(samples) < 4 { usleep(20_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the shard finished before it could be killed")
        let partial = Self.lineCount(samples)
        let rerun = try CommandLineRunner.run(
            shard(1) + ["--data-dir", FixturePaths.datasets, "--quiet"], environment: Self.slurm(1, of: 3))
        #expect(rerun.status == 0, "\(rerun.standardError)")
        let resumed = try Runs.results(directory + "/shards/1")
        #expect(resumed.notes.contains { $0.hasPrefix("resumed with \(partial) of") }, "\(resumed.notes)")
        // Whole lines only, each sample once.
        let shardRecords = try Runs.records(directory + "/shards/1")
        #expect(
            Set(shardRecords.map(\.id)).count == shardRecords.count && Self.lineCount(samples) == shardRecords.count)

        let merge = try CommandLineRunner.run(
            ["merge"] + (0..<3).map { directory + "/shards/\($0)" } + ["--output", directory + "/merged"])
        #expect(merge.status == 0, "\(merge.standardError)")
        let whole = try Runs.results(directory + "/whole"), merged = try Runs.results(directory + "/merged")
        #expect(merged.metrics == whole.metrics)
        #expect(merged.tokensProcessed == whole.tokensProcessed && merged.memory == whole.memory)
        let wholeRecords = try Runs.records(directory + "/whole"),
            mergedRecords = try Runs.records(directory + "/merged")
        #expect(mergedRecords.count == wholeRecords.count && wholeRecords.count == 41)
        #expect(Self.byID(mergedRecords) == Self.byID(wholeRecords))
    }

    static func byID(_ records: [SampleRecord]) -> [String: SampleRecord] {
        Dictionary(records.map { ($0.id, $0) }) { first, _ in first }
    }

    /// Complete lines of a file (0 when it does not exist yet).
    static func lineCount(_ path: String) -> Int {
        ((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()).filter { $0 == 0x0A }.count
    }
}
