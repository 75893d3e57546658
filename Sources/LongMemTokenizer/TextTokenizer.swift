/// A tokenizer that turns text into vocabulary ids and back.
///
/// The harness and the models only see this protocol, so a GPT-2 BPE, a fairseq dictionary on top of
/// it, or a test double can be swapped without touching scoring code. Implementations are immutable
/// (or internally synchronised) so that one instance can be shared by concurrent evaluation tasks.
public protocol TextTokenizer: Sendable {
    /// The ids of `text`, with no BOS/EOS or other markers added: scoring code decides where
    /// separators go, as lm-eval does.
    func encode(_ text: String) -> [Int]

    /// The text of `ids`. Byte sequences that are not valid UTF-8 (for example a multi-byte character
    /// cut between two token lists) become U+FFFD exactly as Python's
    /// `bytes.decode("utf-8", errors="replace")` does (one U+FFFD per maximal invalid subpart).
    func decode(_ ids: [Int]) -> String

    /// The raw bytes of `ids`, with no UTF-8 repair. Concatenating the bytes of consecutive slices
    /// gives the bytes of the whole, which `decode` cannot promise.
    func decodeBytes(_ ids: [Int]) -> [UInt8]

    /// The number of rows an embedding matrix needs: one more than the largest id.
    var vocabularySize: Int { get }

    /// The id of a token given in the vocabulary's own spelling (for GPT-2: the byte-unicode form,
    /// e.g. `"Ġthe"`), or nil.
    func id(forToken token: String) -> Int?

    /// The vocabulary's spelling of `id`, or nil when no token has that id.
    func token(forID id: Int) -> String?

    /// The id of `<|endoftext|>` when the vocabulary has it.
    var endOfTextID: Int? { get }
}
