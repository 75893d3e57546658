import Foundation
import LongMemModels
import LongMemTensor

/// A training-free block memory in the style of InfLLM (Xiao et al., 2024), on any backbone.
///
/// In every block, attention is one softmax over three parts: the document's first `initialTokens`
/// tokens (attention sinks), the top-k chunks retrieved from that block's own memory of earlier segments
/// (chunk-mean keys, the same bank and index as LongMem), and the local window. Positions: the initial
/// tokens and the retrieved chunks are placed at the segment's first position (rotary backbones keep
/// their keys unrotated; ALiBi backbones give them the bias of local key 0). Differences from InfLLM
/// proper: retrieval is per query token rather than per block of queries, and the local window is the
/// current segment rather than a sliding window.
public final class InfLLMModel: MemoryAugmentedModel {
    public let backbone: TransformerBackbone
    /// Per block: capacity, chunk size and retrieved tokens (its `retrievalLayer` is unused: every block).
    public let configuration: MemoryConfiguration
    public let initialTokens: Int
    let banks: [MemoryBank]
    let sinks: [MemoryBank]
    public let method = MethodKind.infllm

    public init(backbone: TransformerBackbone, configuration: MemoryConfiguration, initialTokens: Int = 4) throws {
        try configuration.validate(layers: backbone.layerCount, segmentLength: backbone.descriptor.contextLength)
        let geometry = backbone.attentionGeometry
        // One bank per block: all of them must fit, not just one.
        if let problem = configuration.memoryProblem(
            heads: geometry.kvHeads, dimension: geometry.headDim, banks: backbone.layerCount)
        {
            throw RuntimeError.invalidSetting(.memorySize, detail: problem)
        }
        banks = try (0..<backbone.layerCount).map { _ in
            try MemoryBank(configuration, for: backbone, validating: false)
        }
        try RuntimeError.require(
            (1..<backbone.descriptor.contextLength).contains(initialTokens), .initialTokens,
            "\(initialTokens) is outside 1..<\(backbone.descriptor.contextLength)")
        self.backbone = backbone
        self.configuration = configuration
        self.initialTokens = initialTokens
        // The initial tokens: one chunk of `initialTokens`, always retrieved.
        var sink = configuration
        sink.memorySize = 2 * initialTokens
        sink.chunkSize = initialTokens
        sink.topK = initialTokens
        sink.faithful = false
        sink.index = .exact
        // Smaller than two segments by design: the sink never evicts, so it skips the eviction-unit check.
        sinks = try (0..<backbone.layerCount).map { _ in try MemoryBank(sink, for: backbone, validating: false) }
    }

    /// Block 0's bank: every block's counters are the same.
    public var memory: MemoryBank? { banks.first }

    public var runDescription: MethodDescription {
        MethodDescription(method: method, memory: configuration, memoryLayers: .all, initialTokens: initialTokens)
    }
    public var descriptor: ModelDescriptor { backbone.descriptor }
    public var outputHead: Linear { backbone.outputHead }

    public func resetMemory() {
        banks.forEach { $0.reset() }
        sinks.forEach { $0.reset() }
    }

    public func hiddenStates(for sequences: [[Int]]) throws -> Tensor {
        try backbone.forward(
            sequences, options: ForwardOptions(attentionOverride: BlockMemoryOverride(self, records: false))
        )
        .hidden
    }

    public func forwardSegment(_ tokens: [Int], remember: Bool) throws -> Tensor {
        let override = BlockMemoryOverride(self, records: remember)
        let hidden = try backbone.forward([tokens], options: ForwardOptions(attentionOverride: override)).hidden
        override.commit()
        return hidden
    }

    public func makePrefixCache(capacity: Int) throws -> PrefixCache {
        PrefixCache(backbone: try incremental(backbone).makeCache(capacity: capacity))
    }

    public func hiddenStates(appending tokens: [Int], to cache: PrefixCache) throws -> Tensor {
        try incremental(backbone).forward(
            appending: tokens, to: cache.backbone,
            options: ForwardOptions(attentionOverride: BlockMemoryOverride(self, records: false))
        ).hidden
    }
}

/// Every block's attention: one softmax over the initial tokens, the retrieved chunks and the local keys;
/// records each block's (unrotated) keys and values for the write after the forward pass.
final class BlockMemoryOverride: AttentionOverride {
    let model: InfLLMModel
    let records: Bool
    private var recorded: [Int: (keys: Tensor, values: Tensor)] = [:]

    init(_ model: InfLLMModel, records: Bool) {
        self.model = model
        self.records = records
    }

    func overrides(layer: Int) -> Bool { true }

    func attend(
        layer: Int, _ projections: AttentionProjections, into output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        if records { recorded[layer] = MemoryLayerOverride.copyKeysAndValues(projections) }
        Self.fuse(
            projections, parts: [model.sinks[layer], model.banks[layer]], into: output, outputStride: outputStride)
    }

    /// The local attention and the readouts of the non-empty `parts`, weighted by their share of one softmax.
    static func fuse(
        _ projections: AttentionProjections, parts all: [MemoryBank], into output: UnsafeMutablePointer<Float>,
        outputStride: Int
    ) {
        let parts = all.filter { !$0.isEmpty }
        guard !parts.isEmpty else { return projections.standard(into: output, outputStride: outputStride) }
        let heads = projections.geometry.heads, dim = projections.geometry.headDim, rows = projections.tokens
        let localNormalisers = projections.scratch.tensor(.localNormalisers, [rows, heads])
        projections.standard(into: output, outputStride: outputStride, logSumExp: localNormalisers.data)
        let readouts = parts.map { MemoryAttention.readout(projections, memory: $0) }
        let positions = MemoryAttention.positions(projections.spans, rows: rows)
        let slopes = projections.geometry.alibiSlopes
        Parallel.forRanges(rows, minimum: 16) { block in
            var normalisers = [Float](repeating: 0, count: readouts.count + 1)
            for row in block {
                for head in 0..<heads {
                    let alibi = (slopes?[head] ?? 0) * Float(positions[row])
                    normalisers[0] = localNormalisers.row(row)[head]
                    for (index, readout) in readouts.enumerated() {
                        normalisers[index + 1] = readout.normalisers.row(row)[head] - alibi
                    }
                    // Softmax weights of the parts: exp(normaliser - max), normalised.
                    let peak = normalisers.max()!
                    let weights = normalisers.map { exp($0 - peak) }
                    let total = weights.reduce(0, +)
                    let local = output + row * outputStride + head * dim
                    for d in 0..<dim { local[d] *= weights[0] / total }
                    for (index, readout) in readouts.enumerated() {
                        let part = readout.values.row(row) + head * dim, weight = weights[index + 1] / total
                        for d in 0..<dim { local[d] += weight * part[d] }
                    }
                }
            }
        }
    }

    /// Writes what was recorded: the document's first tokens once, every segment into each block's memory.
    func commit() {
        for (layer, record) in recorded {
            let sink = model.sinks[layer], count = model.initialTokens
            if sink.isEmpty, record.keys.rows >= count {
                sink.write(
                    keys: record.keys.data, keyStride: record.keys.columns, values: record.values.data,
                    valueStride: record.values.columns, tokens: count)
            }
            model.banks[layer].write(
                keys: record.keys.data, keyStride: record.keys.columns, values: record.values.data,
                valueStride: record.values.columns, tokens: record.keys.rows)
        }
    }
}
