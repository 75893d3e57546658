import LongMemModels
import LongMemRuntime
import LongMemTensor

/// A continuation's log-likelihood after its context and whether greedy decoding produces it (lm-eval's
/// `loglikelihood` request).
public struct LoglikelihoodResult: Sendable, Equatable {
    public var logLikelihood: Double
    public var isGreedy: Bool
    /// Continuation tokens scored.
    public var tokenCount: Int
}

/// What one context gives: the greedy next token after it, and each continuation's result.
public struct ContextScores: Sendable, Equatable {
    public var greedyToken: Int
    public var continuations: [LoglikelihoodResult]
    /// Tokens run through the model for this context and its continuations.
    public var tokensComputed: Int
    /// Whether context and the longest continuation exceeded the window, so the context lost its start.
    public var truncated: Bool
}

/// The one way tasks score text (ICL's label words, ChapterBreak's candidate suffixes): a context read
/// with whatever memory the model holds (never writing it), then the greedy next token after it and each
/// continuation's log-likelihood.
///
/// A shared prefix (ICL's demonstrations) is computed once into a prefix cache; each context is appended
/// after it and each continuation after the context, so every token costs one forward row. Attention is
/// causal, so this equals scoring each prefix + context + continuation from scratch.
public final class ContinuationScorer {
    let model: MemoryAugmentedModel
    let window: Int
    let cache: PrefixCache
    /// The shared prefix of every context, and whether it is in the cache (it must leave room for a
    /// context: a prefix of a whole window is not cached, and every context is then scored truncated).
    public private(set) var prefix: [Int] = []
    public private(set) var prefixCached = true

    public init(model: MemoryAugmentedModel) throws {
        self.model = model
        window = model.descriptor.contextLength
        cache = try model.makePrefixCache(capacity: window)
    }

    /// Makes `tokens` the prefix of every later context, computed once here when it fits.
    public func cachePrefix(_ tokens: [Int]) throws {
        prefix = tokens
        prefixCached = tokens.count < window
        cache.rewind(to: 0)
        if prefixCached && !tokens.isEmpty { _ = try model.hiddenStates(appending: tokens, to: cache) }
    }

    /// Whether the cached prefix + `context` + the longest continuation (less its last token) fit the window.
    public func fits(context: [Int], continuations: [[Int]]) -> Bool {
        prefixCached && prefix.count + context.count + (continuations.map(\.count).max() ?? 1) - 1 <= window
    }

    /// Scores `continuations` after the cached prefix + `context`. Where they do not fit the window, each
    /// continuation is scored in one forward pass over the last `window` tokens of prefix + context +
    /// continuation (lm-eval's left truncation).
    public func score(context: [Int], continuations: [[Int]]) throws -> ContextScores {
        precondition(!continuations.isEmpty && continuations.allSatisfy { !$0.isEmpty }, "empty continuation")
        guard fits(context: context, continuations: continuations) else {
            return try scoreTruncated(prompt: prefix + context, continuations: continuations)
        }
        cache.rewind(to: prefix.count)
        let hidden = try model.hiddenStates(appending: context, to: cache)
        var computed = context.count
        let afterContext = cache.count
        // The last context row predicts the greedy token and every continuation's first token.
        let last = hidden.rows - 1
        let first = LogitReduction.predictions(
            hidden: hidden, head: model.outputHead, rows: Array(repeating: last, count: continuations.count + 1),
            targets: [nil] + continuations.map { $0.first })
        let greedy = first[0].argmax
        let results = try continuations.enumerated().map { offset, tokens in
            var total = first[offset + 1].targetLogProbability ?? -.infinity
            var greedyMatch = greedy == tokens[0]
            if tokens.count > 1 {
                cache.rewind(to: afterContext)
                let continued = try model.hiddenStates(appending: Array(tokens.dropLast()), to: cache)
                computed += tokens.count - 1
                let rest = LogitReduction.predictions(
                    hidden: continued, head: model.outputHead, rows: Array(0..<(tokens.count - 1)),
                    targets: tokens.dropFirst().map { $0 })
                // Summed in token order, as every score of a sequence is.
                total = rest.reduce(total) { $0 + ($1.targetLogProbability ?? 0) }
                greedyMatch = greedyMatch && zip(rest, tokens.dropFirst()).allSatisfy { $0.argmax == $1 }
            }
            return LoglikelihoodResult(logLikelihood: total, isGreedy: greedyMatch, tokenCount: tokens.count)
        }
        return ContextScores(greedyToken: greedy, continuations: results, tokensComputed: computed, truncated: false)
    }

    /// Each continuation in one forward pass over the last `window` tokens of prompt + continuation.
    private func scoreTruncated(prompt: [Int], continuations: [[Int]]) throws -> ContextScores {
        let longest = continuations.map(\.count).max() ?? 1
        let sequences = continuations.map { Array((prompt + $0.dropLast()).suffix(window)) }
        let hidden = try model.hiddenStates(for: sequences)
        var rows: [Int] = [], targets: [Int?] = [], row = 0
        for (sequence, tokens) in zip(sequences, continuations) {
            let first = sequence.count - tokens.count
            rows += (0..<tokens.count).map { row + first + $0 }
            targets += tokens.map { $0 }
            row += sequence.count
        }
        // The greedy token after the prompt: the first sequence's row before its continuation.
        rows.append(sequences[0].count - continuations[0].count)
        targets.append(nil)
        let predictions = LogitReduction.predictions(
            hidden: hidden, head: model.outputHead, rows: rows, targets: targets)
        var cursor = 0
        let results = continuations.map { tokens in
            defer { cursor += tokens.count }
            let own = predictions[cursor..<(cursor + tokens.count)]
            return LoglikelihoodResult(
                logLikelihood: own.reduce(0) { $0 + ($1.targetLogProbability ?? 0) },
                isGreedy: zip(own, tokens).allSatisfy { $0.argmax == $1 }, tokenCount: tokens.count)
        }
        return ContextScores(
            greedyToken: predictions.last!.argmax, continuations: results,
            tokensComputed: sequences.reduce(0) { $0 + $1.count }, truncated: prompt.count + longest - 1 > window)
    }
}
