import Foundation
import LongMemTokenizer
import Testing

/// The three file layouts (OpenAI `encoder.json` + `vocab.bpe`, HF `vocab.json` + `merges.txt`,
/// HF `tokenizer.json` with either merge spelling) load the same tokenizer. The HF files are written
/// into a temporary directory from the shared OpenAI files, so nothing large is committed.
@Suite("Loader formats")
struct LoaderFormatTests {
    /// Writes the HF layouts of the shared GPT-2 files into `directory`: `pair/` (vocab.json +
    /// merges.txt), `json-strings/` and `json-pairs/` (tokenizer.json with `"a b"` merges and with
    /// `["a", "b"]` merges). The JSON is assembled as text, with encoder.json embedded verbatim as
    /// `model.vocab`, which is much faster in a debug build than going through `JSONSerialization`.
    private static func writeHFLayouts(into directory: URL) throws {
        let encoder = try Data(contentsOf: URL(fileURLWithPath: TestPaths.encoderJSON))
        let mergesText = try String(contentsOfFile: TestPaths.vocabBPE, encoding: .utf8)
        func subdirectory(_ name: String) throws -> URL {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }

        let pair = try subdirectory("pair")
        try encoder.write(to: pair.appendingPathComponent("vocab.json"))
        try Data(mergesText.utf8).write(to: pair.appendingPathComponent("merges.txt"))

        let lines = mergesText.split(separator: "\n").filter { !$0.hasPrefix("#version") }
        for asPairs in [false, true] {
            let merges = lines.map { line in
                asPairs
                    ? "[" + line.split(separator: " ").map { jsonString(String($0)) }.joined(separator: ",") + "]"
                    : jsonString(String(line))
            }
            var json = Data(
                #"{"version":"1.0","added_tokens":[{"id":50256,"content":"<|endoftext|>","single_word":false,"#.utf8)
            json += Data(#""lstrip":false,"rstrip":false,"normalized":true,"special":true}],"#.utf8)
            json += Data(#""pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false},"#.utf8)
            json += Data(#""model":{"type":"BPE","vocab":"#.utf8) + encoder
            json += Data((#","merges":["# + merges.joined(separator: ",") + "]}}").utf8)
            let url = try subdirectory(asPairs ? "json-pairs" : "json-strings")
            try json.write(to: url.appendingPathComponent("tokenizer.json"))
        }
    }

    /// `text` as a JSON string literal.
    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func sampleTexts() throws -> [String] {
        var texts = try ReferenceFixture.shared.get().cases.map(\.text)
        let book = TestPaths.longtextDirectory.appendingPathComponent("pg22_like/pg65242.txt")
        texts.append(String(decoding: try Data(contentsOf: book).prefix(20_000), as: UTF8.self))
        return texts
    }

    @Test("encoder.json+vocab.bpe, vocab.json+merges.txt and tokenizer.json (both merge spellings) give identical ids")
    func identicalIDs() throws {
        let reference = try gpt2Tokenizer()
        let directory = try makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        try Self.writeHFLayouts(into: directory)

        let loaded = try ["pair", "json-strings", "json-pairs"].map { name in
            (name, try BytePairTokenizer.load(directory: directory.appendingPathComponent(name).path))
        }
        let texts = try Self.sampleTexts()
        for (name, tokenizer) in loaded {
            #expect(tokenizer.vocabularySize == reference.vocabularySize, "\(name)")
            #expect(tokenizer.mergeCount == reference.mergeCount, "\(name)")
            #expect(tokenizer.endOfTextID == 50256, "\(name)")
            #expect(tokenizer.specialTokens == ["<|endoftext|>": 50256], "\(name)")
            for text in texts {
                #expect(tokenizer.encode(text) == reference.encode(text), "\(name): \(text.prefix(40))")
            }
        }
    }

    @Test("load(directory:) prefers tokenizer.json over vocab.json+merges.txt over encoder.json+vocab.bpe")
    func directoryPreference() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        // Three tiny byte-only vocabularies that differ in one extra token, so the winner is visible.
        func vocabulary(extra: String) -> [String: Int] {
            var vocabulary = TinyVocabulary.bytes
            vocabulary[extra] = 256
            return vocabulary
        }
        func write(_ object: Any, _ name: String) throws {
            try JSONSerialization.data(withJSONObject: object).write(to: directory.appendingPathComponent(name))
        }
        try write(vocabulary(extra: "openai"), "encoder.json")
        try Data("#version: 0.2\n".utf8).write(to: directory.appendingPathComponent("vocab.bpe"))
        #expect(try BytePairTokenizer.load(directory: directory.path).token(forID: 256) == "openai")

        try write(vocabulary(extra: "hf-pair"), "vocab.json")
        try Data().write(to: directory.appendingPathComponent("merges.txt"))
        #expect(try BytePairTokenizer.load(directory: directory.path).token(forID: 256) == "hf-pair")

        try write(
            ["model": ["type": "BPE", "vocab": vocabulary(extra: "hf-json"), "merges": [String]()]], "tokenizer.json")
        #expect(try BytePairTokenizer.load(directory: directory.path).token(forID: 256) == "hf-json")
    }

    @Test("in-memory init with special tokens splits them out only when allowed")
    func inMemorySpecialTokens() throws {
        var vocabulary = TinyVocabulary.bytes
        vocabulary["ab"] = 256
        let plain = try BytePairTokenizer(vocabulary: vocabulary, merges: [("a", "b")], specialTokens: ["<sep>": 300])
        let special = try BytePairTokenizer(
            vocabulary: vocabulary, merges: [("a", "b")], specialTokens: ["<sep>": 300, "<sep2>": 301],
            allowedSpecial: true)
        let a = Int(UInt8(ascii: "a")), b = Int(UInt8(ascii: "b"))
        let less = Int(UInt8(ascii: "<")), greater = Int(UInt8(ascii: ">"))
        #expect(plain.encode("ab<sep>ab") == [256, less, 115, 101, 112, greater, 256])
        #expect(plain.encode("ab<sep>ab", allowedSpecial: true) == [256, 300, 256])
        #expect(special.encode("ab<sep2>b a<sep>") == [256, 301, b, 32, a, 300])  // longest match wins
        #expect(special.vocabularySize == 302)
        #expect(special.decode([256, 301, 256]) == "ab<sep2>ab")
        #expect(special.endOfTextID == nil)
    }
}
