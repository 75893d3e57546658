/// InfLLM's settings (thunlp/InfLLM, `config/*-inf-llm.yaml`), under its own names; docs/INFLLM.md says
/// what each one does in its code.
public struct InfLLMSettings: Sendable, Equatable, Codable {
    /// `block_size`: tokens per memory unit.
    public var blockSize: Int
    /// `n_init`: the stream's first tokens, which every query attends to.
    public var initialTokens: Int
    /// `n_local`: keys each query sees in its local window, itself included.
    public var localWindow: Int
    /// `topk`: memory units retrieved per execution block.
    public var topK: Int
    /// `repr_topk`: tokens per head whose keys are averaged into a unit's key.
    public var representativeTokens: Int
    /// `exc_block_size`: queries that share one retrieval.
    public var executionBlock: Int
    /// Tokens held in memory units at most; the oldest units are dropped beyond it (InfLLM keeps every
    /// unit; the cap makes memory sizes comparable with the other methods').
    public var memorySize: Int

    public init(
        blockSize: Int, initialTokens: Int, localWindow: Int, topK: Int, representativeTokens: Int,
        executionBlock: Int, memorySize: Int
    ) {
        self.blockSize = blockSize
        self.initialTokens = initialTokens
        self.localWindow = localWindow
        self.topK = topK
        self.representativeTokens = representativeTokens
        self.executionBlock = executionBlock
        self.memorySize = memorySize
    }

    /// The official configs' local window, for which the other defaults were chosen.
    public static let officialWindow = 4096

    /// The official defaults (block 128, n_init 128, topk 16, repr_topk 4, exec block 512) at a local
    /// window of 4,096 tokens. For another window, the three token counts (block, n_init, exec block)
    /// keep their share of the window (x window / 4,096, at least 1, representative tokens at most a
    /// block), so that the retrieved units cover half the window as in the official configs; topk stays 16.
    public static func defaults(window: Int, memorySize: Int = 65_536) -> InfLLMSettings {
        func scaled(_ official: Int) -> Int { max(1, official * window / officialWindow) }
        let block = scaled(128)
        return InfLLMSettings(
            blockSize: block, initialTokens: scaled(128), localWindow: window, topK: 16,
            representativeTokens: min(4, block), executionBlock: scaled(512), memorySize: memorySize)
    }

    /// Units the memory holds at most.
    public var unitCapacity: Int { max(1, memorySize / blockSize) }

    /// Throws for the first setting out of range, naming it.
    public func validate() throws(RuntimeError) {
        try RuntimeError.require(localWindow >= 1, .segmentLength, "\(localWindow) must be at least 1")
        try RuntimeError.require(
            (1...localWindow).contains(blockSize), .blockSize,
            "\(blockSize) is outside 1...\(localWindow) (the local window)")
        try RuntimeError.require(
            (1...localWindow).contains(executionBlock), .executionBlock,
            "\(executionBlock) is outside 1...\(localWindow) (the local window)")
        try RuntimeError.require(topK >= 1, .retrievedUnits, "\(topK) must be at least 1 unit")
        try RuntimeError.require(initialTokens >= 0, .initialTokens, "\(initialTokens) must not be negative")
        try RuntimeError.require(
            initialTokens <= MemoryLimits.tokens, .initialTokens,
            "\(initialTokens) is more than the \(MemoryLimits.tokens) tokens a memory may hold")
        try RuntimeError.require(
            (1...blockSize).contains(representativeTokens), .representativeTokens,
            "\(representativeTokens) is outside 1...\(blockSize) (the block size)")
        try RuntimeError.require(
            memorySize >= blockSize, .memorySize, "\(memorySize) is smaller than one unit (\(blockSize) tokens)")
        try RuntimeError.require(
            memorySize <= MemoryLimits.tokens, .memorySize,
            "\(memorySize) is more than the \(MemoryLimits.tokens) tokens a memory may hold")
    }
}
