import LongMemModels
import LongMemTensor

/// A language model that carries memory from segment to segment: the contract task adapters drive.
///
/// `hiddenStates(for:)` (from `LanguageModel`) reads the memory without writing to it (queries are
/// never written); `forwardSegment` is the segment driver's step.
public protocol MemoryAugmentedModel: LanguageModel {
    var method: MethodKind { get }
    /// The memory bank of methods with one (LongMem, MemTRM); nil otherwise.
    var memory: MemoryBank? { get }
    /// Whether the method reads a memory of earlier segments (tasks then fill it).
    var readsMemory: Bool { get }
    /// The tokens per retrieved chunk of a chunk memory (LongMem's ICL protocol fixes it); nil otherwise.
    var memoryChunkSize: Int? { get }
    /// What the memory holds after the last write.
    var memoryStatistics: MemoryStatistics { get }
    /// What a run records about the method (its memory layout and remarks).
    var runDescription: MethodDescription { get }
    /// Empties the memory (start of a document).
    func resetMemory()
    /// Hidden states (T, C) of one segment read with the memory of earlier segments; afterwards, with
    /// `remember`, the segment's keys and values are written to memory (after its forward, as the
    /// official code does, so a segment never retrieves itself).
    func forwardSegment(_ tokens: [Int], remember: Bool) throws -> Tensor
    /// Writes one segment to memory as `forwardSegment(tokens, remember: true)` does, for a pass whose
    /// outputs are discarded (a memory fill): methods skip what the write does not depend on.
    func writeSegment(_ tokens: [Int]) throws

    /// An empty cache for continuing one sequence token block by token block.
    func makePrefixCache(capacity: Int) throws -> PrefixCache
    /// Hidden states (T, C) of `tokens` appended after the cached ones, reading (never writing) memory:
    /// a shared prefix (demonstrations, a context) is computed once and each continuation after it.
    func hiddenStates(appending tokens: [Int], to cache: PrefixCache) throws -> Tensor
}

/// What a shared prefix leaves behind: the backbone's keys and values (and the SideNet's for LongMem), or
/// for InfLLM the stream's memories after it.
public final class PrefixCache {
    private enum Storage {
        case keysAndValues(backbone: KVCache, sideNet: KVCache?)
        case stream(StreamCheckpoints)
    }
    private let storage: Storage

    init(backbone: KVCache, sideNet: KVCache? = nil) {
        storage = .keysAndValues(backbone: backbone, sideNet: sideNet)
    }

    init(stream: StreamCheckpoints) { storage = .stream(stream) }

    /// The backbone's cache (every method but InfLLM; each method makes its own caches).
    var backbone: KVCache {
        guard case .keysAndValues(let backbone, _) = storage else { preconditionFailure("a stream cache") }
        return backbone
    }

    var sideNet: KVCache? {
        guard case .keysAndValues(_, let sideNet) = storage else { return nil }
        return sideNet
    }

    func streamCheckpoints() throws -> StreamCheckpoints {
        guard case .stream(let checkpoints) = storage else {
            throw RuntimeError.invalidSetting(.prefixCache, detail: "a key/value cache given to a stream method")
        }
        return checkpoints
    }

    public var count: Int {
        switch storage {
        case .keysAndValues(let backbone, _): backbone.count
        case .stream(let checkpoints): checkpoints.count
        }
    }

    /// Forgets every token after the first `count`, to continue the prefix another way.
    public func rewind(to count: Int) {
        switch storage {
        case .keysAndValues(let backbone, let sideNet):
            backbone.rewind(to: count)
            sideNet?.rewind(to: count)
        case .stream(let checkpoints): checkpoints.rewind(to: count)
        }
    }
}

extension MemoryAugmentedModel {
    /// The backbone as an incremental decoder, or an error naming the method.
    func incremental(_ backbone: LanguageModel) throws -> IncrementalDecoder {
        guard let decoder = backbone as? IncrementalDecoder else {
            throw RuntimeError.unsupportedMethod(
                method: method.rawValue + " with a shared prefix", architecture: backbone.descriptor.architecture)
        }
        return decoder
    }
}

extension MemoryAugmentedModel {
    public var memoryStatistics: MemoryStatistics { memory?.statistics ?? MemoryStatistics() }
    public var readsMemory: Bool { memory != nil }
    public var memoryChunkSize: Int? { memory?.configuration.chunkSize }
    public func writeSegment(_ tokens: [Int]) throws { _ = try forwardSegment(tokens, remember: true) }

    /// One memory in the retrieval layer (or none); methods that read memory elsewhere say so themselves.
    public var runDescription: MethodDescription {
        MethodDescription(
            method: method, memory: memory?.configuration,
            memoryLayers: memory.map { .single($0.configuration.retrievalLayer) })
    }
}

/// The backbone alone with its local window: the GPT-2 baseline.
public final class LocalModel: MemoryAugmentedModel {
    public let backbone: LanguageModel
    public let method = MethodKind.local
    public var memory: MemoryBank? { nil }

    public init(backbone: LanguageModel) { self.backbone = backbone }

    public var descriptor: ModelDescriptor { backbone.descriptor }
    public var outputHead: Linear { backbone.outputHead }
    public func hiddenStates(for sequences: [[Int]]) throws -> Tensor { try backbone.hiddenStates(for: sequences) }
    public func resetMemory() {}
    public func forwardSegment(_ tokens: [Int], remember: Bool) throws -> Tensor {
        try backbone.hiddenStates(for: [tokens])
    }

    public func makePrefixCache(capacity: Int) throws -> PrefixCache {
        PrefixCache(backbone: try incremental(backbone).makeCache(capacity: capacity))
    }

    public func hiddenStates(appending tokens: [Int], to cache: PrefixCache) throws -> Tensor {
        try incremental(backbone).forward(appending: tokens, to: cache.backbone, options: ForwardOptions()).hidden
    }
}

/// Replaces one backbone block's attention with memory-fused attention, and records the block's
/// keys and values so that the caller can write them to memory after the forward pass.
final class MemoryLayerOverride: AttentionOverride {
    let layer: Int
    let memory: MemoryBank
    /// nil: attention is the block's own (the keys and values are only recorded).
    let fusion: MemoryFusion?
    let records: Bool
    private(set) var recordedKeys: Tensor?
    private(set) var recordedValues: Tensor?

    init(layer: Int, memory: MemoryBank, fusion: MemoryFusion?, records: Bool) {
        self.layer = layer
        self.memory = memory
        self.fusion = fusion
        self.records = records
    }

    func overrides(layer: Int) -> Bool { layer == self.layer }

    func attend(
        layer: Int, _ projections: AttentionProjections, into output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        if records { (recordedKeys, recordedValues) = Self.copyKeysAndValues(projections) }
        if let fusion, !memory.isEmpty {
            MemoryAttention.attend(
                projections, memory: memory, fusion: fusion, into: output, outputStride: outputStride)
        } else {
            projections.standard(into: output, outputStride: outputStride)
        }
    }

    /// Copies of the block's keys and values (T, kvHeads * D) for a write after the forward pass; rotary
    /// backbones give their keys before rotation (see MemoryAttention).
    static func copyKeysAndValues(_ projections: AttentionProjections) -> (keys: Tensor, values: Tensor) {
        let (key, keyStride) =
            projections.rotary.map { ($0.unrotatedKey, $0.keyStride) }
            ?? (projections.key, projections.keyStride)
        let width = projections.geometry.keyWidth, rows = projections.tokens
        let keys = Tensor(uninitialized: [rows, width]), values = Tensor(uninitialized: [rows, width])
        for row in 0..<rows {
            keys.row(row).update(from: key + row * keyStride, count: width)
            values.row(row).update(from: projections.value + row * projections.valueStride, count: width)
        }
        return (keys, values)
    }

    /// Writes block `layer`'s keys and values of one segment to `memory`, running the backbone only up to
    /// that block's attention: nothing after it (later blocks, a SideNet, memory reads) changes the write.
    static func write(_ tokens: [Int], backbone: TransformerBackbone, layer: Int, memory: MemoryBank) throws {
        let recorder = MemoryLayerOverride(layer: layer, memory: memory, fusion: nil, records: true)
        _ = try backbone.forward([tokens], options: ForwardOptions(attentionOverride: recorder, lastAttention: layer))
        recorder.commit()
    }

    /// Writes what was recorded to the memory bank.
    func commit() {
        guard let keys = recordedKeys, let values = recordedValues else { return }
        memory.write(
            keys: keys.data, keyStride: keys.columns, values: values.data, valueStride: values.columns,
            tokens: keys.rows)
    }
}
