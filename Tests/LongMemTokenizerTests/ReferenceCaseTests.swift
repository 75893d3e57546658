import LongMemTokenizer
import Testing

/// Id-for-id agreement with HF `tokenizers` on the committed fixture cases (scripts, emoji,
/// whitespace runs, contractions, code, LaTeX, long runs, seeded random strings).
@Suite("GPT-2 BPE matches the HF reference")
struct ReferenceCaseTests {
    @Test("the fixture loads and has cases")
    func fixtureLoads() throws {
        let fixture = try ReferenceFixture.shared.get()
        #expect(fixture.cases.count >= 60)
    }

    @Test("pre-tokenizer pieces match HF's ByteLevel split", arguments: ReferenceFixture.casesOrEmpty)
    func pieces(_ testCase: ReferenceFixture.Case) {
        let pieces = GPT2PreTokenizer().split(testCase.text)
        #expect(pieces.map { Array($0.unicodeScalars) } == testCase.pieces.map { Array($0.unicodeScalars) })
    }

    @Test("ids match the reference id for id", arguments: ReferenceFixture.casesOrEmpty)
    func ids(_ testCase: ReferenceFixture.Case) throws {
        let tokenizer = try gpt2Tokenizer()
        #expect(tokenizer.encode(testCase.text) == testCase.ids)
    }

    @Test("decode(encode(text)) gives back the exact scalars", arguments: ReferenceFixture.casesOrEmpty)
    func roundTrip(_ testCase: ReferenceFixture.Case) throws {
        let tokenizer = try gpt2Tokenizer()
        let decoded = tokenizer.decode(tokenizer.encode(testCase.text))
        #expect(sameScalars(decoded, testCase.text))
        #expect(sameScalars(tokenizer.decode(testCase.ids), testCase.decoded))
    }

    @Test("special tokens are plain text by default and single ids when allowed")
    func specialTokens() throws {
        let tokenizer = try gpt2Tokenizer()
        let fixture = try ReferenceFixture.shared.get()
        #expect(!fixture.specialCases.isEmpty)
        for special in fixture.specialCases {
            #expect(tokenizer.encode(special.text) == special.plainIDs, "plain: \(special.text)")
            #expect(
                tokenizer.encode(special.text, allowedSpecial: true) == special.specialIDs, "special: \(special.text)")
        }
    }

    @Test("sanity vector and vocabulary accessors")
    func sanity() throws {
        let tokenizer = try gpt2Tokenizer()
        #expect(tokenizer.encode("Hello world!") == [15496, 995, 0])
        #expect(tokenizer.vocabularySize == 50257)
        #expect(tokenizer.endOfTextID == 50256)
        #expect(tokenizer.mergeCount == 50000)
        #expect(tokenizer.id(forToken: "Ġworld") == 995)
        #expect(tokenizer.token(forID: 995) == "Ġworld")
        #expect(tokenizer.token(forID: -1) == nil)
        #expect(tokenizer.token(forID: 50257) == nil)
        #expect(tokenizer.id(forToken: "no such token") == nil)
        #expect(tokenizer.encode("") == [])
    }
}
