/// The task layer's stated maxima for settings read from options.
public enum TaskLimits {
    /// Seeds of one ICL run: the official script runs 6, and each seed is a full pass over every task's
    /// queries, so a thousand is already days of work; a range like 0-9999999999 is a typo, not a plan.
    public static let seeds = 1_000
}
