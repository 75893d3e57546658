import Foundation
import LongMemTokenizer
import Testing

/// The merge loop: agreement with OpenAI's literal algorithm, rank and tie rules on tiny
/// vocabularies, long words, the cache, and concurrent use.
@Suite("BPE merges")
struct BPEMergeTests {
    private static let openAI = Result {
        OpenAIReferenceBPE(mergesText: try String(contentsOfFile: TestPaths.vocabBPE, encoding: .utf8))
    }

    /// A byte vocabulary plus the given merge results (ids from 256 on), with those merges.
    private static func tiny(_ merges: [(String, String)], extra: [String] = []) throws -> BytePairTokenizer {
        var vocabulary = TinyVocabulary.bytes
        for token in merges.map({ $0.0 + $0.1 }) + extra where vocabulary[token] == nil {
            vocabulary[token] = vocabulary.count
        }
        return try BytePairTokenizer(vocabulary: vocabulary, merges: merges)
    }

    private static func tokens(_ tokenizer: BytePairTokenizer, _ text: String) -> [String] {
        tokenizer.encode(text).map { tokenizer.token(forID: $0) ?? "?" }
    }

    @Test("ids agree with OpenAI's string-based bpe() on every word of a book excerpt and the fixture")
    func agreesWithOpenAI() throws {
        let tokenizer = try gpt2Tokenizer()
        let reference = try Self.openAI.get()
        let book = TestPaths.longtextDirectory.appendingPathComponent("pg19_era/1424-0.txt")
        var texts = try ReferenceFixture.shared.get().cases.map(\.text)
        texts.append(String(decoding: try Data(contentsOf: book).prefix(60_000), as: UTF8.self))
        var words = Set<String>()
        for text in texts { words.formUnion(GPT2PreTokenizer().split(text)) }
        #expect(words.count > 2000)
        for word in words {
            let expected = reference.bpe(word).compactMap { tokenizer.id(forToken: $0) }
            #expect(tokenizer.encode(word) == expected, "\(word.debugDescription)")
        }
    }

    @Test("the lowest rank merges first, and ties go to the leftmost pair")
    func rankAndTies() throws {
        let tokenizer = try Self.tiny([("a", "a"), ("b", "c"), ("a", "b"), ("aa", "aa")])
        #expect(Self.tokens(tokenizer, "aaa") == ["aa", "a"])
        #expect(Self.tokens(tokenizer, "aaaa") == ["aaaa"])
        #expect(Self.tokens(tokenizer, "aaaaa") == ["aaaa", "a"])
        #expect(Self.tokens(tokenizer, "abc") == ["a", "bc"])  // (b, c) outranks (a, b)
        #expect(Self.tokens(tokenizer, "ab") == ["ab"])
    }

    @Test("a pair listed twice takes its later rank, as in encoder.py and HF")
    func duplicateMergeLastWins() throws {
        let tokenizer = try Self.tiny([("b", "c"), ("a", "b"), ("b", "c")])
        #expect(Self.tokens(tokenizer, "abc") == ["ab", "c"])
    }

    @Test("long single-class runs (one pre-tokenizer piece each) match OpenAI and round-trip")
    func longRuns() throws {
        let tokenizer = try BytePairTokenizer.load(
            vocabularyFile: TestPaths.encoderJSON, mergesFile: TestPaths.vocabBPE, cacheCapacity: 0)
        for text in [
            String(repeating: "=", count: 20_000), String(repeating: "ab", count: 10_000),
            String(repeating: "7", count: 10_000),
        ] {
            let ids = tokenizer.encode(text)
            let expected = try Self.openAI.get().bpe(text).compactMap { tokenizer.id(forToken: $0) }
            #expect(ids == expected)
            #expect(tokenizer.decode(ids) == text)
        }
    }

    @Test("the cache is bounded and does not change results")
    func cacheBounds() throws {
        let reference = try gpt2Tokenizer()
        let text = try ReferenceFixture.shared.get().cases.map(\.text).joined(separator: "\n")
        for capacity in [0, 10] {
            let tokenizer = try BytePairTokenizer.load(
                vocabularyFile: TestPaths.encoderJSON, mergesFile: TestPaths.vocabBPE, cacheCapacity: capacity)
            #expect(tokenizer.encode(text) == reference.encode(text))
            #expect(tokenizer.encode(text) == reference.encode(text))
            #expect(tokenizer.cachedWordCount <= capacity)
        }
    }

    @Test("concurrent encoding from many tasks gives the sequential result")
    func concurrentUse() async throws {
        let reference = try gpt2Tokenizer()
        let shared = try BytePairTokenizer.load(vocabularyFile: TestPaths.encoderJSON, mergesFile: TestPaths.vocabBPE)
        let texts = try ReferenceFixture.shared.get().cases.map(\.text)
        let expected = texts.map { reference.encode($0) }
        let results = await withTaskGroup(of: (Int, [Int]).self) { group in
            for round in 0..<4 {
                for (index, text) in texts.enumerated() where index % 4 == round || round == 0 {
                    group.addTask { (index, shared.encode(text)) }
                }
            }
            return await group.reduce(into: [(Int, [Int])]()) { $0.append($1) }
        }
        #expect(results.count > texts.count)
        for (index, ids) in results { #expect(ids == expected[index], "\(texts[index].prefix(30))") }
    }
}
