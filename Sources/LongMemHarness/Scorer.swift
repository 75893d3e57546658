import LongMemModels
import LongMemTensor
import LongMemTokenizer

/// Answers lm-eval's request kinds with a `LanguageModel`: `loglikelihood`, `loglikelihood_rolling`
/// and per-token log-probs over disjoint windows.
///
/// Requests are packed several to a forward pass (`batchSize` sequences, at most `tokenBudget`
/// tokens); each sequence attends only to itself, so answers do not depend on the batch size beyond
/// float rounding.
public final class Scorer {
    public let model: LanguageModel
    public let tokenizer: any TextTokenizer
    /// Conditions an empty context (lm-eval's `prefix_token_id`: end-of-text for GPT-2).
    public let prefixToken: Int
    public let batchSize: Int
    public let tokenBudget: Int
    let scratch = ScratchSpace()

    public init(
        model: LanguageModel, tokenizer: any TextTokenizer, prefixToken: Int? = nil, batchSize: Int = 4,
        tokenBudget: Int = 4096
    ) throws {
        guard batchSize >= 1 else { throw HarnessError.invalidBatchSize(batchSize) }
        guard let prefix = prefixToken ?? tokenizer.endOfTextID else { throw HarnessError.noPrefixToken }
        self.model = model
        self.tokenizer = tokenizer
        self.prefixToken = prefix
        self.batchSize = batchSize
        self.tokenBudget = tokenBudget
    }

    /// lm-eval's `_encode_pair`: trailing spaces of the context move to the front of the continuation,
    /// the whole string is encoded once and split after the context's own tokens, and an empty context
    /// becomes the prefix token.
    public func encode(_ request: LoglikelihoodRequest) -> TokenPair {
        if request.context.isEmpty {
            return TokenPair(context: [prefixToken], continuation: tokenizer.encode(request.continuation))
        }
        var context = Substring(request.context)
        var continuation = request.continuation
        let trailing = context.reversed().prefix { $0.isWhitespace }.count
        if trailing > 0 {
            continuation = String(context.suffix(trailing)) + continuation
            context = context.dropLast(trailing)
        }
        let whole = tokenizer.encode(String(context) + continuation)
        let contextTokens = tokenizer.encode(String(context))
        return TokenPair(context: contextTokens, continuation: Array(whole.dropFirst(contextTokens.count)))
    }

    public func loglikelihood(_ requests: [LoglikelihoodRequest]) throws -> [LoglikelihoodResult] {
        try loglikelihood(tokens: requests.map(encode))
    }

    /// Scores each continuation given its context; inputs longer than the model's window keep their last
    /// `contextLength` tokens (lm-eval's left truncation).
    public func loglikelihood(tokens pairs: [TokenPair]) throws -> [LoglikelihoodResult] {
        let limit = model.descriptor.contextLength
        let inputs = pairs.map { pair -> [Int] in
            let whole = pair.context + pair.continuation
            return Array(whole.suffix(limit + 1).dropLast())
        }
        let predictions = try predict(inputs) { index in
            // Row r predicts input[r + 1]; the continuation's tokens are the last ones predicted.
            let continuation = pairs[index].continuation
            let first = inputs[index].count - continuation.count
            return continuation.enumerated().map { (first + $0.offset, Optional($0.element)) }
        }
        return zip(pairs, predictions).map { pair, rows in
            LoglikelihoodResult(
                logLikelihood: rows.reduce(0) { $0 + ($1.targetLogProbability ?? 0) },
                isGreedy: zip(rows, pair.continuation).allSatisfy { $0.argmax == $1 },
                tokenCount: pair.continuation.count)
        }
    }

    /// Log-likelihood of whole documents (lm-eval's `loglikelihood_rolling`).
    public func loglikelihoodRolling(_ texts: [String]) throws -> [Double] {
        let limit = model.descriptor.contextLength
        let windows = texts.map {
            RollingWindows.make(tokens: tokenizer.encode($0), prefixToken: prefixToken, maxLength: limit)
        }
        let scores = try loglikelihood(tokens: windows.flatMap { $0 })
        var offset = 0
        return windows.map { document in
            defer { offset += document.count }
            return scores[offset..<(offset + document.count)].reduce(0) { $0 + $1.logLikelihood }
        }
    }

    /// Each token's log-prob given the preceding tokens of its disjoint window of `window` tokens.
    public func tokenLogProbabilities(_ tokens: [Int], window: Int) throws -> DocumentScore {
        let limit = model.descriptor.contextLength
        guard window >= 2, window <= limit else { throw HarnessError.invalidWindow(window: window, limit: limit) }
        let windows = stride(from: 0, to: tokens.count, by: window).map {
            Array(tokens[$0..<min($0 + window, tokens.count)])
        }
        let predictions = try predict(windows) { index in
            windows[index].dropFirst().enumerated().map { ($0.offset, Optional($0.element)) }
        }
        var scores: [TokenScore] = []
        scores.reserveCapacity(tokens.count)
        for (index, chunk) in windows.enumerated() {
            let start = index * window
            scores.append(TokenScore(index: start, token: chunk[0], logProbability: nil))
            for (offset, prediction) in predictions[index].enumerated() {
                scores.append(
                    TokenScore(
                        index: start + offset + 1, token: chunk[offset + 1],
                        logProbability: prediction.targetLogProbability))
            }
        }
        return DocumentScore(tokens: scores)
    }

    /// Runs `sequences` through the model in packed batches and returns, for each sequence, the
    /// predictions at the (position, target) pairs `wanted(index)` lists, in that order.
    public func predict(
        _ sequences: [[Int]], wanted: (Int) -> [(position: Int, target: Int?)]
    ) throws -> [[NextTokenPrediction]] {
        var result: [[NextTokenPrediction]] = []
        result.reserveCapacity(sequences.count)
        var start = 0
        while start < sequences.count {
            var end = start + 1
            var tokens = sequences[start].count
            while end < sequences.count, end - start < batchSize, tokens + sequences[end].count <= tokenBudget {
                tokens += sequences[end].count
                end += 1
            }
            let hidden = try model.hiddenStates(for: Array(sequences[start..<end]))
            var rows: [Int] = [], targets: [Int?] = [], counts: [Int] = []
            var offset = 0
            for index in start..<end {
                let pairs = wanted(index)
                rows += pairs.map { offset + $0.position }
                targets += pairs.map { $0.target }
                counts.append(pairs.count)
                offset += sequences[index].count
            }
            let predictions = LogitReduction.predictions(
                hidden: hidden, head: model.outputHead, rows: rows, targets: targets, scratch: scratch)
            var cursor = 0
            for count in counts {
                result.append(Array(predictions[cursor..<(cursor + count)]))
                cursor += count
            }
            start = end
        }
        return result
    }
}
