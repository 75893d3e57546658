import LongMemModels
import LongMemTensor

/// The training-free MemTRM-style baseline: memory attention inserted in the backbone's own block m,
/// reading that block's cached keys and values (LongMem's `NewGPTJointAttention`, used without a side
/// network). With `.gated(memoryBias: 0...)` the gate is fixed at sigmoid(0) = 0.5, LongMem's initial
/// value; `.jointSoftmax` normalises memory and local keys together.
public final class MemTRMModel: MemoryAugmentedModel {
    public let backbone: TransformerBackbone
    public let fusion: MemoryFusion
    public let configuration: MemoryConfiguration
    public let memoryBank: MemoryBank
    public var memory: MemoryBank? { memoryBank }

    public init(backbone: TransformerBackbone, configuration: MemoryConfiguration, fusion: MemoryFusion) throws {
        memoryBank = try MemoryBank(configuration, for: backbone)
        self.backbone = backbone
        self.configuration = configuration
        self.fusion = fusion
    }

    public var method: MethodKind {
        if case .jointSoftmax = fusion { return .memtrmJoint }
        return .memtrm
    }

    public var descriptor: ModelDescriptor { backbone.descriptor }
    public var outputHead: Linear { backbone.outputHead }
    public func resetMemory() { memoryBank.reset() }

    /// Memory attention in the retrieval layer; with `records`, that layer's keys and values are kept for
    /// the write after the forward pass.
    private func memoryLayer(records: Bool) -> MemoryLayerOverride {
        MemoryLayerOverride(layer: configuration.retrievalLayer, memory: memoryBank, fusion: fusion, records: records)
    }

    public func hiddenStates(for sequences: [[Int]]) throws -> Tensor {
        try backbone.forward(sequences, options: ForwardOptions(attentionOverride: memoryLayer(records: false))).hidden
    }

    public func makePrefixCache(capacity: Int) throws -> PrefixCache {
        PrefixCache(backbone: try incremental(backbone).makeCache(capacity: capacity))
    }

    public func hiddenStates(appending tokens: [Int], to cache: PrefixCache) throws -> Tensor {
        try incremental(backbone).forward(
            appending: tokens, to: cache.backbone,
            options: ForwardOptions(attentionOverride: memoryLayer(records: false))
        ).hidden
    }

    public func forwardSegment(_ tokens: [Int], remember: Bool) throws -> Tensor {
        let override = memoryLayer(records: remember)
        let hidden = try backbone.forward([tokens], options: ForwardOptions(attentionOverride: override)).hidden
        override.commit()
        return hidden
    }

    public func writeSegment(_ tokens: [Int]) throws {
        try MemoryLayerOverride.write(
            tokens, backbone: backbone, layer: configuration.retrievalLayer, memory: memoryBank)
    }
}
