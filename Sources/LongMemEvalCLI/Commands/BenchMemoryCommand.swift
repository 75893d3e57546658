import ArgumentParser
import Dispatch
import Foundation
import LongMemModels
import LongMemRuntime
import LongMemTensor

/// `longmem-eval bench memory`: what a memory bank really costs in RAM. The store is allocated up front
/// but its pages become resident only when written, so the resident set is measured after filling it.
struct BenchMemoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Measure the resident memory of a filled memory bank (keys, values and chunk index).",
        discussion: """
            Writes random keys and values into a memory bank in --segment-token segments until --memory-size \
            tokens have been written (the official eviction rule applies when it fills), and reports the growth \
            of the process's resident set (VmRSS) from before the bank was created, next to the bytes of the \
            key/value store and of the chunk index. Segment buffers are allocated before the first reading.
            """
    )

    @Option(name: .long, help: "Memory capacity in tokens.")
    var memorySize: Int = 65_536

    @Option(name: .long, help: "Key heads.")
    var heads: Int = 16

    @Option(name: .long, help: "Dimension per head.")
    var dim: Int = 64

    @Option(name: .long, help: "Tokens per chunk (csz).")
    var chunkSize: Int = 4

    @Option(name: .long, help: "Stored key/value precision: f16 or f32.")
    var precision: MemoryPrecision = .float16

    @Option(name: .long, help: "Tokens written per segment.")
    var segment: Int = 1024

    @Flag(name: .long, help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard heads >= 1 else { throw ValidationError("--heads must be at least 1, got \(heads)") }
        guard dim >= 1 else { throw ValidationError("--dim must be at least 1, got \(dim)") }
        guard segment >= 1 else { throw ValidationError("--segment must be at least 1, got \(segment)") }
        guard chunkSize >= 1, memorySize >= 1, memorySize % chunkSize == 0 else {
            throw ValidationError(
                "--chunk-size (\(chunkSize)) must be positive and divide --memory-size (\(memorySize))")
        }
        // The bank and the segment buffers are allocated from these options: bounded like a model's memory.
        for (option, value, maximum) in [
            ("--heads", heads, ModelLimits.heads), ("--dim", dim, ModelLimits.headDim),
            ("--memory-size", memorySize, MemoryLimits.tokens),
        ] where value > maximum {
            throw ValidationError("\(option) must be at most \(maximum), got \(value)")
        }
        let configuration = MemoryConfiguration(
            memorySize: memorySize, chunkSize: chunkSize, topK: chunkSize, retrievalLayer: 0, precision: precision)
        if let problem = configuration.memoryProblem(heads: heads, dimension: dim) {
            throw ValidationError("--memory-size \(problem)")
        }
        if let problem = SizeLimits.memoryProblem(bytes: SizeLimits.product([2, segment, heads, dim, 4])) {
            throw ValidationError("--segment \(segment) \(problem) (its key and value buffers)")
        }
        guard segment >= chunkSize, segment <= memorySize / 2 else {
            throw ValidationError(
                "--segment (\(segment)) must hold a chunk (\(chunkSize) tokens) and fit twice in --memory-size (\(memorySize))"
            )
        }
    }

    func run() throws {
        let width = heads * dim
        let configuration = MemoryConfiguration(
            memorySize: memorySize, chunkSize: chunkSize, topK: chunkSize, retrievalLayer: 0, precision: precision)
        var generator = SplitMix64(seed: 7)
        let keys = Tensor(zeros: [segment, width]), values = Tensor(zeros: [segment, width])
        let segments = (memorySize + segment - 1) / segment
        let before = ResidentMemory.current()
        let bank = MemoryBank(configuration: configuration, heads: heads, dimension: dim)
        let allocated = ResidentMemory.current()
        var writing = 0.0
        for _ in 0..<segments {
            for i in 0..<(segment * width) {
                keys.data[i] = Float(Int32(truncatingIfNeeded: generator.next())) / Float(Int32.max)
                values.data[i] = Float(Int32(truncatingIfNeeded: generator.next())) / Float(Int32.max)
            }
            let start = DispatchTime.now()
            bank.write(keys: keys.data, keyStride: width, values: values.data, valueStride: width, tokens: segment)
            writing += Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        }
        let after = ResidentMemory.current()
        let growth = before.flatMap { before in after.map { $0 - before } }
        let store = bank.storageBytes, indexBytes = bank.index.residentBytes
        let statistics = bank.statistics
        let result: [String: Any] = [
            "memory_size": memorySize, "heads": heads, "dim": dim, "chunk_size": chunkSize,
            "precision": precision.rawValue, "segment": segment, "segments": segments,
            "tokens_written": statistics.tokensWritten, "tokens_resident": statistics.tokensResident,
            "tokens_evicted": statistics.tokensEvicted, "rss_before_bytes": Self.jsonValue(before),
            "rss_allocated_bytes": Self.jsonValue(allocated), "rss_after_bytes": Self.jsonValue(after),
            "rss_growth_bytes": Self.jsonValue(growth), "store_bytes": store, "index_bytes": indexBytes,
            "expected_bytes": store + indexBytes, "write_seconds": writing,
            "write_tokens_per_second": Double(statistics.tokensWritten) / writing,
        ]
        if json {
            print(JSONLine.encode(result))
            return
        }
        let mib = { (bytes: Int) in String(format: "%9.1f MiB", Double(bytes) / 1_048_576) }
        print(
            "memory bank: \(memorySize) tokens, \(heads) heads x \(dim), chunks of \(chunkSize), \(precision.rawValue)")
        print(
            "written \(statistics.tokensWritten) tokens in \(segments) segments of \(segment); resident \(statistics.tokensResident), evicted \(statistics.tokensEvicted)"
        )
        print("store   \(mib(store))   (keys and values)")
        print("index   \(mib(indexBytes))   (chunk-mean keys)")
        if let growth {
            print(
                "RSS +   \(mib(growth))   (\(String(format: "%.3f", Double(growth) / Double(store + indexBytes))) x store + index)"
            )
        } else {
            print("RSS     unavailable (no /proc/self/status)")
        }
        print(String(format: "write   %9.3f s   %10.0f tokens/s", writing, Double(statistics.tokensWritten) / writing))
    }

    /// A measurement, or JSON null where the platform cannot make it (no /proc).
    static func jsonValue(_ bytes: Int?) -> Any { bytes.map { $0 as Any } ?? NSNull() }
}
