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

/// What memory methods need from a rotary-position backbone (Llama): `query` and `key` of
/// `AttentionProjections` are already rotated; these are the same rows before rotation, each row's
/// position, and the rotation itself (to place retrieved keys or queries at other positions).
public struct RotaryContext {
    public let unrotatedQuery: UnsafePointer<Float>
    public let queryStride: Int
    public let unrotatedKey: UnsafePointer<Float>
    public let keyStride: Int
    /// Position of each query row (the RoPE angle index).
    public let positions: [Int]
    /// Rotates rows in place: (rows pointer, row stride, heads per row, one position per row).
    public let rotate: (UnsafeMutablePointer<Float>, Int, Int, [Int]) -> Void

    public init(
        unrotatedQuery: UnsafePointer<Float>, queryStride: Int, unrotatedKey: UnsafePointer<Float>, keyStride: Int,
        positions: [Int], rotate: @escaping (UnsafeMutablePointer<Float>, Int, Int, [Int]) -> Void
    ) {
        self.unrotatedQuery = unrotatedQuery
        self.queryStride = queryStride
        self.unrotatedKey = unrotatedKey
        self.keyStride = keyStride
        self.positions = positions
        self.rotate = rotate
    }
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
    /// Set by rotary backbones only.
    public let rotary: RotaryContext?

    public init(
        query: UnsafePointer<Float>, queryStride: Int, key: UnsafePointer<Float>, keyStride: Int,
        value: UnsafePointer<Float>, valueStride: Int, tokens: Int, spans: [AttentionSpan], geometry: AttentionGeometry,
        scratch: ScratchSpace, rotary: RotaryContext? = nil
    ) {
        self.rotary = rotary
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

    /// Views of fused (T, 3C) q | k | v rows of multi-head attention (GPT-2, GPT-2*, LongMem's SideNet);
    /// with a cache, keys and values are appended to its layer `layer` first and read from there.
    public static func fused(
        _ qkv: Tensor, spans: [AttentionSpan], cache: KVCache?, layer: Int, geometry: AttentionGeometry,
        scratch: ScratchSpace
    ) -> AttentionProjections {
        let width = qkv.columns / 3
        guard let cache else {
            return AttentionProjections(
                query: qkv.data, queryStride: 3 * width, key: qkv.data + width, keyStride: 3 * width,
                value: qkv.data + 2 * width, valueStride: 3 * width, tokens: qkv.rows, spans: spans, geometry: geometry,
                scratch: scratch)
        }
        cache.store(
            layer: layer, keys: qkv.data + width, keyStride: 3 * width, values: qkv.data + 2 * width,
            valueStride: 3 * width, rows: qkv.rows)
        return AttentionProjections(
            query: qkv.data, queryStride: 3 * width, key: cache.keys[layer].data, keyStride: width,
            value: cache.values[layer].data, valueStride: width, tokens: qkv.rows, spans: spans, geometry: geometry,
            scratch: scratch)
    }
}

/// Lets a memory method compute some blocks' attention itself.
public protocol AttentionOverride: AnyObject {
    /// Whether this replaces the attention of backbone block `layer` (0-based).
    func overrides(layer: Int) -> Bool
    /// Writes block `layer`'s attention output (T, H*D), before the output projection.
    func attend(
        layer: Int, _ projections: AttentionProjections, into output: UnsafeMutablePointer<Float>, outputStride: Int)
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

extension ForwardOptions {
    /// Block `layer`'s attention: the override's when it targets this block, else the standard one.
    public func attend(
        layer: Int, _ projections: AttentionProjections, into output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        if let override = attentionOverride, override.overrides(layer: layer) {
            override.attend(layer: layer, projections, into: output, outputStride: outputStride)
        } else {
            projections.standard(into: output, outputStride: outputStride)
        }
    }

    /// Keeps a copy of H[index] when it was asked for.
    public func capture(_ index: Int, _ hidden: Tensor, into states: inout [Int: Tensor]) {
        if capturedHiddenStates.contains(index) { states[index] = hidden.copy() }
    }
}
