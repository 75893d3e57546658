import Foundation
import LongMemTokenizer
import Testing

/// Every loader failure throws a `TokenizerError` whose one-line message starts with the file and
/// says what is wrong (with the line number for line-oriented files).
@Suite("Tokenizer errors")
struct TokenizerErrorTests {
    /// A temporary directory with the given files (name -> contents).
    private final class Scratch {
        let url: URL
        init(_ files: [String: String] = [:]) throws {
            url = try makeTemporaryDirectory()
            for (name, contents) in files { try write(name, contents) }
        }
        deinit { removeTemporaryDirectory(url) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
        func write(_ name: String, _ contents: String) throws {
            try Data(contents.utf8).write(to: url.appendingPathComponent(name))
        }
    }

    /// The tiny byte vocabulary plus `extra`, as encoder.json text.
    private static func vocabularyJSON(extra: [String: Int] = [:]) throws -> String {
        let vocabulary = TinyVocabulary.bytes.merging(extra) { $1 }
        return String(decoding: try JSONSerialization.data(withJSONObject: vocabulary), as: UTF8.self)
    }

    /// Checks the message: starts with `path`, is one line, and contains every fragment.
    private static func check(
        _ error: TokenizerError?, path: String, _ fragments: String...,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let error else { return }  // #expect(throws:) already recorded the failure
        let message = error.description
        #expect(message.hasPrefix(path), "\(message)", sourceLocation: sourceLocation)
        #expect(!message.contains("\n"), "\(message)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(message.contains(fragment), "\(message) lacks '\(fragment)'", sourceLocation: sourceLocation)
        }
    }

    @Test("missing files and directories")
    func missingFiles() throws {
        let scratch = try Scratch(["encoder.json": try Self.vocabularyJSON()])
        let missing = scratch.path("nope.json")
        let error = #expect(throws: TokenizerError.self) {
            try BytePairTokenizer.load(vocabularyFile: missing, mergesFile: scratch.path("vocab.bpe"))
        }
        #expect(error == .fileNotFound(path: missing))
        Self.check(error, path: missing, "file not found")

        // encoder.json without vocab.bpe: the missing half is named, not "no tokenizer files".
        let halfPair = #expect(throws: TokenizerError.self) { try BytePairTokenizer.load(directory: scratch.url.path) }
        #expect(halfPair == .fileNotFound(path: scratch.path("vocab.bpe")))

        let noDirectory = scratch.path("absent-dir")
        #expect(throws: TokenizerError.fileNotFound(path: noDirectory)) {
            try BytePairTokenizer.load(directory: noDirectory)
        }

        let dictionary = scratch.path("dict.txt")
        #expect(throws: TokenizerError.fileNotFound(path: dictionary)) {
            try FairseqDictionary(contentsOfFile: dictionary)
        }
    }

    @Test("a directory with no known tokenizer files")
    func noTokenizerFiles() throws {
        let scratch = try Scratch(["README.md": "nothing here"])
        let error = #expect(throws: TokenizerError.self) { try BytePairTokenizer.load(directory: scratch.url.path) }
        #expect(error == .noTokenizerFiles(directory: scratch.url.path))
        Self.check(error, path: scratch.url.path, "no tokenizer files", "tokenizer.json", "encoder.json")
    }

    @Test(
        "encoder.json that is not an object of string to integer",
        arguments: [
            "[1, 2, 3]", #"{"a": "one"}"#, "not json at all", #"{"a": 1.5}"#, "",
        ])
    func malformedEncoderJSON(contents: String) throws {
        let scratch = try Scratch(["encoder.json": contents, "vocab.bpe": "#version: 0.2\n"])
        let path = scratch.path("encoder.json")
        let error = #expect(throws: TokenizerError.self) {
            try BytePairTokenizer.load(vocabularyFile: path, mergesFile: scratch.path("vocab.bpe"))
        }
        guard case .malformedVocabulary(path, _)? = error else {
            Issue.record("expected malformedVocabulary, got \(String(describing: error))")
            return
        }
        Self.check(error, path: path, "malformed vocabulary", "string to integer")
    }

    @Test("vocabulary ids: negative, and one id for two tokens")
    func badIDs() throws {
        let negative = try Scratch(["encoder.json": try Self.vocabularyJSON(extra: ["x y": -3]), "vocab.bpe": ""])
        let negativeError = #expect(throws: TokenizerError.self) {
            try BytePairTokenizer.load(directory: negative.url.path)
        }
        Self.check(negativeError, path: negative.path("encoder.json"), "'x y' has id -3")

        let shared = try Scratch(["encoder.json": try Self.vocabularyJSON(extra: ["ab": 97]), "vocab.bpe": ""])
        let sharedError = #expect(throws: TokenizerError.self) {
            try BytePairTokenizer.load(directory: shared.url.path)
        }
        Self.check(sharedError, path: shared.path("encoder.json"), "id 97 is given to both 'a' and 'ab'")
    }

    @Test(
        "vocab.bpe line that is not two symbols, with its line number",
        arguments: [
            ("#version: 0.2\na b\nc d e\n", 3, "c d e"),
            ("a b\n\nc d\n", 2, ""),
            ("#version: 0.2\nab\n", 2, "ab"),
            ("a  b\n", 1, "a  b"),
        ])
    func malformedMergeLine(contents: String, line: Int, text: String) throws {
        let scratch = try Scratch(["encoder.json": try Self.vocabularyJSON(), "vocab.bpe": contents])
        let path = scratch.path("vocab.bpe")
        let error = #expect(throws: TokenizerError.self) { try BytePairTokenizer.load(directory: scratch.url.path) }
        #expect(error == .malformedMergeLine(path: path, line: line, text: text))
        Self.check(error, path: "\(path):\(line):", "malformed merge line", "two symbols")
    }

    @Test("merge rules outside the vocabulary name the rule, the line and the missing token")
    func mergeOutOfVocabulary() throws {
        let scratch = try Scratch([
            "vocab.json": try Self.vocabularyJSON(extra: ["ab": 256]),
            "merges.txt": "#version: 0.2\na b\nab c\n",
        ])
        let path = scratch.path("merges.txt")
        let error = #expect(throws: TokenizerError.self) { try BytePairTokenizer.load(directory: scratch.url.path) }
        #expect(error == .mergeOutOfVocabulary(path: path, line: 3, rank: 1, merge: "ab c", missing: "abc"))
        Self.check(error, path: "\(path):3:", "merge 'ab c'", "'abc' is not in the vocabulary")

        let unknownSymbol = #expect(throws: TokenizerError.self) {
            try BytePairTokenizer(vocabulary: TinyVocabulary.bytes, merges: [("a", "zz")], source: "gguf:model.gguf")
        }
        Self.check(unknownSymbol, path: "gguf:model.gguf", "merge 'a zz' (rank 0)", "'zz' is not in the vocabulary")
    }

    @Test("a vocabulary without every byte token")
    func missingByteToken() throws {
        var vocabulary = TinyVocabulary.bytes
        vocabulary["Ġ"] = nil
        let error = #expect(throws: TokenizerError.self) {
            try BytePairTokenizer(vocabulary: vocabulary, merges: [], source: "mem")
        }
        #expect(error == .missingByteToken(path: "mem", byte: 0x20, token: "Ġ"))
        Self.check(error, path: "mem", "no token 'Ġ' for byte 0x20")
    }

    @Test(
        "malformed tokenizer.json",
        arguments: [
            ("{not json", "not valid JSON"),
            (#"{"added_tokens": []}"#, "missing key 'model'"),
            (#"{"model": {"type": "BPE", "merges": []}}"#, "missing key 'model.vocab'"),
            (#"{"model": {"type": "BPE", "vocab": {"a": "x"}, "merges": []}}"#, "model.vocab.a"),
            (
                #"{"model": {"type": "BPE", "vocab": {}, "merges": ["a b", "abc"]}}"#,
                "model.merges[1] 'abc' is not two symbols"
            ),
            (#"{"model": {"type": "BPE", "vocab": {}, "merges": [["a", "b", "c"]]}}"#, "model.merges[0] 'a b c'"),
            (#"{"model": {"type": "BPE", "vocab": {}, "merges": [7]}}"#, "model.merges[0]"),
            (#"{"model": {"type": "WordPiece", "vocab": {}, "merges": []}}"#, "model.type is 'WordPiece'"),
            (#"{"model": {"vocab": {}, "merges": []}, "added_tokens": [{"content": "x"}]}"#, "added_tokens[0].id"),
        ])
    func malformedTokenizerJSON(contents: String, fragment: String) throws {
        let scratch = try Scratch(["tokenizer.json": contents])
        let path = scratch.path("tokenizer.json")
        let error = #expect(throws: TokenizerError.self) { try BytePairTokenizer.load(directory: scratch.url.path) }
        guard case .malformedTokenizerJSON(path, _)? = error else {
            Issue.record("expected malformedTokenizerJSON, got \(String(describing: error))")
            return
        }
        Self.check(error, path: path, "malformed tokenizer.json", fragment)
    }

    @Test(
        "malformed dict.txt lines, with their line numbers",
        arguments: [
            ("13 5\nlonely\n", 2, "expected '<symbol> <count>"),
            ("13 5\n262 many\n", 2, "'262 many'"),
            ("13 5\n\n", 2, "got ''"),
            ("13 5\n262 1\n13 9\n", 3, "duplicate symbol '13'"),
            ("<unk> 0\n", 1, "duplicate symbol '<unk>'"),
            ("#fairseq:overwrite 3 x\n", 1, "expected"),
            ("onlyflag #fairseq:overwrite\n", 1, "expected"),
        ])
    func malformedDictionary(contents: String, line: Int, fragment: String) throws {
        let scratch = try Scratch(["dict.txt": contents])
        let path = scratch.path("dict.txt")
        let error = #expect(throws: TokenizerError.self) { try FairseqDictionary(contentsOfFile: path) }
        guard case .malformedDictionaryLine(path, line, _)? = error else {
            Issue.record("expected malformedDictionaryLine at line \(line), got \(String(describing: error))")
            return
        }
        Self.check(error, path: "\(path):\(line):", "malformed dictionary line", fragment)
    }

    @Test("files that are not UTF-8")
    func notUTF8() throws {
        let scratch = try Scratch()
        let path = scratch.path("vocab.bpe")
        try Data([0x61, 0x20, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: path))
        try scratch.write("encoder.json", try Self.vocabularyJSON())
        let error = #expect(throws: TokenizerError.self) { try BytePairTokenizer.load(directory: scratch.url.path) }
        #expect(error == .unreadable(path: path, reason: "not valid UTF-8"))
        Self.check(error, path: path, "cannot read")
    }

    @Test("control characters in a bad line are escaped so the message stays one line")
    func oneLineMessages() {
        let error = TokenizerError.malformedMergeLine(path: "m.txt", line: 4, text: "a\u{2028}b\u{1B}c\r")
        #expect(
            error.description
                == #"m.txt:4: malformed merge line 'a\u{2028}b\u{1b}c\r': expected two symbols separated by one space"#)
    }
}
