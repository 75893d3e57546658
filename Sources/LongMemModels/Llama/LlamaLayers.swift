// Legend as in LlamaModel.swift.
import CLongMemKernels
import LongMemTensor

/// Llama's blocks and final RMSNorm: x += Attn(N1(x)), then x += down(silu(gate) * up) of N2(x); q and k
/// rotated at their positions, grouped-query attention.
public struct LlamaLayers: TransformerLayers {
    public let blocks: [LlamaBlock]
    public let norm: RMSNorm
    public let geometry: AttentionGeometry
    public let rotary: RotaryEmbedding

    public init(blocks: [LlamaBlock], norm: RMSNorm, geometry: AttentionGeometry, rotary: RotaryEmbedding) {
        self.blocks = blocks
        self.norm = norm
        self.geometry = geometry
        self.rotary = rotary
    }

    public var count: Int { blocks.count }
    public var projectionWidth: Int { geometry.queryWidth + 2 * geometry.keyWidth }
    public var rotatedWidth: Int { geometry.queryWidth + geometry.keyWidth }
    /// gate | up, 2F.
    public var innerWidth: Int { blocks.first?.gateUp.outputFeatures ?? 0 }

    public func project(_ layer: Int, _ x: Tensor, normed: Tensor, into qkv: Tensor) {
        blocks[layer].attentionNorm(x, into: normed)
        blocks[layer].queryKeyValue(normed, into: qkv)  // (T, C) -> (T, (H + 2K) D)
    }

    /// From the block's (T, (H + 2K) D) q | k | v rows: q and k rotated at `positions` into `rotated`
    /// (T, (H + K) D), and the unrotated rows for memory methods. Shared with the SideNet built from these
    /// blocks.
    public func attentionInputs(
        _ layer: Int, qkv: Tensor, rotated: Tensor, positions: [Int], spans: [AttentionSpan], cache: KVCache?,
        scratch: ScratchSpace
    ) -> AttentionProjections {
        let g = geometry
        // q and k side by side are H + K heads at the same positions: one pass rotates both.
        rotary.apply(
            qkv.data, sourceStride: qkv.columns, into: rotated.data, destinationStride: rotated.columns,
            heads: g.heads + g.kvHeads, positions: positions)
        let rotary = self.rotary
        let context = RotaryContext(
            unrotatedQuery: qkv.data, queryStride: qkv.columns, unrotatedKey: qkv.data + g.queryWidth,
            keyStride: qkv.columns, positions: positions,
            rotate: { rows, stride, heads, positions in
                rotary.apply(rows, stride: stride, heads: heads, positions: positions)
            })
        let key = rotated.data + g.queryWidth, value = qkv.data + g.queryWidth + g.keyWidth
        guard let cache else {
            return AttentionProjections(
                query: rotated.data, queryStride: rotated.columns, key: key, keyStride: rotated.columns, value: value,
                valueStride: qkv.columns, tokens: qkv.rows, spans: spans, geometry: g, scratch: scratch,
                rotary: context)
        }
        // Keys (rotated) and values (inside qkv) have different row strides.
        cache.store(
            layer: layer, keys: key, keyStride: rotated.columns, values: value, valueStride: qkv.columns,
            rows: qkv.rows)
        return AttentionProjections(
            query: rotated.data, queryStride: rotated.columns, key: cache.keys[layer].data, keyStride: g.keyWidth,
            value: cache.values[layer].data, valueStride: g.keyWidth, tokens: qkv.rows, spans: spans, geometry: g,
            scratch: scratch, rotary: context)
    }

    /// N2 rewrites `normed`; the SwiGLU product stays in the gate half of `inner` (T, 2F).
    public func complete(_ layer: Int, _ x: Tensor, attended: Tensor, normed: Tensor, inner: Tensor) {
        let block = blocks[layer]
        block.attentionOutput.accumulate(attended, into: x)  // (T, H D) -> + (T, C)
        block.feedForwardNorm(x, into: normed)
        block.gateUp(normed, into: inner)  // (T, C) -> (T, 2F)
        Self.swiGLU(inner, width: inner.columns / 2)
        // (T, F) at row stride 2F -> + (T, C)
        block.down.apply(
            inner.data, rows: inner.rows, inputStride: inner.columns, into: x.data, outputStride: x.columns,
            accumulate: true)
    }

    public func finalNorm(_ x: Tensor) { norm(x, into: x) }

    /// In place on (T, 2F) gate | up: gate = silu(gate) * up, (T, F) at row stride 2F.
    private static func swiGLU(_ gateUp: Tensor, width: Int) {
        Parallel.forRanges(gateUp.rows, minimum: 16) { rows in
            for row in rows {
                let gate = gateUp.row(row), up = UnsafePointer(gate + width)
                lm_silu(gate, Int64(width))
                for j in 0..<width { gate[j] *= up[j] }
            }
        }
    }
}
