import Foundation
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import Testing

/// The official bank as a plain list of chunks: what `add_index` and `retrieve` do, written naively.
struct NaiveBank {
    let capacity: Int, chunk: Int, heads: Int, dimension: Int
    /// Oldest first: per chunk, per head, the Float32 keys of its tokens.
    var chunks: [[[Float]]] = []
    var written = 0, evicted = 0

    mutating func write(_ keys: Tensor) {
        let tokens = keys.rows, newChunks = tokens / chunk
        if chunks.count + newChunks >= capacity {
            let gone = min(2 * tokens / chunk, chunks.count)
            chunks.removeFirst(gone)
            evicted += gone * chunk
        }
        for c in 0..<newChunks {
            chunks.append(
                (0..<heads).map { head in
                    (0..<chunk).flatMap { t in (0..<dimension).map { keys.row(c * chunk + t)[head * dimension + $0] } }
                })
        }
        written += newChunks * chunk
    }

    /// Positions (0 = oldest) of the `n` chunks whose mean key scores highest against `query` for `head`.
    func top(_ n: Int, query: [Float], head: Int) -> [Int] {
        let scores = chunks.map { chunk -> Double in
            (0..<dimension).reduce(0.0) { total, d in
                let mean =
                    (0..<self.chunk).reduce(0.0) { $0 + Double(chunk[head][$1 * dimension + d]) } / Double(self.chunk)
                return total + mean * Double(query[d])
            }
        }
        return Array(scores.indices.sorted { scores[$0] > scores[$1] }.prefix(n))
    }
}

@Suite("Memory bank: the official write, eviction and retrieval rules")
struct MemoryBankTests {
    @Test(
        "counters, FIFO eviction of two segments' worth, trailing-token drop",
        arguments: [
            [64, 64, 64, 64, 64, 64], [8, 64, 30, 64, 64, 64], [10, 10, 3, 64, 64],
        ])
    func writes(segments: [Int]) throws {
        var random = SplitMix64(seed: UInt64(segments.reduce(0, +)))
        let configuration = MemoryConfiguration(memorySize: 256, chunkSize: 4, topK: 16, retrievalLayer: 0)
        let bank = MemoryBank(configuration: configuration, heads: 2, dimension: 8)
        var naive = NaiveBank(capacity: 64, chunk: 4, heads: 2, dimension: 8)
        for length in segments {
            let keys = random.tensor([length, 16], scale: 2)
            bank.write(keys: keys.data, keyStride: 16, values: keys.data, valueStride: 16, tokens: length)
            naive.write(keys)
            #expect(
                bank.statistics
                    == MemoryStatistics(
                        tokensWritten: naive.written, tokensResident: naive.chunks.count * 4,
                        tokensEvicted: naive.evicted))
            // Every query retrieves the same chunks as a brute-force search over the naive list.
            let queries = random.tensor([5, 16], scale: 2)
            let retrieved = bank.retrieve(queries.data, stride: 16, rows: 5, queryHeads: 2)
            for row in 0..<5 {
                for head in 0..<2 {
                    let query = (0..<8).map { queries.row(row)[head * 8 + $0] }
                    let expected = naive.top(4, query: query, head: head).map { naive.chunks[$0][head] }
                    let slots = retrieved.slots[((row * 2) + head) * 4..<((row * 2) + head) * 4 + retrieved.available]
                    let found = slots.map { slot in
                        (0..<4).flatMap { bank.storedKey(head: head, slot: Int(slot), token: $0) }
                    }
                    let rounded = expected.map { $0.map { Float(Float16($0)) } }
                    #expect(Set(found.map { $0.description }) == Set(rounded.map { $0.description }))
                }
            }
        }
        bank.reset()
        #expect(bank.statistics == MemoryStatistics() && bank.isEmpty)
    }

    @Test("exact chunk search equals brute force on random data", arguments: [1, 7, 64, 300])
    func exactSearch(chunks: Int) {
        var random = SplitMix64(seed: UInt64(chunks))
        let heads = 3, dimension = 16, capacity = 400, perQuery = 8
        let index = ExactChunkIndex(heads: heads, dimension: dimension, capacity: capacity)
        // Fill past the end of the ring so that the search covers a wrapped range.
        index.append(random.floats(350 * heads * dimension), chunks: 350)
        index.removeOldest(350)
        let means = random.floats(chunks * heads * dimension)
        index.append(means, chunks: chunks)
        let rows = 70
        let queries = random.floats(rows * heads * 2 * dimension)  // 6 query heads in groups of 2
        let matches = index.search(
            queries, stride: heads * 2 * dimension, rows: rows, queryHeads: heads * 2, perQuery: perQuery)
        for row in 0..<rows {
            for queryHead in 0..<(heads * 2) {
                let head = queryHead / 2
                let scores = (0..<chunks).map { chunk in
                    (0..<dimension).reduce(0.0) {
                        $0 + Double(queries[row * heads * 2 * dimension + queryHead * dimension + $1])
                            * Double(means[(chunk * heads + head) * dimension + $1])
                    }
                }
                let expected = scores.indices.sorted { scores[$0] > scores[$1] }.prefix(perQuery).map(Int32.init)
                let start = (row * heads * 2 + queryHead) * perQuery
                let found = matches.positions[start..<(start + perQuery)]
                #expect(Array(found.prefix(expected.count)) == expected)
                #expect(found.dropFirst(expected.count).allSatisfy { $0 == -1 })
            }
        }
    }
}
