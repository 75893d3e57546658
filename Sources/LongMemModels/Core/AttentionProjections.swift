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

    /// `scale` defaults to 1 / sqrt(headDim), as every backbone here uses.
    public init(heads: Int, kvHeads: Int, headDim: Int, scale: Float? = nil, alibiSlopes: [Float]? = nil) {
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.scale = scale ?? 1 / Float(headDim).squareRoot()
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
