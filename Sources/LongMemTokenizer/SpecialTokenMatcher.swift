/// Finds added/special tokens (such as `<|endoftext|>`) in raw text so they can be emitted as single
/// ids instead of being byte-pair encoded.
///
/// Matching is leftmost-longest over UTF-8 bytes, like HF's added-vocabulary Aho-Corasick: at each
/// position the longest token that starts there wins, and the text between matches is ordinary text.
struct SpecialTokenMatcher: Sendable {
    private let tokens: [(bytes: [UInt8], id: Int)]
    /// Whether any token starts with a given byte; rejects most positions with one lookup.
    private let startsWith: [Bool]

    init(_ tokens: [String: Int]) {
        let sorted = tokens.filter { !$0.key.isEmpty }
            .map { (bytes: Array($0.key.utf8), id: $0.value) }
            .sorted {
                $0.bytes.count != $1.bytes.count
                    ? $0.bytes.count > $1.bytes.count : $0.bytes.lexicographicallyPrecedes($1.bytes)
            }
        var starts = [Bool](repeating: false, count: 256)
        for token in sorted { starts[Int(token.bytes[0])] = true }
        self.tokens = sorted
        self.startsWith = starts
    }

    var isEmpty: Bool { tokens.isEmpty }

    /// Calls `ordinary` for each stretch of text between matches (never empty) and `special` for
    /// each matched token id, in text order.
    /// - Complexity: O(n·k) in the worst case for n bytes and k tokens; O(n) when few bytes can start
    ///   a token.
    func forEachSegment(
        in bytes: UnsafeBufferPointer<UInt8>,
        ordinary: (Range<Int>) -> Void,
        special: (Int) -> Void
    ) {
        var segmentStart = 0
        var position = 0
        let count = bytes.count
        while position < count {
            if startsWith[Int(bytes[position])], let match = longestMatch(in: bytes, at: position) {
                if segmentStart < position { ordinary(segmentStart..<position) }
                special(match.id)
                position += match.length
                segmentStart = position
            } else {
                position += 1
            }
        }
        if segmentStart < count { ordinary(segmentStart..<count) }
    }

    private func longestMatch(in bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> (id: Int, length: Int)? {
        let available = bytes.count - position
        for token in tokens where token.bytes.count <= available {
            var matches = true
            for (offset, byte) in token.bytes.enumerated() where bytes[position + offset] != byte {
                matches = false
                break
            }
            if matches { return (token.id, token.bytes.count) }
        }
        return nil
    }
}
