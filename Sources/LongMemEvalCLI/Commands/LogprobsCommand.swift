import ArgumentParser
import Foundation
import LongMemData
import LongMemHarness
import LongMemRuntime
import LongMemTasks
import LongMemTensor

struct LogprobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logprobs",
        abstract: "Per-token log-probabilities of a text file over disjoint windows, with any method.",
        discussion: """
            The text is tokenized whole and cut into disjoint windows of --window tokens, run as `ppl` runs a \
            document with --method: memory reset first, each segment read with the memory of the earlier ones \
            and then written to it. Each token gets its natural-log probability given the preceding tokens of \
            its window and the memory (a window's first token has none and is written with "logprob": null, \
            unless --score-first-token scores it from the previous segment's last position). Writes one JSON \
            line per token, then a summary line with the method, the document's total NLL, scored token count \
            and perplexity = exp(total NLL / scored tokens).
            """
    )

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var methodOptions: MethodOptions

    @Option(name: .long, help: "UTF-8 text file to score.")
    var file: String

    @Option(name: .long, help: "Write the JSON lines here (atomically) instead of standard output.")
    var output: String?

    @Flag(help: "Score each segment's first token from the previous segment's last position.")
    var scoreFirstToken = false

    func run() throws {
        let text = try TextFile.read(file)
        if let threads = modelOptions.threads { Parallel.threads = threads }
        let directory = try modelOptions.resolvedDirectory()
        let model = try modelOptions.loading { try methodOptions.load(directory) }
        let tokenizer = try modelOptions.loadTokenizer(for: model.descriptor)
        let window = model.descriptor.contextLength
        guard window >= 2 else {
            throw CommandLineNames.Message("--window: a window of \(window) token scores nothing; use at least 2")
        }
        let tokens = tokenizer.encode(text)
        model.resetMemory()
        let score = try SegmentScorer(
            model: model, scoreFirstToken: scoreFirstToken, prefixToken: tokenizer.endOfTextID
        ).score(tokens)
        var lines = score.tokens.map { token in
            JSONLine.encode(["index": token.index, "token": token.token, "logprob": token.logProbability ?? Double.nan])
        }
        let summary: [String: Any] = [
            "file": file, "tokens": tokens.count, "scored_tokens": score.scoredTokens, "total_nll": score.totalNLL,
            "perplexity": score.perplexity, "window": window, "method": model.method.rawValue,
        ]
        lines.append(JSONLine.encode(summary))
        let body = lines.joined(separator: "\n") + "\n"
        if let output {
            try AtomicFile.write(body, to: output)
            print(JSONLine.encode(summary))
        } else {
            print(body, terminator: "")
        }
    }
}
