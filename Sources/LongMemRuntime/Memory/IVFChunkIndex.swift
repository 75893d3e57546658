import LongMemTensor

/// Approximate inner-product search over chunk-mean keys, like faiss's `IndexIVFFlat` with
/// `METRIC_INNER_PRODUCT`: for memories far beyond LongMem's 65,536 tokens (a million tokens are 262,144
/// chunks per head at csz 4), where scoring every chunk for every query costs too much.
///
/// Per key head, a coarse quantizer of `lists` unit-length centroids trained by spherical k-means (see
/// `KMeans`: inner-product assignment, the search metric, as faiss trains its `IndexFlatIP` quantizer);
/// every chunk is filed, with its Float32 mean key, in the list of the centroid it scores highest against;
/// a query scores the centroids, then only the chunks of its `probes` best lists (`InvertedLists`, which
/// scans list-major: each probed list once per search against all the queries that probe it).
///
/// The memory arrives as a stream. Until `trainingThreshold` chunks are held (39 per list, faiss's
/// `min_points_per_centroid`) the index has nothing to train on and is an `ExactChunkIndex`: searches
/// are exact. The append that reaches the threshold trains on exactly the `trainingThreshold` held
/// chunks, files them, and frees the exact ring; the quantizer is then kept, however many chunks
/// eviction leaves. A memory whose capacity is below the threshold never trains and stays exact.
/// `removeAll` (a new document) forgets the quantizer too, so that no result depends on what was
/// evaluated before.
///
/// Eviction is FIFO and eager: chunks are numbered in stream order, every list is therefore sorted by
/// that number, and `removeOldest` advances each list's start past the evicted numbers, compacting a
/// list once its dead prefix is half of it. Evicted chunks are never scanned nor returned.
///
/// Results have `ExactChunkIndex`'s shape: positions with 0 = oldest held chunk, best first, -1 past the
/// chunks held. The first min(count, perQuery) are always real chunks (memory attention reads that many
/// slots): a query whose probed lists hold fewer probes further lists.
///
/// Native Swift rather than faiss: Debian's `libfaiss-dev` (1.7.3) ships only a static C++ library,
/// without faiss's C API (`nm libfaiss.a | grep ' T faiss_'` finds nothing), and Swift cannot call C++
/// templates of a static library without a C shim of our own.
///
/// - Complexity: `search` is O(rows * queryHeads * (lists + probes * L) * dimension) multiply-adds with
///   L = count / lists chunks per list when balanced (exact search before training); `append` is
///   O(chunks * heads * lists * dimension) once trained (assignment), O(chunks * heads * dimension) before;
///   the training append costs O(iterations * trainingThreshold * lists * dimension) per head;
///   `removeOldest` is O(heads * lists + n * heads) plus amortised O(dimension) per evicted chunk.
public final class IVFChunkIndex: ChunkIndex, @unchecked Sendable {
    public let heads: Int
    public let dimension: Int
    public let capacity: Int
    /// Coarse centroids per head.
    public let lists: Int
    /// Lists scanned per query and head: more is slower and closer to exact.
    public var probes: Int
    /// Chunks held when the quantizer is trained.
    public let trainingThreshold: Int
    /// k-means iterations (faiss's default for IVF training is 10).
    public let iterations: Int
    public let seed: UInt64
    public private(set) var count = 0
    /// Stream number of the oldest held chunk (= chunks evicted since the last `removeAll`).
    private var firstSerial = 0
    /// The index until the quantizer is trained.
    private var exact: ExactChunkIndex?
    /// One per key head once trained.
    private var inverted: [InvertedLists] = []

    /// faiss's `min_points_per_centroid`: fewer training points per centroid make k-means unreliable.
    public static let pointsPerList = 39

    public init(
        heads: Int, dimension: Int, capacity: Int, lists: Int, probes: Int, iterations: Int = 10, seed: UInt64 = 1234
    ) {
        precondition(lists >= 1 && probes >= 1, "IVF index needs lists >= 1 and probes >= 1 (got \(lists), \(probes))")
        self.heads = heads
        self.dimension = dimension
        self.capacity = capacity
        self.lists = lists
        self.probes = probes
        self.iterations = iterations
        self.seed = seed
        trainingThreshold = Self.pointsPerList * lists
        exact = ExactChunkIndex(heads: heads, dimension: dimension, capacity: min(capacity, trainingThreshold))
    }

    /// True once the quantizer is trained (searches are approximate from then on).
    public var isTrained: Bool { !inverted.isEmpty }

    public var residentBytes: Int { (exact?.residentBytes ?? 0) + inverted.reduce(0) { $0 + $1.residentBytes } }

    public func append(_ means: UnsafePointer<Float>, chunks: Int) {
        precondition(count + chunks <= capacity, "index overflow: \(count) + \(chunks) > \(capacity)")
        var done = 0
        while done < chunks {
            if let exact {
                // The exact ring holds min(capacity, threshold) chunks: fill it up to the threshold, train.
                let taken = min(chunks - done, exact.capacity - exact.count)
                exact.append(means + done * heads * dimension, chunks: taken)
                count += taken
                done += taken
                if count >= trainingThreshold { train(exact) }
            } else {
                let rest = chunks - done, source = means + done * heads * dimension, first = firstSerial + count
                let stride = heads * dimension, dimension = self.dimension
                Parallel.forEach(heads) { head in
                    self.inverted[head].add(source + head * dimension, stride: stride, chunks: rest, firstSerial: first)
                }
                count += rest
                done = chunks
            }
        }
    }

    /// Trains one quantizer per head on the chunks of the exact ring and files them.
    private func train(_ ring: ExactChunkIndex) {
        let held = ring.count, dimension = self.dimension, lists = self.lists, iterations = self.iterations
        let seed = self.seed, first = firstSerial
        var trained = [InvertedLists?](repeating: nil, count: heads)
        trained.withUnsafeMutableBufferPointer { trained in
            Parallel.forEach(heads) { head in
                let points = UnsafeMutablePointer<Float>.allocate(capacity: held * dimension)
                defer { points.deallocate() }
                ring.copyMeans(head: head, into: points)
                let centroids = KMeans.train(
                    points, count: held, dimension: dimension, clusters: lists, iterations: iterations,
                    seed: seed &+ UInt64(head))
                let headLists = InvertedLists(centroids: centroids, dimension: dimension)
                headLists.add(points, stride: dimension, chunks: held, firstSerial: first)
                trained[head] = headLists
            }
        }
        inverted = trained.map { $0! }
        exact = nil
    }

    public func removeOldest(_ n: Int) {
        let removed = min(n, count)
        count -= removed
        firstSerial += removed
        if let exact {
            exact.removeOldest(removed)
        } else {
            let firstLive = firstSerial
            Parallel.forEach(heads) { self.inverted[$0].evict(below: firstLive) }
        }
    }

    public func removeAll() {
        count = 0
        firstSerial = 0
        inverted = []
        if let exact {
            exact.removeAll()
        } else {
            exact = ExactChunkIndex(heads: heads, dimension: dimension, capacity: min(capacity, trainingThreshold))
        }
    }

    public func search(
        _ queries: UnsafePointer<Float>, stride: Int, rows: Int, queryHeads: Int, perQuery: Int
    ) -> ChunkMatches {
        if let exact {
            return exact.search(queries, stride: stride, rows: rows, queryHeads: queryHeads, perQuery: perQuery)
        }
        var positions = [Int32](repeating: -1, count: rows * queryHeads * perQuery)
        let group = queryHeads / heads, dimension = self.dimension, probes = self.probes
        let held = count, firstLive = firstSerial
        // Heads run in parallel; with fewer heads than workers, rows are split too (each slice probes alone).
        let parts = max(1, min(rows, (2 * Parallel.threads + heads - 1) / heads))
        positions.withUnsafeMutableBufferPointer { output in
            let output = output.baseAddress!
            Parallel.forEach(heads * parts) { item in
                let head = item / parts, part = item % parts
                let rowStart = rows * part / parts, rowEnd = rows * (part + 1) / parts
                let queryCount = (rowEnd - rowStart) * group
                let packed = UnsafeMutablePointer<Float>.allocate(capacity: max(queryCount, 1) * dimension)
                defer { packed.deallocate() }
                for row in rowStart..<rowEnd {
                    for member in 0..<group {
                        (packed + ((row - rowStart) * group + member) * dimension).update(
                            from: queries + row * stride + (head * group + member) * dimension, count: dimension)
                    }
                }
                self.inverted[head].search(
                    packed, count: queryCount, probes: probes, perQuery: perQuery, held: held, firstLive: firstLive
                ) { query in
                    output + ((rowStart + query / group) * queryHeads + head * group + query % group) * perQuery
                }
            }
        }
        return ChunkMatches(rows: rows, heads: queryHeads, perQuery: perQuery, positions: positions)
    }
}
