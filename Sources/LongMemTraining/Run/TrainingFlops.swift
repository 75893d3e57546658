import LongMemModels

/// Useful floating-point operations of one training step on a T-token segment (multiply-adds count 2):
/// the frozen backbone's forward (its blocks, not its head), the SideNet's forward and backward (backward
/// = 2x forward for its matrix products), the frozen head's forward and input gradient, and causal
/// attention (T^2 / 2 query-key pairs, q.k and p.v each, forward; 2x more in backward). Work a kernel does
/// beyond this (the masked half of a square attention product, memory attention) does not count.
public struct TrainingFlops: Sendable {
    public let backbone: Double
    public let sideNet: Double
    public let head: Double

    /// The backbone's blocks have twice the weights of the SideNet's layers (each layer is a block's shape).
    public init(backbone: any TransformerBackbone, sideNet: TrainableSideNet, tokens t: Int) {
        let g = backbone.attentionGeometry, d = backbone.descriptor, tokens = Double(t)
        let attentionPerLayer = 2 * Double(g.heads * g.headDim) * tokens * tokens  // causal q.k + p.v
        let layerWeights = Double(sideNet.layerParameterCount)
        self.backbone = 2 * (2 * layerWeights) * tokens + attentionPerLayer * Double(backbone.layerCount)
        self.sideNet = 3 * (2 * layerWeights * tokens + attentionPerLayer * Double(sideNet.layerCount))
        head = 2 * 2 * Double(d.vocabularySize * d.width) * tokens
    }

    public var total: Double { backbone + sideNet + head }
}

extension TrainableSideNet {
    /// Weights of the SideNet's layers (without the final norm and gates).
    public var layerParameterCount: Int { layers.flatMap(\.parameters).reduce(0) { $0 + $1.value.count } }
}
