import LongMemModels
import LongMemTensor

/// LongMem: the frozen backbone (GPT-2* in the paper; Llama-family ones with an untrained SideNet), its
/// block-m keys and values cached in the memory bank, and the SideNet whose memory layer fuses local
/// attention with attention over the retrieved chunks.
public final class LongMemModel: MemoryAugmentedModel {
    public let backbone: any TransformerBackbone & IncrementalDecoder
    public let sideNet: SideNet
    public let configuration: MemoryConfiguration
    public let memoryBank: MemoryBank
    public var memory: MemoryBank? { memoryBank }
    public let method = MethodKind.longmem

    public init(
        backbone: any TransformerBackbone & IncrementalDecoder, sideNet: SideNet, configuration: MemoryConfiguration
    ) throws {
        memoryBank = try MemoryBank(configuration, for: backbone)
        try RuntimeError.require(
            sideNet.layerCount * sideNet.reductionFactor == backbone.layerCount, .sideNet,
            "\(sideNet.layerCount) layers do not match a \(backbone.layerCount)-block backbone")
        try RuntimeError.require(
            sideNet.memoryLayer == configuration.retrievalLayer / sideNet.reductionFactor, .retrievalLayer,
            "\(configuration.retrievalLayer) does not feed SideNet memory layer \(sideNet.memoryLayer)")
        self.backbone = backbone
        self.sideNet = sideNet
        self.configuration = configuration
    }

    public var descriptor: ModelDescriptor {
        var descriptor = backbone.descriptor
        descriptor.architecture = "longmem"
        return descriptor
    }

    public var outputHead: Linear { backbone.outputHead }

    public var runDescription: MethodDescription {
        MethodDescription(
            method: method, memory: configuration, memoryLayers: .single(configuration.retrievalLayer),
            notes: sideNet.isInitialisedFromBackbone
                ? ["untrained SideNet: initialised from the backbone's blocks 2i+1, memory gates at 0.5"] : [])
    }
    public func resetMemory() { memoryBank.reset() }

    public func hiddenStates(for sequences: [[Int]]) throws -> Tensor {
        try run(sequences, remember: false)
    }

    public func forwardSegment(_ tokens: [Int], remember: Bool) throws -> Tensor {
        try run([tokens], remember: remember)
    }

    public func makePrefixCache(capacity: Int) throws -> PrefixCache {
        PrefixCache(backbone: backbone.makeCache(capacity: capacity), sideNet: sideNet.makeCache(capacity: capacity))
    }

    public func hiddenStates(appending tokens: [Int], to cache: PrefixCache) throws -> Tensor {
        guard let sideNetCache = cache.sideNet else {
            throw RuntimeError.invalidSetting(.prefixCache, detail: "made by another method")
        }
        let options = ForwardOptions(capturedHiddenStates: sideNet.neededHiddenStates)
        let states = try backbone.forward(appending: tokens, to: cache.backbone, options: options).hiddenStates
        return sideNet.forward(hiddenStates: states, spans: [], memory: memoryBank, cache: sideNetCache)
    }

    private func run(_ sequences: [[Int]], remember: Bool) throws -> Tensor {
        // The backbone runs unchanged; block m's keys and values are recorded for the write.
        let recorder = MemoryLayerOverride(
            layer: configuration.retrievalLayer, memory: memoryBank, fusion: nil, records: remember)
        let options = ForwardOptions(attentionOverride: recorder, capturedHiddenStates: sideNet.neededHiddenStates)
        let states = try backbone.forward(sequences, options: options).hiddenStates
        let hidden = sideNet.forward(
            hiddenStates: states, spans: AttentionSpan.packed(lengths: sequences.map(\.count)), memory: memoryBank)
        recorder.commit()
        return hidden
    }
}
