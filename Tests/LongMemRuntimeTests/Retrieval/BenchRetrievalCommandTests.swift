import Foundation
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import Testing

/// `longmem-eval bench retrieval` and `bench memory`, run as the built executable.
@Suite("bench retrieval and bench memory from the command line")
struct BenchRetrievalCommandTests {
    /// A vectors file: keys (heads, chunks, dimension) and queries (rows, queryHeads * dimension).
    static func vectorsFile(
        heads: Int = 2, chunks: Int = 60, dimension: Int = 8, rows: Int = 5, queryHeads: Int = 2,
        keysShape: [Int]? = nil, includeQueries: Bool = true
    ) throws -> (path: String, keys: Tensor, queries: Tensor) {
        var random = SplitMix64(seed: 17)
        let keys = random.tensor(keysShape ?? [heads, chunks, dimension])
        let queries = random.tensor([rows, queryHeads * dimension])
        let path = FixturePaths.temporaryDirectory() + "/vectors.safetensors"
        var tensors: [(name: String, tensor: Tensor)] = [("keys", keys)]
        if includeQueries { tensors.append(("queries", queries)) }
        try SafeTensorsWriter.write(tensors, to: path)
        return (path, keys, queries)
    }

    func failure(
        _ arguments: [String], mentions expected: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let outcome = try CommandLineRunner.run(arguments)
        #expect(outcome.status != 0, "\(arguments) succeeded", sourceLocation: sourceLocation)
        #expect(
            !outcome.standardError.contains("Fatal error"), "crashed: \(outcome.standardError)",
            sourceLocation: sourceLocation)
        #expect(outcome.standardOutput.isEmpty, sourceLocation: sourceLocation)
        #expect(outcome.standardError.contains(expected), "\(outcome.standardError)", sourceLocation: sourceLocation)
    }

    @Test("bench retrieval: exact positions match the exact index, as JSON and in --ids-out")
    func retrievalExact() throws {
        let (path, keys, queries) = try Self.vectorsFile(queryHeads: 4)  // grouped: 2 query heads per key head
        let idsPath = (path as NSString).deletingLastPathComponent + "/ids.safetensors"
        let outcome = try CommandLineRunner.run([
            "bench", "retrieval", "--vectors", path, "--top", "4", "--repetitions", "1", "--threads", "2", "--ids-out",
            idsPath,
            "--json",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let object = try #require(
            JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
        #expect(object["index"] as? String == "exact")
        #expect(object["query_heads"] as? Int == 4 && object["chunks"] as? Int == 60 && object["threads"] as? Int == 2)
        #expect((object["queries_per_second"] as? Double ?? 0) > 0)
        let positions = try SafeTensorsFile(path: idsPath).tensor("positions")
        #expect(positions.shape == [5, 4, 4])
        let index = ExactChunkIndex(heads: 2, dimension: 8, capacity: 60)
        var means = [Float](repeating: 0, count: 60 * 2 * 8)
        for chunk in 0..<60 {
            for head in 0..<2 {
                for d in 0..<8 { means[(chunk * 2 + head) * 8 + d] = keys.data[(head * 60 + chunk) * 8 + d] }
            }
        }
        index.append(means, chunks: 60)
        let expected = index.search(queries.data, stride: 32, rows: 5, queryHeads: 4, perQuery: 4)
        #expect(positions.toArray() == expected.positions.map(Float.init))
    }

    @Test("bench retrieval --index ivf trains once the file holds 39 x --lists chunks and times training apart")
    func retrievalIVF() throws {
        let (path, _, _) = try Self.vectorsFile(chunks: 100)
        let outcome = try CommandLineRunner.run([
            "bench", "retrieval", "--vectors", path, "--top", "4", "--repetitions", "1", "--index", "ivf", "--lists",
            "2",
            "--probes", "1", "--json",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let object = try #require(
            JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
        #expect(object["trained"] as? Bool == true && object["lists"] as? Int == 2 && object["probes"] as? Int == 1)
        #expect((object["train_seconds"] as? Double ?? -1) >= 0)
        let text = try CommandLineRunner.run([
            "bench", "retrieval", "--vectors", path, "--repetitions", "1", "--index", "ivf", "--lists", "4", "--probes",
            "2",
        ])
        #expect(text.status == 0 && text.standardOutput.contains("untrained"), "\(text.standardOutput)")
    }

    @Test("bench retrieval rejects bad options with one line naming the option")
    func retrievalOptions() throws {
        let (path, _, _) = try Self.vectorsFile()
        let base = ["bench", "retrieval", "--vectors", path]
        try failure(["bench", "retrieval"], mentions: "--vectors")
        try failure(base + ["--top", "0"], mentions: "--top")
        try failure(base + ["--repetitions", "0"], mentions: "--repetitions")
        try failure(base + ["--threads", "0"], mentions: "--threads")
        try failure(base + ["--lists", "0"], mentions: "--lists")
        try failure(base + ["--lists", "8", "--probes", "9"], mentions: "--probes")
        try failure(base + ["--probes", "0"], mentions: "--probes")
        try failure(base + ["--index", "hnsw"], mentions: "--index")
        try failure(base + ["--top", "61"], mentions: "--top")
    }

    @Test("bench retrieval rejects a missing or misshapen vectors file, naming it")
    func retrievalFiles() throws {
        try failure(
            ["bench", "retrieval", "--vectors", "/nonexistent/v.safetensors"], mentions: "/nonexistent/v.safetensors")
        let noQueries = try Self.vectorsFile(includeQueries: false).path
        try failure(["bench", "retrieval", "--vectors", noQueries], mentions: "queries")
        let flatKeys = try Self.vectorsFile(keysShape: [60, 8]).path
        try failure(["bench", "retrieval", "--vectors", flatKeys], mentions: "`keys` must be (heads, chunks, dim)")
        let oddQueries = try Self.vectorsFile(queryHeads: 3).path  // 3 query heads over 2 key heads
        try failure(["bench", "retrieval", "--vectors", oddQueries], mentions: "`queries` must be")
    }

    @Test("bench memory reports the store, the index and the resident set growth")
    func memory() throws {
        let outcome = try CommandLineRunner.run([
            "bench", "memory", "--memory-size", "4096", "--heads", "2", "--dim", "8", "--segment", "256", "--json",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let object = try #require(
            JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
        #expect(object["store_bytes"] as? Int == 2 * 2 * 4096 * 8 * 2)  // keys and values, 2 heads, float16
        #expect(object["index_bytes"] as? Int == 2 * 1024 * 8 * 4)
        #expect(object["tokens_written"] as? Int == 4096)
        #expect(object["tokens_evicted"] as? Int == 512)  // the 16th segment fills the bank: two segments go
        #expect(object["tokens_resident"] as? Int == 3584)
        #expect(object["rss_growth_bytes"] is Int)
        let f32 = try CommandLineRunner.run([
            "bench", "memory", "--memory-size", "4096", "--heads", "2", "--dim", "8", "--segment", "256", "--precision",
            "f32",
        ])
        #expect(f32.status == 0 && f32.standardOutput.contains("f32"), "\(f32.standardError)")
    }

    @Test("bench memory rejects bad options with one line naming the option")
    func memoryOptions() throws {
        try failure(["bench", "memory", "--segment", "0"], mentions: "--segment")
        try failure(["bench", "memory", "--chunk-size", "3"], mentions: "--chunk-size")
        try failure(
            ["bench", "memory", "--memory-size", "1000", "--segment", "1024", "--chunk-size", "4"],
            mentions: "--segment")
        try failure(["bench", "memory", "--precision", "f8"], mentions: "--precision")
        try failure(["bench", "memory", "--heads", "0"], mentions: "--heads")
        try failure(["bench", "memory", "--dim", "0"], mentions: "--dim")
    }

    @Test("bench segment fills the memory through the method, then times a segment read with it")
    func segment() throws {
        let outcome = try CommandLineRunner.run([
            "bench", "segment", "--model", FixturePaths.fixture("longmem-text-tiny"), "--method", "longmem",
            "--memory-size", "4096", "--fill", "3072", "--tokens", "512", "--repetitions", "1", "--json",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let object = try #require(
            JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any])
        #expect(object["method"] as? String == "longmem" && object["segment_tokens"] as? Int == 512)
        // Three 1,024-token segments written; the memory never filled, so nothing was evicted.
        #expect(object["fill_tokens"] as? Int == 3072 && object["memory_tokens_resident"] as? Int == 3072)
        #expect((object["segment_seconds"] as? Double ?? 0) > 0)
        try failure(
            ["bench", "segment", "--model", FixturePaths.fixture("longmem-text-tiny"), "--tokens", "2048"],
            mentions: "--tokens 2048 exceeds the local window (1024 tokens)")
        try failure(
            ["bench", "segment", "--model", FixturePaths.fixture("longmem-text-tiny"), "--fill", "-1"],
            mentions: "--fill")
    }
}
