// Legend: T tokens, C width, H query heads, K key/value heads, D head size, F feed-forward width.
import LongMemModels
import LongMemTensor

/// A Llama-family SideNet layer: x' = x + (H[2l+2] - H[2l]) + o(Attn(N1 x)), then
/// x'' = x' + down(silu(gate(N2 x')) * up(N2 x')); rotary q and k at positions 0..<T, grouped-query heads.
/// Names as Hugging Face's, under `sidenet.layers.{i}.`.
final class LlamaTrainableLayer: TrainableLayer {
    let attentionNorm, output, feedForwardNorm, down: Parameter
    /// q | k | v and gate | up: each one matrix (one product) of separately named parameters.
    let projections, gateUp: FusedRows
    let epsilon: Float
    let rotary: RotaryEmbedding
    var step: AttentionStep
    private var saved: Saved?

    private struct Saved {
        let x, normed, rotatedQuery, rotatedKey, value, attended, middle, normedMiddle, gate, up, product: Tensor
        let scales, middleScales: [Float]
        let rotation: RotaryGrad
    }

    var parameters: [Parameter] {
        [attentionNorm] + projections.parts + [output, feedForwardNorm] + gateUp.parts + [down]
    }

    /// A copy of backbone block `block` under `sidenet.layers.{index}.`.
    init(copying block: LlamaBlock, index: Int, geometry g: AttentionGeometry, epsilon: Float, rotary: RotaryEmbedding)
    {
        let prefix = "sidenet.layers.\(index).", f = block.gateUp.weight.rows / 2
        attentionNorm = Parameter(prefix + "input_layernorm.weight", copying: block.attentionNorm.weight)
        projections = FusedRows(
            copying: block.queryKeyValue.weight,
            names: ["q_proj", "k_proj", "v_proj"].map { prefix + "self_attn.\($0).weight" },
            rows: [g.queryWidth, g.keyWidth, g.keyWidth])
        output = Parameter(prefix + "self_attn.o_proj.weight", copying: block.attentionOutput.weight)
        feedForwardNorm = Parameter(prefix + "post_attention_layernorm.weight", copying: block.feedForwardNorm.weight)
        gateUp = FusedRows(
            copying: block.gateUp.weight, names: ["gate_proj", "up_proj"].map { prefix + "mlp.\($0).weight" },
            rows: [f, f])
        down = Parameter(prefix + "mlp.down_proj.weight", copying: block.down.weight)
        self.epsilon = epsilon
        self.rotary = rotary
        step = AttentionStep(
            attention: CausalAttentionGrad(
                heads: g.heads, kvHeads: g.kvHeads, headDim: g.headDim, scale: g.scale, alibiSlopes: nil))
    }

    /// The branch outputs (o_proj and down_proj) whose zeroing makes the layer pass x + residual through.
    var branchOutputs: [Parameter] { [output, down] }

    func forward(_ x: Tensor, crossResidual: Tensor, memory: MemoryAttentionGrad?, memoryBias: Parameter?) -> Tensor {
        let tokens = x.rows
        let normed = Tensor(zeros: x.shape)
        let scales = RMSNormGrad.forward(x, weight: attentionNorm.value, epsilon: epsilon, into: normed)
        let qkv = Tensor(uninitialized: [tokens, projections.value.rows])
        Dense.forward(normed, weight: projections.value, into: qkv)
        let parts = FusedRows.split(qkv, widths: projections.parts.map(\.value.rows))
        let (q, k, v) = (parts[0], parts[1], parts[2])
        let rotation = RotaryGrad(rotary, tokens: tokens)
        let rotatedQuery = Tensor(zeros: q.shape), rotatedKey = Tensor(zeros: k.shape)
        rotation.rotate(q, into: rotatedQuery)
        rotation.rotate(k, into: rotatedKey)
        let attended = step.forward(
            query: rotatedQuery, key: rotatedKey, value: v, retrievalQuery: q, memory: memory, memoryBias: memoryBias)
        let middle = x.copy()
        middle.add(crossResidual)
        Dense.forward(attended, weight: output.value, into: middle, accumulate: true)
        let normedMiddle = Tensor(zeros: x.shape)
        let middleScales = RMSNormGrad.forward(
            middle, weight: feedForwardNorm.value, epsilon: epsilon, into: normedMiddle)
        let fused = Tensor(uninitialized: [tokens, gateUp.value.rows])
        Dense.forward(normedMiddle, weight: gateUp.value, into: fused)
        let halves = FusedRows.split(fused, widths: gateUp.parts.map(\.value.rows))
        let (a, u) = (halves[0], halves[1])
        let product = Tensor(uninitialized: a.shape)
        ActivationGrad.swiGLU(gate: a, up: u, into: product)
        let result = middle.copy()
        Dense.forward(product, weight: down.value, into: result, accumulate: true)
        saved = Saved(
            x: x, normed: normed, rotatedQuery: rotatedQuery, rotatedKey: rotatedKey, value: v, attended: attended,
            middle: middle, normedMiddle: normedMiddle, gate: a, up: u, product: product, scales: scales,
            middleScales: middleScales, rotation: rotation)
        return result
    }

    func backward(_ dOut: Tensor) -> Tensor {
        guard let s = saved else { preconditionFailure("backward before forward") }
        saved = nil
        // Feed-forward branch: x'' = x' + down(swiglu(N2 x')).
        let dProduct = Tensor(zeros: s.product.shape)
        Dense.backward(
            dOut, input: s.product, weight: down.value, weightGradient: down.gradient, inputGradient: dProduct)
        let da = Tensor(zeros: s.gate.shape), du = Tensor(zeros: s.up.shape)
        ActivationGrad.swiGLUBackward(dProduct, gate: s.gate, up: s.up, gateGradient: da, upGradient: du)
        let dNormedMiddle = Tensor(zeros: s.middle.shape)
        Dense.backward(
            FusedRows.join([da, du]), input: s.normedMiddle, weight: gateUp.value, weightGradient: gateUp.gradient,
            inputGradient: dNormedMiddle)
        let dMiddle = dOut.copy()
        RMSNormGrad.backward(
            dNormedMiddle, input: s.middle, weight: feedForwardNorm.value, scales: s.middleScales,
            weightGradient: feedForwardNorm.gradient, inputGradient: dMiddle)
        // Attention branch: x' = x + residual + o(attn(N1 x)).
        let dAttended = Tensor(zeros: s.attended.shape)
        Dense.backward(
            dMiddle, input: s.attended, weight: output.value, weightGradient: output.gradient, inputGradient: dAttended)
        let (dRotatedQuery, dRotatedKey, dv) = step.backward(
            dAttended, query: s.rotatedQuery, key: s.rotatedKey, value: s.value)
        let dq = Tensor(zeros: dRotatedQuery.shape), dk = Tensor(zeros: dRotatedKey.shape)
        s.rotation.rotate(dRotatedQuery, into: dq, inverse: true)
        s.rotation.rotate(dRotatedKey, into: dk, inverse: true)
        let dNormed = Tensor(zeros: s.x.shape)
        Dense.backward(
            FusedRows.join([dq, dk, dv]), input: s.normed, weight: projections.value,
            weightGradient: projections.gradient, inputGradient: dNormed)
        RMSNormGrad.backward(
            dNormed, input: s.x, weight: attentionNorm.value, scales: s.scales, weightGradient: attentionNorm.gradient,
            inputGradient: dMiddle)
        return dMiddle
    }
}
