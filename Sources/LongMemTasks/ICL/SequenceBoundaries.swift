import LongMemTokenizer

/// The tokens that open and close each demonstration and the query.
///
/// LongMem's models use the fairseq dictionary: every line is encoded as `<s> ... </s>` (official
/// script). Other tokenizers have no such pair; their end-of-text token (`<|endoftext|>` for GPT-2 and
/// SmolLM2) plays both roles, and results say so.
public struct SequenceBoundaries: Sendable, Equatable {
    public var start: Int
    public var end: Int
    /// How results describe the choice.
    public var description: String

    public static func forTokenizer(_ tokenizer: any TextTokenizer) throws -> SequenceBoundaries {
        if let fairseq = tokenizer as? FairseqTokenizer {
            return SequenceBoundaries(
                start: fairseq.dictionary.bos, end: fairseq.dictionary.eos,
                description: "fairseq dictionary: <s> line </s> (official)")
        }
        guard let endOfText = tokenizer.endOfTextID else {
            throw TasksError.invalidSetting(
                .tokenizer, detail: "the tokenizer has neither a fairseq dictionary nor <|endoftext|>")
        }
        return SequenceBoundaries(
            start: endOfText, end: endOfText,
            description: "<|endoftext|> line <|endoftext|> (no fairseq dictionary: <|endoftext|> as separator)")
    }

    /// `start` + tokens of `line` + `end`.
    public func encode(_ line: String, with tokenizer: any TextTokenizer) -> [Int] {
        [start] + tokenizer.encode(line) + [end]
    }
}
