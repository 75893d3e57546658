/// The runtime's stated maximum for memory settings read from options and model folders.
public enum MemoryLimits {
    /// Tokens a memory may hold (and so chunk size and top-k): 256x LongMem's 65,536 and 16x the million
    /// tokens the IVF benchmark measures. What a bank of that size allocates is checked against this
    /// machine's memory as well (`MemoryConfiguration.memoryProblem`).
    public static let tokens = 1 << 24
}
