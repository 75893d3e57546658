/// Splits text into the pieces ("words") that GPT-2's BPE merges within, exactly as the regex
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// does in HF `tokenizers` (ByteLevel pre-tokenizer, `add_prefix_space=false`) and OpenAI's encoder.py.
///
/// Why a hand-written scanner and not `NSRegularExpression`: ICU regex on Linux is slow on 400 KB books
/// and its `\s` and Unicode tables differ from Oniguruma's in small ways. Each alternative of the
/// pattern becomes one branch below, tried in the pattern's order at every position:
/// 1. Contractions are case-sensitive ASCII: `'s` matches, `'S` does not (it splits as `'` + `S`).
/// 2. An optional single U+0020 space joins the run of letters, numbers or "other" scalars after it.
///    Only U+0020: a tab or NBSP before a word stays a piece of its own.
/// 3. Runs are maximal runs of one class (`ScalarClass`). `'` is "other", so `?'s` is `?'` + `s`.
/// 4. `\s+(?!\S)` backtracks: a whitespace run followed by a non-space gives back its last scalar, so
///    `"  hello"` is `" "` + `" hello"`, and `"\t\tb"` is `"\t"` + `"\t"` + `"b"`. A run at the end
///    of the text is kept whole; a lone whitespace scalar before a non-space falls to `\s+`.
///
/// The scanner works on UTF-8 bytes (the BPE's input) and reports byte ranges, so no intermediate
/// strings are made.
public struct GPT2PreTokenizer: Sendable {
    public init() {}

    /// Calls `body` with the byte range of each piece of `bytes`, in order. The ranges tile the input.
    /// `bytes` must be valid UTF-8 (as the bytes of any Swift `String` are); truncated sequences at the
    /// end are tolerated and treated as "other".
    /// - Complexity: O(n) in the byte count; each scalar is classified at most twice.
    func forEachPiece(in bytes: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        let count = bytes.count
        var position = 0
        while position < count {
            let end = pieceEnd(in: bytes, from: position)
            body(position..<end)
            position = end
        }
    }

    /// The pieces of `text` as strings; for tests and diagnostics (encoding uses `forEachPiece`).
    public func split(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        var pieces: [String] = []
        bytes.withUnsafeBufferPointer { buffer in
            forEachPiece(in: buffer) { range in
                pieces.append(String(decoding: buffer[range], as: UTF8.self))
            }
        }
        return pieces
    }

    /// The end of the piece that starts at `start` (which is below `bytes.count`).
    @inline(__always)
    private func pieceEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let count = bytes.count
        let first = bytes[start]

        // 's|'t|'re|'ve|'m|'ll|'d
        if first == UInt8(ascii: "'"), start + 1 < count {
            switch bytes[start + 1] {
            case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
                return start + 2
            case UInt8(ascii: "r"), UInt8(ascii: "v"):
                if start + 2 < count, bytes[start + 2] == UInt8(ascii: "e") { return start + 3 }
            case UInt8(ascii: "l"):
                if start + 2 < count, bytes[start + 2] == UInt8(ascii: "l") { return start + 3 }
            default:
                break
            }
        }

        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
        let head = Self.scalar(in: bytes, at: start)
        var runClass = ScalarClass.of(head.value)
        var runStart = start
        if first == UInt8(ascii: " "), start + 1 < count {
            let next = Self.scalar(in: bytes, at: start + 1)
            let nextClass = ScalarClass.of(next.value)
            if nextClass != .whitespace {
                runClass = nextClass
                runStart = start + 1
            }
        }
        if runClass != .whitespace {
            var end = runStart + Self.scalar(in: bytes, at: runStart).length
            while end < count {
                let scalar = Self.scalar(in: bytes, at: end)
                if ScalarClass.of(scalar.value) != runClass { break }
                end += scalar.length
            }
            return end
        }

        // `\s+(?!\S)` then `\s+`
        var end = start
        var lastStart = start
        var scalarsInRun = 0
        while end < count {
            let scalar = Self.scalar(in: bytes, at: end)
            if ScalarClass.of(scalar.value) != .whitespace { break }
            lastStart = end
            end += scalar.length
            scalarsInRun += 1
        }
        if end == count || scalarsInRun == 1 { return end }
        return lastStart
    }

    /// The scalar value and UTF-8 length of the sequence at `index`.
    @inline(__always)
    static func scalar(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (value: UInt32, length: Int) {
        let lead = UInt32(bytes[index])
        if lead < 0x80 { return (lead, 1) }
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC0..<0xE0: length = 2; value = lead & 0x1F
        case 0xE0..<0xF0: length = 3; value = lead & 0x0F
        case 0xF0..<0xF8: length = 4; value = lead & 0x07
        default: return (0xFFFD, 1)  // stray continuation byte: not produced by a Swift String
        }
        guard index + length <= bytes.count else { return (0xFFFD, bytes.count - index) }
        for offset in 1..<length {
            value = (value << 6) | (UInt32(bytes[index + offset]) & 0x3F)
        }
        return (value, length)
    }
}
