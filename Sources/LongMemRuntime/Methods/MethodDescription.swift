/// What a run records about the method beside its numbers: which memory it reads and what readers must
/// know. Each method describes itself, so that callers never ask which concrete type they hold.
public struct MethodDescription: Sendable, Equatable {
    /// Which backbone blocks read memory.
    public enum MemoryLayers: Sendable, Equatable {
        /// One block (LongMem's and MemTRM's retrieval layer).
        case single(Int)
        /// Every block, each with its own memory (InfLLM-style).
        case all
    }

    public var method: MethodKind
    /// nil for methods without memory.
    public var memory: MemoryConfiguration?
    public var memoryLayers: MemoryLayers?
    /// InfLLM-style: the document's first tokens every block attends to.
    public var initialTokens: Int?
    /// Remarks a reader must see beside the numbers (an untrained SideNet, ...).
    public var notes: [String]

    public init(
        method: MethodKind, memory: MemoryConfiguration? = nil, memoryLayers: MemoryLayers? = nil,
        initialTokens: Int? = nil, notes: [String] = []
    ) {
        self.method = method
        self.memory = memory
        self.memoryLayers = memoryLayers
        self.initialTokens = initialTokens
        self.notes = notes
    }
}
