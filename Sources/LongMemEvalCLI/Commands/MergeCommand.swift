import ArgumentParser
import Foundation
import LongMemData
import LongMemHarness
import LongMemTasks

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the run folders of `--shard i/n` runs into the unsharded result.",
        discussion: """
            The shards must come from the same command (same task, method, model, options and data) and cover \
            every shard index 0..<n exactly once. Their samples are concatenated and the metrics recomputed, \
            which gives exactly what an unsharded run reports.
            """
    )

    @Argument(help: "Run folders of the shards.")
    var folders: [String]

    @Option(help: "Folder for the merged run.")
    var output: String

    func validate() throws {
        guard !folders.isEmpty else { throw ValidationError("give the shards' run folders") }
    }

    func run() throws {
        let shards = try folders.map { folder -> (String, RunSpecification) in
            (folder, try EvaluationRun.readSpecification(folder + "/" + EvaluationRun.specificationFile))
        }
        let reference = shards[0].1
        for (folder, specification) in shards where specification.unsharded != reference.unsharded {
            throw HarnessError.mergeMismatch(path: folder, detail: "it is a shard of another run than \(shards[0].0)")
        }
        let count = reference.shard.count
        let indices = shards.map(\.1.shard.index).sorted()
        guard shards.allSatisfy({ $0.1.shard.count == count }), indices == Array(0..<count) else {
            throw HarnessError.mergeMismatch(
                path: shards[0].0,
                detail:
                    "shards \(indices.map(String.init).joined(separator: ",")) of \(count) given; need each of 0..<\(count) once"
            )
        }
        let run = try EvaluationRun(directory: output, specification: reference.unsharded, fresh: true)
        var finished: [EvaluationResults] = []
        var resumedShards: [String] = []
        for (folder, specification) in shards {
            for record in try SampleLog(path: folder + "/" + EvaluationRun.samplesFile).all
            where !run.isFinished(record.id) {
                try run.record(record)
            }
            if let data = FileManager.default.contents(atPath: folder + "/" + EvaluationRun.resultsFile) {
                let decoder = JSONDecoder()
                decoder.dateDecodingStrategy = .iso8601
                if let results = try? decoder.decode(EvaluationResults.self, from: data) {
                    finished.append(results)
                    resumedShards += results.notes.filter { $0.hasPrefix(EvaluationRun.resumedPrefix) }
                        .map { "shard \(specification.shard): \($0)" }
                }
            }
        }
        // The merged run spans its shards: from the first start to the last finish (a resumed shard's
        // start is its last session's, which the notes carry over).
        let period = finished.map(\.started).min().map { $0...finished.map(\.finished).max()! }
        let environment = finished.first?.environment
        let records = run.log.all
        let results = try run.finish(
            metrics: try TaskKind.named(reference.task).metrics(records),
            tokensProcessed: SampleCost.tokensComputed(records), memory: SampleCost.memory(records),
            environment: environment ?? Provenance.environment(threads: 0), period: period,
            extraNotes: resumedShards)
        TaskRunner.printSummary(results, folder: output)
    }
}
