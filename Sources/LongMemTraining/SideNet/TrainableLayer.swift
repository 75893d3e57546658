import LongMemTensor

/// One SideNet layer as a training graph: a forward pass that keeps what its backward pass reads (one
/// forward, then at most one backward).
protocol TrainableLayer: AnyObject {
    /// In the order they are saved and updated.
    var parameters: [Parameter] { get }
    /// The output projections of the attention and feed-forward branches (zeroed by `zero-branch`).
    var branchOutputs: [Parameter] { get }
    /// x (T, C) -> the layer's output, given the cross-network residual H[2l+2] - H[2l]. `memory` is set on
    /// the memory layer while the bank holds anything (with the gate logits `memoryBias`).
    func forward(_ x: Tensor, crossResidual: Tensor, memory: MemoryAttentionGrad?, memoryBias: Parameter?) -> Tensor
    /// d loss / d output -> d loss / d input; parameter gradients accumulate.
    func backward(_ dOut: Tensor) -> Tensor
}

/// The attention part both families share: local causal attention, mixed with memory attention on the
/// memory layer, and its backward pass.
struct AttentionStep {
    let attention: CausalAttentionGrad
    var probabilities: Tensor?
    /// Reused by every backward pass of the layer (the attention's (H, T, T) score gradients).
    var scoreGradients: Tensor?
    var memorySaved: MemoryAttentionGrad.Saved?
    var memory: MemoryAttentionGrad?
    var memoryBias: Parameter?

    init(attention: CausalAttentionGrad) { self.attention = attention }

    /// q, k, v as attended (rotated for rotary layers); `retrievalQuery` searches the memory.
    mutating func forward(
        query: Tensor, key: Tensor, value: Tensor, retrievalQuery: Tensor, memory: MemoryAttentionGrad?,
        memoryBias: Parameter?
    ) -> Tensor {
        let out = Tensor(zeros: [query.rows, query.columns])
        probabilities = attention.forward(query: query, key: key, value: value, into: out, reusing: probabilities)
        self.memory = memory
        self.memoryBias = memoryBias
        if let memory, let memoryBias {
            memorySaved = memory.forward(
                query: query, retrievalQuery: retrievalQuery, bias: memoryBias.value, output: out)
        } else {
            memorySaved = nil
        }
        return out
    }

    /// dOut (T, H D) -> (dq, dk, dv) of the attended q, k, v.
    mutating func backward(_ dOut: Tensor, query: Tensor, key: Tensor, value: Tensor) -> (Tensor, Tensor, Tensor) {
        let tokens = query.rows, heads = attention.heads
        if scoreGradients?.shape != [heads, tokens, tokens] {
            scoreGradients = Tensor(uninitialized: [heads, tokens, tokens])
        }
        let dq = Tensor(zeros: query.shape), dk = Tensor(zeros: key.shape), dv = Tensor(zeros: value.shape)
        var dLocal = dOut
        let memoryQuery = Tensor(zeros: query.shape)
        if let memory, let memorySaved, let memoryBias {
            dLocal = Tensor(zeros: dOut.shape)
            memory.backward(
                dOut, query: query, saved: memorySaved, localGradient: dLocal, queryGradient: memoryQuery,
                biasGradient: memoryBias.gradient)
        }
        attention.backward(
            dLocal, query: query, key: key, value: value, probabilities: probabilities!, queryGradient: dq,
            keyGradient: dk, valueGradient: dv, scratch: scoreGradients)
        if memorySaved != nil { dq.add(memoryQuery) }
        return (dq, dk, dv)
    }
}
