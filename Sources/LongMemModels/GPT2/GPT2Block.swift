// Legend as in GPT2Model.swift.
import LongMemTensor

/// One pre-LayerNorm transformer block; HF `Conv1D` weights are (in, out) and used as stored.
struct GPT2Block {
    let attentionNorm: LayerNorm
    let attention: Linear  // (C, 3C): fused q, k, v
    let attentionOutput: Linear  // (C, C)
    let feedForwardNorm: LayerNorm
    let feedForwardIn: Linear  // (C, F)
    let feedForwardOut: Linear  // (F, C)

    init(binder: WeightBinder, index: Int, configuration c: GPT2Configuration) throws {
        let prefix = "h.\(index)."
        func norm(_ name: String) throws -> LayerNorm {
            LayerNorm(
                weight: try binder.take(prefix + name + ".weight", shape: [c.width]),
                bias: try binder.take(prefix + name + ".bias", shape: [c.width]), epsilon: c.layerNormEpsilon)
        }
        func conv(_ name: String, _ input: Int, _ output: Int) throws -> Linear {
            Linear(
                weight: try binder.take(prefix + name + ".weight", shape: [input, output]),
                bias: try binder.take(prefix + name + ".bias", shape: [output]), layout: .inputMajor)
        }
        attentionNorm = try norm("ln_1")
        attention = try conv("attn.c_attn", c.width, 3 * c.width)
        attentionOutput = try conv("attn.c_proj", c.width, c.width)
        feedForwardNorm = try norm("ln_2")
        feedForwardIn = try conv("mlp.c_fc", c.width, c.feedForwardWidth)
        feedForwardOut = try conv("mlp.c_proj", c.feedForwardWidth, c.width)
    }
}
