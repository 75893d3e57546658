import LongMemTensor

/// The weights of a parallel transformer block with one LayerNorm, x' = x + Attn(LN(x)) + MLP(LN(x)):
/// LongMem's backbone blocks and its SideNet layers. q/k/v/out have no bias; the MLP's layers do.
/// All weights are torch Linear (out, in); q, k and v are stacked at load so one product makes all three.
public struct ParallelBlock: Sendable {
    public private(set) var norm: LayerNorm
    public let queryKeyValue: Linear  // (3C, C)
    public let output: Linear  // (C, C)
    public let feedForwardIn: Linear  // (F, C)
    public let feedForwardOut: Linear  // (C, F)

    /// Binds `prefix` + the names in `names` (the backbone and the SideNet name them differently).
    public init(
        binder: WeightBinder, prefix: String, names: Names, width c: Int, feedForward f: Int, epsilon: Float
    )
        throws
    {
        norm = LayerNorm(
            weight: try binder.take(prefix + names.norm + ".weight", shape: [c]),
            bias: try binder.take(prefix + names.norm + ".bias", shape: [c]), epsilon: epsilon)
        let projections = try [names.query, names.key, names.value].map {
            try binder.take(prefix + $0 + ".weight", shape: [c, c])
        }
        queryKeyValue = Linear(weight: Tensor.stackingRows(projections), layout: .outputMajor)
        output = Linear(
            weight: try binder.take(prefix + names.output + ".weight", shape: [c, c]), layout: .outputMajor)
        feedForwardIn = Linear(
            weight: try binder.take(prefix + names.feedForwardIn + ".weight", shape: [f, c]),
            bias: try binder.take(prefix + names.feedForwardIn + ".bias", shape: [f]), layout: .outputMajor)
        feedForwardOut = Linear(
            weight: try binder.take(prefix + names.feedForwardOut + ".weight", shape: [c, f]),
            bias: try binder.take(prefix + names.feedForwardOut + ".bias", shape: [c]), layout: .outputMajor)
    }

    /// The same weights with another LayerNorm epsilon (a SideNet layer copied from a backbone block).
    public func withLayerNormEpsilon(_ epsilon: Float) -> ParallelBlock {
        var copy = self
        copy.norm = LayerNorm(weight: norm.weight, bias: norm.bias, epsilon: epsilon)
        return copy
    }

    /// Tensor names within a block.
    public struct Names: Sendable {
        public var norm, query, key, value, output, feedForwardIn, feedForwardOut: String

        /// The backbone's (hf_newgpt's) names.
        public static let backbone = Names(
            norm: "ln_1", query: "attn.q_proj", key: "attn.k_proj", value: "attn.v_proj", output: "attn.out_proj",
            feedForwardIn: "mlp.fc_in", feedForwardOut: "mlp.fc_out")
        /// The SideNet's (fairseq's) names.
        public static let sideNet = Names(
            norm: "ln_1", query: "self_attn.q_proj", key: "self_attn.k_proj", value: "self_attn.v_proj",
            output: "self_attn.out_proj", feedForwardIn: "fc1", feedForwardOut: "fc2")
    }
}
