import Foundation
import LongMemModels
import LongMemRuntime
import LongMemTestSupport
import Testing

/// Hostile memory settings (issue 12): sizes in the billions and products that overflow are refused with a
/// message naming the setting, never trapped on or allocated.
@Suite("Hostile input: memory settings")
struct HostileMemoryInputTests {
    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch { return "\(error)" }
    }

    func load(_ method: MethodKind, _ memory: MemoryOptions) -> String? {
        message {
            _ = try MethodLoader.load(
                try ModelDirectory(path: LongMemFixture.directory), method: method, memory: memory)
        }
    }

    @Test("memory sizes in the billions, for every memory method", .timeLimit(.minutes(1)))
    func memorySize() {
        for method in [MethodKind.memtrm, .memtrmJoint, .infllm, .longmem] {
            #expect(
                load(method, MemoryOptions(memorySize: 4_000_000_000))
                    == "memory size: 4000000000 is more than the 16777216 tokens a memory may hold", "\(method)")
            // InfLLM has no chunks: its memory size is refused first.
            let refused = method == .infllm ? "memory size: 4611686018427387904" : "chunk size: 2305843009213693952"
            #expect(
                load(method, MemoryOptions(memorySize: 1 << 62, chunkSize: 1 << 61, topK: 1 << 61))?
                    .hasPrefix(refused + " is more than") == true, "\(method)")
        }
    }

    @Test("IVF list counts in the billions, whose training sample overflows", .timeLimit(.minutes(1)))
    func ivfLists() {
        let lists = 3_000_000_000_000_000_000
        let text = load(.memtrm, MemoryOptions(index: .ivf(lists: lists, probes: 1)))
        #expect(
            text?.hasPrefix("IVF lists: \(lists) lists train on more than \(Int.max) chunks but the memory holds only ")
                == true, "\(text ?? "")")
        #expect(
            load(.memtrm, MemoryOptions(index: .ivf(lists: 2_000_000_000, probes: 1)))?.hasPrefix(
                "IVF lists: 2000000000 lists train on 78000000000 chunks") == true)
    }

    @Test("a bank that cannot fit in this machine's memory is refused before it is allocated", .timeLimit(.minutes(1)))
    func bankMemory() {
        let configuration = MemoryConfiguration(memorySize: MemoryLimits.tokens, retrievalLayer: 0)
        let problem = configuration.memoryProblem(heads: 1024, dimension: 4096)
        #expect(
            problem?.hasPrefix("16777216 tokens needs 320.0 TiB, more than this machine's") == true, "\(problem ?? "")")
        #expect(problem?.hasSuffix("(1024 heads x 4096 values, f16 keys and values)") == true)
        #expect(configuration.memoryProblem(heads: 1, dimension: 1) == nil)
        #expect(
            configuration.memoryProblem(heads: 1, dimension: 1, banks: Int.max)?.contains("needs more than") == true)
    }
}
