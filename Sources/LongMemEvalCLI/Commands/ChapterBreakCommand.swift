import ArgumentParser
import Foundation
import LongMemData
import LongMemHarness
import LongMemTasks

struct ChapterBreakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chapterbreak",
        abstract: "ChapterBreak suffix identification: which of six chapter beginnings follows the prefix?",
        discussion: """
            Reads a file in the official format ({"pg19"|"ao3": {work: [{ctx, pos, negs}]}}). The prefix is \
            left-truncated to each --prefix-length, the suffixes right-truncated to --suffix-length tokens, and \
            each candidate scored by its log-likelihood after the prefix (summed and per-token mean, both \
            recorded); correct when no negative scores strictly higher than the gold. Memory methods write the \
            earlier prefix segments to memory and keep the last window as context. Chance is 1 in 6. \
            The official data cannot be fetched here: `longmem-eval datasets build-chapterbreak` rebuilds \
            examples in the same format from Project Gutenberg books (ChapterBreak-PG, see Datasets/README.md).
            """
    )

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var methodOptions: MethodOptions
    @OptionGroup var runOptions: RunOptions

    @Option(help: "ChapterBreak file (official format; default: <data dir>/chapterbreak/chapterbreak_ctx_8192.json).")
    var file: String?

    @Option(help: "Split: ao3 or pg19.")
    var split: String = "ao3"

    @Option(help: "Prefix lengths in tokens, comma-separated (the paper: 4096,6144,8192).")
    var prefixLength: String = "4096"

    @Option(help: "Suffixes are cut to this many tokens.")
    var suffixLength: Int = 128

    @Option(help: "Evaluate only the first N examples.")
    var limit: Int?

    func validate() throws {
        guard ChapterBreakFile.splits.contains(split) else {
            throw ValidationError(
                "--split \(split): expected one of \(ChapterBreakFile.splits.joined(separator: ", "))")
        }
        let configuration = try configuration(file: file ?? "", rebuilt: false)
        try CommandLineNames.retelling { try configuration.validate() }
    }

    func configuration(file: String, rebuilt: Bool) throws -> ChapterBreakConfiguration {
        ChapterBreakConfiguration(
            file: file, split: split, rebuilt: rebuilt, prefixLengths: try prefixLengths(), suffixLength: suffixLength,
            limit: limit)
    }

    func prefixLengths() throws -> [Int] {
        let lengths = prefixLength.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !lengths.isEmpty, lengths.allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw ValidationError("--prefix-length \(prefixLength): expected positive token counts like 4096,6144,8192")
        }
        return lengths.compactMap { $0 }
    }

    func run() throws {
        let data = runOptions.dataDirectory
        let path = file ?? data.path(of: "chapterbreak/chapterbreak_ctx_8192.json")
        let items = try ChapterBreakFile(contentsOfFile: path).examples(in: split).map {
            SuffixIdentificationItem(
                split: split, work: $0.workID, index: $0.index, context: $0.example.ctx, positive: $0.example.pos,
                negatives: $0.example.negs)
        }
        let runner = try TaskRunner(modelOptions: modelOptions, methodOptions: methodOptions, runOptions: runOptions)
        // `datasets build-chapterbreak` writes its sidecar beside every set it builds.
        let rebuilt = FileManager.default.fileExists(atPath: path + ".meta.json")
        let evaluator = try ChapterBreakEvaluator(
            model: runner.model, tokenizer: runner.tokenizer, items: items,
            configuration: try configuration(file: path, rebuilt: rebuilt))
        try runner.run(evaluator, options: runOptions, dataRoot: data.path, label: "chapterbreak")
    }
}
