import LongMemHarness
import Testing

@Suite("--shard auto: the shard from a Slurm array task's or a Kubernetes Indexed Job's environment")
struct SchedulerShardTests {
    /// The variables Slurm sets in task `id` of `--array=low-high` (step 1 unless given).
    func slurm(id: Int, low: Int, high: Int, count: Int? = nil, step: Int = 1) -> [String: String] {
        [
            "SLURM_JOB_ID": "4242", "SLURM_ARRAY_JOB_ID": "4240", "SLURM_ARRAY_TASK_ID": "\(id)",
            "SLURM_ARRAY_TASK_MIN": "\(low)", "SLURM_ARRAY_TASK_MAX": "\(high)",
            "SLURM_ARRAY_TASK_COUNT": "\(count ?? (high - low) / step + 1)", "SLURM_ARRAY_TASK_STEP": "\(step)",
        ]
    }

    func shard(_ text: String, environment: [String: String]) throws -> Shard {
        try SchedulerShard.resolve(text, environment: environment)
    }

    func message(_ text: String, _ environment: [String: String]) -> String {
        do {
            return "resolved to \(try shard(text, environment: environment))"
        } catch { return String(describing: error) }
    }

    @Test("a Slurm array task: its index from the array's first id, the count from the array")
    func slurmArrays() throws {
        #expect(try shard("auto", environment: slurm(id: 0, low: 0, high: 3)) == Shard(index: 0, count: 4))
        #expect(try shard("auto", environment: slurm(id: 3, low: 0, high: 3)) == Shard(index: 3, count: 4))
        // --array=1-10: task 7 is shard 6 of 10.
        #expect(try shard("auto", environment: slurm(id: 7, low: 1, high: 10)) == Shard(index: 6, count: 10))
        // auto/n agrees with the array; without MAX and STEP (older Slurm) the count alone decides.
        #expect(try shard("auto/4", environment: slurm(id: 2, low: 0, high: 3)) == Shard(index: 2, count: 4))
        var minimal = slurm(id: 1, low: 0, high: 1)
        minimal["SLURM_ARRAY_TASK_MAX"] = nil
        minimal["SLURM_ARRAY_TASK_STEP"] = nil
        #expect(try shard("auto", environment: minimal) == Shard(index: 1, count: 2))
        // An explicit i/n ignores the environment.
        #expect(try shard("1/3", environment: slurm(id: 0, low: 0, high: 3)) == Shard(index: 1, count: 3))
    }

    @Test("a Kubernetes Indexed Job pod: JOB_COMPLETION_INDEX of the count given as auto/n")
    func kubernetes() throws {
        #expect(try shard("auto/8", environment: ["JOB_COMPLETION_INDEX": "0"]) == Shard(index: 0, count: 8))
        #expect(try shard("auto/8", environment: ["JOB_COMPLETION_INDEX": "7"]) == Shard(index: 7, count: 8))
    }

    @Test(
        "bad input: a one-line error naming the variable",
        arguments: [
            ("auto", [:], "shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array task) nor JOB_COMPLETION_INDEX"),
            (
                "auto", ["SLURM_JOB_ID": "12"],
                "shard auto: SLURM_JOB_ID=12 is a Slurm job but not an array task; neither"
            ),
            ("auto/4", ["JOB_COMPLETION_INDEX": "4"], "shard auto/4: JOB_COMPLETION_INDEX=4 is outside 0..<4"),
            (
                "auto", ["JOB_COMPLETION_INDEX": "1"],
                "shard auto: JOB_COMPLETION_INDEX=1 (a Kubernetes Indexed Job) gives no shard count"
            ),
            ("auto/0", ["JOB_COMPLETION_INDEX": "0"], "shard auto/0: a shard count of 0: n must be at least 1"),
            ("auto/x", [:], "shard auto/x: expected i/n"),
            (
                "auto/8", ["JOB_COMPLETION_INDEX": "-1"],
                "shard auto/8: JOB_COMPLETION_INDEX=-1 is not a non-negative integer"
            ),
            (
                "auto", ["SLURM_ARRAY_TASK_ID": "1", "JOB_COMPLETION_INDEX": "1"],
                "shard auto: both SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX are set"
            ),
        ] as [(String, [String: String], String)])
    func refused(_ text: String, _ environment: [String: String], _ expected: String) {
        let told = message(text, environment)
        #expect(told.hasPrefix(expected) && !told.contains("\n"), "\(told)")
    }

    @Test("a sparse or stepped array, an id outside it, a count of 0 or another count, a missing variable")
    func slurmRefused() {
        let cases: [([String: String], String, String)] = [
            (
                slurm(id: 2, low: 0, high: 9, count: 3), "auto",
                "shard auto: the Slurm array is sparse (SLURM_ARRAY_TASK_MIN=0, MAX=9, COUNT=3, STEP=1): shards need a contiguous array such as --array=0-2"
            ),
            (
                slurm(id: 3, low: 0, high: 9, step: 3), "auto",
                "shard auto: the Slurm array is sparse (SLURM_ARRAY_TASK_MIN=0, MAX=9, COUNT=4, STEP=3)"
            ),
            (slurm(id: 9, low: 0, high: 3), "auto", "shard auto: SLURM_ARRAY_TASK_ID=9 is outside the array 0-3"),
            (slurm(id: 0, low: 1, high: 4), "auto", "shard auto: SLURM_ARRAY_TASK_ID=0 is outside the array 1-4"),
            (
                slurm(id: 0, low: 0, high: 0, count: 0), "auto",
                "shard auto: SLURM_ARRAY_TASK_COUNT=0: an array of no tasks"
            ),
            (
                slurm(id: 1, low: 0, high: 3), "auto/5",
                "shard auto/5: the shard count 5 is not the Slurm array's 4 tasks (SLURM_ARRAY_TASK_COUNT)"
            ),
            (
                slurm(id: 1, low: 0, high: 3).merging(["SLURM_ARRAY_TASK_COUNT": "four"]) { $1 }, "auto",
                "shard auto: SLURM_ARRAY_TASK_COUNT=four is not a non-negative integer"
            ),
            (
                slurm(id: 1, low: 0, high: 3).filter { $0.key != "SLURM_ARRAY_TASK_MIN" }, "auto",
                "shard auto: SLURM_ARRAY_TASK_MIN is not set (Slurm sets it in every array task)"
            ),
            (slurm(id: 0, low: Int.max, high: Int.max, count: 2), "auto", "shard auto: the Slurm array is sparse"),
        ]
        for (environment, text, expected) in cases {
            let told = message(text, environment)
            #expect(told.hasPrefix(expected) && !told.contains("\n"), "\(told)")
        }
    }
}
