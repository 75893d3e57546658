/// GPT-2 BPE followed by a fairseq dictionary: the ids a LongMem/fairseq checkpoint's embedding rows
/// use.
///
/// Encoding is fairseq's `GPT2BPE.encode` + `Dictionary.encode_line(append_eos=False)`: BPE ids are
/// mapped to dictionary indices, and ids the dictionary lacks become `unk`. No `</s>` is appended;
/// callers add `dictionary.eos` where fairseq would.
///
/// Decoding chooses: GPT-2 indices decode to their bytes; `</s>` decodes to nothing (it is a
/// separator, and fairseq's `Dictionary.string` drops it by default); `<s>`, `<pad>`, `<unk>` and
/// `madeupword` padding decode to their symbol text, so that an unexpected index is visible in
/// the output rather than silently lost; indices outside the dictionary decode to nothing.
public struct FairseqTokenizer: TextTokenizer {
    public let bpe: BytePairTokenizer
    public let dictionary: FairseqDictionary

    public init(bpe: BytePairTokenizer, dictionary: FairseqDictionary) {
        self.bpe = bpe
        self.dictionary = dictionary
    }

    /// Loads the BPE from `bpeDirectory` (see `BytePairTokenizer.load(directory:)`) and the
    /// dictionary from `dictionaryFile`.
    public static func load(bpeDirectory: String, dictionaryFile: String) throws -> FairseqTokenizer {
        FairseqTokenizer(
            bpe: try BytePairTokenizer.load(directory: bpeDirectory),
            dictionary: try FairseqDictionary(contentsOfFile: dictionaryFile))
    }

    public func encode(_ text: String) -> [Int] {
        bpe.encode(text).map { dictionary.index(forGPT2ID: $0) }
    }

    public func decodeBytes(_ ids: [Int]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for index in ids {
            if let gpt2ID = dictionary.gpt2ID(forIndex: index) {
                bpe.appendBytes(of: gpt2ID, to: &bytes)
            } else if index != dictionary.eos, index >= 0, index < dictionary.count {
                bytes += dictionary.symbols[index].utf8
            }
        }
        return bytes
    }

    public func decode(_ ids: [Int]) -> String {
        String(decoding: decodeBytes(ids), as: UTF8.self)
    }

    public var vocabularySize: Int { dictionary.count }

    /// The index of a GPT-2 token spelling (`"Ġthe"`) or of a dictionary symbol (`"</s>"`); nil when
    /// the dictionary has neither.
    public func id(forToken token: String) -> Int? {
        if let gpt2ID = bpe.id(forToken: token) {
            let index = dictionary.index(forGPT2ID: gpt2ID)
            return index == dictionary.unk ? nil : index
        }
        return dictionary.index(forSymbol: token)
    }

    /// The GPT-2 token spelling of a GPT-2 index, or the dictionary symbol otherwise.
    public func token(forID id: Int) -> String? {
        if let gpt2ID = dictionary.gpt2ID(forIndex: id) { return bpe.token(forID: gpt2ID) }
        guard id >= 0, id < dictionary.count else { return nil }
        return dictionary.symbols[id]
    }

    /// The index of GPT-2's `<|endoftext|>` (not `eos`: fairseq separates documents with `</s>`).
    public var endOfTextID: Int? {
        guard let gpt2ID = bpe.endOfTextID else { return nil }
        let index = dictionary.index(forGPT2ID: gpt2ID)
        return index == dictionary.unk ? nil : index
    }
}
