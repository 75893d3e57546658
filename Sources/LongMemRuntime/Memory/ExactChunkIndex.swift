import CLongMemKernels
import LongMemTensor

/// Exact inner-product search over chunk-mean keys, like faiss's `IndexFlatIP`: scores of a block of
/// queries against every chunk with one matrix product per head, then a top-k selection per row.
///
/// Means are kept in Float32 in a ring of `capacity` chunks per head (FIFO eviction advances the ring;
/// nothing moves).
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
    static let rowBlock = 64

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

    public func search(_ queries: UnsafePointer<Float>, stride: Int, rows: Int, queryHeads: Int, perQuery: Int) -> ChunkMatches {
        var positions = [Int32](repeating: -1, count: rows * queryHeads * perQuery)
        let group = queryHeads / heads
        // The ring as at most two contiguous runs of physical slots, in logical (age) order.
        let firstRun = min(count, capacity - start)
        let blocks = (rows + Self.rowBlock - 1) / Self.rowBlock
        positions.withUnsafeMutableBufferPointer { output in
            Parallel.forEach(queryHeads * blocks) { item in
                let queryHead = item / blocks, rowStart = (item % blocks) * Self.rowBlock
                let blockRows = min(Self.rowBlock, rows - rowStart)
                let keys = means + (queryHead / group) * capacity * dimension
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * max(count, 1))
                let values = UnsafeMutablePointer<Float>.allocate(capacity: perQuery)
                defer {
                    scores.deallocate()
                    values.deallocate()
                }
                let query = queries + rowStart * stride + queryHead * dimension
                // (B, D) x (run, D)^T -> columns of (B, count)
                BLAS.sgemm(
                    transposeB: true, m: blockRows, n: firstRun, k: dimension, a: query, lda: stride,
                    b: keys + start * dimension, ldb: dimension, c: scores, ldc: count)
                BLAS.sgemm(
                    transposeB: true, m: blockRows, n: count - firstRun, k: dimension, a: query, lda: stride,
                    b: keys, ldb: dimension, c: scores + firstRun, ldc: count)
                for row in 0..<blockRows {
                    let out = output.baseAddress! + ((rowStart + row) * queryHeads + queryHead) * perQuery
                    lm_top_k(scores + row * count, Int64(count), Int64(perQuery), out, values)
                }
            }
        }
        return ChunkMatches(rows: rows, heads: queryHeads, perQuery: perQuery, positions: positions)
    }
}
