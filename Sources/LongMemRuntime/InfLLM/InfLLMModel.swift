import LongMemModels
import LongMemTensor

/// InfLLM (Xiao et al., 2024, thunlp/InfLLM) on a rotary (or ALiBi) backbone, as its code runs it
/// (docs/INFLLM.md): every block has its own context memory; each query attends, in one softmax, to its
/// local window of `n_local` keys, the `n_init` initial tokens, the `topk` memory units retrieved for its
/// execution block and the remainder not yet in a unit; memory keys sit at distance `n_local - 1`.
///
/// The model reads one stream: each `forwardSegment` is a prefill chunk that continues it (the local
/// window slides across segments, as InfLLM reads one long input). Reads (`hiddenStates`, a prefix cache)
/// continue the stream on a copy and leave it as it was.
///
/// With its memory switched off (`infllm-no-memory`), each query sees its local window and the initial
/// tokens only: the ablation that tells what the memory units add.
public final class InfLLMModel: MemoryAugmentedModel {
    public let backbone: TransformerBackbone
    public let settings: InfLLMSettings
    public let method: MethodKind
    /// The stream's memories, one per block, and their unit-key indices.
    private var memories: [ContextMemory]
    private let indices: [ChunkIndex]
    private let indexKind: RetrievalIndexKind
    private var tokensFed = 0

    public init(
        backbone: TransformerBackbone, settings: InfLLMSettings, index: RetrievalIndexKind = .exact,
        contextMemory: Bool = true
    ) throws {
        try settings.validate()
        let window = backbone.descriptor.contextLength
        try RuntimeError.require(
            settings.localWindow <= window, .segmentLength,
            "\(settings.localWindow) is more than the backbone's \(window)-token window")
        let geometry = backbone.attentionGeometry
        guard backbone is LlamaModel || geometry.alibiSlopes != nil else {
            throw RuntimeError.unsupportedMethod(
                method: (contextMemory ? MethodKind.infllm : .infllmNoMemory).rawValue
                    + " (needs rotary or ALiBi positions)",
                architecture: backbone.descriptor.architecture)
        }
        // Per block: Float32 keys and values of every unit token, and each unit's key.
        let bytes = SizeLimits.product([
            backbone.layerCount,
            settings.memorySize * 2 * geometry.keyWidth + settings.unitCapacity * geometry.queryWidth,
            4,
        ])
        if let problem = SizeLimits.memoryProblem(bytes: bytes) {
            throw RuntimeError.invalidSetting(
                .memorySize, detail: "\(settings.memorySize) tokens \(problem) (\(backbone.layerCount) layers)")
        }
        self.backbone = backbone
        self.settings = settings
        method = contextMemory ? .infllm : .infllmNoMemory
        indexKind = index
        memories = Array(
            repeating: ContextMemory(settings: settings, geometry: geometry, keepsMemory: contextMemory),
            count: backbone.layerCount)
        indices = (0..<backbone.layerCount).map { _ in
            index.make(heads: 1, dimension: geometry.queryWidth, capacity: settings.unitCapacity)
        }
    }

    public var memory: MemoryBank? { nil }
    /// Tasks feed earlier text as the start of the stream (without memory it still gives the initial tokens
    /// and the local window).
    public var readsMemory: Bool { true }
    public var memoryChunkSize: Int? { nil }

    /// Tokens cut into units (written), held in units (resident) and dropped, in block 0 (every block's
    /// are the same).
    public var memoryStatistics: MemoryStatistics {
        let first = memories[0]
        return MemoryStatistics(
            tokensWritten: first.unitTokens, tokensResident: first.units.count * settings.blockSize,
            tokensEvicted: first.droppedTokens)
    }

    public var runDescription: MethodDescription {
        let s = settings
        guard method == .infllm else {
            return MethodDescription(
                method: method, memoryLayers: .all, infllm: s,
                notes: [
                    "InfLLM, memory off: \(s.localWindow)-token sliding window and \(s.initialTokens) initial "
                        + "tokens, no memory units"
                ])
        }
        return MethodDescription(
            method: method, memoryLayers: .all, infllm: s, index: indexKind,
            notes: [
                "InfLLM: \(s.localWindow)-token local window, units of \(s.blockSize) tokens (key: mean of "
                    + "\(s.representativeTokens) per head), top \(s.topK) units per \(s.executionBlock)-query block, "
                    + "\(s.initialTokens) initial tokens, at most \(s.memorySize) tokens in units"
            ])
    }
    public var descriptor: ModelDescriptor { backbone.descriptor }
    public var outputHead: Linear { backbone.outputHead }

    public func resetMemory() {
        let empty = ContextMemory(
            settings: settings, geometry: backbone.attentionGeometry, keepsMemory: method == .infllm)
        memories = Array(repeating: empty, count: memories.count)
        indices.forEach { $0.removeAll() }
        tokensFed = 0
    }

    /// Runs `tokens` as one prefill chunk after `memories`; returns the hidden states and the memories after.
    private func continueStream(_ tokens: [Int], from memories: [ContextMemory]) throws -> (Tensor, [ContextMemory]) {
        guard !tokens.isEmpty else { throw RuntimeError.emptyStream }
        let override = ContextMemoryOverride(memories: memories, indices: indices)
        let hidden = try backbone.forward([tokens], options: ForwardOptions(attentionOverride: override)).hidden
        return (hidden, override.memories)
    }

    public func forwardSegment(_ tokens: [Int], remember: Bool) throws -> Tensor {
        let (hidden, after) = try continueStream(tokens, from: memories)
        if remember {
            memories = after
            for layer in memories.indices { memories[layer].commit(to: indices[layer]) }
        }
        return hidden
    }

    /// Each sequence continues the stream on its own copy.
    public func hiddenStates(for sequences: [[Int]]) throws -> Tensor {
        let parts = try sequences.map { try continueStream($0, from: memories).0 }
        return parts.count == 1 ? parts[0] : Tensor.stackingRows(parts)
    }

    public func makePrefixCache(capacity: Int) throws -> PrefixCache {
        PrefixCache(stream: StreamCheckpoints())
    }

    /// Continues the stream from the cache's point (the stream itself at count 0) and keeps the memories
    /// after `tokens` as a checkpoint to rewind to.
    public func hiddenStates(appending tokens: [Int], to cache: PrefixCache) throws -> Tensor {
        let checkpoints = try cache.streamCheckpoints()
        let start = checkpoints.count == 0 ? memories : try checkpoints.memories(at: checkpoints.count)
        let (hidden, after) = try continueStream(tokens, from: start)
        checkpoints.record(after, count: checkpoints.count + tokens.count)
        return hidden
    }
}
