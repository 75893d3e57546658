import LongMemHarness

/// A task's evaluation over one model: what it is, what it records, and how it scores the samples of a
/// run. The command line drives every task through this protocol alone.
public protocol Evaluator {
    static var task: TaskKind { get }
    /// The protocol's name and version (bumped whenever a change can move a number).
    static var protocolInfo: ProtocolInfo { get }
    /// The task's settings that change a number, as results record them.
    var recordedOptions: [String: JSONValue] { get }
    var seeds: [Int]? { get }
    /// The files the run reads.
    var dataFiles: [String] { get }
    /// Remarks a reader must see beside the numbers.
    var notes: [String] { get }
    /// Samples of the whole run, before sharding.
    var sampleCount: Int { get }
    /// Scores every sample the run's shard owns and has not finished, recording each as it completes.
    func run(_ run: EvaluationRun, progress: ProgressReporter) throws
}

extension TaskKind {
    /// The task's metrics from its sample records alone (used to finish a run and by `merge`), so that a
    /// resumed or merged run reports exactly what an uninterrupted one does.
    public func metrics(_ records: [SampleRecord]) -> [Metric] {
        switch self {
        case .icl: ICLMetrics.compute(records)
        case .perplexity: PerplexityMetrics.compute(records)
        case .chapterbreak: ChapterBreakMetrics.compute(records)
        }
    }

    /// `metrics(records)` for a results file: an error when a sample-owning run gave no metric or a metric
    /// is not finite, so that no results file holds an empty or null figure silently.
    public func checkedMetrics(_ records: [SampleRecord], ownedSamples: Int) throws -> [Metric] {
        let metrics = metrics(records)
        if ownedSamples > 0 && metrics.isEmpty {
            throw TasksError.emptyEvaluation(what: rawValue, detail: "\(records.count) records gave no metric")
        }
        for metric in metrics {
            for value in [metric.value, metric.stderr ?? 0] + (metric.interval ?? []) where !value.isFinite {
                throw TasksError.nonFiniteScore(sample: "\(rawValue) metric \(metric.key)", detail: "is \(value)")
            }
        }
        return metrics
    }

    /// The task of a run or results file, or an error naming the known ones.
    public static func named(_ name: String) throws -> TaskKind {
        guard let task = TaskKind(rawValue: name) else {
            throw TasksError.unknownTask(name, known: allCases.map(\.rawValue))
        }
        return task
    }
}
