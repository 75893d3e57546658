import Foundation
import LongMemHarness
import LongMemModels
import LongMemRuntime
import LongMemTasks
import LongMemTensor
import LongMemTokenizer

/// The steps every task command shares: load the method's model, describe the run, open (or resume) its
/// folder, score the samples this shard owns, then write results.json from the samples.
struct TaskRunner {
    let model: MemoryAugmentedModel
    let tokenizer: any TextTokenizer
    let directory: ModelDirectory

    init(modelOptions: ModelOptions, methodOptions: MethodOptions) throws {
        if let threads = modelOptions.threads { Parallel.threads = threads }
        directory = try modelOptions.resolvedDirectory()
        model = try methodOptions.load(directory)
        tokenizer = try modelOptions.loadTokenizer(for: model.descriptor)
    }

    /// Options every results file records about the method (the effective memory configuration).
    var methodOptions: [String: JSONValue] {
        var options: [String: JSONValue] = [
            "method": .string(model.method), "window": .int(model.descriptor.contextLength),
        ]
        if let memory = model.memory?.configuration {
            options["memory_size"] = .int(memory.memorySize)
            options["chunk_size"] = .int(memory.chunkSize)
            options["top_k"] = .int(memory.topK)
            if let infllm = model as? InfLLMModel {
                options["memory_layers"] = "all"
                options["initial_tokens"] = .int(infllm.initialTokens)
            } else {
                options["retrieval_layer"] = .int(memory.retrievalLayer)
            }
            options["faithful_memory"] = .bool(memory.faithful)
            options["memory_precision"] = .string(memory.precision.rawValue)
            switch memory.index {
            case .exact: options["memory_index"] = "exact"
            case .ivf(let lists, let probes):
                options["memory_index"] = "ivf"
                options["ivf_lists"] = .int(lists)
                options["ivf_probes"] = .int(probes)
            }
        }
        return options
    }

    /// Remarks readers must see beside the numbers.
    var methodNotes: [String] {
        if let longmem = model as? LongMemModel, longmem.sideNet.isInitialisedFromBackbone {
            return ["untrained SideNet: initialised from the backbone's blocks 2i+1, memory gates at 0.5"]
        }
        return []
    }

    func specification(
        task: String, protocolInfo: ProtocolInfo, options: [String: JSONValue], seeds: [Int]?, dataFiles: [String],
        dataRoot: String, shard: Shard, notes: [String]
    ) throws -> RunSpecification {
        RunSpecification(
            task: task, evaluationProtocol: protocolInfo, method: model.method,
            model: try Provenance.model(directory: directory.path, architecture: model.descriptor.architecture),
            options: methodOptions.merging(options) { $1 }, seeds: seeds,
            dataFiles: try dataFiles.map { try Provenance.dataFile($0, root: dataRoot) }, shard: shard,
            notes: methodNotes + notes)
    }

    /// Opens the run, runs `body` (which records samples), writes results from every record.
    @discardableResult
    func run(
        _ specification: RunSpecification, options: RunOptions, total: Int, label: String,
        body: (EvaluationRun, ProgressReporter) throws -> Void
    ) throws -> EvaluationResults {
        let folder = options.folder(for: specification)
        let run = try EvaluationRun(directory: folder, specification: specification, fresh: options.fresh)
        let owned = (0..<total).filter { specification.shard.owns($0) }.count
        let progress = ProgressReporter(label: label, total: owned, quiet: options.quiet)
        if run.resumedCount > 0 { progress.note("\(folder): resuming, \(run.resumedCount) records already done") }
        progress.advance(by: min(run.log.all.filter { $0.labels["record"] == nil }.count, owned))
        try body(run, progress)
        let records = run.log.all
        let results = try run.finish(
            metrics: try TaskMetrics.compute(task: specification.task, records: records),
            tokensProcessed: Self.tokensComputed(records), memory: Self.memoryCounters(records),
            environment: Provenance.environment(threads: Parallel.threads))
        Self.printSummary(results, folder: folder)
        return results
    }

    /// Tokens run through the model, as every record notes what it computed: the same for a resumed run.
    static func tokensComputed(_ records: [SampleRecord]) -> Int {
        records.reduce(0) { $0 + Int($1.details["tokens_computed"]?.doubleValue ?? 0) }
    }

    /// Memory counters summed over the records that carry them.
    static func memoryCounters(_ records: [SampleRecord]) -> MemoryCounters? {
        let carrying = records.filter { $0.details["tokens_written"] != nil }
        guard !carrying.isEmpty else { return nil }
        func total(_ key: String) -> Int { carrying.reduce(0) { $0 + Int($1.details[key]?.doubleValue ?? 0) } }
        let resident = carrying.map { Int($0.details["tokens_resident"]?.doubleValue ?? 0) }.max() ?? 0
        return MemoryCounters(
            tokensWritten: total("tokens_written"), tokensResident: resident, tokensEvicted: total("tokens_evicted"))
    }

    static func printSummary(_ results: EvaluationResults, folder: String) {
        print("\(results.task) \(results.method) on \(results.model.name): \(folder)/\(EvaluationRun.resultsFile)")
        for metric in results.metrics where metric.labels["seed"] == nil && metric.labels["document"] == nil {
            let labels = metric.labels.keys.sorted().map { "\($0)=\(metric.labels[$0]!)" }.joined(separator: " ")
            let interval = metric.interval.map { String(format: "  [%.4f, %.4f]", $0[0], $0[1]) } ?? ""
            let name = metric.name.padding(toLength: max(16, metric.name.count), withPad: " ", startingAt: 0)
            print("  " + name + String(format: " %10.4f", metric.value) + interval + "  " + labels)
        }
        if results.task == "chapterbreak" { print("  chance accuracy: 1/6 = 0.1667") }
    }
}
