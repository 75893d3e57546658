import CLongMemKernels
import LongMemTensor

/// Exact inner-product search over chunk-mean keys, like faiss's `IndexFlatIP`: scores of a block of
/// queries against every chunk with one matrix product per head, then a top-k selection per row.
///
/// Means are kept in Float32 in a ring of `capacity` chunks per head (FIFO eviction advances the ring;
/// nothing moves). Chunks are scored in tiles and each query keeps a running top-k (`lm_top_k_merge`),
/// so the scores never leave the cache; tiles arrive oldest first, so ties rank the older chunk first.
/// - Complexity: `search` is O(rows * queryHeads * count * dimension) multiply-adds plus
///   O(rows * queryHeads * count) comparisons; `append` and `removeOldest` are O(chunks * heads * dimension)
///   and O(1).
public final class ExactChunkIndex: ChunkIndex, @unchecked Sendable {
    public let heads: Int
    public let dimension: Int
    public let capacity: Int
    public private(set) var count = 0
    private var start = 0
    private let means: UnsafeMutablePointer<Float>  // (heads, capacity, dimension)
    /// Query rows scored together, and chunks per score tile: a 512 x 256 tile of scores (512 KiB) stays
    /// in a core's L2 between the product that writes it and the top-k pass that reads it (scoring all
    /// chunks at once, 64 x 16,384 at LongMem's shape, went through memory twice), and 512 rows per product
    /// pack each chunk's key 8 times less often than 64 did. Measured at LongMem's shape (16 heads x
    /// 16,384 chunks x 64, 1,024 queries): 0.25 s single-threaded, from 0.32 s untiled with 64-row blocks.
    static let rowBlock = 512
    static let chunkTile = 256

    public init(heads: Int, dimension: Int, capacity: Int) {
        self.heads = heads
        self.dimension = dimension
        self.capacity = capacity
        means = .allocate(capacity: heads * capacity * dimension)
    }

    deinit { means.deallocate() }

    public var residentBytes: Int { heads * capacity * dimension * MemoryLayout<Float>.stride }

    public func append(_ chunkMeans: UnsafePointer<Float>, chunks: Int) {
        precondition(count + chunks <= capacity, "index overflow: \(count) + \(chunks) > \(capacity)")
        for chunk in 0..<chunks {
            let slot = (start + count + chunk) % capacity
            for head in 0..<heads {
                (means + (head * capacity + slot) * dimension).update(
                    from: chunkMeans + (chunk * heads + head) * dimension, count: dimension)
            }
        }
        count += chunks
    }

    public func removeOldest(_ n: Int) {
        let removed = min(n, count)
        start = (start + removed) % capacity
        count -= removed
    }

    public func removeAll() {
        start = 0
        count = 0
    }

    public func search(
        _ queries: UnsafePointer<Float>, stride: Int, rows: Int, queryHeads: Int, perQuery: Int
    ) -> ChunkMatches {
        var positions = [Int32](repeating: -1, count: rows * queryHeads * perQuery)
        let group = queryHeads / heads
        let pieces = tiles(), available = min(count, perQuery)
        let rowBlock = Self.rowBlock, tileWidth = Self.chunkTile
        let blocks = (rows + rowBlock - 1) / rowBlock
        positions.withUnsafeMutableBufferPointer { output in
            let output = output.baseAddress!
            Parallel.forEach(queryHeads * blocks) { item in
                let queryHead = item / blocks, rowStart = (item % blocks) * rowBlock
                let blockRows = min(rowBlock, rows - rowStart)
                let keys = means + (queryHead / group) * capacity * dimension
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * tileWidth)
                let best = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * max(perQuery, 1))
                defer {
                    scores.deallocate()
                    best.deallocate()
                }
                best.initialize(repeating: -.infinity, count: blockRows * perQuery)
                let query = queries + rowStart * stride + queryHead * dimension
                for piece in pieces {
                    // (B, D) x (piece, D)^T -> (B, piece) scores, which stay in L2 while they are ranked.
                    BLAS.sgemm(
                        transposeB: true, m: blockRows, n: piece.length, k: dimension, a: query, lda: stride,
                        b: keys + piece.slot * dimension, ldb: dimension, c: scores, ldc: piece.length)
                    for row in 0..<blockRows {
                        let out = output + ((rowStart + row) * queryHeads + queryHead) * perQuery
                        lm_top_k_merge(
                            scores + row * piece.length, Int64(piece.length), nil, Int32(piece.position),
                            Int64(perQuery), out, best + row * perQuery)
                    }
                }
                for row in 0..<blockRows {
                    ChunkSelection.fillMissing(
                        output + ((rowStart + row) * queryHeads + queryHead) * perQuery, available: available)
                }
            }
        }
        return ChunkMatches(rows: rows, heads: queryHeads, perQuery: perQuery, positions: positions)
    }

    /// The held chunks as runs of at most `chunkTile` physically contiguous slots, oldest first: the ring
    /// splits at most once, where it wraps.
    func tiles() -> [(position: Int, slot: Int, length: Int)] {
        var pieces: [(position: Int, slot: Int, length: Int)] = []
        var position = 0
        while position < count {
            let slot = (start + position) % capacity
            let length = min(Self.chunkTile, count - position, capacity - slot)
            pieces.append((position, slot, length))
            position += length
        }
        return pieces
    }

    /// Copies the `count` means of key head `head`, oldest first, into `destination` (count, dimension).
    /// - Complexity: O(count * dimension).
    func copyMeans(head: Int, into destination: UnsafeMutablePointer<Float>) {
        for piece in tiles() {
            (destination + piece.position * dimension).update(
                from: means + (head * capacity + piece.slot) * dimension, count: piece.length * dimension)
        }
    }
}
