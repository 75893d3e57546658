import Foundation
import LongMemModels
import LongMemRuntime
import LongMemTensor

/// One token of a document and its natural-log probability given what precedes it in its segment (and
/// the memory of earlier segments); nil where nothing in its window precedes it.
public struct TokenScore: Sendable, Equatable {
    public var index: Int
    public var token: Int
    public var logProbability: Double?
}

/// Per-token log-probs of a document with their totals.
public struct DocumentScore: Sendable, Equatable {
    public var tokens: [TokenScore]

    public var scoredTokens: Int { tokens.count { $0.logProbability != nil } }
    /// Negative log-likelihood of the scored tokens, summed in document order.
    public var totalNLL: Double { tokens.reduce(0) { $0 - ($1.logProbability ?? 0) } }
    /// exp(mean NLL) over scored tokens.
    public var perplexity: Double { scoredTokens == 0 ? .nan : Foundation.exp(totalNLL / Double(scoredTokens)) }
}

/// Reads a long document as LongMem's perplexity protocol does (LONGMEM.md 7.3): memory reset, then
/// non-overlapping local-window segments, each scored with the memory of the earlier ones and then
/// written to it. For methods without memory the segments are disjoint windows.
public struct SegmentScorer {
    let model: MemoryAugmentedModel
    /// Score each segment's first token from the previous segment's last position (and the document's
    /// first token after `prefixToken`); otherwise nothing in its window precedes it and it is not scored.
    let scoreFirstToken: Bool
    let prefixToken: Int?

    public init(model: MemoryAugmentedModel, scoreFirstToken: Bool = false, prefixToken: Int? = nil) {
        self.model = model
        self.scoreFirstToken = scoreFirstToken
        self.prefixToken = prefixToken
    }

    /// Every token of `tokens` with its log-prob (nil where not scored).
    public func score(_ tokens: [Int]) throws -> DocumentScore {
        let driver = try SegmentDriver(model: model)
        // With scoreFirstToken: the hidden state that predicts the next segment's first token (the end of the
        // previous segment, or the end-of-text token before the document).
        var previous: Tensor?
        if scoreFirstToken, let prefixToken {
            model.resetMemory()
            previous = try model.hiddenStates(for: [[prefixToken]])
        }
        var scores: [TokenScore] = []
        scores.reserveCapacity(tokens.count)
        try driver.run(tokens) { _, segment, hidden, _ in
            let start = segment.startIndex
            var source = hidden
            var rows = Array(0..<(segment.count - 1))
            var targets: [Int?] = segment.dropFirst().map { $0 }
            if let previous {
                source = Tensor.stackingRows([previous.rows((previous.rows - 1)..<previous.rows), hidden])
                rows = [0] + rows.map { $0 + 1 }
                targets.insert(segment[start], at: 0)
            } else {
                scores.append(TokenScore(index: start, token: segment[start], logProbability: nil))
            }
            let predictions = LogitReduction.predictions(
                hidden: source, head: model.outputHead, rows: rows, targets: targets)
            let first = previous == nil ? start + 1 : start
            for (offset, (prediction, target)) in zip(predictions, targets).enumerated() {
                scores.append(
                    TokenScore(index: first + offset, token: target!, logProbability: prediction.targetLogProbability))
            }
            if scoreFirstToken { previous = hidden.rows((hidden.rows - 1)..<hidden.rows).copy() }
        }
        return DocumentScore(tokens: scores)
    }
}
