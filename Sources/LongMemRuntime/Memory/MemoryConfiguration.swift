import LongMemTensor

/// The memory bank's shape and how it is read: LongMem's defaults are 65,536 tokens in chunks of 4,
/// 64 retrieved tokens (16 chunks) per query and head, keys and values of backbone block 17.
public struct MemoryConfiguration: Sendable, Codable, Equatable {
    /// Capacity in tokens.
    public var memorySize: Int
    /// Tokens per chunk (csz): the unit of retrieval.
    public var chunkSize: Int
    /// Tokens retrieved per query and head (k); topK / chunkSize chunks.
    public var topK: Int
    /// Backbone block whose attention keys and values are cached.
    public var retrievalLayer: Int
    /// How stored keys and values are kept: Float16 (LongMem's store, half the memory) by default.
    public var precision: MemoryPrecision
    /// Reproduce the official code's quirk of reading an empty (all-zero) slot for each missing neighbour
    /// while memory holds fewer than topK / chunkSize chunks; by default missing neighbours are masked.
    public var faithful: Bool
    /// How chunks are found: exact search (LongMem's faiss `IndexFlatIP`) by default.
    public var index: RetrievalIndexKind

    public init(
        memorySize: Int = 65_536, chunkSize: Int = 4, topK: Int = 64, retrievalLayer: Int, faithful: Bool = false,
        precision: MemoryPrecision = .float16, index: RetrievalIndexKind = .exact
    ) {
        self.precision = precision
        self.index = index
        self.memorySize = memorySize
        self.chunkSize = chunkSize
        self.topK = topK
        self.retrievalLayer = retrievalLayer
        self.faithful = faithful
    }

    /// LongMem's block 17 of 24, generalised: the block three quarters of the way up, minus one.
    public static func defaultRetrievalLayer(layers: Int) -> Int { max(0, layers * 3 / 4 - 1) }

    public var capacityChunks: Int { memorySize / chunkSize }
    public var chunksPerQuery: Int { topK / chunkSize }

    /// Why `banks` banks of this configuration for `heads` key heads of `dimension` values do not fit in
    /// this machine's memory (stored keys and values, and the index's Float32 chunk means), or nil.
    public func memoryProblem(heads: Int, dimension: Int, banks: Int = 1) -> String? {
        let stored = SizeLimits.product([banks, 2, heads, memorySize, dimension, precision.byteWidth])
        let means = SizeLimits.product([banks, heads, capacityChunks, dimension, 4])
        let total = stored.flatMap { stored in means.map { stored + $0 } }
        return SizeLimits.memoryProblem(bytes: total).map {
            "\(memorySize) tokens \($0) (\(banks > 1 ? "\(banks) banks of " : "")\(heads) heads x \(dimension) values, "
                + "\(precision.rawValue) keys and values)"
        }
    }

    /// Checks the settings against a backbone of `layers` blocks fed `segmentLength`-token segments.
    public func validate(layers: Int, segmentLength: Int) throws {
        guard (0..<layers).contains(retrievalLayer) else {
            throw RuntimeError.invalidSetting(
                .retrievalLayer, detail: "\(retrievalLayer) is outside the backbone's blocks 0...\(layers - 1)")
        }
        for (setting, value) in [(MemorySetting.chunkSize, chunkSize), (.memorySize, memorySize), (.topK, topK)]
        where value < 1 {
            throw RuntimeError.invalidSetting(setting, detail: "must be positive (got \(value))")
        }
        for (setting, value) in [(MemorySetting.chunkSize, chunkSize), (.memorySize, memorySize), (.topK, topK)]
        where value > MemoryLimits.tokens {
            throw RuntimeError.invalidSetting(
                setting, detail: "\(value) is more than the \(MemoryLimits.tokens) tokens a memory may hold")
        }
        guard memorySize % chunkSize == 0 else {
            throw RuntimeError.invalidSetting(
                .chunkSize, detail: "\(chunkSize) does not divide the memory size \(memorySize)")
        }
        guard chunkSize <= topK, topK % chunkSize == 0 else {
            throw RuntimeError.invalidSetting(
                .chunkSize, detail: "\(chunkSize) must divide top-k \(topK) (retrieval takes whole chunks)")
        }
        guard chunksPerQuery <= capacityChunks else {
            throw RuntimeError.invalidSetting(
                .topK, detail: "\(topK) tokens is more than the memory can hold (\(memorySize) tokens)")
        }
        guard memorySize >= 2 * segmentLength else {
            throw RuntimeError.invalidSetting(
                .memorySize,
                detail: "\(memorySize) tokens is less than two \(segmentLength)-token segments (the eviction unit)")
        }
        try index.validate(capacityChunks: capacityChunks)
    }
}

/// The retrieval index behind a memory bank.
public enum RetrievalIndexKind: Sendable, Codable, Equatable {
    /// Every chunk scored for every query: LongMem's own choice (faiss `IndexFlatIP`).
    case exact
    /// Inverted lists over `lists` k-means centroids per head, `probes` of them scanned per query
    /// (faiss `IndexIVFFlat`); for memories far beyond 65,536 tokens. Exact until 39 chunks per list are held.
    case ivf(lists: Int, probes: Int)

    /// A fresh, empty index of this kind.
    public func make(heads: Int, dimension: Int, capacity: Int) -> ChunkIndex {
        switch self {
        case .exact: ExactChunkIndex(heads: heads, dimension: dimension, capacity: capacity)
        case .ivf(let lists, let probes):
            IVFChunkIndex(heads: heads, dimension: dimension, capacity: capacity, lists: lists, probes: probes)
        }
    }

    func validate(capacityChunks: Int) throws {
        guard case .ivf(let lists, let probes) = self else { return }
        guard lists >= 1, (1...lists).contains(probes) else {
            throw RuntimeError.invalidSetting(
                .ivfProbes, detail: "must be in 1...lists (got \(probes) probes of \(lists) lists)")
        }
        // A memory that can never hold the training sample would silently stay exact.
        let (threshold, overflow) = lists.multipliedReportingOverflow(by: IVFChunkIndex.pointsPerList)
        guard !overflow, threshold <= capacityChunks else {
            throw RuntimeError.invalidSetting(
                .ivfLists,
                detail: "\(lists) lists train on \(overflow ? "more than \(Int.max)" : String(threshold)) chunks but "
                    + "the memory holds only \(capacityChunks); "
                    + "use at most \(capacityChunks / IVFChunkIndex.pointsPerList) lists or a larger memory")
        }
    }
}

/// Element type of the memory's stored keys and values.
public enum MemoryPrecision: String, Sendable, Codable, CaseIterable {
    /// LongMem's store: 2 bytes per element, rounded to nearest even.
    case float16 = "f16"
    /// Exact keys and values, twice the memory: for comparisons free of float16 rounding.
    case float32 = "f32"

    var byteWidth: Int { self == .float16 ? 2 : 4 }
}

/// Counters of a memory bank since its last reset.
public struct MemoryStatistics: Sendable, Codable, Equatable {
    /// Tokens whose keys and values were written (trailing tokens of a segment beyond whole chunks are not).
    public var tokensWritten = 0
    public var tokensResident = 0
    public var tokensEvicted = 0

    public init(tokensWritten: Int = 0, tokensResident: Int = 0, tokensEvicted: Int = 0) {
        self.tokensWritten = tokensWritten
        self.tokensResident = tokensResident
        self.tokensEvicted = tokensEvicted
    }
}
