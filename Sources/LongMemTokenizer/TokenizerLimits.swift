/// The tokenizer layer's stated maximum for ids read from vocabulary and dictionary files.
public enum TokenizerLimits {
    /// Token ids must be below this. Real vocabularies are far smaller (GPT-2: 50,257; the largest released
    /// ones 262,144); the bound keeps a corrupt id from sizing an id-indexed table in gigabytes. The merge
    /// table packs ids in 32 bits.
    public static let tokenIDs = 1 << 24
}
