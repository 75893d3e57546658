import Foundation
import LongMemData
import LongMemModels
import LongMemRuntime
import LongMemTasks
import LongMemTestSupport
import LongMemTokenizer
import Testing

/// The tasks' scoring path against lm-evaluation-harness and transformers on the seeded tiny GPT-2.
@Suite("Task scoring against lm-eval and transformers")
struct ScoringReferenceTests {
    let fixture: GPT2Fixture
    let model: LocalModel
    let tokenizer: BytePairTokenizer

    init() throws {
        fixture = try GPT2Fixture.load()
        model = LocalModel(backbone: try ModelRegistry.load(try ModelDirectory(path: GPT2Fixture.directory)))
        tokenizer = try BytePairTokenizer.load(directory: FixturePaths.dataset("gpt2_bpe"))
    }

    /// lm-eval's `_encode_pair`, the convention the reference answers were computed with: trailing spaces of
    /// the context move to the continuation, the whole string is encoded once and split after the
    /// context's own tokens, and an empty context becomes the end-of-text token.
    func encode(context: String, continuation: String) -> (context: [Int], continuation: [Int]) {
        if context.isEmpty { return ([50256], tokenizer.encode(continuation)) }
        let trailing = context.reversed().prefix { $0.isWhitespace }.count
        let kept = String(context.dropLast(trailing)), moved = String(context.suffix(trailing)) + continuation
        let contextTokens = tokenizer.encode(kept)
        return (contextTokens, Array(tokenizer.encode(kept + moved).dropFirst(contextTokens.count)))
    }

    @Test("a continuation's log-likelihood and is-greedy equal lm-eval's HFLM, cached and left-truncated")
    func loglikelihood() throws {
        let scorer = try ContinuationScorer(model: model)
        var truncated = 0
        for expected in fixture.loglikelihood {
            let pair = encode(context: expected.context, continuation: expected.continuation)
            let scores = try scorer.score(context: pair.context, continuations: [pair.continuation])
            let result = try #require(scores.continuations.first)
            #expect(
                abs(result.logLikelihood - expected.logprob) < 1e-4, "\(expected.context) | \(expected.continuation)")
            #expect(result.isGreedy == expected.is_greedy, "\(expected.context) | \(expected.continuation)")
            #expect(result.tokenCount == pair.continuation.count)
            if !scorer.fits(context: pair.context, continuations: [pair.continuation]) { truncated += 1 }
        }
        #expect(fixture.loglikelihood.contains { $0.is_greedy }, "the fixture must exercise a greedy continuation")
        #expect(truncated >= 1, "the fixture must exercise left truncation")
    }

    @Test("several continuations after one shared prefix score as each alone")
    func sharedPrefix() throws {
        let prefix = tokenizer.encode("Review: a gripping, well acted film.")
        let context = tokenizer.encode(" Sentiment:")
        let labels = [" positive", " negative", " okay then"].map { tokenizer.encode($0) }
        let shared = try ContinuationScorer(model: model)
        try shared.cachePrefix(prefix)
        let together = try shared.score(context: context, continuations: labels)
        for (index, label) in labels.enumerated() {
            let alone = try ContinuationScorer(model: model).score(context: prefix + context, continuations: [label])
            #expect(abs(together.continuations[index].logLikelihood - alone.continuations[0].logLikelihood) < 1e-5)
            #expect(together.greedyToken == alone.greedyToken)
        }
        #expect(together.tokensComputed == context.count + labels.reduce(0) { $0 + $1.count - 1 })
    }

    @Test("per-token log-probs over disjoint windows equal transformers'", arguments: [64, 16])
    func tokenLogProbabilities(window: Int) throws {
        let backbone = try ModelRegistry.load(try ModelDirectory(path: GPT2Fixture.directory, localWindow: window))
        let scorer = SegmentScorer(model: LocalModel(backbone: backbone))
        for document in fixture.documents {
            #expect(tokenizer.encode(document.text) == document.ids)
            let score = try scorer.score(document.ids)
            let expected = try #require(document.windows[String(window)])
            #expect(score.tokens.map(\.token) == document.ids)
            #expect(score.tokens.map(\.index) == Array(0..<document.ids.count))
            for (token, reference) in zip(score.tokens, expected) {
                #expect((token.logProbability == nil) == (reference == nil))
                if let value = token.logProbability, let reference { #expect(abs(value - reference) < 1e-4) }
            }
            let referenceNLL = -expected.compactMap { $0 }.reduce(0, +)
            #expect(abs(score.totalNLL - referenceNLL) / referenceNLL < 1e-4)
            #expect(score.scoredTokens == expected.compactMap { $0 }.count)
            #expect(abs(score.perplexity - exp(referenceNLL / Double(score.scoredTokens))) / score.perplexity < 1e-4)
        }
    }
}
