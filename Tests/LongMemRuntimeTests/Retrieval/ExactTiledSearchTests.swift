import CLongMemKernels
import LongMemRuntime
import LongMemTensor
import LongMemTestSupport
import Testing

@Suite("Exact chunk search in score tiles, and the running top-k merge")
struct ExactTiledSearchTests {
    @Test(
        "lm_top_k_merge over blocks in index order equals lm_top_k over the whole row", arguments: [1, 7, 8, 100, 5000])
    func mergeEqualsTopK(count: Int) {
        var random = SplitMix64(seed: UInt64(count))
        // Coarse values so that ties are common: ties must rank the lower index first in both.
        let values = (0..<count).map { _ in Float(Int.random(in: -20...20, using: &random)) / 4 }
        for n in [1, 5, 16, 64] {
            var expectedIndex = [Int32](repeating: 0, count: n), expectedValue = [Float](repeating: 0, count: n)
            lm_top_k(values, Int64(count), Int64(n), &expectedIndex, &expectedValue)
            // Naive twin: descending by value, the lower index first on ties; -1 past the end.
            let naive = values.indices.sorted { (values[$0], -$0) > (values[$1], -$1) }.prefix(n).map(Int32.init)
            #expect(expectedIndex == naive + [Int32](repeating: -1, count: n - naive.count), "n \(n)")
            var index = [Int32](repeating: -1, count: n), value = [Float](repeating: -.infinity, count: n)
            var start = 0
            while start < count {
                let width = min(Int.random(in: 1...300, using: &random), count - start)
                values.withUnsafeBufferPointer {
                    lm_top_k_merge($0.baseAddress! + start, Int64(width), nil, Int32(start), Int64(n), &index, &value)
                }
                start += width
            }
            #expect(index == expectedIndex, "n \(n)")
            #expect(value == expectedValue, "n \(n)")
        }
    }

    @Test("explicit ids: candidates carry the given indices")
    func mergeWithIds() {
        let values: [Float] = [0.5, 3, -1, 2, 2, 7, 0, 1, 4]
        let ids: [Int32] = [90, 91, 92, 93, 94, 95, 96, 97, 98]
        var index = [Int32](repeating: -1, count: 4), value = [Float](repeating: -.infinity, count: 4)
        lm_top_k_merge(values, Int64(values.count), ids, 0, 4, &index, &value)
        #expect(index == [95, 98, 91, 93])
        #expect(value == [7, 4, 3, 2])
    }

    @Test("many tiles across the ring's wrap equal brute force", arguments: [2049, 4900])
    func tilesAcrossWrap(held: Int) {
        var random = SplitMix64(seed: UInt64(held))
        let heads = 2, dimension = 8, capacity = 5000, perQuery = 16
        let index = ExactChunkIndex(heads: heads, dimension: dimension, capacity: capacity)
        index.append(random.floats(3000 * heads * dimension), chunks: 3000)
        index.removeOldest(2500)
        let means = random.floats((held - 500) * heads * dimension)
        index.append(means, chunks: held - 500)
        #expect(index.count == held)
        let rows = 520  // two row blocks of the search; brute force checks rows of both
        let queries = random.floats(rows * heads * dimension)
        let matches = index.search(
            queries, stride: heads * dimension, rows: rows, queryHeads: heads, perQuery: perQuery)
        // The 500 survivors of the first append are the oldest: re-create them to score brute force.
        var survivors = SplitMix64(seed: UInt64(held))
        let first = survivors.floats(3000 * heads * dimension)
        let all = Array(first[(2500 * heads * dimension)...]) + means
        for row in Array(0..<6) + Array(510..<rows) {
            for head in 0..<heads {
                let scores = (0..<held).map { chunk in
                    (0..<dimension).reduce(0.0) {
                        $0 + Double(queries[(row * heads + head) * dimension + $1])
                            * Double(all[(chunk * heads + head) * dimension + $1])
                    }
                }
                let expected = scores.indices.sorted { scores[$0] > scores[$1] }.prefix(perQuery).map(Int32.init)
                let start = (row * heads + head) * perQuery
                #expect(Array(matches.positions[start..<(start + perQuery)]) == expected)
            }
        }
    }

    @Test("a NaN query still gets real chunks (memory attention reads that many slots)")
    func nonFiniteQuery() {
        let index = ExactChunkIndex(heads: 1, dimension: 4, capacity: 64)
        index.append([Float](repeating: 1, count: 40 * 4), chunks: 40)
        let query: [Float] = [.nan, 0, 0, 0]
        let matches = index.search(query, stride: 4, rows: 1, queryHeads: 1, perQuery: 8)
        #expect(Set(matches.positions).count == 8 && matches.positions.allSatisfy { (0..<40).contains($0) })
    }
}
