import Foundation
import LongMemHarness
import LongMemModels
import LongMemTestSupport
import LongMemTokenizer
import Testing

@Suite("Scoring contracts against lm-eval and transformers")
struct ScorerTests {
    let fixture: GPT2Fixture
    let model: LanguageModel
    let tokenizer: BytePairTokenizer

    init() throws {
        fixture = try GPT2Fixture.load()
        model = try ModelRegistry.load(try ModelDirectory(path: GPT2Fixture.directory))
        tokenizer = try BytePairTokenizer.load(directory: FixturePaths.dataset("gpt2_bpe"))
    }

    @Test("loglikelihood equals lm-eval's HFLM within 1e-4, and agrees on is_greedy", arguments: [1, 3])
    func loglikelihood(batchSize: Int) throws {
        let scorer = try Scorer(model: model, tokenizer: tokenizer, batchSize: batchSize)
        let requests = fixture.loglikelihood.map {
            LoglikelihoodRequest(context: $0.context, continuation: $0.continuation)
        }
        let results = try scorer.loglikelihood(requests)
        for (result, expected) in zip(results, fixture.loglikelihood) {
            #expect(
                abs(result.logLikelihood - expected.logprob) < 1e-4, "\(expected.context) | \(expected.continuation)")
            #expect(result.isGreedy == expected.is_greedy)
        }
        #expect(fixture.loglikelihood.contains { $0.is_greedy }, "the fixture must exercise a greedy continuation")
    }

    @Test("loglikelihood_rolling equals lm-eval within 1e-4 relative")
    func rolling() throws {
        let scorer = try Scorer(model: model, tokenizer: tokenizer)
        let results = try scorer.loglikelihoodRolling(fixture.loglikelihood_rolling.map(\.text))
        for (result, expected) in zip(results, fixture.loglikelihood_rolling) {
            #expect(abs(result - expected.logprob) / abs(expected.logprob) < 1e-4)
        }
    }

    @Test("per-token log-probs over disjoint windows equal transformers'", arguments: [64, 16])
    func tokenLogProbabilities(window: Int) throws {
        let scorer = try Scorer(model: model, tokenizer: tokenizer, batchSize: 2)
        for document in fixture.documents {
            #expect(tokenizer.encode(document.text) == document.ids)
            let score = try scorer.tokenLogProbabilities(document.ids, window: window)
            let expected = try #require(document.windows[String(window)])
            #expect(score.tokens.map(\.token) == document.ids)
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

    @Test("the context/continuation boundary moves trailing spaces and uses end-of-text for an empty context")
    func boundary() throws {
        let scorer = try Scorer(model: model, tokenizer: tokenizer)
        let pair = scorer.encode(LoglikelihoodRequest(context: "Sentiment:  ", continuation: "good"))
        #expect(pair.context == tokenizer.encode("Sentiment:"))
        #expect(pair.context + pair.continuation == tokenizer.encode("Sentiment:  good"))
        let empty = scorer.encode(LoglikelihoodRequest(context: "", continuation: "Hello"))
        #expect(empty.context == [50256] && empty.continuation == tokenizer.encode("Hello"))
    }

    @Test("invalid windows and batch sizes are errors")
    func invalid() throws {
        let scorer = try Scorer(model: model, tokenizer: tokenizer)
        #expect(throws: HarnessError.invalidWindow(window: 65, limit: 64)) {
            try scorer.tokenLogProbabilities([1, 2, 3], window: 65)
        }
        #expect(throws: HarnessError.invalidBatchSize(0)) {
            try Scorer(model: model, tokenizer: tokenizer, batchSize: 0)
        }
    }
}

@Suite("Rolling windows")
struct RollingWindowTests {
    @Test("every token is predicted exactly once with at most maxLength inputs", arguments: [1, 5, 16, 17, 40, 100])
    func coverage(length: Int) {
        let tokens = Array(100..<(100 + length))
        let windows = RollingWindows.make(tokens: tokens, prefixToken: 0, maxLength: 16)
        #expect(windows.flatMap(\.continuation) == tokens)
        #expect(windows.first?.context == [0])
        for window in windows {
            #expect(window.context.count + window.continuation.count <= 17)
            #expect(!window.context.isEmpty)
        }
        // Later windows are conditioned on the tokens right before them.
        for window in windows.dropFirst() {
            let start = tokens.firstIndex(of: window.continuation[0])!
            #expect(window.context == Array(tokens[(start - window.context.count)..<start]))
        }
    }
}
