import LongMemHarness

/// Each task's metrics from its sample records, by the task name results files carry (used to finish a
/// run, and by `merge` to recombine shards).
public enum TaskMetrics {
    public static func compute(task: String, records: [SampleRecord]) throws -> [Metric] {
        switch task {
        case "icl": return ICLMetrics.compute(records)
        case "perplexity": return PerplexityMetrics.compute(records)
        case "chapterbreak": return ChapterBreakMetrics.compute(records)
        default: throw TasksError.unknownTask(task, known: ["chapterbreak", "icl", "perplexity"])
        }
    }
}
