import ArgumentParser
import Foundation
import LongMemHarness
import LongMemTasks

struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the run folders of `--shard i/n` runs into the unsharded result.",
        discussion: """
            The shards must be finished runs of the same command (same task, protocol, method, model weights, \
            options, data, shard count and tool version) and cover every shard index 0..<n exactly once; each \
            one's samples.jsonl must be the log its results.json was computed from. Anything else is refused \
            before anything is written, and --output may not be a shard folder or inside one. The samples are \
            concatenated and the metrics recomputed, which gives exactly what an unsharded run reports.
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
        // Every check first: a refused merge writes nothing, and never into a shard.
        let shards = try ShardSet(folders: folders)
        try shards.checkOutput(output)
        let run = try EvaluationRun(directory: output, specification: shards.specification, fresh: true)
        var resumedShards: [String] = []
        for shard in shards.members {
            for record in shard.records where !run.isFinished(record.id) { try run.record(record) }
            resumedShards += shard.results.notes.filter { $0.hasPrefix(EvaluationRun.resumedPrefix) }
                .map { "shard \(shard.specification.shard): \($0)" }
        }
        // The merged run spans its shards: from the first start to the last finish (a resumed shard's
        // start is its last session's, which the notes carry over).
        let results = shards.members.map(\.results)
        let start = results.map(\.started).min()!
        let period = start...max(start, results.map(\.finished).max()!)
        let records = run.log.all
        let merged = try run.finish(
            metrics: try TaskKind.named(shards.specification.task).metrics(records),
            tokensProcessed: SampleCost.tokensComputed(records), memory: SampleCost.memory(records),
            environment: results[0].environment, period: period, extraNotes: resumedShards)
        TaskRunner.printSummary(merged, folder: output)
    }
}
