/// What one sample cost: tokens run through the model for it, and the memory bank's counters after it
/// (nil where the sample used no memory bank).
public struct SampleCost: Codable, Sendable, Equatable {
    public var tokensComputed: Int
    public var memory: MemoryCounters?

    enum CodingKeys: String, CodingKey {
        case tokensComputed = "tokens_computed", memory
    }

    public init(tokensComputed: Int, memory: MemoryCounters? = nil) {
        self.tokensComputed = tokensComputed
        self.memory = memory
    }

    /// Tokens run through the model over `records`: the same for a resumed run, since every record notes
    /// what it computed.
    public static func tokensComputed(_ records: [SampleRecord]) -> Int {
        records.reduce(0) { $0 + ($1.cost?.tokensComputed ?? 0) }
    }

    /// Memory counters over the records that carry them: tokens written and evicted summed, the largest
    /// resident count (each document or seed starts from an empty memory); nil when none carries them.
    public static func memory(_ records: [SampleRecord]) -> MemoryCounters? {
        let counters = records.compactMap { $0.cost?.memory }
        guard !counters.isEmpty else { return nil }
        return MemoryCounters(
            tokensWritten: counters.reduce(0) { $0 + $1.tokensWritten },
            tokensResident: counters.map(\.tokensResident).max() ?? 0,
            tokensEvicted: counters.reduce(0) { $0 + $1.tokensEvicted })
    }
}
