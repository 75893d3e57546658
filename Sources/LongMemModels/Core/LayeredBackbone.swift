import LongMemTensor

/// A backbone that is a token embedding followed by `TransformerLayers`: its packed forward pass, its KV
/// cache and its incremental decoding come from here, the same for every such model.
public protocol LayeredBackbone: IncrementalDecoder {
    associatedtype Layers: TransformerLayers
    var layers: Layers { get }
    /// Reused buffers of the forward pass (one pass at a time).
    var scratch: ScratchSpace { get }
    /// Positions the model can address (a learned or rotary table): a cache never grows past it. nil
    /// when positions have no limit (ALiBi).
    var positionLimit: Int? { get }
    /// (V, C) token embedding.
    var tokenEmbedding: Tensor { get }
    /// (T) tokens at `positions` -> H[0] (T, C), a new tensor.
    func embed(_ tokens: [Int], positions: [Int]) -> Tensor
}

extension LayeredBackbone {
    /// The embedding row of each token, for backbones whose positions enter in attention (ALiBi bias,
    /// rotary q and k), not in the embedding.
    public func embed(_ tokens: [Int], positions: [Int]) -> Tensor { tokenEmbedding.gatheringRows(tokens) }

    public var layerCount: Int { layers.count }
    public var attentionGeometry: AttentionGeometry { layers.geometry }

    public func forward(_ sequences: [[Int]], options: ForwardOptions) throws -> ForwardResult {
        try validate(sequences)
        let positions = Self.positions(of: sequences)
        return layers.run(
            embed(sequences.flatMap { $0 }, positions: positions), positions: positions,
            spans: AttentionSpan.packed(lengths: sequences.map(\.count)), options: options, cache: nil,
            scratch: scratch)
    }

    /// A cache of `capacity` tokens (the local window by default) for every block's keys and values.
    public func makeCache(capacity: Int? = nil) -> KVCache {
        KVCache(
            layers: layers.count, capacity: capacity ?? descriptor.contextLength, width: layers.geometry.keyWidth)
    }

    public func forward(appending tokens: [Int], to cache: KVCache, options: ForwardOptions) throws -> ForwardResult {
        try validate([tokens])
        let span = try cache.appendingSpan(tokens.count, positionLimit: positionLimit)
        let positions = Array(cache.count..<(cache.count + tokens.count))
        let result = layers.run(
            embed(tokens, positions: positions), positions: positions, spans: [span], options: options, cache: cache,
            scratch: scratch)
        cache.commit(tokens.count)
        return result
    }
}
