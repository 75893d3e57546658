import LongMemTensor

/// The largest sizes a model configuration (config.json or GGUF metadata) may declare, checked before any
/// size is multiplied or allocated. Weights must match the configuration, so a real file stays far below
/// these; they are here so that a corrupt or hostile one fails with a message, and so that the product of
/// any two of them stays far below Int.max.
public enum ModelLimits {
    /// Hidden size: 16,384 in the largest released models (Llama 3.1 405B), 4x that here.
    public static let width = 1 << 16
    /// Feed-forward width: 53,248 in Llama 3.1 405B, about 5x that here.
    public static let feedForwardWidth = 1 << 18
    /// Attention heads (query or key/value): 128 at most in released models.
    public static let heads = 1 << 10
    /// Per-head size: 256 at most in released models (Gemma).
    public static let headDim = 1 << 12
    /// Blocks: 126 in Llama 3.1 405B.
    public static let layers = 1 << 10
    /// Vocabulary: 262,144 at most in released models; the tokenizers' id limit is the same 2^24.
    public static let vocabulary = 1 << 24
    /// Positions (n_positions, max_position_embeddings, GGUF context_length) and local windows: 131,072
    /// for Llama 3.1, 8x that here. What one window allocates is checked against memory too (`windowMemory`).
    public static let contextLength = 1 << 20

    /// Why `value`, read as `key`, is out of 1...`maximum`, or nil when it is in range.
    static func problem(_ key: String, _ value: Int, maximum: Int) -> String? {
        (1...maximum).contains(value) ? nil : "\(key) must be in 1...\(maximum), got \(value)"
    }

    /// Why one window of the model does not fit in memory, or nil: the key/value cache of every block
    /// (2 x layers x window x key/value width Float32) and a rotary table (window x head size Float32).
    /// Sizes must be in range first.
    static func windowMemory(window: Int, layers: Int, keyValueWidth: Int, rotaryWidth: Int) -> String? {
        let cache = SizeLimits.product([2, layers, window, keyValueWidth, 4])
        let rotary = SizeLimits.product([window, rotaryWidth, 4])
        let total = cache.flatMap { cache in rotary.map { cache + $0 } }
        return SizeLimits.memoryProblem(bytes: total).map { $0 + " (its key/value cache and position table)" }
    }
}
