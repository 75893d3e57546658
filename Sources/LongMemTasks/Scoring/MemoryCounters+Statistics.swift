import LongMemHarness
import LongMemRuntime

extension MemoryCounters {
    /// A memory bank's counters as results record them.
    init(_ statistics: MemoryStatistics) {
        self.init(
            tokensWritten: statistics.tokensWritten, tokensResident: statistics.tokensResident,
            tokensEvicted: statistics.tokensEvicted)
    }
}
