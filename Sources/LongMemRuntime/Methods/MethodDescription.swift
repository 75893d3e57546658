/// What a run records about the method beside its numbers: which memory it reads and what readers must
/// know. Each method describes itself, so that callers never ask which concrete type they hold.
public struct MethodDescription: Sendable, Equatable {
    /// Which backbone blocks read memory.
    public enum MemoryLayers: Sendable, Equatable {
        /// One block (LongMem's and MemTRM's retrieval layer).
        case single(Int)
        /// Every block, each with its own memory (InfLLM).
        case all
    }

    public var method: MethodKind
    /// nil for methods without memory.
    public var memory: MemoryConfiguration?
    public var memoryLayers: MemoryLayers?
    /// InfLLM's settings (its memory is not a chunk bank).
    public var infllm: InfLLMSettings?
    /// InfLLM's index over unit keys.
    public var index: RetrievalIndexKind?
    /// Remarks a reader must see beside the numbers (an untrained SideNet, ...).
    public var notes: [String]

    public init(
        method: MethodKind, memory: MemoryConfiguration? = nil, memoryLayers: MemoryLayers? = nil,
        infllm: InfLLMSettings? = nil, index: RetrievalIndexKind? = nil, notes: [String] = []
    ) {
        self.method = method
        self.memory = memory
        self.memoryLayers = memoryLayers
        self.infllm = infllm
        self.index = index
        self.notes = notes
    }
}
