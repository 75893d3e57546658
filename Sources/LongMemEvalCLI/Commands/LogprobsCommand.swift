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
        abstract: "Per-token log-probabilities of a text file over disjoint windows.",
        discussion: """
            The text is tokenized whole and cut into disjoint windows of --window tokens. Each token gets its \
            natural-log probability given the preceding tokens of its window (a window's first token has none \
            and is written with "logprob": null). Writes one JSON line per token, then a summary line with the \
            document's total NLL, scored token count and perplexity = exp(total NLL / scored tokens).
            """
    )

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "UTF-8 text file to score.")
    var file: String

    @Option(name: .long, help: "Write the JSON lines here (atomically) instead of standard output.")
    var output: String?

    func run() throws {
        let text = try TextFile.read(file)
        let (backbone, _) = try modelOptions.loadModel()
        let tokenizer = try modelOptions.loadTokenizer(for: backbone.descriptor)
        let window = backbone.descriptor.contextLength
        guard window >= 2 else {
            throw CommandLineNames.Message("--window: a window of \(window) token scores nothing; use at least 2")
        }
        let tokens = tokenizer.encode(text)
        let score = try SegmentScorer(model: LocalModel(backbone: backbone)).score(tokens)
        var lines = score.tokens.map { token in
            JSONLine.encode(["index": token.index, "token": token.token, "logprob": token.logProbability ?? Double.nan])
        }
        let summary: [String: Any] = [
            "file": file, "tokens": tokens.count, "scored_tokens": score.scoredTokens, "total_nll": score.totalNLL,
            "perplexity": score.perplexity, "window": window,
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
