import LongMemTokenizer
import Testing

/// fairseq's `dict.txt` remap between GPT-2 ids and LongMem embedding rows.
@Suite("fairseq dictionary")
struct FairseqDictionaryTests {
    @Test("the real dict.txt: 51200 indices, 13 -> 4, specials and padding")
    func realFile() throws {
        let dictionary = try fairseqDictionary()
        #expect(dictionary.count == 51200)
        #expect((dictionary.bos, dictionary.pad, dictionary.eos, dictionary.unk) == (0, 1, 2, 3))
        #expect(dictionary.symbols.prefix(4) == ["<s>", "<pad>", "</s>", "<unk>"])
        #expect(dictionary.index(forGPT2ID: 13) == 4)
        #expect(dictionary.gpt2ID(forIndex: 4) == 13)
        #expect(dictionary.index(forGPT2ID: 262) == 5)
        for special in 0..<4 { #expect(dictionary.gpt2ID(forIndex: special) == nil) }
        #expect(dictionary.symbols[51199] == "madeupword0938")
        #expect(dictionary.gpt2ID(forIndex: 51199) == nil)
        #expect(dictionary.gpt2ID(forIndex: 51200) == nil)
        #expect(dictionary.gpt2ID(forIndex: -1) == nil)
        #expect(dictionary.index(forGPT2ID: 50257) == dictionary.unk)
        #expect(dictionary.index(forGPT2ID: -5) == dictionary.unk)
        #expect(dictionary.index(forSymbol: "madeupword0000") == 51200 - 939)

        // Every GPT-2 id has its own index, and the maps are inverse.
        var seen = Set<Int>()
        for id in 0..<50257 {
            let index = dictionary.index(forGPT2ID: id)
            #expect(index >= 4 && dictionary.gpt2ID(forIndex: index) == id)
            seen.insert(index)
        }
        #expect(seen.count == 50257)
    }

    @Test(
        "FairseqTokenizer maps BPE ids through the dictionary and round-trips text",
        arguments: ReferenceFixture.casesOrEmpty.prefix(70))
    func tokenizerRoundTrip(_ testCase: ReferenceFixture.Case) throws {
        let fairseq = FairseqTokenizer(bpe: try gpt2Tokenizer(), dictionary: try fairseqDictionary())
        let indices = fairseq.encode(testCase.text)
        #expect(indices == testCase.ids.map { fairseq.dictionary.index(forGPT2ID: $0) })
        #expect(sameScalars(fairseq.decode(indices), testCase.text))
    }

    @Test("FairseqTokenizer vocabulary accessors and special decoding")
    func tokenizerAccessors() throws {
        let fairseq = FairseqTokenizer(bpe: try gpt2Tokenizer(), dictionary: try fairseqDictionary())
        #expect(fairseq.vocabularySize == 51200)
        #expect(fairseq.encode(".") == [4])
        #expect(fairseq.id(forToken: ".") == 4)
        #expect(fairseq.id(forToken: "</s>") == 2)
        #expect(fairseq.token(forID: 4) == ".")
        #expect(fairseq.token(forID: 3) == "<unk>")
        #expect(fairseq.token(forID: 99_999) == nil)
        let endOfText = try #require(fairseq.endOfTextID)
        #expect(fairseq.dictionary.gpt2ID(forIndex: endOfText) == 50256)
        // </s> decodes to nothing; the other specials and padding to their symbols.
        #expect(fairseq.decode([4, 2, 4]) == "..")
        #expect(fairseq.decode([0, 1, 3]) == "<s><pad><unk>")
        #expect(fairseq.decode([51199, -1, 51200]) == "madeupword0938")
    }

    @Test("parsing: overwrite flag, trailing whitespace, CRLF, non-numeric symbols")
    func parsing() throws {
        let text = "13 100\r\n262 50  \nhello 7\n13 5 #fairseq:overwrite\n013 1\n"
        let dictionary = try FairseqDictionary(parsing: text, path: "mem.txt")
        #expect(dictionary.count == 9)
        #expect(dictionary.symbols[4...] == ["13", "262", "hello", "13", "013"])
        #expect(dictionary.index(forGPT2ID: 13) == 7)  // the overwriting line wins
        #expect(dictionary.gpt2ID(forIndex: 4) == 13)  // the overwritten index still decodes
        #expect(dictionary.gpt2ID(forIndex: 6) == nil)  // "hello"
        #expect(dictionary.gpt2ID(forIndex: 8) == nil)  // "013" is not how fairseq writes 13
        #expect(dictionary.index(forSymbol: "hello") == 6)
        #expect(try FairseqDictionary(parsing: "", path: "empty.txt").count == 4)
    }

    /// Tests/Fixtures/fuzz/tokenizer/oom-1301336d.dict.txt: 75 bytes whose "999999999" line would have made
    /// the id table a billion entries long (an 8 GB allocation; found by the tokenizer fuzzer).
    @Test("a GPT-2 id past the tokenizer id limit is an error naming the line, not the length of the id table")
    func hugeNumericSymbol() throws {
        let fixture = "Tests/Fixtures/fuzz/tokenizer/oom-1301336d.dict.txt"
        let path = TestPaths.repositoryRoot.appendingPathComponent(fixture).path
        do {
            _ = try FairseqDictionary(contentsOfFile: path)
            Issue.record("\(fixture) was accepted")
        } catch {
            #expect("\(error)".contains("GPT-2 id 999999999 is outside 0..<16777216"), "\(error)")
        }
    }
}
