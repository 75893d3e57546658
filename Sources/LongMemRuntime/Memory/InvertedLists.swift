import CLongMemKernels
import LongMemTensor

/// One key head of an `IVFChunkIndex`: unit-length centroids and, per centroid, the chunks filed under
/// it as (serial number, mean key). A chunk's serial number is its rank in the stream of appended chunks;
/// its position (0 = oldest held) is serial - first held serial.
///
/// Chunks are appended in stream order, so every list is sorted by serial and FIFO eviction removes a
/// prefix of each list: `evict` advances each list's `begin` past the evicted serials, and a list's dead
/// prefix is compacted away once it is at least half the list.
final class InvertedLists: @unchecked Sendable {
    let dimension: Int
    let count: Int
    /// (count, dimension), unit length.
    let centroids: [Float]
    private var serials: [[Int]]
    private var vectors: [[Float]]
    /// Index of the first live entry of each list.
    private var begin: [Int]
    /// Scores of `add`'s assignment, kept between calls (`add` runs on one thread per head at a time).
    private var assignScores: UnsafeMutablePointer<Float>?
    /// Chunks per score tile when one list is scanned (a bound for unbalanced lists).
    static let tile = 2048

    init(centroids: [Float], dimension: Int) {
        self.dimension = dimension
        self.centroids = centroids
        count = centroids.count / dimension
        serials = Array(repeating: [], count: count)
        vectors = Array(repeating: [], count: count)
        begin = Array(repeating: 0, count: count)
    }

    deinit { assignScores?.deallocate() }

    /// Live chunks in list `list`.
    func size(_ list: Int) -> Int { serials[list].count - begin[list] }

    /// Bytes held: centroids, list storage (reserved capacity included) and the assignment scratch.
    var residentBytes: Int {
        var bytes = centroids.count * MemoryLayout<Float>.stride
        if assignScores != nil { bytes += KMeans.blockRows(clusters: count) * count * MemoryLayout<Float>.stride }
        for list in 0..<count {
            bytes +=
                serials[list].capacity * MemoryLayout<Int>.stride + vectors[list].capacity * MemoryLayout<Float>.stride
        }
        return bytes
    }

    /// Files `chunks` mean keys (rows `stride` floats apart) with serials firstSerial, firstSerial + 1, ...
    /// - Complexity: O(chunks * lists * dimension) for the assignment (one matrix product) plus amortised
    ///   O(chunks * dimension) to store.
    func add(_ means: UnsafePointer<Float>, stride: Int, chunks: Int, firstSerial: Int) {
        guard chunks > 0 else { return }
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: chunks * dimension)
        let assignment = UnsafeMutablePointer<Int32>.allocate(capacity: chunks)
        defer {
            packed.deallocate()
            assignment.deallocate()
        }
        for chunk in 0..<chunks { (packed + chunk * dimension).update(from: means + chunk * stride, count: dimension) }
        let scratch = assignScores ?? .allocate(capacity: KMeans.blockRows(clusters: count) * count)
        assignScores = scratch
        centroids.withUnsafeBufferPointer {
            KMeans.assign(
                packed, count: chunks, dimension: dimension, centroids: $0.baseAddress!, clusters: count,
                into: assignment,
                scratch: scratch)
        }
        for chunk in 0..<chunks {
            let list = Int(assignment[chunk])
            serials[list].append(firstSerial + chunk)
            vectors[list].append(contentsOf: UnsafeBufferPointer(start: packed + chunk * dimension, count: dimension))
        }
    }

    /// Drops every chunk whose serial is below `firstLive`.
    /// - Complexity: O(lists + evicted) to advance the list starts, plus amortised O(dimension) per evicted
    ///   chunk for compaction (a list is compacted when its dead prefix is at least half of it).
    func evict(below firstLive: Int) {
        for list in 0..<count {
            var first = serials[list].withUnsafeBufferPointer { held in
                var first = begin[list]
                while first < held.count && held[first] < firstLive { first += 1 }
                return first
            }
            if first > 0 && 2 * first >= serials[list].count {
                serials[list].removeFirst(first)
                vectors[list].removeFirst(first * dimension)
                first = 0
            }
            begin[list] = first
        }
    }

    /// The `perQuery` best chunks for each of `queries` contiguous (queries, dimension) vectors, written as
    /// positions (serial - firstLive) into `output(query)`, which holds perQuery entries initialised to -1.
    ///
    /// List-major: the probes of every query are gathered first, then each probed list is scored once
    /// against all the queries that probe it with one matrix product, and each query keeps a running
    /// top-k. Each list's keys are read once per call instead of once per query, and the products are
    /// matrix-matrix. A query whose `probes` lists hold fewer than min(held, perQuery) chunks probes further
    /// lists, best first, until they do.
    /// - Complexity: O(queries * lists * dimension) for the probe, plus O(queries * probes * L * dimension)
    ///   multiply-adds for L chunks per list (held / lists when balanced) and as many comparisons.
    func search(
        _ queries: UnsafePointer<Float>, count queryCount: Int, probes: Int, perQuery: Int, held: Int, firstLive: Int,
        output: (Int) -> UnsafeMutablePointer<Int32>
    ) {
        guard queryCount > 0, perQuery > 0, held > 0 else { return }
        let lists = count, probes = min(probes, lists), wanted = min(held, perQuery)
        // 1. Probe: each query's best lists by inner product with the centroids, in blocks of queries.
        var probeStart = [Int](repeating: 0, count: queryCount + 1)
        var probed: [Int32] = []
        probed.reserveCapacity(queryCount * probes)
        let block = max(16, (1 << 18) / lists)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: min(block, queryCount) * lists)
        let bestValues = UnsafeMutablePointer<Float>.allocate(capacity: max(lists, queryCount * perQuery))
        let chosen = UnsafeMutablePointer<Int32>.allocate(capacity: lists)
        defer {
            scores.deallocate()
            bestValues.deallocate()
            chosen.deallocate()
        }
        centroids.withUnsafeBufferPointer { centroids in
            var start = 0
            while start < queryCount {
                let rows = min(block, queryCount - start)
                BLAS.sgemm(
                    transposeB: true, m: rows, n: lists, k: dimension, a: queries + start * dimension, lda: dimension,
                    b: centroids.baseAddress!, ldb: dimension, c: scores, ldc: lists)
                for row in 0..<rows {
                    let rowScores = scores + row * lists
                    lm_top_k(rowScores, Int64(lists), Int64(probes), chosen, bestValues)
                    var found = 0
                    for p in 0..<probes {
                        probed.append(chosen[p])
                        found += size(Int(chosen[p]))
                    }
                    if found < wanted {
                        // Rare: the best lists are nearly empty (eviction, unbalanced data). Probe on, best first.
                        lm_top_k(rowScores, Int64(lists), Int64(lists), chosen, bestValues)
                        var next = probes
                        while found < wanted && next < lists {
                            probed.append(chosen[next])
                            found += size(Int(chosen[next]))
                            next += 1
                        }
                    }
                    probeStart[start + row + 1] = probed.count
                }
                start += rows
            }
        }
        // 2. Invert: for each list, the queries that probe it (counting sort by list).
        var listStart = [Int](repeating: 0, count: lists + 1)
        for list in probed { listStart[Int(list) + 1] += 1 }
        for list in 0..<lists { listStart[list + 1] += listStart[list] }
        var fill = listStart
        var listQueries = [Int32](repeating: 0, count: probed.count)
        for query in 0..<queryCount {
            for p in probeStart[query]..<probeStart[query + 1] {
                let list = Int(probed[p])
                listQueries[fill[list]] = Int32(query)
                fill[list] += 1
            }
        }
        // 3. Scan: each probed list once, against the queries that probe it.
        bestValues.initialize(repeating: -.infinity, count: queryCount * perQuery)
        var widest = 0
        for list in 0..<lists { widest = max(widest, listStart[list + 1] - listStart[list]) }
        let gathered = UnsafeMutablePointer<Float>.allocate(capacity: max(widest, 1) * dimension)
        let positions = UnsafeMutablePointer<Int32>.allocate(capacity: Self.tile)
        let tileScores = UnsafeMutablePointer<Float>.allocate(capacity: max(widest, 1) * Self.tile)
        defer {
            gathered.deallocate()
            positions.deallocate()
            tileScores.deallocate()
        }
        for list in 0..<lists where listStart[list + 1] > listStart[list] && size(list) > 0 {
            let members = listStart[list]..<listStart[list + 1]
            for (row, query) in listQueries[members].enumerated() {
                (gathered + row * dimension).update(from: queries + Int(query) * dimension, count: dimension)
            }
            serials[list].withUnsafeBufferPointer { serials in
                vectors[list].withUnsafeBufferPointer { vectors in
                    var first = begin[list]
                    while first < serials.count {
                        let width = min(Self.tile, serials.count - first)
                        for i in 0..<width { positions[i] = Int32(serials[first + i] - firstLive) }
                        BLAS.sgemm(
                            transposeB: true, m: members.count, n: width, k: dimension, a: gathered, lda: dimension,
                            b: vectors.baseAddress! + first * dimension, ldb: dimension, c: tileScores, ldc: width)
                        for (row, query) in listQueries[members].enumerated() {
                            lm_top_k_merge(
                                tileScores + row * width, Int64(width), positions, 0, Int64(perQuery),
                                output(Int(query)),
                                bestValues + Int(query) * perQuery)
                        }
                        first += width
                    }
                }
            }
        }
        for query in 0..<queryCount { ChunkSelection.fillMissing(output(query), available: wanted) }
    }
}
