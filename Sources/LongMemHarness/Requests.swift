import Foundation

/// lm-eval's `loglikelihood` request: how likely is `continuation` after `context`?
public struct LoglikelihoodRequest: Sendable, Equatable, Codable {
    public var context: String
    public var continuation: String

    public init(context: String, continuation: String) {
        self.context = context
        self.continuation = continuation
    }
}

/// Sum of the continuation's token log-probs, and whether greedy decoding would have produced it.
public struct LoglikelihoodResult: Sendable, Equatable, Codable {
    public var logLikelihood: Double
    public var isGreedy: Bool
    /// Continuation tokens scored.
    public var tokenCount: Int

    public init(logLikelihood: Double, isGreedy: Bool, tokenCount: Int) {
        self.logLikelihood = logLikelihood
        self.isGreedy = isGreedy
        self.tokenCount = tokenCount
    }
}

/// Tokens of a request after the boundary rule, ready for the model.
public struct TokenPair: Sendable, Equatable {
    public var context: [Int]
    public var continuation: [Int]

    public init(context: [Int], continuation: [Int]) {
        self.context = context
        self.continuation = continuation
    }
}

/// One token of a document and its natural-log probability given the preceding tokens of its window;
/// nil where the token opens a window and so has nothing to condition on.
public struct TokenScore: Sendable, Equatable, Codable {
    public var index: Int
    public var token: Int
    public var logProbability: Double?
}

/// Per-token log-probs of a document with their totals.
public struct DocumentScore: Sendable, Equatable {
    public var tokens: [TokenScore]

    public var scoredTokens: Int { tokens.count { $0.logProbability != nil } }
    public var totalNLL: Double { -tokens.reduce(0) { $0 + ($1.logProbability ?? 0) } }
    /// exp(mean NLL) over scored tokens.
    public var perplexity: Double { scoredTokens == 0 ? .nan : Foundation.exp(totalNLL / Double(scoredTokens)) }
}
