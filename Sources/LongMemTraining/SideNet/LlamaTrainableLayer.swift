// Legend: T tokens, C width, H query heads, K key/value heads, D head size, F feed-forward width.
import LongMemModels
import LongMemTensor

/// A Llama-family SideNet layer: x' = x + (H[2l+2] - H[2l]) + o(Attn(N1 x)), then
/// x'' = x' + down(silu(gate(N2 x')) * up(N2 x')); rotary q and k at positions 0..<T, grouped-query heads.
/// Names as Hugging Face's, under `sidenet.layers.{i}.`.
final class LlamaTrainableLayer: TrainableLayer {
    let attentionNorm, query, key, value, output, feedForwardNorm, gate, up, down: Parameter
    let epsilon: Float
    let rotary: RotaryEmbedding
    var step: AttentionStep
    private var saved: Saved?

    private struct Saved {
        let x, normed, rotatedQuery, rotatedKey, value, attended, middle, normedMiddle, gate, up, product: Tensor
        let scales, middleScales: [Float]
        let rotation: RotaryGrad
    }

    var parameters: [Parameter] { [attentionNorm, query, key, value, output, feedForwardNorm, gate, up, down] }

    /// A copy of backbone block `block` under `sidenet.layers.{index}.`.
    init(copying block: LlamaBlock, index: Int, geometry g: AttentionGeometry, epsilon: Float, rotary: RotaryEmbedding)
    {
        let prefix = "sidenet.layers.\(index)."
        let qkv = block.queryKeyValue.weight, gateUp = block.gateUp.weight, f = gateUp.rows / 2
        attentionNorm = Parameter(prefix + "input_layernorm.weight", copying: block.attentionNorm.weight)
        query = Parameter(prefix + "self_attn.q_proj.weight", rows: 0..<g.queryWidth, of: qkv)
        key = Parameter(prefix + "self_attn.k_proj.weight", rows: g.queryWidth..<(g.queryWidth + g.keyWidth), of: qkv)
        value = Parameter(
            prefix + "self_attn.v_proj.weight", rows: (g.queryWidth + g.keyWidth)..<(g.queryWidth + 2 * g.keyWidth),
            of: qkv)
        output = Parameter(prefix + "self_attn.o_proj.weight", copying: block.attentionOutput.weight)
        feedForwardNorm = Parameter(prefix + "post_attention_layernorm.weight", copying: block.feedForwardNorm.weight)
        gate = Parameter(prefix + "mlp.gate_proj.weight", rows: 0..<f, of: gateUp)
        up = Parameter(prefix + "mlp.up_proj.weight", rows: f..<(2 * f), of: gateUp)
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
        let q = Tensor(zeros: [tokens, query.value.rows]), k = Tensor(zeros: [tokens, key.value.rows])
        let v = Tensor(zeros: [tokens, value.value.rows])
        Dense.forward(normed, weight: query.value, into: q)
        Dense.forward(normed, weight: key.value, into: k)
        Dense.forward(normed, weight: value.value, into: v)
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
        let a = Tensor(zeros: [tokens, gate.value.rows]), u = Tensor(zeros: a.shape), product = Tensor(zeros: a.shape)
        Dense.forward(normedMiddle, weight: gate.value, into: a)
        Dense.forward(normedMiddle, weight: up.value, into: u)
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
            da, input: s.normedMiddle, weight: gate.value, weightGradient: gate.gradient, inputGradient: dNormedMiddle)
        Dense.backward(
            du, input: s.normedMiddle, weight: up.value, weightGradient: up.gradient, inputGradient: dNormedMiddle,
            accumulateInput: true)
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
        Dense.backward(dq, input: s.normed, weight: query.value, weightGradient: query.gradient, inputGradient: dNormed)
        Dense.backward(
            dk, input: s.normed, weight: key.value, weightGradient: key.gradient, inputGradient: dNormed,
            accumulateInput: true)
        Dense.backward(
            dv, input: s.normed, weight: value.value, weightGradient: value.gradient, inputGradient: dNormed,
            accumulateInput: true)
        RMSNormGrad.backward(
            dNormed, input: s.x, weight: attentionNorm.value, scales: s.scales, weightGradient: attentionNorm.gradient,
            inputGradient: dMiddle)
        return dMiddle
    }
}
