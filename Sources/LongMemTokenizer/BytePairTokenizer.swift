/// GPT-2's byte-level BPE, bit-exact with OpenAI's encoder.py and HF `tokenizers`
/// (`ByteLevel(add_prefix_space=false)` pre-tokenizer + `BPE` model + `ByteLevel` decoder).
///
/// Encoding: text -> UTF-8 bytes -> pieces (`GPT2PreTokenizer`) -> per piece, one symbol per byte
/// (the byte's `ByteUnicodeTable` token) -> merges by rank (`BPEMergeTable`) -> ids. Pieces are
/// cached (`WordCache`). Nothing is prepended or appended: no BOS/EOS, no prefix space.
///
/// Special tokens (`<|endoftext|>` and `added_tokens`) are plain text by default, as in lm-eval's
/// GPT-2 runs: `"<|endoftext|>"` in the input encodes as `<`, `|`, `end`, ... . Pass
/// `allowedSpecial: true` (at init, or per call) to emit them as single ids instead.
///
/// Decoding maps each id back to its bytes; ids with no token (negative, too large, or gaps in a
/// sparse vocabulary) contribute nothing, as in HF `decode`.
///
/// The instance is immutable apart from its internally locked cache, so it can be shared freely.
public final class BytePairTokenizer: TextTokenizer {
    /// Cache entries kept at most (words, not tokens). A 400 KB novel has about 20,000 distinct words.
    public static let defaultCacheCapacity = 200_000

    /// Whether `encode(_:)` splits out special tokens.
    public let allowedSpecial: Bool
    /// Token spelling -> id, including added/special tokens.
    public let vocabulary: [String: Int]
    /// The added/special tokens (content -> id) that `allowedSpecial` splits out.
    public let specialTokens: [String: Int]
    public let vocabularySize: Int
    public let endOfTextID: Int?

    private let tokensByID: [String?]
    /// The bytes of token `id` are `tokenBytes[tokenByteOffsets[id]..<tokenByteOffsets[id + 1]]`.
    private let tokenBytes: [UInt8]
    private let tokenByteOffsets: [Int]
    /// The one-byte token of each byte value.
    private let byteTokenIDs: [Int]
    private let mergeTable: BPEMergeTable
    private let specialMatcher: SpecialTokenMatcher
    private let preTokenizer = GPT2PreTokenizer()
    private let cache: WordCache

    /// A tokenizer from tables in memory (for example tokens and merges read from a GGUF file).
    ///
    /// - Parameters:
    ///   - vocabulary: token spelling (byte-unicode form, e.g. `"Ġthe"`) -> id. Must contain the 256
    ///     single-byte tokens.
    ///   - merges: merge rules in rank order. Both symbols and their concatenation must be tokens
    ///     (as HF requires; OpenAI's encoder.py would fail later, with a `KeyError` on encode).
    ///   - specialTokens: added tokens (content -> id) beyond `vocabulary`, e.g. `added_tokens`.
    ///     `<|endoftext|>` is added automatically when the vocabulary has it.
    ///   - allowedSpecial: whether `encode(_:)` matches special tokens in the text.
    ///   - source: names the tables' origin in error messages (a file path, or `"<memory>"`).
    /// - Throws: `TokenizerError` for a negative id, one id shared by two tokens, a missing byte
    ///   token, or a merge outside the vocabulary.
    public convenience init(
        vocabulary: [String: Int],
        merges: [(String, String)],
        specialTokens: [String: Int] = [:],
        allowedSpecial: Bool = false,
        source: String = "<memory>",
        cacheCapacity: Int = BytePairTokenizer.defaultCacheCapacity
    ) throws {
        try self.init(
            vocabulary: vocabulary,
            vocabularySource: source,
            mergeRules: merges.map { MergesFile.Rule(left: $0.0, right: $0.1, line: nil) },
            mergesSource: source,
            specialTokens: specialTokens,
            allowedSpecial: allowedSpecial,
            cacheCapacity: cacheCapacity)
    }

    init(
        vocabulary baseVocabulary: [String: Int],
        vocabularySource: String,
        mergeRules: [MergesFile.Rule],
        mergesSource: String,
        specialTokens addedTokens: [String: Int],
        allowedSpecial: Bool,
        cacheCapacity: Int
    ) throws {
        var vocabulary = baseVocabulary
        for (content, id) in addedTokens {
            if let existing = vocabulary[content], existing != id {
                throw TokenizerError.malformedVocabulary(
                    path: vocabularySource,
                    detail:
                        "added token \(TokenizerError.quoted(content)) has id \(id) but the vocabulary gives it \(existing)"
                )
            }
            vocabulary[content] = id
        }
        var specials = addedTokens
        if let endOfText = vocabulary["<|endoftext|>"] { specials["<|endoftext|>"] = endOfText }

        if let (token, id) = vocabulary.first(where: { $0.value < 0 || $0.value >= TokenizerLimits.tokenIDs }) {
            throw TokenizerError.malformedVocabulary(
                path: vocabularySource,
                detail: "token \(TokenizerError.quoted(token)) has id \(id) outside 0..<\(TokenizerLimits.tokenIDs)")
        }
        let maximumID = vocabulary.values.max() ?? -1
        var tokensByID = [String?](repeating: nil, count: maximumID + 1)
        for (token, id) in vocabulary {
            if let other = tokensByID[id] {
                let (first, second) = other.utf8.lexicographicallyPrecedes(token.utf8) ? (other, token) : (token, other)
                throw TokenizerError.malformedVocabulary(
                    path: vocabularySource,
                    detail:
                        "id \(id) is given to both \(TokenizerError.quoted(first)) and \(TokenizerError.quoted(second))"
                )
            }
            tokensByID[id] = token
        }

        let table = ByteUnicodeTable.gpt2
        var byteTokenIDs = [Int]()
        byteTokenIDs.reserveCapacity(256)
        for byte in 0...255 {
            let token = String(Character(table.scalarForByte[byte]))
            guard let id = vocabulary[token] else {
                throw TokenizerError.missingByteToken(path: vocabularySource, byte: UInt8(byte), token: token)
            }
            byteTokenIDs.append(id)
        }

        var rules: [(left: Int, right: Int, merged: Int)] = []
        rules.reserveCapacity(mergeRules.count)
        for (rank, rule) in mergeRules.enumerated() {
            let merged = rule.left + rule.right
            func id(_ token: String) throws -> Int {
                guard let id = vocabulary[token] else {
                    throw TokenizerError.mergeOutOfVocabulary(
                        path: mergesSource, line: rule.line, rank: rank, merge: rule.left + " " + rule.right,
                        missing: token)
                }
                return id
            }
            rules.append((try id(rule.left), try id(rule.right), try id(merged)))
        }

        var bytes: [UInt8] = []
        var offsets = [0]
        offsets.reserveCapacity(tokensByID.count + 1)
        for token in tokensByID {
            if let token { bytes += table.decode(token) ?? Array(token.utf8) }
            offsets.append(bytes.count)
        }

        self.allowedSpecial = allowedSpecial
        self.vocabulary = vocabulary
        self.specialTokens = specials
        self.vocabularySize = maximumID + 1
        self.endOfTextID = vocabulary["<|endoftext|>"]
        self.tokensByID = tokensByID
        self.tokenBytes = bytes
        self.tokenByteOffsets = offsets
        self.byteTokenIDs = byteTokenIDs
        self.mergeTable = BPEMergeTable(rules: rules)
        self.specialMatcher = SpecialTokenMatcher(specials)
        self.cache = WordCache(capacity: cacheCapacity)
    }

    // MARK: Encoding

    public func encode(_ text: String) -> [Int] {
        encode(text, allowedSpecial: allowedSpecial)
    }

    /// `encode(_:)` with an explicit choice of whether special tokens in `text` become single ids.
    /// - Complexity: O(n) for n bytes of text once its words are cached; see `BPEMergeTable.apply`
    ///   for uncached words.
    public func encode(_ text: String, allowedSpecial: Bool) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 3 + 1)
        let encodeAll = { (bytes: UnsafeBufferPointer<UInt8>) in
            if allowedSpecial && !self.specialMatcher.isEmpty {
                self.specialMatcher.forEachSegment(
                    in: bytes,
                    ordinary: { range in self.encodeOrdinary(UnsafeBufferPointer(rebasing: bytes[range]), into: &ids) },
                    special: { id in ids.append(id) })
            } else {
                self.encodeOrdinary(bytes, into: &ids)
            }
        }
        if text.utf8.withContiguousStorageIfAvailable(encodeAll) == nil {
            Array(text.utf8).withUnsafeBufferPointer(encodeAll)
        }
        return ids
    }

    /// Encodes text with no special-token handling.
    private func encodeOrdinary(_ bytes: UnsafeBufferPointer<UInt8>, into ids: inout [Int]) {
        preTokenizer.forEachPiece(in: bytes) { range in
            if range.count == 1 {
                ids.append(byteTokenIDs[Int(bytes[range.lowerBound])])
                return
            }
            let word = Array(UnsafeBufferPointer(rebasing: bytes[range]))
            if let cached = cache.ids(for: word) {
                ids += cached
                return
            }
            var symbols = word.map { byteTokenIDs[Int($0)] }
            mergeTable.apply(to: &symbols)
            cache.insert(symbols, for: word)
            ids += symbols
        }
    }

    /// The pieces the pre-tokenizer splits `text` into (before BPE), for diagnostics.
    public func preTokenize(_ text: String) -> [String] {
        preTokenizer.split(text)
    }

    // MARK: Decoding

    public func decodeBytes(_ ids: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids { appendBytes(of: id, to: &bytes) }
        return bytes
    }

    /// Appends the bytes of `id`; unknown ids add nothing.
    func appendBytes(of id: Int, to bytes: inout [UInt8]) {
        guard id >= 0, id < vocabularySize else { return }
        bytes += tokenBytes[tokenByteOffsets[id]..<tokenByteOffsets[id + 1]]
    }

    /// Swift's UTF-8 repair substitutes one U+FFFD per maximal invalid subpart, the same policy as
    /// Python's `errors="replace"` (checked against Python on fuzzed byte strings in the tests).
    public func decode(_ ids: [Int]) -> String {
        String(decoding: decodeBytes(ids), as: UTF8.self)
    }

    // MARK: Vocabulary

    public func id(forToken token: String) -> Int? { vocabulary[token] }

    public func token(forID id: Int) -> String? {
        guard id >= 0, id < tokensByID.count else { return nil }
        return tokensByID[id]
    }

    /// The number of merge rules (distinct pairs).
    public var mergeCount: Int { mergeTable.count }

    /// The number of distinct words currently cached.
    public var cachedWordCount: Int { cache.count }
}
