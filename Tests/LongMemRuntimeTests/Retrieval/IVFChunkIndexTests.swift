import Foundation
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import Testing

/// Chunk means with cluster structure, like attention keys: `clusters` random directions per head, each
/// chunk one of them scaled and perturbed, and queries drawn the same way.
struct ClusteredVectors {
    let heads: Int, dimension: Int, clusters: Int
    var random: SplitMix64
    let centers: [[Float]]  // per head, (clusters, dimension)

    init(heads: Int, dimension: Int, clusters: Int, seed: UInt64) {
        self.heads = heads
        self.dimension = dimension
        self.clusters = clusters
        random = SplitMix64(seed: seed)
        var centers: [[Float]] = []
        for _ in 0..<heads { centers.append(random.floats(clusters * dimension, scale: 1)) }
        self.centers = centers
    }

    /// `count` rows of (heads, dimension): the layout of `ChunkIndex.append` and of a query row.
    mutating func rows(_ count: Int, noise: Float = 0.35) -> [Float] {
        var out = [Float](repeating: 0, count: count * heads * dimension)
        for row in 0..<count {
            for head in 0..<heads {
                let cluster = Int(random.next() % UInt64(clusters))
                let scale = Float.random(in: 0.5...1.5, using: &random)
                for d in 0..<dimension {
                    out[(row * heads + head) * dimension + d] =
                        scale * centers[head][cluster * dimension + d]
                        + Float.random(in: -noise...noise, using: &random)
                }
            }
        }
        return out
    }
}

/// Feeds the same stream to several indices.
func feed(_ indices: [ChunkIndex], _ means: [Float], chunks: Int) {
    for index in indices { index.append(means, chunks: chunks) }
}

/// Fraction of the exact top-k (per query and head) that the approximate search also returned.
func recall(_ approximate: ChunkMatches, _ exact: ChunkMatches) -> Double {
    var hits = 0, total = 0
    for start in stride(from: 0, to: exact.positions.count, by: exact.perQuery) {
        let truth = Set(exact.positions[start..<(start + exact.perQuery)].filter { $0 >= 0 })
        let found = Set(approximate.positions[start..<(start + approximate.perQuery)])
        hits += truth.intersection(found).count
        total += truth.count
    }
    return Double(hits) / Double(max(total, 1))
}

/// Every query's first min(count, perQuery) positions are distinct held chunks; the rest are -1.
func expectValid(_ matches: ChunkMatches, count: Int, sourceLocation: SourceLocation = #_sourceLocation) {
    let available = min(count, matches.perQuery)
    for start in stride(from: 0, to: matches.positions.count, by: matches.perQuery) {
        let query = matches.positions[start..<(start + matches.perQuery)]
        let real = query.prefix(available)
        #expect(real.allSatisfy { (0..<Int32(count)).contains($0) }, "\(Array(query))", sourceLocation: sourceLocation)
        #expect(Set(real).count == available, "duplicates in \(Array(query))", sourceLocation: sourceLocation)
        #expect(query.dropFirst(available).allSatisfy { $0 == -1 }, sourceLocation: sourceLocation)
    }
}

@Suite("IVF chunk index: inverted lists over chunk-mean keys, trained on the stream")
struct IVFChunkIndexTests {
    @Test("recall@16 on clustered data is at least 0.95 at 8 of 64 lists")
    func clusteredRecall() {
        // 200 clusters with noise 0.6: fuzzy enough that one probe misses (recall 0.85 measured), 8 probes
        // of 64 lists 0.98, 16 probes 0.996.
        let heads = 2, dimension = 32, lists = 64, perQuery = 16
        var data = ClusteredVectors(heads: heads, dimension: dimension, clusters: 200, seed: 11)
        let capacity = 8192
        let ivf = IVFChunkIndex(heads: heads, dimension: dimension, capacity: capacity, lists: lists, probes: 8)
        let exact = ExactChunkIndex(heads: heads, dimension: dimension, capacity: capacity)
        for _ in 0..<8 { feed([ivf, exact], data.rows(1000, noise: 0.6), chunks: 1000) }
        #expect(ivf.isTrained && ivf.count == 8000)
        let rows = 200
        let queries = data.rows(rows, noise: 0.6)
        let stride = heads * dimension
        let truth = exact.search(queries, stride: stride, rows: rows, queryHeads: heads, perQuery: perQuery)
        let approximate = ivf.search(queries, stride: stride, rows: rows, queryHeads: heads, perQuery: perQuery)
        expectValid(approximate, count: ivf.count)
        let measured = recall(approximate, truth)
        #expect(measured >= 0.95, "recall@16 \(measured)")
        ivf.probes = 1
        let single = recall(
            ivf.search(queries, stride: stride, rows: rows, queryHeads: heads, perQuery: perQuery), truth)
        #expect(single < measured, "one probe \(single), eight \(measured)")
        // Probing every list is exhaustive: the same chunks as exact search.
        ivf.probes = lists
        let all = ivf.search(queries, stride: stride, rows: rows, queryHeads: heads, perQuery: perQuery)
        #expect(recall(all, truth) == 1)
    }

    @Test("before training (fewer than 39 chunks per list) it is exact search, eviction included")
    func untrainedIsExact() {
        let heads = 3, dimension = 16, lists = 64, perQuery = 8
        var random = SplitMix64(seed: 5)
        let capacity = 3000
        let ivf = IVFChunkIndex(heads: heads, dimension: dimension, capacity: capacity, lists: lists, probes: 2)
        let exact = ExactChunkIndex(heads: heads, dimension: dimension, capacity: capacity)
        #expect(ivf.trainingThreshold == 39 * lists)
        for (chunks, evict) in [(700, 0), (900, 300), (1000, 800), (500, 0)] {
            feed([ivf, exact], random.floats(chunks * heads * dimension), chunks: chunks)
            ivf.removeOldest(evict)
            exact.removeOldest(evict)
            #expect(!ivf.isTrained)
            let rows = 33
            let queries = random.floats(rows * heads * 2 * dimension)  // grouped queries: 2 per key head
            let found = ivf.search(
                queries, stride: heads * 2 * dimension, rows: rows, queryHeads: heads * 2, perQuery: perQuery)
            let truth = exact.search(
                queries, stride: heads * 2 * dimension, rows: rows, queryHeads: heads * 2, perQuery: perQuery)
            #expect(found.positions == truth.positions)
            #expect(ivf.count == exact.count)
        }
    }

    @Test("the append that crosses the threshold trains on the first 39 x lists chunks and files the rest")
    func trainsOnceAtThreshold() {
        let heads = 1, dimension = 8, lists = 4
        var data = ClusteredVectors(heads: heads, dimension: dimension, clusters: 4, seed: 3)
        let ivf = IVFChunkIndex(heads: heads, dimension: dimension, capacity: 1000, lists: lists, probes: lists)
        let exact = ExactChunkIndex(heads: heads, dimension: dimension, capacity: 1000)
        feed([ivf, exact], data.rows(150), chunks: 150)
        #expect(!ivf.isTrained)
        feed([ivf, exact], data.rows(100), chunks: 100)  // 250 >= 156: trains inside this append
        #expect(ivf.isTrained && ivf.count == 250)
        let queries = data.rows(40)
        let found = ivf.search(queries, stride: dimension, rows: 40, queryHeads: 1, perQuery: 10)
        let truth = exact.search(queries, stride: dimension, rows: 40, queryHeads: 1, perQuery: 10)
        #expect(recall(found, truth) == 1)
    }

    @Test("evicted chunks are never returned and positions follow the FIFO order", arguments: [1, 8])
    func eviction(probes: Int) {
        let heads = 2, dimension = 16, lists = 8, perQuery = 12
        var data = ClusteredVectors(heads: heads, dimension: dimension, clusters: 6, seed: 21)
        let capacity = 1200
        let ivf = IVFChunkIndex(heads: heads, dimension: dimension, capacity: capacity, lists: lists, probes: probes)
        let exact = ExactChunkIndex(heads: heads, dimension: dimension, capacity: capacity)
        // Decoys: chunks 100 times longer than the rest, in every query's direction, evicted below.
        let decoys = [Float](repeating: 100, count: 200 * heads * dimension)
        feed([ivf, exact], data.rows(400), chunks: 400)
        feed([ivf, exact], decoys, chunks: 200)
        feed([ivf, exact], data.rows(300), chunks: 300)
        #expect(ivf.isTrained)
        ivf.removeOldest(600)
        exact.removeOldest(600)
        // More rounds of FIFO writes and evictions, the stream running well past the capacity.
        for round in 0..<6 {
            let rows = 25
            var queries = data.rows(rows)
            for i in queries.indices { queries[i] = abs(queries[i]) }  // every query would rank the decoys first
            let found = ivf.search(
                queries, stride: heads * dimension, rows: rows, queryHeads: heads, perQuery: perQuery)
            let truth = exact.search(
                queries, stride: heads * dimension, rows: rows, queryHeads: heads, perQuery: perQuery)
            #expect(ivf.count == exact.count)
            // An evicted chunk would have a negative position (its stream number is below the oldest held).
            expectValid(found, count: ivf.count)
            if probes == lists { #expect(found.positions == truth.positions, "round \(round)") }
            feed([ivf, exact], data.rows(300), chunks: 300)
            ivf.removeOldest(250 + 10 * round)
            exact.removeOldest(250 + 10 * round)
        }
    }

    @Test("probed lists holding fewer than k chunks: the search probes further lists")
    func widensProbe() {
        let heads = 1, dimension = 8, lists = 16, perQuery = 40
        var data = ClusteredVectors(heads: heads, dimension: dimension, clusters: 16, seed: 8)
        let ivf = IVFChunkIndex(heads: heads, dimension: dimension, capacity: 4096, lists: lists, probes: 1)
        feed([ivf], data.rows(700), chunks: 700)
        ivf.removeOldest(650)  // 50 chunks left over 16 lists: one list holds far fewer than 40
        #expect(ivf.isTrained && ivf.count == 50)
        let queries = data.rows(30)
        let found = ivf.search(queries, stride: dimension, rows: 30, queryHeads: 1, perQuery: perQuery)
        expectValid(found, count: 50)
        let more = ivf.search(queries, stride: dimension, rows: 30, queryHeads: 1, perQuery: 64)
        expectValid(more, count: 50)  // 50 real chunks, then -1
    }

    @Test("removeAll forgets the quantizer: the next stream is exact again until it trains")
    func removeAllResets() {
        var data = ClusteredVectors(heads: 1, dimension: 8, clusters: 4, seed: 2)
        let ivf = IVFChunkIndex(heads: 1, dimension: 8, capacity: 500, lists: 4, probes: 1)
        feed([ivf], data.rows(200), chunks: 200)
        #expect(ivf.isTrained && ivf.residentBytes > 0)
        ivf.removeAll()
        #expect(!ivf.isTrained && ivf.count == 0)
        let exact = ExactChunkIndex(heads: 1, dimension: 8, capacity: 500)
        feed([ivf, exact], data.rows(100), chunks: 100)
        let queries = data.rows(10)
        #expect(
            ivf.search(queries, stride: 8, rows: 10, queryHeads: 1, perQuery: 5).positions
                == exact.search(queries, stride: 8, rows: 10, queryHeads: 1, perQuery: 5).positions)
    }

    @Test("a memory bank with an IVF index retrieves real slots before and after training")
    func memoryBank() {
        let configuration = MemoryConfiguration(memorySize: 2048, chunkSize: 4, topK: 16, retrievalLayer: 0)
        let heads = 2, dimension = 8
        let bank = MemoryBank(
            configuration: configuration, heads: heads, dimension: dimension,
            index: IVFChunkIndex(
                heads: heads, dimension: dimension, capacity: configuration.capacityChunks, lists: 8, probes: 2))
        var random = SplitMix64(seed: 9)
        for _ in 0..<12 {
            let keys = random.tensor([128, heads * dimension])
            bank.write(
                keys: keys.data, keyStride: heads * dimension, values: keys.data, valueStride: heads * dimension,
                tokens: 128)
            let queries = random.tensor([7, heads * 2 * dimension])
            let retrieved = bank.retrieve(queries.data, stride: heads * 2 * dimension, rows: 7, queryHeads: heads * 2)
            #expect(retrieved.available == min(bank.count, 4))
            for start in stride(from: 0, to: retrieved.slots.count, by: retrieved.perQuery) {
                let real = retrieved.slots[start..<(start + retrieved.available)]
                #expect(real.allSatisfy { (0..<Int32(bank.capacity)).contains($0) })
                #expect(Set(real).count == real.count)
            }
        }
        #expect((bank.index as? IVFChunkIndex)?.isTrained == true)
    }
}
