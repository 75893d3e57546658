import LongMemTokenizer
import Testing

/// Decoding token slices that cut a multi-byte character: `decodeBytes` keeps the raw bytes (so
/// slices concatenate losslessly), and `decode` repairs them exactly as Python's
/// `bytes.decode("utf-8", errors="replace")`.
@Suite("Byte-level decoding")
struct ByteDecodingTests {
    @Test("split-character prefixes: bytes and replacement text match Python")
    func splitDecodes() throws {
        let tokenizer = try gpt2Tokenizer()
        let fixture = try ReferenceFixture.shared.get()
        #expect(!fixture.splitDecodes.isEmpty)
        var sawReplacement = false
        for split in fixture.splitDecodes {
            #expect(tokenizer.decodeBytes(split.ids) == split.bytes, "\(split.ids)")
            let text = tokenizer.decode(split.ids)
            #expect(
                sameScalars(text, split.text),
                "\(split.ids): \(Array(text.unicodeScalars)) vs \(Array(split.text.unicodeScalars))")
            sawReplacement = sawReplacement || split.text.unicodeScalars.contains("\u{FFFD}")
        }
        #expect(sawReplacement, "the fixture should include prefixes that end inside a character")
    }

    @Test("invalid UTF-8 is replaced like Python's errors=\"replace\"")
    func replacementPolicy() throws {
        let fixture = try ReferenceFixture.shared.get()
        #expect(fixture.utf8Replacement.count > 50)
        for sample in fixture.utf8Replacement {
            let repaired = String(decoding: sample.bytes, as: UTF8.self)
            #expect(sameScalars(repaired, sample.text), "\(sample.bytes)")
        }
    }

    @Test(
        "decodeBytes of consecutive slices concatenates to the whole",
        arguments: [
            "日本語のテキスト", "👨‍👩‍👧‍👦 family", "naïve café €5", "Ωμέγα and ℝ", "\u{1F44D}\u{1F3FD}!",
        ])
    func sliceConcatenation(text: String) throws {
        let tokenizer = try gpt2Tokenizer()
        let ids = tokenizer.encode(text)
        let whole = tokenizer.decodeBytes(ids)
        #expect(whole == Array(text.utf8))
        for cut in 0...ids.count {
            let joined = tokenizer.decodeBytes(Array(ids[..<cut])) + tokenizer.decodeBytes(Array(ids[cut...]))
            #expect(joined == whole, "cut at \(cut)")
        }
    }

    @Test("every single-byte token decodes to its byte, and every token round-trips through its bytes")
    func everyToken() throws {
        let tokenizer = try gpt2Tokenizer()
        for byte in 0...255 {
            let ids = tokenizer.encode(String(decoding: [UInt8(byte)], as: UTF8.self))
            if byte < 0x80 { #expect(tokenizer.decodeBytes(ids) == [UInt8(byte)]) }
        }
        for id in 0..<tokenizer.vocabularySize {
            let bytes = tokenizer.decodeBytes([id])
            #expect(!bytes.isEmpty, "token \(id)")
        }
    }

    @Test("unknown ids decode to nothing")
    func unknownIDs() throws {
        let tokenizer = try gpt2Tokenizer()
        #expect(tokenizer.decode([15496, -1, 50257, 1_000_000, 995]) == "Hello world")
    }
}
