// Legend as in LlamaModel.swift.
import LongMemTensor

/// One pre-RMSNorm block. torch Linear weights (out, in), no biases; q, k, v (and gate, up) are stacked
/// at load so that one product makes them all.
public struct LlamaBlock: Sendable {
    public let attentionNorm: RMSNorm
    public let queryKeyValue: Linear  // ((H + 2K) D, C): q | k | v
    public let attentionOutput: Linear  // (C, H D)
    public let feedForwardNorm: RMSNorm
    public let gateUp: Linear  // (2F, C): gate | up
    public let down: Linear  // (C, F)

    public init(
        binder: WeightBinder, names: LlamaWeightNames, index: Int, configuration c: LlamaConfiguration
    ) throws {
        func take(_ part: LlamaWeightNames.Part, _ shape: [Int]) throws -> Tensor {
            try binder.take(names.layer(index, part), shape: shape)
        }
        attentionNorm = RMSNorm(weight: try take(.attentionNorm, [c.width]), epsilon: c.epsilon)
        queryKeyValue = Linear(
            weight: Tensor.stackingRows([
                try take(.query, [c.queryWidth, c.width]), try take(.key, [c.keyValueWidth, c.width]),
                try take(.value, [c.keyValueWidth, c.width]),
            ]), layout: .outputMajor)
        attentionOutput = Linear(weight: try take(.attentionOutput, [c.width, c.queryWidth]), layout: .outputMajor)
        feedForwardNorm = RMSNorm(weight: try take(.feedForwardNorm, [c.width]), epsilon: c.epsilon)
        gateUp = Linear(
            weight: Tensor.stackingRows([
                try take(.gate, [c.feedForwardWidth, c.width]), try take(.up, [c.feedForwardWidth, c.width]),
            ]), layout: .outputMajor)
        down = Linear(weight: try take(.down, [c.width, c.feedForwardWidth]), layout: .outputMajor)
    }
}
