import LongMemHarness
import Testing

@Suite("Per-sample costs add up to a run's counters")
struct SampleCostTests {
    func record(_ id: String, tokens: Int, memory: MemoryCounters?) -> SampleRecord {
        SampleRecord(id: id, labels: [:], inputSHA256: "", cost: SampleCost(tokensComputed: tokens, memory: memory))
    }

    @Test("tokens and written/evicted counts are summed, the resident count is the largest")
    func totals() {
        let records = [
            record("a", tokens: 100, memory: MemoryCounters(tokensWritten: 64, tokensResident: 64, tokensEvicted: 0)),
            record("b", tokens: 7, memory: nil),
            record("c", tokens: 30, memory: MemoryCounters(tokensWritten: 96, tokensResident: 48, tokensEvicted: 48)),
            SampleRecord(id: "old", labels: [:], inputSHA256: ""),
        ]
        #expect(SampleCost.tokensComputed(records) == 137)
        #expect(
            SampleCost.memory(records) == MemoryCounters(tokensWritten: 160, tokensResident: 64, tokensEvicted: 48))
    }

    @Test("no record with a memory bank gives no memory counters")
    func noMemory() {
        #expect(SampleCost.memory([record("a", tokens: 1, memory: nil)]) == nil)
    }

    @Test("the chance level of ChapterBreak is one candidate in six, written once")
    func chance() {
        #expect(TaskKind.chapterbreak.chanceAccuracy == 1.0 / 6)
        #expect(TaskKind.chapterbreak.chanceNote == "chance accuracy 1/6 = 16.7%")
        #expect(TaskKind.icl.chanceAccuracy == nil && TaskKind.perplexity.chanceNote == nil)
    }
}
