// The one forward loop of every backbone here (GPT-2, GPT-2*, Llama).
//
// Legend: T tokens (all sequences of a batch packed), C width, H query heads, K key/value heads, D head size,
// F feed-forward width.
import LongMemTensor

/// The blocks and final norm of a decoder-only transformer. Each block is split around its attention, so
/// that one loop (`run`) drives every backbone and hands each block's attention to `ForwardOptions` (a
/// memory method's override, or the standard one). A conformance holds only what is its own: its block
/// math, and how its q | k | v rows become attention inputs (fused views, or rotary positions).
public protocol TransformerLayers {
    /// Blocks.
    var count: Int { get }
    var geometry: AttentionGeometry { get }
    /// Columns of a block's q | k | v rows.
    var projectionWidth: Int { get }
    /// Columns of the rotated q | k rows (0 without rotary positions).
    var rotatedWidth: Int { get }
    /// Columns of the feed-forward's inner activations.
    var innerWidth: Int { get }

    /// normed = Norm(x) (T, C); qkv = normed W_qkv (T, projectionWidth), for block `layer`.
    func project(_ layer: Int, _ x: Tensor, normed: Tensor, into qkv: Tensor)
    /// Block `layer`'s attention inputs, its tokens at `positions`; with a cache, the block's keys and values
    /// are appended to the cache's layer `layer` first and read from there.
    func attentionInputs(
        _ layer: Int, qkv: Tensor, rotated: Tensor, positions: [Int], spans: [AttentionSpan], cache: KVCache?,
        scratch: ScratchSpace
    ) -> AttentionProjections
    /// The rest of block `layer` once its attention output (T, H D) is in `attended`: x += attended W_o and
    /// x += MLP(...). `normed` still holds Norm(x) of the block's input.
    func complete(_ layer: Int, _ x: Tensor, attended: Tensor, normed: Tensor, inner: Tensor)
    /// The final normalisation, in place.
    func finalNorm(_ x: Tensor)
}

extension TransformerLayers {
    /// Runs every block and the final norm over `x` (T, C), the embedded tokens H[0], in place (or up to
    /// `options.lastAttention`); H[i] is captured as `options` asks. Tokens sit at `positions` and attend
    /// within `spans` (and to `cache`, which this does not commit). Block buffers come from `scratch`.
    func run(
        _ x: Tensor, positions: [Int], spans: [AttentionSpan], options: ForwardOptions, cache: KVCache?,
        scratch: ScratchSpace
    ) -> ForwardResult {
        let tokens = x.rows
        let normed = scratch.tensor(.normed, [tokens, x.columns])  // (T, C)
        let qkv = scratch.tensor(.projections, [tokens, projectionWidth])  // (T, (H + 2K) D)
        let rotated = scratch.tensor(.rotated, [tokens, rotatedWidth])  // (T, (H + K) D), or empty
        let attended = scratch.tensor(.attended, [tokens, geometry.queryWidth])  // (T, H D)
        let inner = scratch.tensor(.inner, [tokens, innerWidth])  // (T, F), or (T, 2F) gate | up
        precondition(options.lastAttention == nil || cache == nil, "a pass that stops early cannot fill a cache")
        var states: [Int: Tensor] = [:]
        for layer in 0..<count {
            options.capture(layer, x, into: &states)
            project(layer, x, normed: normed, into: qkv)
            options.attend(
                layer: layer,
                attentionInputs(
                    layer, qkv: qkv, rotated: rotated, positions: positions, spans: spans, cache: cache,
                    scratch: scratch),
                into: attended.data, outputStride: geometry.queryWidth)
            if layer == options.lastAttention { return ForwardResult(hidden: x, hiddenStates: states) }
            complete(layer, x, attended: attended, normed: normed, inner: inner)
        }
        finalNorm(x)
        options.capture(count, x, into: &states)
        return ForwardResult(hidden: x, hiddenStates: states)
    }
}
