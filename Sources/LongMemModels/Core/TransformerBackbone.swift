import LongMemTensor

/// A decoder-only transformer whose blocks memory methods can hook into.
public protocol TransformerBackbone: LanguageModel {
    var layerCount: Int { get }
    var attentionGeometry: AttentionGeometry { get }
    /// The packed forward pass of `hiddenStates(for:)`, with hooks.
    func forward(_ sequences: [[Int]], options: ForwardOptions) throws -> ForwardResult
}

extension TransformerBackbone {
    public func hiddenStates(for sequences: [[Int]]) throws -> Tensor {
        try forward(sequences, options: ForwardOptions()).hidden
    }

    /// Position of each packed token within its own sequence.
    static func positions(of sequences: [[Int]]) -> [Int] { sequences.flatMap { Array(0..<$0.count) } }
}

/// Backbones that continue a sequence through a KV cache: token-by-token decoding (`bench`) and shared
/// prefixes (a demonstration block or a context scored against several continuations, computed once).
public protocol IncrementalDecoder: TransformerBackbone {
    func makeCache(capacity: Int?) -> KVCache
    /// Hidden states (T, C) of `tokens` appended after the cached ones, with hooks; the cache grows by T.
    func forward(appending tokens: [Int], to cache: KVCache, options: ForwardOptions) throws -> ForwardResult
}

extension IncrementalDecoder {
    /// Logits (T, V) of `tokens` appended to `cache`.
    public func logits(appending tokens: [Int], to cache: KVCache) throws -> Tensor {
        let hidden = try forward(appending: tokens, to: cache, options: ForwardOptions()).hidden
        let logits = Tensor(uninitialized: [hidden.rows, descriptor.vocabularySize])
        outputHead(hidden, into: logits)
        return logits
    }
}
