// Legend: T tokens, C width, F feed-forward width.
import LongMemModels
import LongMemTensor

/// LongMem's own SideNet layer (GPT-2* family): a parallel block with one LayerNorm,
/// x' = x + (H[2l+2] - H[2l]) + out(Attn(LN x)) + fc2(gelu_erf(fc1(LN x))), ALiBi, no attention biases.
/// Names as fairseq's, under `sidenet.layers.{i}.`.
final class ParallelTrainableLayer: TrainableLayer {
    let normWeight, normBias, output, feedForwardIn, feedForwardInBias, feedForwardOut, feedForwardOutBias: Parameter
    /// q | k | v: one matrix (one product) of separately named parameters.
    let projections: FusedRows
    let epsilon: Float
    var step: AttentionStep
    private var saved: Saved?

    private struct Saved {
        let x, normed, query, key, value, attended, inner, activated: Tensor
        let means, scales: [Float]
    }

    var parameters: [Parameter] {
        [
            normWeight, normBias,
        ] + projections.parts + [output, feedForwardIn, feedForwardInBias, feedForwardOut, feedForwardOutBias]
    }

    /// A copy of backbone block `block` under `sidenet.layers.{index}.`, with the SideNet's LayerNorm epsilon.
    init(copying block: ParallelBlock, index: Int, geometry g: AttentionGeometry, epsilon: Float) {
        let prefix = "sidenet.layers.\(index).", c = g.queryWidth
        normWeight = Parameter(prefix + "ln_1.weight", copying: block.norm.weight)
        normBias = Parameter(prefix + "ln_1.bias", copying: block.norm.bias)
        projections = FusedRows(
            copying: block.queryKeyValue.weight,
            names: ["q_proj", "k_proj", "v_proj"].map { prefix + "self_attn.\($0).weight" }, rows: [c, c, c])
        output = Parameter(prefix + "self_attn.out_proj.weight", copying: block.output.weight)
        feedForwardIn = Parameter(prefix + "fc1.weight", copying: block.feedForwardIn.weight)
        feedForwardInBias = Parameter(prefix + "fc1.bias", copying: block.feedForwardIn.bias!)
        feedForwardOut = Parameter(prefix + "fc2.weight", copying: block.feedForwardOut.weight)
        feedForwardOutBias = Parameter(prefix + "fc2.bias", copying: block.feedForwardOut.bias!)
        self.epsilon = epsilon
        step = AttentionStep(
            attention: CausalAttentionGrad(
                heads: g.heads, kvHeads: g.kvHeads, headDim: g.headDim, scale: g.scale, alibiSlopes: g.alibiSlopes))
    }

    var branchOutputs: [Parameter] { [output, feedForwardOut, feedForwardOutBias] }

    func forward(_ x: Tensor, crossResidual: Tensor, memory: MemoryAttentionGrad?, memoryBias: Parameter?) -> Tensor {
        let tokens = x.rows
        let normed = Tensor(zeros: x.shape)
        let (means, scales) = LayerNormGrad.forward(
            x, weight: normWeight.value, bias: normBias.value, epsilon: epsilon, into: normed)
        let qkv = Tensor(uninitialized: [tokens, projections.value.rows])
        Dense.forward(normed, weight: projections.value, into: qkv)
        let parts = FusedRows.split(qkv, widths: projections.parts.map(\.value.rows))
        let (q, k, v) = (parts[0], parts[1], parts[2])
        let attended = step.forward(
            query: q, key: k, value: v, retrievalQuery: q, memory: memory, memoryBias: memoryBias)
        let inner = Tensor(zeros: [tokens, feedForwardIn.value.rows]), activated = Tensor(zeros: inner.shape)
        Dense.forward(normed, weight: feedForwardIn.value, bias: feedForwardInBias.value, into: inner)
        ActivationGrad.geluErf(inner, into: activated)
        let result = x.copy()
        result.add(crossResidual)
        Dense.forward(attended, weight: output.value, into: result, accumulate: true)
        Dense.forward(
            activated, weight: feedForwardOut.value, bias: feedForwardOutBias.value, into: result, accumulate: true)
        saved = Saved(
            x: x, normed: normed, query: q, key: k, value: v, attended: attended, inner: inner, activated: activated,
            means: means, scales: scales)
        return result
    }

    func backward(_ dOut: Tensor) -> Tensor {
        guard let s = saved else { preconditionFailure("backward before forward") }
        saved = nil
        let dActivated = Tensor(zeros: s.activated.shape)
        Dense.backward(
            dOut, input: s.activated, weight: feedForwardOut.value, weightGradient: feedForwardOut.gradient,
            biasGradient: feedForwardOutBias.gradient, inputGradient: dActivated)
        let dInner = Tensor(zeros: s.inner.shape)
        ActivationGrad.geluErfBackward(dActivated, input: s.inner, into: dInner)
        let dNormed = Tensor(zeros: s.x.shape)
        Dense.backward(
            dInner, input: s.normed, weight: feedForwardIn.value, weightGradient: feedForwardIn.gradient,
            biasGradient: feedForwardInBias.gradient, inputGradient: dNormed)
        let dAttended = Tensor(zeros: s.attended.shape)
        Dense.backward(
            dOut, input: s.attended, weight: output.value, weightGradient: output.gradient, inputGradient: dAttended)
        let (dq, dk, dv) = step.backward(dAttended, query: s.query, key: s.key, value: s.value)
        Dense.backward(
            FusedRows.join([dq, dk, dv]), input: s.normed, weight: projections.value,
            weightGradient: projections.gradient, inputGradient: dNormed, accumulateInput: true)
        let dx = dOut.copy()
        LayerNormGrad.backward(
            dNormed, input: s.x, weight: normWeight.value, means: s.means, scales: s.scales,
            weightGradient: normWeight.gradient, biasGradient: normBias.gradient, inputGradient: dx)
        return dx
    }
}
