// The tokenizer a GGUF file describes in its `tokenizer.ggml.*` metadata, built as transformers builds it
// (`AutoTokenizer.from_pretrained(dir, gguf_file=...)`, integrations/gguf/gguf_tokenizer_mapping.py):
// https://github.com/huggingface/transformers/blob/main/src/transformers/integrations/gguf/gguf_tokenizer_mapping.py
import LongMemTensor
import LongMemTokenizer

/// A byte-level BPE tokenizer (`tokenizer.ggml.model = gpt2`) read from GGUF metadata, encoding as
/// transformers' GGUF tokenizer does, id for id.
///
/// What transformers does, and so what this does:
/// - vocabulary = `tokenizer.ggml.tokens` by index (tokens not spelled in the byte alphabet are respelled
///   from their UTF-8 bytes), merges = `tokenizer.ggml.merges` in rank order;
/// - pre-tokenization is GPT-2's regex (`ByteLevel(use_regex=True)`, `GPT2PreTokenizer`) for every
///   `tokenizer.ggml.pre` value except those transformers maps to another split pattern (llama3,
///   qwen2, tekken, gpt-4o and their aliases), which are rejected here. In particular SmolLM's `smollm`
///   is *not* special-cased: transformers ignores it. (llama.cpp's `smollm` isolates every `\p{N}`
///   first, and so does the original SmolLM2 tokenizer.json; the vocabulary has no token joining a digit
///   to anything, so the two agree on ASCII digits except after a whitespace run ("  42": transformers
///   gives "Ġ", "Ġ", "4", "2", llama.cpp "ĠĠ", "4", "2") and on non-ASCII numerals.)
/// - control tokens (`token_type` 3) spelled in the byte alphabet and user-defined tokens (4) are added
///   tokens, matched whole in the text (`<|im_start|>` is one id), as HF matches added tokens by default;
/// - bytes with no token of their own (SmolLM2 lacks 21: the controls 0x04, 0x06, 0x13, 0x14, 0x16,
///   0x1D and lead bytes that valid text rarely or never has) are dropped from their piece before the
///   merges, as HF's BPE drops symbols it has no id for; the piece's other bytes still merge across the
///   gap (".\u{04}." is one ".." token). Text without such bytes goes straight to `BytePairTokenizer`;
///   a piece with one is merged here (`mergePiece`).
/// - nothing is prepended or appended (SmolLM2's `add_bos_token` is false; scoring code adds BOS itself
///   when a model wants it).
public struct GGUFTokenizer: TextTokenizer {
    /// The BPE over the file's vocabulary, plus a placeholder id >= `vocabularySize` for each missing
    /// byte (its initialiser requires all 256); `encode` never lets those ids out.
    let bytePairs: BytePairTokenizer
    public let vocabularySize: Int
    /// Whether `encode` matches added tokens in the text (transformers' default: yes).
    public let allowedSpecial: Bool
    /// `tokenizer.ggml.pre`, e.g. "smollm".
    public let preTokenizerName: String?
    public let beginningOfSequenceID: Int?
    public let endOfSequenceID: Int?
    public let unknownID: Int?
    public let paddingID: Int?
    /// `tokenizer.ggml.add_bos_token` (false when absent, as transformers reads a byte-level file).
    public let addsBeginningOfSequence: Bool
    /// Bytes with no single-byte token.
    let missingBytes: [Bool]
    let hasMissingBytes: Bool
    /// "left right" -> rank, for `mergePiece`.
    let mergeRanks: [String: Int]
    /// Added tokens, longest first (the matcher's order), for the slow path.
    let addedTokens: [(bytes: [UInt8], id: Int)]

    /// `tokenizer.ggml.pre` values for which transformers installs a split pattern other than GPT-2's.
    static let otherSplitPatterns: Set<String> = [
        "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano",
        "dbrx",
        "smaug-bpe", "tekken", "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "qwen35", "gpt-4o", "llama4",
        "kanana2", "talkie", "minimax-m2",
    ]

    /// The tokenizer of the GGUF file at `path`.
    public static func load(path: String, allowedSpecial: Bool = true) throws -> GGUFTokenizer {
        try GGUFTokenizer(file: try GGUFModelFolder.open(path), allowedSpecial: allowedSpecial)
    }

    /// - Parameter allowedSpecial: whether added tokens in the text become single ids (transformers' default).
    public init(file: GGUFFile, allowedSpecial: Bool = true) throws {
        let path = file.path
        func fail(_ detail: String) -> ModelsError { .invalidConfiguration(path: path, detail: detail) }
        func metadata(_ key: String) -> GGUFValue? { file.metadata["tokenizer.ggml." + key] }
        guard let model = metadata("model")?.string else { throw fail("missing metadata 'tokenizer.ggml.model'") }
        guard model == "gpt2" else {
            throw fail("tokenizer.ggml.model '\(model)' is not supported (only gpt2, byte-level BPE)")
        }
        let pre = metadata("pre")?.string
        if let pre, Self.otherSplitPatterns.contains(pre) {
            throw fail("tokenizer.ggml.pre '\(pre)' needs a split pattern longmem-eval does not implement")
        }
        guard let tokens = metadata("tokens")?.strings else {
            throw fail("missing or non-string metadata 'tokenizer.ggml.tokens'")
        }
        var merges: [(String, String)] = []
        var ranks: [String: Int] = [:]
        if let value = metadata("merges") {
            guard let lines = value.strings else {
                throw fail("metadata 'tokenizer.ggml.merges' is not an array of strings")
            }
            merges.reserveCapacity(lines.count)
            ranks.reserveCapacity(lines.count)
            for (rank, line) in lines.enumerated() {
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw fail("tokenizer.ggml.merges[\(rank)] '\(line)' is not two symbols separated by one space")
                }
                merges.append((String(parts[0]), String(parts[1])))
                if ranks[line] == nil { ranks[line] = rank }
            }
        }
        var types: [Int]?
        if let value = metadata("token_type") {
            guard let list = value.ints, list.count == tokens.count else {
                throw fail("metadata 'tokenizer.ggml.token_type' is not \(tokens.count) integers")
            }
            types = list
        }

        let alphabet = ByteAlphabet.members
        var vocabulary: [String: Int] = [:]
        vocabulary.reserveCapacity(tokens.count + 256)
        var added: [String: Int] = [:]
        for (id, token) in tokens.enumerated() {
            let inAlphabet = token.unicodeScalars.allSatisfy { alphabet.contains($0) }
            let spelled = inAlphabet ? token : ByteAlphabet.spell(Array(token.utf8))
            vocabulary[spelled] = id  // transformers builds a dict: a later duplicate wins
            switch types?[id] {
            case 3 where inAlphabet, 4: added[spelled] = id
            default: break
            }
        }
        for (content, id) in added where vocabulary[content] != id { added[content] = nil }
        var missing = [Bool](repeating: false, count: 256)
        for byte in 0..<256 where vocabulary[ByteAlphabet.spell([UInt8(byte)])] == nil {
            missing[byte] = true
            vocabulary[ByteAlphabet.spell([UInt8(byte)])] = tokens.count + byte  // placeholder, never emitted
        }
        bytePairs = try BytePairTokenizer(
            vocabulary: vocabulary, merges: merges, specialTokens: added, allowedSpecial: allowedSpecial, source: path)
        vocabularySize = tokens.count
        self.allowedSpecial = allowedSpecial
        missingBytes = missing
        hasMissingBytes = missing.contains(true)
        mergeRanks = hasMissingBytes ? ranks : [:]
        addedTokens = added.filter { !$0.key.isEmpty }.map { (Array($0.key.utf8), $0.value) }
            .sorted { $0.0.count != $1.0.count ? $0.0.count > $1.0.count : $0.0.lexicographicallyPrecedes($1.0) }
        func id(_ key: String) -> Int? { metadata(key)?.int }
        preTokenizerName = pre
        beginningOfSequenceID = id("bos_token_id")
        endOfSequenceID = id("eos_token_id")
        unknownID = id("unknown_token_id")
        paddingID = id("padding_token_id")
        addsBeginningOfSequence = metadata("add_bos_token")?.bool ?? false
    }

    // MARK: Encoding

    public func encode(_ text: String) -> [Int] {
        guard hasMissingBytes, text.utf8.contains(where: { missingBytes[Int($0)] }) else {
            return bytePairs.encode(text)
        }
        // Slow path: split out added tokens (leftmost-longest, as the matcher), then pre-tokenize.
        var ids: [Int] = []
        let bytes = Array(text.utf8)
        var start = 0, position = 0
        func ordinary(_ end: Int) {
            guard start < end else { return }
            let segment = String(decoding: bytes[start..<end], as: UTF8.self)
            for piece in GPT2PreTokenizer().split(segment) {
                let pieceBytes = Array(piece.utf8)
                if pieceBytes.contains(where: { missingBytes[Int($0)] }) {
                    ids += mergePiece(pieceBytes.filter { !missingBytes[Int($0)] })
                } else {
                    ids += bytePairs.encode(piece, allowedSpecial: false)  // a GPT-2 piece splits into itself
                }
            }
        }
        while position < bytes.count {
            let match =
                allowedSpecial
                ? addedTokens.first { token in
                    token.bytes.count <= bytes.count - position
                        && token.bytes.indices.allSatisfy { bytes[position + $0] == token.bytes[$0] }
                } : nil
            if let match {
                ordinary(position)
                ids.append(match.id)
                position += match.bytes.count
                start = position
            } else {
                position += 1
            }
        }
        ordinary(bytes.count)
        return ids
    }

    /// Textbook BPE of one piece's bytes (all with tokens): merge the lowest-ranked adjacent pair, the
    /// leftmost on ties, until none is a merge rule. Only pieces that lost a byte come here.
    func mergePiece(_ bytes: [UInt8]) -> [Int] {
        var symbols = bytes.map { ByteAlphabet.spell([$0]) }
        while symbols.count > 1 {
            var best: (rank: Int, index: Int)?
            for index in 0..<(symbols.count - 1) {
                if let rank = mergeRanks[symbols[index] + " " + symbols[index + 1]], rank < best?.rank ?? .max {
                    best = (rank, index)
                }
            }
            guard let best else { break }
            symbols[best.index] += symbols[best.index + 1]
            symbols.remove(at: best.index + 1)
        }
        return symbols.compactMap { bytePairs.id(forToken: $0) }
    }

    // MARK: Decoding and vocabulary (placeholder ids are not tokens)

    public func decodeBytes(_ ids: [Int]) -> [UInt8] { bytePairs.decodeBytes(ids.filter { $0 < vocabularySize }) }
    public func decode(_ ids: [Int]) -> String { String(decoding: decodeBytes(ids), as: UTF8.self) }

    public func id(forToken token: String) -> Int? {
        bytePairs.id(forToken: token).flatMap { $0 < vocabularySize ? $0 : nil }
    }

    public func token(forID id: Int) -> String? { id < vocabularySize ? bytePairs.token(forID: id) : nil }
    public var endOfTextID: Int? { bytePairs.endOfTextID }
}

/// GPT-2's bytes_to_unicode table (LongMemTokenizer keeps its own copy internal): printable Latin-1
/// bytes stand for themselves, the other 68 bytes for U+0100 onwards, in byte order.
enum ByteAlphabet {
    static let scalars: [Unicode.Scalar] = {
        let printable: (Int) -> Bool = {
            (0x21...0x7E).contains($0) || (0xA1...0xAC).contains($0) || (0xAE...0xFF).contains($0)
        }
        var next: UInt32 = 256
        return (0..<256).map { byte in
            if printable(byte) { return Unicode.Scalar(UInt8(byte)) }
            defer { next += 1 }
            return Unicode.Scalar(next)!
        }
    }()

    static let members = Set(scalars)

    /// The byte-alphabet spelling of `bytes`.
    static func spell(_ bytes: [UInt8]) -> String {
        var text = ""
        text.unicodeScalars.append(contentsOf: bytes.map { scalars[Int($0)] })
        return text
    }
}
