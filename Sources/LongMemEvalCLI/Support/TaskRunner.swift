import Foundation
import LongMemData
import LongMemHarness
import LongMemModels
import LongMemRuntime
import LongMemTasks
import LongMemTensor
import LongMemTokenizer

/// The steps every task command shares: load the method's model, describe the run, open (or resume) its
/// folder, let the task's evaluator score the samples this shard owns, then write results.json from the
/// samples.
struct TaskRunner {
    let model: MemoryAugmentedModel
    let tokenizer: any TextTokenizer
    let directory: ModelDirectory
    /// This process's shard, resolved first: a shard the scheduler's environment does not name fails before
    /// the model loads.
    let shard: Shard

    init(modelOptions: ModelOptions, methodOptions: MethodOptions, runOptions: RunOptions) throws {
        shard = try runOptions.parsedShard()
        if let threads = modelOptions.threads { Parallel.threads = threads }
        let directory = try modelOptions.resolvedDirectory()
        self.directory = directory
        model = try modelOptions.loading { try methodOptions.load(directory) }
        tokenizer = try modelOptions.loadTokenizer(for: model.descriptor)
    }

    /// Describes the run of `evaluator` with this runner's model (the first of a sweep's models).
    func specification<Task: Evaluator>(for evaluator: Task, dataRoot: String, shard: Shard) throws -> RunSpecification
    {
        let method = model.runDescription
        return RunSpecification(
            task: Task.task.rawValue, evaluationProtocol: Task.protocolInfo, method: method.method.rawValue,
            model: try Provenance.model(directory: directory.path, architecture: model.descriptor.architecture),
            options: RecordedMethod.options(method, window: model.descriptor.contextLength)
                .merging(evaluator.recordedOptions) { $1 },
            seeds: evaluator.seeds,
            dataFiles: try evaluator.dataFiles.map { try Provenance.dataFile($0, root: dataRoot) },
            shard: shard, notes: method.notes + evaluator.notes)
    }

    /// Opens the run, lets `evaluator` record its samples, writes results from every record.
    @discardableResult
    func run<Task: Evaluator>(
        _ evaluator: Task, options: RunOptions, dataRoot: String, label: String
    ) throws -> EvaluationResults {
        guard evaluator.sampleCount > 0 else {
            throw TasksError.emptyEvaluation(what: Task.task.rawValue, detail: "the run has no samples")
        }
        let specification = try specification(for: evaluator, dataRoot: dataRoot, shard: shard)
        let folder = options.folder(for: specification)
        let run = try EvaluationRun(directory: folder, specification: specification, fresh: options.fresh)
        let owned = (0..<evaluator.sampleCount).filter { specification.shard.owns($0) }.count
        let progress = ProgressReporter(label: label, total: owned, quiet: options.quiet)
        if run.resumedCount > 0 { progress.note("\(folder): resuming, \(run.resumedCount) records already done") }
        progress.advance(by: min(run.log.all.filter { $0.labels["record"] == nil }.count, owned))
        try evaluator.run(run, progress: progress)
        let records = run.log.all
        let results = try run.finish(
            metrics: try Task.task.checkedMetrics(records, ownedSamples: owned),
            tokensProcessed: SampleCost.tokensComputed(records),
            memory: SampleCost.memory(records), environment: Provenance.environment(threads: Parallel.threads))
        Self.printSummary(results, folder: folder)
        return results
    }

    static func printSummary(_ results: EvaluationResults, folder: String) {
        print("\(results.task) \(results.method) on \(results.model.name): \(folder)/\(EvaluationRun.resultsFile)")
        for metric in results.metrics where metric.labels["seed"] == nil && metric.labels["document"] == nil {
            let labels = metric.labels.keys.sorted().map { "\($0)=\(metric.labels[$0]!)" }.joined(separator: " ")
            let interval = metric.interval.map { String(format: "  [%.4f, %.4f]", $0[0], $0[1]) } ?? ""
            let name = metric.name.padding(toLength: max(16, metric.name.count), withPad: " ", startingAt: 0)
            print("  " + name + String(format: " %10.4f", metric.value) + interval + "  " + labels)
        }
        if let chance = TaskKind(rawValue: results.task)?.chanceNote { print("  " + chance) }
    }
}
