import Foundation

/// `--shard auto` and `auto/n`: the shard a cluster scheduler gave this process, read from its environment
/// (injected, so that it is tested without a scheduler).
/// - A Slurm job array task: index `SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT`.
///   Only a contiguous array (step 1, `MAX = MIN + COUNT - 1`) is accepted: a sparse one (`--array=0,2,5` or
///   `0-9:3`) would leave shard indices that no task runs, found only at merge time.
/// - A Kubernetes Indexed Job pod: index `JOB_COMPLETION_INDEX` of n, the Job's `completions`, which
///   Kubernetes does not put in the environment, so it is given as `auto/n`.
/// Anything else (no such variables, both, a value that is not a count, an index outside the count) is an
/// error naming the variable.
public enum SchedulerShard {
    public static let slurmTask = "SLURM_ARRAY_TASK_ID"
    public static let kubernetesIndex = "JOB_COMPLETION_INDEX"

    /// Whether `text` asks for the scheduler's shard rather than naming one.
    public static func isAutomatic(_ text: String) -> Bool { text == "auto" || text.hasPrefix("auto/") }

    /// `text` as a shard: `i/n` as it is, `auto` or `auto/n` from `environment`.
    public static func resolve(_ text: String, environment: [String: String]) throws -> Shard {
        guard isAutomatic(text) else { return try Shard(parsing: text) }
        func refuse(_ detail: String) -> HarnessError { .schedulerShard(spec: text, detail: detail) }
        var count: Int?
        if text != "auto" {
            guard let given = Int(text.dropFirst("auto/".count)), given >= 0 else {
                throw HarnessError.invalidShard(text)
            }
            guard given >= 1 else { throw refuse("a shard count of 0: n must be at least 1") }
            count = given
        }
        switch (environment[slurmTask], environment[kubernetesIndex]) {
        case (.some, .some):
            throw refuse("both \(slurmTask) and \(kubernetesIndex) are set: which scheduler started this is unclear")
        case (.some, nil):
            return try slurm(environment, count: count, refuse: refuse)
        case (nil, .some(let index)):
            guard let count else {
                throw refuse(
                    "\(kubernetesIndex)=\(index) (a Kubernetes Indexed Job) gives no shard count: "
                        + "give the Job's completions as auto/n")
            }
            let position = try number(kubernetesIndex, environment, refuse: refuse)
            guard position < count else { throw refuse("\(kubernetesIndex)=\(position) is outside 0..<\(count)") }
            return Shard(index: position, count: count)
        case (nil, nil):
            let job = environment["SLURM_JOB_ID"].map { "SLURM_JOB_ID=\($0) is a Slurm job but not an array task; " }
            throw refuse(
                (job ?? "")
                    + "neither \(slurmTask) (a Slurm job array task) nor \(kubernetesIndex) (a Kubernetes Indexed Job) is set"
            )
        }
    }

    /// The shard of a Slurm array task; `count`, when given, must be the array's.
    static func slurm(
        _ environment: [String: String], count given: Int?, refuse: (String) -> HarnessError
    ) throws -> Shard {
        let id = try number(slurmTask, environment, refuse: refuse)
        let low = try number("SLURM_ARRAY_TASK_MIN", environment, refuse: refuse)
        let count = try number("SLURM_ARRAY_TASK_COUNT", environment, refuse: refuse)
        guard count >= 1 else { throw refuse("SLURM_ARRAY_TASK_COUNT=0: an array of no tasks") }
        let high = try environment["SLURM_ARRAY_TASK_MAX"].map { _ in
            try number("SLURM_ARRAY_TASK_MAX", environment, refuse: refuse)
        }
        let step = try environment["SLURM_ARRAY_TASK_STEP"].map { _ in
            try number("SLURM_ARRAY_TASK_STEP", environment, refuse: refuse)
        }
        // Where a contiguous array of `count` tasks from `low` ends (checked: the values are the environment's).
        let contiguousHigh = low.addingReportingOverflow(count - 1)
        if (step ?? 1) != 1 || contiguousHigh.overflow || (high.map { $0 != contiguousHigh.partialValue } ?? false) {
            let shown = "MIN=\(low), MAX=\(high.map(String.init) ?? "unset"), COUNT=\(count), STEP=\(step ?? 1)"
            throw refuse(
                "the Slurm array is sparse (SLURM_ARRAY_TASK_\(shown)): shards need a contiguous array such as "
                    + "--array=0-\(count - 1)")
        }
        guard id >= low, id - low < count else {
            throw refuse("\(slurmTask)=\(id) is outside the array \(low)-\(contiguousHigh.partialValue)")
        }
        if let given, given != count {
            throw refuse("the shard count \(given) is not the Slurm array's \(count) tasks (SLURM_ARRAY_TASK_COUNT)")
        }
        return Shard(index: id - low, count: count)
    }

    /// A non-negative integer variable of `environment`.
    static func number(
        _ name: String, _ environment: [String: String], refuse: (String) -> HarnessError
    ) throws -> Int {
        guard let text = environment[name] else {
            throw refuse("\(name) is not set (Slurm sets it in every array task)")
        }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
            throw refuse("\(name)=\(text) is not a non-negative integer")
        }
        return value
    }
}
