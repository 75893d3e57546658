import LongMemTensor

/// How a backbone's attention is shaped: what memory methods need to read its projections.
public struct AttentionGeometry: Sendable, Equatable {
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    /// Multiplies q k^T (1 / sqrt(headDim) for every backbone here).
    public var scale: Float
    /// ALiBi slopes per head, nil for backbones with learned or rotary positions.
    public var alibiSlopes: [Float]?

    public init(heads: Int, kvHeads: Int, headDim: Int, scale: Float, alibiSlopes: [Float]?) {
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.scale = scale
        self.alibiSlopes = alibiSlopes
    }

    public var queryWidth: Int { heads * headDim }
    public var keyWidth: Int { kvHeads * headDim }
}

/// One block's attention inputs, as views into the block's buffers. Row t of `query` is token t of
/// the packed batch; keys and values are addressed by `spans` (key rows may come from a cache).
public struct AttentionProjections {
    public let query: UnsafePointer<Float>
    public let queryStride: Int
    public let key: UnsafePointer<Float>
    public let keyStride: Int
    public let value: UnsafePointer<Float>
    public let valueStride: Int
    public let tokens: Int
    public let spans: [AttentionSpan]
    public let geometry: AttentionGeometry
    public let scratch: ScratchSpace

    public init(
        query: UnsafePointer<Float>, queryStride: Int, key: UnsafePointer<Float>, keyStride: Int,
        value: UnsafePointer<Float>, valueStride: Int, tokens: Int, spans: [AttentionSpan], geometry: AttentionGeometry,
        scratch: ScratchSpace
    ) {
        self.query = query
        self.queryStride = queryStride
        self.key = key
        self.keyStride = keyStride
        self.value = value
        self.valueStride = valueStride
        self.tokens = tokens
        self.spans = spans
        self.geometry = geometry
        self.scratch = scratch
    }

    /// The block's own causal attention, (T, H*D) into `output`; with `logSumExp`, also each
    /// (token, head)'s softmax normaliser (T, H), for methods that fuse several softmaxes.
    public func standard(
        into output: UnsafeMutablePointer<Float>, outputStride: Int, logSumExp: UnsafeMutablePointer<Float>? = nil
    ) {
        Attention.causal(
            query: query, queryStride: queryStride, key: key, keyStride: keyStride, value: value,
            valueStride: valueStride, output: output, outputStride: outputStride, heads: geometry.heads,
            kvHeads: geometry.kvHeads, headDim: geometry.headDim, scale: geometry.scale,
            alibiSlopes: geometry.alibiSlopes, spans: spans, scratch: scratch, logSumExp: logSumExp)
    }
}

/// Lets a memory method compute one block's attention itself.
public protocol AttentionOverride: AnyObject {
    /// The backbone block (0-based) whose attention this replaces.
    var layer: Int { get }
    /// Writes the block's attention output (T, H*D), before the output projection.
    func attend(_ projections: AttentionProjections, into output: UnsafeMutablePointer<Float>, outputStride: Int)
}

/// What a forward pass should do besides computing the final hidden states.
public struct ForwardOptions {
    public var attentionOverride: AttentionOverride?
    /// Blocks whose input hidden state H[i] to keep (`blocks.count` = the final normalised state).
    public var capturedHiddenStates: Set<Int>

    public init(attentionOverride: AttentionOverride? = nil, capturedHiddenStates: Set<Int> = []) {
        self.attentionOverride = attentionOverride
        self.capturedHiddenStates = capturedHiddenStates
    }
}

/// Final hidden states and whatever `ForwardOptions` asked to keep.
public struct ForwardResult {
    /// (T, C) after the final normalisation.
    public var hidden: Tensor
    /// H[i]: the input of block i, copies; H[layers] is the final normalised state.
    public var hiddenStates: [Int: Tensor]
}

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

/// Models that decode one token at a time through a KV cache (used by `bench`).
public protocol IncrementalDecoder: LanguageModel {
    func makeCache(capacity: Int?) -> KVCache
    /// Logits of `tokens` appended to `cache`; the cache grows by their count.
    func logits(appending tokens: [Int], to cache: KVCache) throws -> Tensor
}

extension ForwardOptions {
    /// Block `layer`'s attention: the override's when it targets this block, else the standard one.
    public func attend(
        layer: Int, _ projections: AttentionProjections, into output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        if let override = attentionOverride, override.layer == layer {
            override.attend(projections, into: output, outputStride: outputStride)
        } else {
            projections.standard(into: output, outputStride: outputStride)
        }
    }

    /// Keeps a copy of H[index] when it was asked for.
    public func capture(_ index: Int, _ hidden: Tensor, into states: inout [Int: Tensor]) {
        if capturedHiddenStates.contains(index) { states[index] = hidden.copy() }
    }
}
