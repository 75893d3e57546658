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
    public var memory: MemoryBank? { usesMemory ? memoryBank : nil }
    /// False for the memory-off ablation: the SideNet runs as on an empty memory, nothing is written.
    public let usesMemory: Bool
    public var method: MethodKind { usesMemory ? .longmem : .longmemNoMemory }
    /// Added to the run's notes (a trained SideNet's provenance).
    let extraNotes: [String]

    public init(
        backbone: any TransformerBackbone & IncrementalDecoder, sideNet: SideNet, configuration: MemoryConfiguration,
        usesMemory: Bool = true, notes: [String] = []
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
        self.usesMemory = usesMemory
        extraNotes = notes
    }

    public var descriptor: ModelDescriptor {
        var descriptor = backbone.descriptor
        descriptor.architecture = "longmem"
        return descriptor
    }

    public var outputHead: Linear { backbone.outputHead }

    public var runDescription: MethodDescription {
        MethodDescription(
            method: method, memory: usesMemory ? configuration : nil,
            memoryLayers: usesMemory ? .single(configuration.retrievalLayer) : nil,
            notes: (sideNet.isInitialisedFromBackbone
                ? ["untrained SideNet: initialised from the backbone's blocks 2i+1, memory gates at 0.5"] : [])
                + extraNotes + (usesMemory ? [] : ["memory off: nothing retrieved, the SideNet's gate path closed"]))
    }
    public func resetMemory() { memoryBank.reset() }

    public func hiddenStates(for sequences: [[Int]]) throws -> Tensor {
        try run(sequences, remember: false)
    }

    public func forwardSegment(_ tokens: [Int], remember: Bool) throws -> Tensor {
        try run([tokens], remember: remember)
    }

    /// The backbone up to the retrieval layer: the SideNet never changes what memory holds.
    public func writeSegment(_ tokens: [Int]) throws {
        guard usesMemory else { return }
        try MemoryLayerOverride.write(
            tokens, backbone: backbone, layer: configuration.retrievalLayer, memory: memoryBank)
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
        return sideNet.forward(hiddenStates: states, spans: [], memory: memory, cache: sideNetCache)
    }

    private func run(_ sequences: [[Int]], remember: Bool) throws -> Tensor {
        // The backbone runs unchanged; block m's keys and values are recorded for the write.
        let recorder = MemoryLayerOverride(
            layer: configuration.retrievalLayer, memory: memoryBank, fusion: nil, records: remember && usesMemory)
        let options = ForwardOptions(attentionOverride: recorder, capturedHiddenStates: sideNet.neededHiddenStates)
        let states = try backbone.forward(sequences, options: options).hiddenStates
        let hidden = sideNet.forward(
            hiddenStates: states, spans: AttentionSpan.packed(lengths: sequences.map(\.count)), memory: memory)
        recorder.commit()
        return hidden
    }
}
