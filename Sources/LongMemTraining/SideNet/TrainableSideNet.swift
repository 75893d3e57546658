// Legend: T tokens, C width, H query heads. H[i] is the input of backbone block i, H[L] the backbone's
// final normalised state (as in the runtime's SideNet).
import LongMemModels
import LongMemRuntime
import LongMemTensor

/// How a SideNet starts.
public enum SideNetInitialisation: String, Sendable, Codable, CaseIterable {
    /// The official `--reload-ptm-layer`: layer i copies backbone block 2i+1, the final norm copies the
    /// backbone's, memory gates at sigmoid(0) = 0.5.
    case official
    /// As `official`, with every branch output (attention output and feed-forward output projections) at
    /// zero and no final norm: the untrained SideNet's output is H[L] itself, so it reproduces the
    /// backbone's log-probs exactly and training starts from the backbone's loss.
    case zeroBranch = "zero-branch"
}

/// The trainable side network over a frozen backbone: L/2 layers with the cross-network residual, joint
/// attention with the memory bank in the memory layer, an optional final norm, the backbone's frozen head.
public final class TrainableSideNet {
    let layers: [any TrainableLayer]
    let finalNorm: FinalNorm
    public let memoryLayer: Int
    let memoryBias: Parameter
    let head: Linear
    let geometry: AttentionGeometry
    public let initialisation: SideNetInitialisation
    public let reductionFactor = 2

    enum FinalNorm {
        case layerNorm(weight: Parameter, bias: Parameter, epsilon: Float)
        case rms(weight: Parameter, epsilon: Float)
        case none
    }

    /// Every trainable tensor, in save order.
    public var parameters: [Parameter] {
        var all = layers.flatMap(\.parameters)
        switch finalNorm {
        case .layerNorm(let weight, let bias, _): all += [weight, bias]
        case .rms(let weight, _): all.append(weight)
        case .none: break
        }
        return all + [memoryBias]
    }

    public var layerCount: Int { layers.count }
    public var hasFinalNorm: Bool { if case .none = finalNorm { false } else { true } }
    /// The backbone hidden states the forward pass reads: H[0], H[2], ..., H[L].
    public var neededHiddenStates: Set<Int> { Set((0...layers.count).map { reductionFactor * $0 }) }

    /// A SideNet for `backbone` (Llama family or GPT-2*), its memory layer `memoryLayer`.
    public init(
        backbone: any TransformerBackbone, memoryLayer: Int, initialisation: SideNetInitialisation
    ) throws {
        let count = backbone.layerCount / 2
        guard backbone.layerCount >= 2, backbone.layerCount.isMultiple(of: 2) else {
            throw TrainingError.unsupportedBackbone("\(backbone.layerCount) blocks: a SideNet needs an even number")
        }
        guard (0..<count).contains(memoryLayer) else {
            throw TrainingError.unsupportedBackbone("memory layer \(memoryLayer) is outside the SideNet's 0..<\(count)")
        }
        let g = backbone.attentionGeometry
        let bias = Parameter(
            "sidenet.layers.\(memoryLayer).self_attn.memory_bias", Tensor(zeros: [g.heads]))
        if let llama = backbone as? LlamaModel {
            let rotary = llama.layers.rotary
            let built = (0..<count).map {
                let block = llama.blocks[2 * $0 + 1]
                return LlamaTrainableLayer(
                    copying: block, index: $0, geometry: g, epsilon: block.attentionNorm.epsilon, rotary: rotary)
            }
            layers = built
            finalNorm =
                initialisation == .zeroBranch
                ? .none
                : .rms(
                    weight: Parameter("sidenet.norm.weight", copying: llama.finalNorm.weight),
                    epsilon: llama.finalNorm.epsilon)
            head = llama.outputHead
        } else if let newgpt = backbone as? NewGPTModel {
            let epsilon = SideNet.defaultLayerNormEpsilon
            let built = (0..<count).map {
                ParallelTrainableLayer(copying: newgpt.blocks[2 * $0 + 1], index: $0, geometry: g, epsilon: epsilon)
            }
            layers = built
            finalNorm =
                initialisation == .zeroBranch
                ? .none
                : .layerNorm(
                    weight: Parameter("sidenet.layer_norm.weight", copying: newgpt.finalNorm.weight),
                    bias: Parameter("sidenet.layer_norm.bias", copying: newgpt.finalNorm.bias), epsilon: epsilon)
            head = newgpt.outputHead
        } else {
            throw TrainingError.unsupportedBackbone(
                "\(backbone.descriptor.architecture): SideNets are built for GPT-2* and Llama-family backbones")
        }
        if initialisation == .zeroBranch { layers.flatMap(\.branchOutputs).forEach { $0.value.fill(0) } }
        self.memoryLayer = memoryLayer
        memoryBias = bias
        geometry = g
        self.initialisation = initialisation
    }

    public func zeroGradients() { for parameter in parameters { parameter.gradient.fill(0) } }

    /// Mean next-token loss of one segment and, with `backward`, its gradients added to every parameter's.
    /// `states` are the backbone's H[i] of the segment; `memory` is read (not written) in the memory layer
    /// while it holds anything; nil switches memory off.
    public func loss(
        states: [Int: Tensor], targets: [Int], memory: MemoryBank?, backward: Bool = true
    ) -> Double {
        var x = states[0]!.copy()
        let reader = memory.flatMap { $0.isEmpty ? nil : $0 }.map {
            MemoryAttentionGrad(memory: $0, heads: geometry.heads, headDim: geometry.headDim, scale: geometry.scale)
        }
        for (l, layer) in layers.enumerated() {
            let residual = states[reductionFactor * (l + 1)]!.copy()
            residual.add(states[reductionFactor * l]!, scaledBy: -1)
            let isMemoryLayer = l == memoryLayer
            x = layer.forward(
                x, crossResidual: residual, memory: isMemoryLayer ? reader : nil,
                memoryBias: isMemoryLayer ? memoryBias : nil)
        }
        let hidden = Tensor(zeros: x.shape)
        var normStatistics: ([Float], [Float]) = ([], [])
        switch finalNorm {
        case .layerNorm(let weight, let bias, let epsilon):
            let (means, scales) = LayerNormGrad.forward(
                x, weight: weight.value, bias: bias.value, epsilon: epsilon, into: hidden)
            normStatistics = (means, scales)
        case .rms(let weight, let epsilon):
            normStatistics.1 = RMSNormGrad.forward(x, weight: weight.value, epsilon: epsilon, into: hidden)
        case .none: hidden.assign(x)
        }
        let dHidden = Tensor(zeros: x.shape)
        let loss = CrossEntropyGrad.lossAndGradient(
            hidden: hidden, targets: targets, head: head, hiddenGradient: dHidden)
        guard backward else { return loss }
        var dx: Tensor
        switch finalNorm {
        case .layerNorm(let weight, let bias, _):
            dx = Tensor(zeros: x.shape)
            LayerNormGrad.backward(
                dHidden, input: x, weight: weight.value, means: normStatistics.0, scales: normStatistics.1,
                weightGradient: weight.gradient, biasGradient: bias.gradient, inputGradient: dx)
        case .rms(let weight, _):
            dx = Tensor(zeros: x.shape)
            RMSNormGrad.backward(
                dHidden, input: x, weight: weight.value, scales: normStatistics.1, weightGradient: weight.gradient,
                inputGradient: dx)
        case .none: dx = dHidden
        }
        for layer in layers.reversed() { dx = layer.backward(dx) }
        return loss
    }
}

extension TrainableSideNet {
    /// One segment of a stream: the frozen backbone's pass, the SideNet's mean loss reading `memory` (and,
    /// with `backward`, its gradients added to the parameters'), then the segment's block-m keys and values
    /// written to `memory`: the official order, so a segment never retrieves its own tokens.
    public func loss(
        segment inputs: [Int], targets: [Int], backbone: any TransformerBackbone, memory: MemoryBank,
        backward: Bool = true
    ) throws -> Double {
        let recording = try BackboneRecording(
            backbone: backbone, tokens: inputs, capturing: neededHiddenStates, memory: memory)
        let loss = loss(states: recording.hiddenStates, targets: targets, memory: memory, backward: backward)
        recording.writeToMemory()
        return loss
    }
}
