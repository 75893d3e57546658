import ArgumentParser
import Foundation
import LongMemData
import LongMemHarness
import LongMemRuntime
import LongMemTasks

struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ppl",
        abstract: "Long-text perplexity with memory (LongMem's PG-22 / ArXiv protocol).",
        discussion: """
            Per document: Project Gutenberg header and footer stripped, CRLF normalised, memory reset, then \
            non-overlapping local-window segments, each scored with the memory of the earlier ones and then \
            written to it. Reports token-level perplexity exp(NLL / scored tokens) and bits per byte, per \
            document, per length bucket (<5K, 5K-10K, 10K-100K, 100K-500K, 500K-1M, >1M tokens) and overall. \
            Without --score-first-token the first token of every segment is not scored (nothing precedes it in \
            its window); with it, it is scored from the previous segment's last position.
            """
    )

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var methodOptions: MethodOptions
    @OptionGroup var runOptions: RunOptions

    @Option(
        help:
            "Datasets in the data directory, comma-separated: \(PerplexityDocuments.knownDatasets.joined(separator: ", "))."
    )
    var dataset: String?

    @Option(parsing: .upToNextOption, help: "Text files to score.")
    var files: [String] = []

    @Flag(help: "Score each segment's first token from the previous segment's last position.")
    var scoreFirstToken = false

    @Option(help: "Memory sizes to sweep, comma-separated (one pass over the documents per size).")
    var memorySweep: String?

    @Option(help: "Score only the first N documents.")
    var limit: Int?

    func validate() throws {
        guard dataset != nil || !files.isEmpty else { throw ValidationError("give --dataset or --files") }
        _ = try sweep()
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    func sweep() throws -> [Int?] {
        guard let memorySweep else { return [nil] }
        let sizes = memorySweep.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--memory-sweep \(memorySweep): expected positive token counts like 16384,65536")
        }
        return sizes
    }

    func run() throws {
        let data = runOptions.dataDirectory
        let ids = dataset?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } ?? []
        let configuration = PerplexityConfiguration(
            documents: try PerplexityDocuments.resolve(datasets: ids, files: files, dataDirectory: data.path),
            scoreFirstToken: scoreFirstToken, limit: limit, datasets: ids, files: files)
        // One model per memory size; the first also describes the run.
        let runners = try sweep().map { size -> (Int?, TaskRunner) in
            var method = methodOptions
            if let size { method.memorySize = size }
            return (size, try TaskRunner(modelOptions: modelOptions, methodOptions: method, runOptions: runOptions))
        }
        let evaluator = try PerplexityEvaluator(
            models: runners.map { ($0.0, $0.1.model) }, tokenizer: runners[0].1.tokenizer, configuration: configuration)
        try runners[0].1.run(evaluator, options: runOptions, dataRoot: data.path, label: "ppl")
    }
}
